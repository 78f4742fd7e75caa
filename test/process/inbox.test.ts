/**
 * The inbox projection on the real engine: the engine's task listener writes the Task row in the
 * engine's own transaction, so the row is there as soon as the engine has the task and closed as
 * soon as the engine completes or deletes it. Claim, unclaim and completion go through the API to
 * the engine; the engine's assignee is the truth and the row follows it.
 */
import path from 'node:path';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES, login, startTestStack, until } from '../support/stack';

const reached = new Map<string, Record<string, unknown>>();

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  {
    type: 'kim.test-after',
    fetchVariables: ['geprueft', 'caseId', 'auswahl'],
    async handler(job) {
      reached.set(job.processInstanceKey, job.variables);
      return { kind: 'complete' };
    },
  },
];

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function startInstance(caseId: string) {
  const r = await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId, kommuneId: 'duisburg' });
  return r.processInstanceKey;
}

const taskOf = (pik: string) => stack.db.task.findFirst({ where: { processInstanceKey: pik } });
const rowOf = (id: string) => stack.db.task.findUniqueOrThrow({ where: { id } });

/** The engine's assignee of an open task (read from the engine's REST API, not from the projection). */
async function engineAssignee(taskId: string): Promise<string | null> {
  const res = await fetch(`${stack.engine.url}/task/${taskId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { assignee: string | null }).assignee ?? null;
}

test('a user task created by the engine is in the Task table with name, groups, due date, form and case – and in the engine', async () => {
  const pik = await startInstance('case-1');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  expect(row).toMatchObject({
    name: 'Erstkontakt prüfen',
    elementId: 'Task_CheckFirstContact',
    processDefinitionId: 'kim-test-inbox',
    candidateGroups: ['case-manager:duisburg'],
    formKey: 'test-check-first-contact',
    caseId: 'case-1',
    kommuneId: 'duisburg',
    state: 'CREATED',
    assignee: null,
  });
  expect(row.dueDate?.toISOString()).toBe('2030-01-31T11:00:00.000Z');
  // Same transaction: the row's id is the engine's task id.
  expect(await stack.engine.tasks.openTaskIds({ processInstanceKey: pik })).toEqual([row.id]);
  // The engine has not moved past the task: the following service task was not reached.
  expect(reached.has(pik)).toBe(false);
});

test('claim and complete through the API change the engine; the row is closed when the request returns', async () => {
  const pik = await startInstance('case-2');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  const cm = await login(stack.url, 'cm.duisburg');

  const list = await cm.get(`/api/tasks?filter=${encodeURIComponent(JSON.stringify({ view: 'group' }))}&range=[0,49]`);
  expect(list.status).toBe(200);
  expect(list.headers.get('content-range')).toMatch(/^tasks \d+-\d+\/\d+$/);
  expect(((await list.json()) as Array<{ id: string }>).map((t) => t.id)).toContain(row.id);

  const claimed = await cm.post(`/api/tasks/${row.id}/claim`);
  expect(claimed.status).toBe(200);
  expect(((await claimed.json()) as { assignee: string }).assignee).toBe('cm.duisburg');
  expect(await engineAssignee(row.id)).toBe('cm.duisburg');

  // A checklist goes to the engine as a comma-separated string (lists are no REST variables).
  const done = await cm.post(`/api/tasks/${row.id}/complete`, { variables: { geprueft: true, auswahl: ['Wohnen', 'Arbeit'] } });
  expect(done.status).toBe(200);
  expect(await rowOf(row.id)).toMatchObject({ state: 'COMPLETED', assignee: 'cm.duisburg', completedBy: 'cm.duisburg' });
  expect(await stack.engine.tasks.openTaskIds({ processInstanceKey: pik })).toEqual([]);
  const vars = await until(async () => reached.get(pik), 'Instanz läuft nach der Aufgabe weiter');
  expect(vars).toMatchObject({ geprueft: true, caseId: 'case-2', auswahl: 'Wohnen,Arbeit' });

  const again = await cm.post(`/api/tasks/${row.id}/complete`, { variables: {} });
  expect(again.status).toBe(409);
  expect(((await again.json()) as { title: string }).title).toMatch(/bereits abgeschlossen/);
  const audit = await stack.db.auditLog.findMany({ where: { entity: 'Task', entityId: row.id }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['task.claim', 'task.complete']);
});

test('the engine is the truth: a claim made in the engine shows in the row, and a second claim gets a German 409', async () => {
  const pik = await startInstance('case-3');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  await stack.engine.tasks.claim(row.id, 'cm2.duisburg');
  // No poll: the listener wrote the row in the engine's transaction.
  expect((await rowOf(row.id)).assignee).toBe('cm2.duisburg');
  const cm = await login(stack.url, 'cm.duisburg');
  const res = await cm.post(`/api/tasks/${row.id}/claim`);
  expect(res.status).toBe(409);
  expect(((await res.json()) as { title: string }).title).toBe('Die Aufgabe wurde inzwischen von jemand anderem übernommen.');
  // Completing someone else's task is refused, too.
  const complete = await cm.post(`/api/tasks/${row.id}/complete`, { variables: { geprueft: true } });
  expect(complete.status).toBe(409);
  expect(await engineAssignee(row.id)).toBe('cm2.duisburg');

  // Unclaim by the holder clears the engine's assignee; then the other one may claim.
  const cm2 = await login(stack.url, 'cm2.duisburg');
  expect((await cm.post(`/api/tasks/${row.id}/unclaim`)).status).toBe(409);
  const back = await cm2.post(`/api/tasks/${row.id}/unclaim`);
  expect(back.status).toBe(200);
  expect(((await back.json()) as { assignee: string | null }).assignee).toBeNull();
  expect(await engineAssignee(row.id)).toBeNull();
  expect((await cm.post(`/api/tasks/${row.id}/claim`)).status).toBe(200);
  expect(await engineAssignee(row.id)).toBe('cm.duisburg');
});

test('completing an unclaimed task claims it in the engine first and records who completed it', async () => {
  const pik = await startInstance('case-3b');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  const cm = await login(stack.url, 'cm.duisburg');
  // A checklist goes to the engine as a comma-separated string (lists are no REST variables).
  const done = await cm.post(`/api/tasks/${row.id}/complete`, { variables: { geprueft: true, auswahl: ['Wohnen', 'Arbeit'] } });
  expect(done.status).toBe(200);
  expect(await rowOf(row.id)).toMatchObject({ state: 'COMPLETED', assignee: 'cm.duisburg', completedBy: 'cm.duisburg' });
});

test('users of another commune, other groups or without a task role neither see nor claim the task', async () => {
  const pik = await startInstance('case-4');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  for (const username of ['cm.mettmann', 'ebh.duisburg', 'land.nrw', 'admin.duisburg']) {
    const s = await login(stack.url, username);
    const list = await s.get('/api/tasks?range=[0,199]');
    if (list.status === 200) expect(((await list.json()) as Array<{ id: string }>).map((t) => t.id)).not.toContain(row.id);
    else expect(list.status).toBe(403);
    const claim = await s.post(`/api/tasks/${row.id}/claim`);
    expect([403, 404]).toContain(claim.status);
  }
  expect(await engineAssignee(row.id)).toBeNull();
  const koord = await login(stack.url, 'koord.duisburg');
  const all = await koord.get('/api/tasks?range=[0,199]');
  expect(((await all.json()) as Array<{ id: string }>).map((t) => t.id)).toContain(row.id);
});

test('canceling the instance closes the row in the same transaction; completing it then is a 409', async () => {
  const pik = await startInstance('case-6');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  await stack.engine.runtime.cancel(pik);
  expect((await rowOf(row.id)).state).toBe('CANCELED');
  const cm = await login(stack.url, 'cm.duisburg');
  const res = await cm.post(`/api/tasks/${row.id}/complete`, { variables: {} });
  expect(res.status).toBe(409);
});

test('a row the engine does not know is answered with "nicht mehr aktiv", not with an engine error', async () => {
  const stray = await stack.db.task.create({
    data: { id: 'kein-engine-task', processInstanceKey: 'x', processDefinitionKey: 'x', processDefinitionId: 'kim-test-inbox', processVersion: 1, elementId: 'x', name: 'x', candidateGroups: ['case-manager:duisburg'], kommuneId: 'duisburg' },
  });
  try {
    const cm = await login(stack.url, 'cm.duisburg');
    for (const verb of ['claim', 'complete']) {
      const res = await cm.post(`/api/tasks/${stray.id}/${verb}`, verb === 'complete' ? { variables: {} } : undefined);
      expect(res.status).toBe(409);
      expect(((await res.json()) as { title: string }).title).toMatch(/nicht mehr aktiv/);
    }
  } finally {
    await stack.db.task.delete({ where: { id: stray.id } });
  }
});

test('form input that is no plain value is refused with a German message before anything happens', async () => {
  const pik = await startInstance('case-7');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  const cm = await login(stack.url, 'cm.duisburg');
  for (const bad of [{ geprueft: { tief: true } }, { auswahl: ['a,b', 'c'] }]) {
    const res = await cm.post(`/api/tasks/${row.id}/complete`, { variables: bad });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { title: string }).title).toMatch(/kann nicht an den Prozess übergeben werden/);
  }
  expect(await rowOf(row.id)).toMatchObject({ state: 'CREATED', assignee: null });
  expect(await stack.engine.tasks.openTaskIds({ processInstanceKey: pik })).toEqual([row.id]);
});
