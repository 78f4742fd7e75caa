/**
 * Watching deployed versions (issue 7) from the engine history the KIM exporter writes, on the real
 * engine and PostgreSQL: running instances per version and the heatmap of every element where
 * instances wait (user task, receive task, timer) – not only user tasks; an incident the engine
 * raises by itself (a gateway condition on a missing variable) is listed with its key, and the retry
 * resolves it after the cause is fixed. Without the history the answers fall back to the app database
 * and say so. Case managers get 403 on incidents.
 */
import path from 'node:path';
import { EngineHistoryRepository } from '../../server/data/engine-history.repository';
import { ModelHistoryRepository } from '../../server/data/model-history.repository';
import { ModelRepository } from '../../server/data/model.repository';
import { ModelService } from '../../server/domain/model.service';
import type { Actor } from '../../server/domain/policy';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { FIXTURES, login, Session, startTestStack, until } from '../support/stack';

let stack: Stack;
let koord: Session;
let cm: Session;
const started: string[] = [];
const tag = `${process.pid}-${Date.now()}`;

interface VersionView {
  processDefinitionKey: string;
  heatmap: Record<string, number>;
  runningInstances: number;
  watchSource: string;
}
interface ModelView {
  watchSource: string;
  versions: Array<{ version: number; runningInstances: number; openInstances: number; incidents: number }>;
}
interface IncidentView {
  id: string;
  source: string;
  incidentKey: string | null;
  processInstanceKey: string;
  processVersion: number | null;
  elementId: string;
  errorType: string | null;
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
  [koord, cm] = await Promise.all([login(stack.url, 'koord.duisburg'), login(stack.url, 'cm.duisburg')]);
}, 180_000);
afterAll(async () => {
  for (const k of started) await stack?.zeebe.cancelProcessInstance(k).catch(() => undefined);
  await stack?.stop();
});

async function start(bpmnProcessId: string, variables: Record<string, string>): Promise<string> {
  const r = await stack.zeebe.createProcessInstance({ bpmnProcessId, variables });
  const key = String(r.processInstanceKey);
  started.push(key);
  return key;
}

test('running instances and the heatmap per version come from the engine history: every element where instances wait, not only user tasks', async () => {
  const model = await json<ModelView>(await koord.get('/api/models/kim-test-watch'));
  const version = model.versions[0].version;
  const V = `/api/models/kim-test-watch/versions/${version}`;
  const first = `w1-${tag}`;
  const p1 = await start('kim-test-watch', { caseId: first, kommuneId: 'duisburg' });
  const p2 = await start('kim-test-watch', { caseId: `w2-${tag}`, kommuneId: 'duisburg' });

  const both = { Task_Review: 2, Task_WaitForReply: 2, Timer_Wait: 2 };
  const v = await until(async () => {
    const r = await json<VersionView>(await cm.get(V));
    return r.runningInstances === 2 && JSON.stringify(r.heatmap) === JSON.stringify(both) ? r : null;
  }, 'zwei laufende Instanzen an Benutzeraufgabe, Empfangsaufgabe und Timer');
  expect(v).toMatchObject({ watchSource: 'engine', heatmap: both });
  const listed = await json<ModelView>(await koord.get('/api/models/kim-test-watch'));
  expect(listed.watchSource).toBe('engine');
  expect(listed.versions[0]).toMatchObject({ version, runningInstances: 2 });

  // Without the history (database unreachable) the app database answers – and says so.
  const audit = stack.services.audit;
  const unreachable = new EngineHistoryRepository('postgres://kim:kim@127.0.0.1:1/kim_engine');
  try {
    const fallback = new ModelService(new ModelRepository(stack.db), stack.zeebe, audit, {
      workerTypes: () => [],
      engineJobTypes: new Set(),
      history: new ModelHistoryRepository(unreachable),
    });
    const me = await stack.db.user.findUniqueOrThrow({ where: { username: 'koord.duisburg' } });
    const actor: Actor = { id: me.id, username: me.username, displayName: me.displayName, role: 'coordinator', kommuneId: me.kommuneId, siteId: me.siteId, groups: me.groups };
    // The projection knows the instances by their open user tasks once the inbox worker wrote them – nothing else.
    await until(async () => (await stack.db.task.count({ where: { processInstanceKey: { in: [p1, p2] }, state: 'CREATED' } })) === 2, 'Aufgaben in der Projektion');
    const fv = await fallback.version(actor, 'kim-test-watch', version);
    expect(fv).toMatchObject({ watchSource: 'projection', runningInstances: 2, heatmap: { Task_Review: 2 } });
    const fl = await fallback.get(actor, 'kim-test-watch');
    expect(fl.watchSource).toBe('projection');
  } finally {
    await unreachable.close();
  }

  // The message completes the receive task of the first instance: it leaves the heatmap.
  await stack.zeebe.publishMessage({ name: 'Msg_TestReplyReceived', correlationKey: first, variables: {}, timeToLive: 60_000 });
  await until(async () => {
    const r = await json<VersionView>(await cm.get(V));
    return r.heatmap.Task_WaitForReply === 1 && r.heatmap.Task_Review === 2 && r.heatmap.Timer_Wait === 2 ? r : null;
  }, 'Empfangsaufgabe der ersten Instanz erledigt');

  // Cancelling the second instance takes it out of the running count and all of its elements.
  await stack.zeebe.cancelProcessInstance(p2);
  const after = await until(async () => {
    const r = await json<VersionView>(await cm.get(V));
    return r.runningInstances === 1 ? r : null;
  }, 'zweite Instanz abgebrochen');
  expect(after.heatmap).toEqual({ Task_Review: 1, Timer_Wait: 1 });
  const list = await json<Array<{ processId: string } & ModelView>>(await koord.get('/api/models'));
  expect(list.find((p) => p.processId === 'kim-test-watch')?.versions[0]).toMatchObject({ version, runningInstances: 1 });

});

test('an incident the engine raises (gateway condition on a missing variable) is listed with its key; retry after fixing the cause resolves it', async () => {
  const P = '/api/models/kim-test-gateway';
  const pik = await start('kim-test-gateway', {});
  const inc = await until(async () => {
    const rows = await json<IncidentView[]>(await koord.get(`${P}/incidents`));
    return rows.find((i) => i.processInstanceKey === pik);
  }, 'Vorfall der Engine gelistet');
  expect(inc).toMatchObject({ source: 'engine', elementId: 'Gateway_Approved', errorType: 'CONDITION_ERROR', state: 'open', id: inc.incidentKey });
  expect(inc.incidentKey).toMatch(/^\d+$/);
  expect(inc.message).toMatch(/condition/);
  const model = await json<ModelView>(await koord.get(P));
  expect(model.versions[0]).toMatchObject({ incidents: 1, runningInstances: 1 });
  expect(inc.processVersion).toBe(model.versions[0].version);

  // Case managers neither see nor retry incidents.
  expect((await cm.get(`${P}/incidents`)).status).toBe(403);
  expect((await cm.post(`${P}/incidents/${inc.id}/retry`)).status).toBe(403);
  // Unknown keys and ids are 404, not 500.
  expect((await koord.post(`${P}/incidents/1/retry`)).status).toBe(404);
  expect((await koord.post(`${P}/incidents/nicht-da/retry`)).status).toBe(404);

  // Fix the cause (the missing variable), then retry: the engine resolves the incident and the instance moves on.
  await stack.zeebe.setVariables({ elementInstanceKey: pik, variables: { approved: true }, local: false });
  const retry = await json<IncidentView>(await koord.post(`${P}/incidents/${inc.id}/retry`));
  expect(retry).toMatchObject({ incidentKey: inc.incidentKey, state: 'retried', retriedBy: 'koord.duisburg' });
  const resolved = await until(async () => {
    const rows = await json<IncidentView[]>(await koord.get(`${P}/incidents`));
    const r = rows.find((i) => i.incidentKey === inc.incidentKey);
    return r?.state === 'resolved' ? r : null;
  }, 'Vorfall in der Engine gelöst');
  expect(resolved.elementId).toBe('Gateway_Approved');
  const done = await until(async () => {
    const m = await json<ModelView>(await koord.get(P));
    return m.versions[0].runningInstances === 0 ? m : null;
  }, 'Instanz nach der Wiederholung beendet');
  expect(done.versions[0].incidents).toBe(0);
  const history = new EngineHistoryRepository(stack.engineDatabaseUrl);
  try {
    const events = await until(async () => {
      const ev = await history.events([pik]);
      return ev.some((e) => e.elementType === 'PROCESS' && e.intent === 'ELEMENT_COMPLETED') ? ev : null;
    }, 'Instanz abgeschlossen in der Historie');
    expect(events.some((e) => e.elementId === 'EndEvent_Approved' && e.intent === 'ELEMENT_COMPLETED')).toBe(true);
  } finally {
    await history.close();
  }

  const again = await koord.post(`${P}/incidents/${inc.id}/retry`);
  expect(again.status).toBe(409);
  expect(((await again.json()) as { title: string }).title).toMatch(/bereits gelöst/);
  const audit = await stack.db.auditLog.findFirst({ where: { action: 'model.incident.retry', entityId: inc.incidentKey! } });
  expect(audit).toMatchObject({ username: 'koord.duisburg', entity: 'Incident' });
});
