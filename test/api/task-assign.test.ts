/**
 * POST /api/tasks/:id/assign: coordinators reassign an open task of their commune to a user whose
 * groups match the task's candidate groups, with a reason that lands in the audit log. The tasks are
 * the engine's: the assignment changes the engine's assignee, and the row follows it. A case manager
 * of another site who is assigned a task reads its case while the task is theirs (audited).
 */
import path from 'node:path';
import type { Stack } from '../../server/stack';
import { FIXTURES, login, Session, startTestStack, until } from '../support/stack';
import { engineTaskFor as taskFor } from './engine-tasks';
import { caseFixture } from './fixtures';

let stack: Stack;
let koord: Session;
let cm: Session;
let caseId: string;

beforeAll(async () => {
  stack = await startTestStack({ workers: false, processesDir: path.join(FIXTURES, 'tasks') });
  koord = await login(stack.url, 'koord.duisburg');
  cm = await login(stack.url, 'cm.duisburg');
  caseId = (await caseFixture(stack, 'duisburg-nord')).caseId;
});
afterAll(async () => {
  await stack?.stop();
});

/** The engine's assignee (read from the engine, not from the projection). */
async function engineAssignee(taskId: string) {
  const res = await fetch(`${stack.engine.url}/task/${taskId}`);
  return ((await res.json()) as { assignee?: string | null }).assignee ?? null;
}

interface Problem {
  title: string;
  errors?: Record<string, string>;
}

test('a coordinator reassigns a task with a reason; the change and the reason are audit-logged', async () => {
  const t = await taskFor(stack, caseId, 'case-manager:duisburg');
  expect((await cm.post(`/api/tasks/${t.id}/claim`)).status).toBe(200);
  const res = await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Urlaubsvertretung' });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { assignee: string }).assignee).toBe('cm2.duisburg');
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).assignee).toBe('cm2.duisburg');
  expect(await engineAssignee(t.id)).toBe('cm2.duisburg');
  const audit = await stack.db.auditLog.findFirstOrThrow({ where: { action: 'task.assign', entityId: t.id } });
  expect(audit).toMatchObject({ username: 'koord.duisburg', role: 'coordinator', kommuneId: 'duisburg', entity: 'Task', fields: ['assignee'], caseId });
  expect(audit.reason).toContain('Urlaubsvertretung');
  expect(audit.reason).toContain('cm.duisburg');

  // The new assignee sees it under "mine" and can work it.
  const cm2 = await login(stack.url, 'cm2.duisburg');
  const mine = (await (await cm2.get(`/api/tasks?filter=${encodeURIComponent('{"view":"mine"}')}`)).json()) as Array<{ id: string }>;
  expect(mine.map((x) => x.id)).toContain(t.id);
  expect((await cm2.post(`/api/tasks/${t.id}/complete`, { variables: {} })).status).toBe(200);
  expect(await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ state: 'COMPLETED', completedBy: 'cm2.duisburg' });
});

test('the reason is required, and the assignee must belong to the commune and a group of the task', async () => {
  const t = await taskFor(stack, caseId, 'case-manager:duisburg');
  const noReason = await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg' });
  expect(noReason.status).toBe(400);
  expect(((await noReason.json()) as Problem).errors?.reason).toBe('Pflichtfeld – bitte ausfüllen.');
  const short = await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: ' ' });
  expect(((await short.json()) as Problem).errors?.reason).toBe('Bitte den Grund der Neuzuweisung angeben.');
  for (const assignee of ['abh.duisburg', 'cm.mettmann', 'gibt.es.nicht']) {
    const r = await koord.post(`/api/tasks/${t.id}/assign`, { assignee, reason: 'Zuständigkeit' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as Problem).errors?.assignee).toMatch(/Keine passende Person/);
  }
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).assignee).toBeNull();
  expect(await engineAssignee(t.id)).toBeNull();
  // An ABH task goes to ABH staff.
  const abhTask = await taskFor(stack, caseId, 'abh:duisburg');
  expect((await koord.post(`/api/tasks/${abhTask.id}/assign`, { assignee: 'abh.duisburg', reason: 'Zuständig' })).status).toBe(200);
  expect(await engineAssignee(abhTask.id)).toBe('abh.duisburg');
});

test('case managers get 403; other communes and unknown tasks 404; closed tasks 409', async () => {
  const t = await taskFor(stack, caseId, 'case-manager:duisburg');
  const res = await cm.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Ich gebe ab' });
  expect(res.status).toBe(403);
  expect(((await res.json()) as Problem).title).toBe('Nur Koordinierende können Aufgaben neu zuweisen.');
  const land = await login(stack.url, 'land.nrw');
  expect((await land.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'x y z' })).status).toBe(403);
  const koordM = await login(stack.url, 'koord.mettmann');
  expect((await koordM.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm.mettmann', reason: 'Zuständigkeit' })).status).toBe(404);
  expect((await koord.post('/api/tasks/123/assign', { assignee: 'cm2.duisburg', reason: 'Zuständigkeit' })).status).toBe(404);
  await stack.engine.tasks.complete(t.id, {});
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).state).toBe('COMPLETED');
  expect((await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Zuständigkeit' })).status).toBe(409);
  // A task the engine canceled meanwhile: 409 as well, and the engine is not asked to assign.
  const gone = await taskFor(stack, caseId, 'case-manager:duisburg');
  await stack.engine.runtime.cancel(gone.processInstanceKey);
  const late = await koord.post(`/api/tasks/${gone.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Zuständigkeit' });
  expect(late.status).toBe(409);
  expect(((await late.json()) as Problem).title).toBe('Die Aufgabe ist bereits abgeschlossen.');
});

describe('a task reassigned to a case manager of another site', () => {
  let cm2: Session;
  beforeAll(async () => {
    cm2 = await login(stack.url, 'cm2.duisburg');
  });
  /** What cm2 (site duisburg-sued) reaches of the case (site duisburg-nord). */
  const reach = async (id: string, clientId: string, taskId: string) => ({
    case: (await cm2.get(`/api/cases/${id}`)).status,
    client: (await cm2.get(`/api/clients/${clientId}`)).status,
    taskCase: (((await (await cm2.get(`/api/tasks/${taskId}/form`)).json()) as { context: { case: { id: string } | null } | null }).context?.case?.id ?? null),
  });
  const auditOf = (action: string, kase: string) => stack.db.auditLog.findMany({ where: { action, caseId: kase }, orderBy: { id: 'asc' } });

  test('reads its case while the task is theirs, never writes to it; completing the task ends the access; grant and end are audited', async () => {
    const f = await caseFixture(stack, 'duisburg-nord');
    const t = await taskFor(stack, f.caseId, 'case-manager:duisburg');
    // Offered to cm2's group only: the task is visible, the case is not (another site).
    expect(await reach(f.caseId, f.clientId, t.id)).toEqual({ case: 404, client: 404, taskCase: null });
    expect((await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Vertretung Standort Nord' })).status).toBe(200);
    expect(await reach(f.caseId, f.clientId, t.id)).toEqual({ case: 200, client: 200, taskCase: f.caseId });
    const grant = await auditOf('cases.access_grant', f.caseId);
    expect(grant).toHaveLength(1);
    expect(grant[0]).toMatchObject({ username: 'koord.duisburg', entity: 'Case', entityId: f.caseId });
    expect(grant[0].reason).toContain('cm2.duisburg');
    // Reading only: the case cannot be changed or closed through the assignment.
    expect((await cm2.put(`/api/cases/${f.caseId}`, { phase: 'Clearing' })).status).toBe(404);
    expect((await cm2.post(`/api/cases/${f.caseId}/close`, { outcome: 'Versuch' })).status).toBe(404);
    expect((await stack.db.case.findUniqueOrThrow({ where: { id: f.caseId } })).phase).toBe('Umsetzung');

    expect((await cm2.post(`/api/tasks/${t.id}/complete`, { variables: {} })).status).toBe(200);
    expect((await cm2.get(`/api/cases/${f.caseId}`)).status).toBe(404);
    expect((await cm2.get(`/api/clients/${f.clientId}`)).status).toBe(404);
    const end = await auditOf('cases.access_end', f.caseId);
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ username: 'cm2.duisburg', entity: 'Case' });
    expect(end[0].reason).toMatch(/cm2\.duisburg beendet: Aufgabe .* erledigt/);
  });

  test('reassigning the task away or the engine ending it ends the access as well', async () => {
    const f = await caseFixture(stack, 'duisburg-nord');
    const t = await taskFor(stack, f.caseId, 'case-manager:duisburg');
    expect((await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Vertretung' })).status).toBe(200);
    expect((await cm2.get(`/api/cases/${f.caseId}`)).status).toBe(200);
    expect((await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm.duisburg', reason: 'Zurück an den Standort' })).status).toBe(200);
    expect((await cm2.get(`/api/cases/${f.caseId}`)).status).toBe(404);
    const end = await auditOf('cases.access_end', f.caseId);
    expect(end.map((e) => e.reason)).toEqual([expect.stringMatching(/cm2\.duisburg beendet: .*neu zugewiesen/)]);
    // cm.duisburg works at the case's site: no grant is needed, none is recorded.
    expect((await auditOf('cases.access_grant', f.caseId)).map((g) => g.reason)).toEqual([expect.stringContaining('cm2.duisburg')]);

    // The engine cancels the instance (e.g. a boundary event): the task is no longer cm2's, nor is the case.
    const u = await taskFor(stack, f.caseId, 'case-manager:duisburg');
    expect((await koord.post(`/api/tasks/${u.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Vertretung' })).status).toBe(200);
    expect((await cm2.get(`/api/cases/${f.caseId}`)).status).toBe(200);
    await stack.engine.runtime.cancel(u.processInstanceKey);
    await until(async () => (await stack.db.task.findUniqueOrThrow({ where: { id: u.id } })).state !== 'CREATED', 'Aufgabe beendet');
    expect((await cm2.get(`/api/cases/${f.caseId}`)).status).toBe(404);
  });
});
