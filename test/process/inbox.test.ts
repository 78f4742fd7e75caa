/**
 * The inbox projection on the real engine: a user task becomes a Task row through kim.inbox-sync,
 * completing through the API moves the instance on, a task created while the worker is down appears
 * when it runs again, the reconciler closes tasks the engine cancelled.
 */
import path from 'node:path';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES, login, startTestStack, until } from '../support/stack';

const reached = new Map<string, Record<string, unknown>>();
const prepared = new Set<string>();

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  {
    type: 'kim.test-prepare',
    async handler(job) {
      prepared.add(job.processInstanceKey);
      return { kind: 'complete' };
    },
  },
  {
    type: 'kim.test-after',
    async handler(job) {
      reached.set(job.processInstanceKey, job.variables);
      return { kind: 'complete' };
    },
  },
];

let stack: Stack;

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
});
afterAll(async () => {
  await stack?.stop();
});

async function startInstance(caseId: string, kommuneId = 'duisburg') {
  const r = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-inbox', variables: { caseId, kommuneId } });
  return String(r.processInstanceKey);
}

const taskOf = (pik: string) => stack.db.task.findFirst({ where: { processInstanceKey: pik } });

test('a user task created by the engine lands in the Task table with name, groups, due date and case', async () => {
  const pik = await startInstance('case-1');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  expect(row).toMatchObject({
    name: 'Erstkontakt prüfen',
    elementId: 'Task_CheckFirstContact',
    processDefinitionId: 'kim-test-inbox',
    candidateGroups: ['case-manager:duisburg'],
    caseId: 'case-1',
    kommuneId: 'duisburg',
    state: 'CREATED',
    assignee: null,
  });
  expect(row.dueDate?.toISOString()).toBe('2030-01-31T11:00:00.000Z');
  // The engine has not moved past the task: the following service task was not reached.
  expect(reached.has(pik)).toBe(false);
});

test('claim and complete through the API move the instance on and close the row at once', async () => {
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

  const done = await cm.post(`/api/tasks/${row.id}/complete`, { variables: { geprueft: true } });
  expect(done.status).toBe(200);
  // The row is closed in the same request.
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: row.id } })).state).toBe('COMPLETED');
  const vars = await until(async () => reached.get(pik), 'Instanz läuft nach der Aufgabe weiter');
  expect(vars).toMatchObject({ geprueft: true, caseId: 'case-2' });

  const again = await cm.post(`/api/tasks/${row.id}/complete`, { variables: {} });
  expect(again.status).toBe(409);
  expect(((await again.json()) as { title: string }).title).toMatch(/bereits abgeschlossen/);
  const audit = await stack.db.auditLog.findMany({ where: { entity: 'Task', entityId: row.id }, orderBy: { id: 'asc' } });
  expect(audit.map((a) => a.action)).toEqual(['task.claim', 'task.complete']);
});

test('a task created while the inbox worker is stopped appears once it runs again', async () => {
  await stack.stopWorkers();
  stack.startWorkers(testWorkers); // everything but kim.inbox-sync
  const pik = await startInstance('case-3');
  await until(async () => prepared.has(pik), 'Vorbereitung erledigt');
  // The user task is now active in the engine, but nobody projected it.
  expect(await taskOf(pik)).toBeNull();
  await stack.stopWorkers();
  stack.startWorkers([...registry, ...testWorkers]);
  const row = await until(() => taskOf(pik), 'Aufgabe erscheint nach Neustart des Workers');
  expect(row.name).toBe('Erstkontakt prüfen');
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
  const koord = await login(stack.url, 'koord.duisburg');
  const all = await koord.get('/api/tasks?range=[0,199]');
  expect(((await all.json()) as Array<{ id: string }>).map((t) => t.id)).toContain(row.id);
});

test('a job delivered twice creates one row', async () => {
  const pik = await startInstance('case-5');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  const job = {
    key: row.id,
    processInstanceKey: pik,
    processDefinitionKey: row.processDefinitionKey,
    bpmnProcessId: 'kim-test-inbox',
    processDefinitionVersion: row.processVersion,
    elementId: row.elementId,
    customHeaders: { 'io.camunda.zeebe:candidateGroups': '["other"]' },
    variables: { caseId: 'case-5', kommuneId: 'duisburg' },
  };
  expect(await stack.services.inbox.project(job)).toEqual({ created: false });
  expect(await stack.db.task.count({ where: { processInstanceKey: pik } })).toBe(1);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: row.id } })).candidateGroups).toEqual(['case-manager:duisburg']);
});

test('the reconciler closes a task whose instance was cancelled in the engine', async () => {
  const pik = await startInstance('case-6');
  const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
  await stack.zeebe.cancelProcessInstance(pik);
  await until(async () => {
    await stack.services.inbox.reconcile({ batch: 1000 });
    return (await stack.db.task.findUniqueOrThrow({ where: { id: row.id } })).state === 'CANCELED';
  }, 'Abgleich schließt die Aufgabe');
  const cm = await login(stack.url, 'cm.duisburg');
  const res = await cm.post(`/api/tasks/${row.id}/complete`, { variables: {} });
  expect(res.status).toBe(409);
});

test('a row the engine cannot answer for does not stop the reconciler', async () => {
  const bogus = await stack.db.task.create({
    data: { id: 'kein-job-schluessel', processInstanceKey: '0', processDefinitionKey: '0', processDefinitionId: 'x', processVersion: 1, elementId: 'x', name: 'x', updatedAt: new Date(0) },
  });
  try {
    const pik = await startInstance('case-7');
    const row = await until(() => taskOf(pik), 'Aufgabe in der Projektion');
    await stack.zeebe.cancelProcessInstance(pik);
    let failed = 0;
    await until(async () => {
      failed += (await stack.services.inbox.reconcile({ batch: 1000 })).failed;
      return (await stack.db.task.findUniqueOrThrow({ where: { id: row.id } })).state === 'CANCELED';
    }, 'Abgleich läuft am fehlerhaften Eintrag vorbei');
    expect(failed).toBeGreaterThan(0);
    expect((await stack.db.task.findUniqueOrThrow({ where: { id: bogus.id } })).state).toBe('CREATED');
  } finally {
    await stack.db.task.delete({ where: { id: bogus.id } });
  }
});
