/**
 * Watching deployed versions from the engine's own APIs, on the real engine and PostgreSQL: running
 * instances per version and the heatmap of every element where instances wait (user task, receive
 * task, timer) – not only user tasks; an incident the engine raises by itself (a call activity whose
 * process is not deployed) is listed with its step's name, and the retry runs the step again after
 * the cause is fixed. Everything is per commune: Mettmann's coordinator sees Mettmann's variant only.
 * Case managers get 403 on incidents. An incident names the case of its instance (reference, for
 * linking the case file) when the reader may see that case.
 */
import path from 'node:path';
import { collectResources, deployResources } from '../../server/engine/deploy';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { FIXTURES, login, Session, startTestStack, until } from '../support/stack';
import { caseFixture } from './fixtures';

let stack: Stack;
let koord: Session;
let mettmann: Session;
let cm: Session;
const started: string[] = [];
const tag = `${process.pid}-${Date.now()}`;

interface VersionView {
  processDefinitionKey: string;
  heatmap: Record<string, number>;
  runningInstances: number;
}
interface ModelView {
  versions: Array<{ version: number; processDefinitionKey: string; runningInstances: number; openInstances: number; incidents: number }>;
}
interface IncidentView {
  id: string;
  type: string;
  processInstanceKey: string;
  processVersion: number | null;
  elementId: string;
  elementName: string;
  caseId: string | null;
  caseReference: string | null;
  message: string;
  state: string;
  retriedBy: string | null;
}

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.status} statt ${status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'modeler-watch'), workerDefs: registry });
  [koord, mettmann, cm] = await Promise.all([login(stack.url, 'koord.duisburg'), login(stack.url, 'koord.mettmann'), login(stack.url, 'cm.duisburg')]);
}, 180_000);
afterAll(async () => {
  for (const k of started) await stack?.engine.runtime.cancel(k).catch(() => undefined);
  await stack?.stop();
});

async function start(bpmnProcessId: string, variables: Record<string, string>): Promise<string> {
  const r = await stack.engine.runtime.start(bpmnProcessId, 'duisburg', { kommuneId: 'duisburg', ...variables });
  started.push(r.processInstanceKey);
  return r.processInstanceKey;
}

test('running instances and the heatmap per version come from the engine: every element where instances wait, not only user tasks', async () => {
  const model = await json<ModelView>(await koord.get('/api/models/kim-test-watch'));
  const version = model.versions[0].version;
  const V = `/api/models/kim-test-watch/versions/${version}`;
  const first = `w1-${tag}`;
  await start('kim-test-watch', { caseId: first });
  const p2 = await start('kim-test-watch', { caseId: `w2-${tag}` });

  const both = { Task_Review: 2, Task_WaitForReply: 2, Timer_Wait: 2 };
  const v = await json<VersionView>(await cm.get(V));
  expect(v).toMatchObject({ runningInstances: 2, heatmap: both });
  const listed = await json<ModelView>(await koord.get('/api/models/kim-test-watch'));
  expect(listed.versions[0]).toMatchObject({ version, runningInstances: 2, openInstances: 2 });

  // Mettmann's variant of the same process: its own definition, nothing running there.
  const theirs = await json<ModelView>(await mettmann.get('/api/models/kim-test-watch'));
  expect(theirs.versions.map((x) => x.processDefinitionKey)).not.toContain(v.processDefinitionKey);
  expect(theirs.versions[0]).toMatchObject({ runningInstances: 0, openInstances: 0 });
  expect(await json<VersionView>(await mettmann.get(`/api/models/kim-test-watch/versions/${theirs.versions[0].version}`))).toMatchObject({ heatmap: {}, runningInstances: 0 });

  // The message completes the receive task of the first instance: it leaves the heatmap.
  await stack.engine.runtime.correlate({ name: 'Msg_TestReplyReceived', tenantId: 'duisburg', correlationKeys: { caseId: first } });
  expect((await json<VersionView>(await cm.get(V))).heatmap).toEqual({ Task_Review: 2, Task_WaitForReply: 1, Timer_Wait: 2 });

  // Cancelling the second instance takes it out of the running count and all of its elements.
  await stack.engine.runtime.cancel(p2);
  const after = await json<VersionView>(await cm.get(V));
  expect(after).toMatchObject({ runningInstances: 1, heatmap: { Task_Review: 1, Timer_Wait: 1 } });
  const list = await json<Array<{ processId: string } & ModelView>>(await koord.get('/api/models'));
  expect(list.find((p) => p.processId === 'kim-test-watch')?.versions[0]).toMatchObject({ version, runningInstances: 1 });
});

test('an incident the engine raises (the called process is not deployed) is listed with its step; retry after fixing the cause runs the step again', async () => {
  const P = '/api/models/kim-test-call';
  const pik = await start('kim-test-call', {});
  const inc = await until(async () => {
    const rows = await json<IncidentView[]>(await koord.get(`${P}/incidents`));
    return rows.find((i) => i.processInstanceKey === pik);
  }, 'Vorfall der Engine gelistet');
  // No case is known for this instance: none is named.
  expect(inc).toMatchObject({ type: 'failedJob', elementId: 'Call_Subprocess', elementName: 'Teilprozess aufrufen', state: 'open', caseId: null, caseReference: null });
  expect(inc.message).toMatch(/kim-test-called/);
  const model = await json<ModelView>(await koord.get(P));
  expect(model.versions[0]).toMatchObject({ incidents: 1, runningInstances: 1 });
  expect(inc.processVersion).toBe(model.versions[0].version);

  // Case managers neither see nor retry incidents; Mettmann's coordinator neither sees nor retries Duisburg's.
  expect((await cm.get(`${P}/incidents`)).status).toBe(403);
  expect((await cm.post(`${P}/incidents/${inc.id}/retry`)).status).toBe(403);
  expect(await json<IncidentView[]>(await mettmann.get(`${P}/incidents`))).toEqual([]);
  expect((await mettmann.post(`${P}/incidents/${inc.id}/retry`)).status).toBe(404);
  expect((await json<ModelView>(await mettmann.get(P))).versions[0].incidents).toBe(0);
  // Unknown ids are 404, not 500.
  expect((await koord.post(`${P}/incidents/1/retry`)).status).toBe(404);
  expect((await koord.post(`${P}/incidents/nicht-da/retry`)).status).toBe(404);

  // Fix the cause (deploy the called process for Duisburg), then retry: the instance moves on.
  await deployResources(stack.db, stack.engine.deployer, collectResources(path.join(FIXTURES, 'modeler-watch-called')), { tenants: ['duisburg'] });
  const retry = await json<IncidentView>(await koord.post(`${P}/incidents/${inc.id}/retry`));
  expect(retry).toMatchObject({ id: inc.id, state: 'retried', retriedBy: 'koord.duisburg' });
  await until(async () => !(await stack.engine.runtime.isRunning(pik)), 'Instanz nach der Wiederholung beendet');
  expect((await json<IncidentView[]>(await koord.get(`${P}/incidents`))).find((i) => i.id === inc.id)).toBeUndefined();
  const done = await json<ModelView>(await koord.get(P));
  expect(done.versions[0]).toMatchObject({ incidents: 0, runningInstances: 0 });
  const trace = await stack.engine.watch.activityTrace(pik);
  expect(trace.find((t) => t.activityId === 'EndEvent_Done')?.endTime).toBeTruthy();
  expect(trace.find((t) => t.activityId === 'Call_Subprocess')?.calledProcessInstanceKey).toBeTruthy();

  const again = await koord.post(`${P}/incidents/${inc.id}/retry`);
  expect(again.status).toBe(409);
  expect(((await again.json()) as { title: string }).title).toMatch(/bereits erledigt/);
  const audit = await stack.db.auditLog.findFirst({ where: { action: 'model.incident.retry', entityId: inc.id } });
  expect(audit).toMatchObject({ username: 'koord.duisburg', kommuneId: 'duisburg', entity: 'Incident' });
});

test('an incident names the case its instance belongs to (reference and id for the case file link)', async () => {
  // In Mettmann the called process is not deployed (only Duisburg got it above): the call fails there.
  const P = '/api/models/kim-test-call';
  const f = await caseFixture(stack, 'mettmann-ratingen');
  const r = await stack.engine.runtime.start('kim-test-call', 'mettmann', { kommuneId: 'mettmann', caseId: f.caseId });
  started.push(r.processInstanceKey);
  const pik = r.processInstanceKey;
  // The instance is recorded with its case, as the processes a case starts are.
  const kase = await stack.db.case.update({ where: { id: f.caseId }, data: { processInstanceKey: pik } });
  const inc = await until(async () => (await json<IncidentView[]>(await mettmann.get(`${P}/incidents`))).find((i) => i.processInstanceKey === pik), 'Vorfall mit Fall');
  expect(inc).toMatchObject({ elementName: 'Teilprozess aufrufen', caseId: f.caseId, caseReference: kase.reference });
  // Duisburg's coordinator sees neither the incident nor, therefore, the case.
  expect((await json<IncidentView[]>(await koord.get(`${P}/incidents`))).find((i) => i.processInstanceKey === pik)).toBeUndefined();
});
