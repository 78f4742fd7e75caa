/**
 * The live inbox on the real engine: a subscriber of GET /api/tasks/events hears about a
 * user task the engine creates (its task listener writes the projection, the Task trigger notifies)
 * and about its completion through the API; users who may not see the task – another commune, an
 * authority group of the same commune – hear nothing. Events carry no task or personal data.
 */
import path from 'node:path';
import { Client } from 'pg';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { TASK_CHANNEL } from '../../server/inbox/task-events';
import { openTaskEvents, TaskEventStream } from '../support/events';
import { FIXTURES, login, Session, startTestStack, until } from '../support/stack';

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];

let stack: Stack;
let cm: Session;
const streams: TaskEventStream[] = [];

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  cm = await login(stack.url, 'cm.duisburg');
}, 180_000);
afterAll(async () => {
  for (const s of streams) s.close();
  await stack?.stop();
});

async function subscribe(username?: string) {
  const session = username ? await login(stack.url, username) : undefined;
  const s = await openTaskEvents(stack.url, session?.cookie);
  streams.push(s);
  return s;
}

/** A task row written directly (the trigger fires as for the engine's rows): a marker for one audience. */
async function markerTask(kommuneId: string, group: string) {
  const id = `marker-${kommuneId}-${group}-${Date.now()}`;
  await stack.db.task.create({
    data: { id, processInstanceKey: id, processDefinitionKey: '1', processDefinitionId: 'kim-test-marker', processVersion: 1, elementId: 'Task_Marker', name: 'Markierung', candidateGroups: [group], kommuneId },
  });
}

test('the stream needs a session and a role with an inbox', async () => {
  expect((await openTaskEvents(stack.url)).status).toBe(401);
  const land = await login(stack.url, 'land.nrw');
  expect((await openTaskEvents(stack.url, land.cookie)).status).toBe(403);
});

test('a task created by the engine and its completion reach the subscriber at once; other communes and groups hear nothing', async () => {
  const mine = await subscribe('cm.duisburg');
  const otherCommune = await subscribe('koord.mettmann');
  const otherGroup = await subscribe('abh.duisburg');

  // The engine creates the user task; its listener writes the row; the trigger announces it.
  const caseId = `sse-${process.pid}`;
  const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId, kommuneId: 'duisburg' })).processInstanceKey;
  const created = await mine.waitFor((e) => e.type === 'tasks', { what: 'Ereignis zur neuen Aufgabe' });
  expect(created.data).toEqual({ kommuneId: 'duisburg', groups: ['case-manager:duisburg'] });
  const row = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, state: 'CREATED' } }), 'Aufgabe in der Projektion', 10_000);
  // The list the event asks to reload already has the task.
  const list = await cm.get(`/api/tasks?filter=${encodeURIComponent('{"view":"group"}')}&range=[0,99]`);
  expect(((await list.json()) as Array<{ id: string }>).map((t) => t.id)).toContain(row.id);

  // Completion through the API: one more event.
  const from = mine.events.length;
  const done = await cm.post(`/api/tasks/${row.id}/complete?next=false`, { variables: { geprueft: true } });
  expect(done.status).toBe(200);
  const completed = await mine.waitFor((e) => e.type === 'tasks', { from, what: 'Ereignis zur abgeschlossenen Aufgabe' });
  expect(completed.data.kommuneId).toBe('duisburg');
  expect(JSON.stringify(mine.events)).not.toContain(caseId);

  // Markers for the two other audiences, written after everything above: notifications arrive in
  // commit order, so once a marker's event is there, any event about the duisburg task would be too.
  await markerTask('mettmann', 'coordinator:mettmann');
  await markerTask('duisburg', 'abh:duisburg');
  await otherCommune.waitFor((e) => e.type === 'tasks' && (e.data.groups as string[]).includes('coordinator:mettmann'), { what: 'Markierung Mettmann' });
  await otherGroup.waitFor((e) => e.type === 'tasks' && (e.data.groups as string[]).includes('abh:duisburg'), { what: 'Markierung ABH' });
  expect(otherCommune.changes.map((e) => e.data)).toEqual([{ kommuneId: 'mettmann', groups: ['coordinator:mettmann'] }]);
  expect(otherGroup.changes.map((e) => e.data)).toEqual([{ kommuneId: 'duisburg', groups: ['abh:duisburg'] }]);
});

test('the trigger stays silent on timestamp-only updates and names only the audience', async () => {
  const c = new Client({ connectionString: stack.databaseUrl });
  await c.connect();
  const heard: string[] = [];
  c.on('notification', (n) => heard.push(n.payload ?? ''));
  await c.query(`LISTEN ${TASK_CHANNEL}`);
  try {
    const id = `quiet-${Date.now()}`;
    await stack.db.task.create({
      data: { id, processInstanceKey: id, processDefinitionKey: '1', processDefinitionId: 'kim-test-marker', processVersion: 1, elementId: 'Task_Quiet', name: 'Still', candidateGroups: ['case-manager:duisburg'], kommuneId: 'duisburg', caseId: 'geheim-1' },
    });
    await until(async () => heard.length === 1, 'Benachrichtigung zur neuen Zeile', 10_000);
    await stack.db.task.update({ where: { id }, data: { updatedAt: new Date() } });
    await stack.db.task.update({ where: { id }, data: { assignee: 'cm.duisburg' } });
    await until(async () => heard.length >= 2, 'Benachrichtigung zur Übernahme', 10_000);
    // Commit order: had the timestamp update notified, its payload would come before the claim's.
    expect(heard.map((p) => JSON.parse(p))).toEqual([
      { k: 'duisburg', g: ['case-manager:duisburg'], u: [] },
      { k: 'duisburg', g: ['case-manager:duisburg'], u: ['cm.duisburg'] },
    ]);
    expect(heard.join()).not.toContain('geheim');
  } finally {
    await c.end();
  }
});
