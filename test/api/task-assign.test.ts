/**
 * POST /api/tasks/:id/assign: coordinators reassign an open task of their commune to a user whose
 * groups match the task's candidate groups, with a reason that lands in the audit log.
 */
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';
import { caseFixture, taskFor } from './fixtures';

let stack: Stack;
let koord: Session;
let cm: Session;
let caseId: string;

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  koord = await login(stack.url, 'koord.duisburg');
  cm = await login(stack.url, 'cm.duisburg');
  caseId = (await caseFixture(stack, 'duisburg-nord')).caseId;
});
afterAll(async () => {
  await stack?.db.task.deleteMany({ where: { processDefinitionId: 'kim-test-permissions' } });
  await stack?.stop();
});

interface Problem {
  title: string;
  errors?: Record<string, string>;
}

test('a coordinator reassigns a task with a reason; the change and the reason are audit-logged', async () => {
  const t = await taskFor(stack, caseId, 'case-manager:duisburg');
  await stack.db.task.update({ where: { id: t.id }, data: { assignee: 'cm.duisburg' } });
  const res = await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Urlaubsvertretung' });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { assignee: string }).assignee).toBe('cm2.duisburg');
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).assignee).toBe('cm2.duisburg');
  const audit = await stack.db.auditLog.findFirstOrThrow({ where: { action: 'task.assign', entityId: t.id } });
  expect(audit).toMatchObject({ username: 'koord.duisburg', role: 'coordinator', kommuneId: 'duisburg', entity: 'Task', fields: ['assignee'], caseId });
  expect(audit.reason).toContain('Urlaubsvertretung');
  expect(audit.reason).toContain('cm.duisburg');

  // The new assignee sees it under "mine" and can work it.
  const cm2 = await login(stack.url, 'cm2.duisburg');
  const mine = (await (await cm2.get(`/api/tasks?filter=${encodeURIComponent('{"view":"mine"}')}`)).json()) as Array<{ id: string }>;
  expect(mine.map((x) => x.id)).toContain(t.id);
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
  // An ABH task goes to ABH staff.
  const abhTask = await taskFor(stack, caseId, 'abh:duisburg');
  expect((await koord.post(`/api/tasks/${abhTask.id}/assign`, { assignee: 'abh.duisburg', reason: 'Zuständig' })).status).toBe(200);
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
  await stack.db.task.update({ where: { id: t.id }, data: { state: 'COMPLETED' } });
  expect((await koord.post(`/api/tasks/${t.id}/assign`, { assignee: 'cm2.duisburg', reason: 'Zuständigkeit' })).status).toBe(409);
});
