/**
 * The Operaton client (server/engine/operaton.ts) against a real engine, through the port only:
 * deploy, start, external tasks, user tasks, messages, decisions, incidents and retry, history,
 * migration between versions, cancel and retention. The engine URL comes from KIM_TEST_ENGINE_URL.
 * Every id carries a run suffix, so the file can run again against the same engine.
 */
import { createOperatonEngine, type DeployedDefinition, type Engine, EngineBadRequest, EngineConflict, EngineNoCorrelation, EngineNotFound, EngineUnavailable, type ExternalTask } from '../../server/engine';

const url = process.env.KIM_TEST_ENGINE_URL;
const TENANT = 'duisburg';
const run = `${process.pid}${Date.now().toString(36)}`;
const PROC = `kim-client-${run}`;
const SUB = `kim-client-sub-${run}`;
const DEC = `kim-client-dec-${run}`;
const FORM = `kim-client-form-${run}`;
const TOPIC = `kim.client-${run}`;
const MSG = `kim-client-go-${run}`;
const WORKER = `client-test-${run}`;

const mainBpmn = (name: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_${run}" targetNamespace="http://kim.de/test">
  <bpmn:message id="Msg_go" name="${MSG}" />
  <bpmn:process id="${PROC}" name="${name}" isExecutable="true" camunda:historyTimeToLive="P30D">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Task_Ext" />
    <bpmn:serviceTask id="Task_Ext" name="Extern" camunda:type="external" camunda:topic="${TOPIC}">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="status" value="AKTIV" /></camunda:properties>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Task_Ext" targetRef="Task_User" />
    <bpmn:userTask id="Task_User" name="Prüfen" camunda:candidateGroups="case-manager:\${kommuneId}" camunda:formRef="${FORM}" camunda:formRefBinding="deployment" />
    <bpmn:sequenceFlow id="f3" sourceRef="Task_User" targetRef="Wait_Msg" />
    <bpmn:intermediateCatchEvent id="Wait_Msg"><bpmn:messageEventDefinition messageRef="Msg_go" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="Wait_Msg" targetRef="Call_Sub" />
    <bpmn:callActivity id="Call_Sub" calledElement="${SUB}" />
    <bpmn:sequenceFlow id="f5" sourceRef="Call_Sub" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

const subBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="DefsSub_${run}" targetNamespace="http://kim.de/test">
  <bpmn:process id="${SUB}" isExecutable="true" camunda:historyTimeToLive="P30D">
    <bpmn:startEvent id="SubStart" />
    <bpmn:sequenceFlow id="s1" sourceRef="SubStart" targetRef="Sub_Task" />
    <bpmn:userTask id="Sub_Task" name="Unteraufgabe" />
    <bpmn:sequenceFlow id="s2" sourceRef="Sub_Task" targetRef="SubEnd" />
    <bpmn:endEvent id="SubEnd" />
  </bpmn:process>
</bpmn:definitions>`;

const dmn = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="Dmn_${run}" name="Stufe" namespace="http://kim.de/test">
  <decision id="${DEC}" name="Stufe" camunda:historyTimeToLive="P30D">
    <decisionTable id="dt" hitPolicy="COLLECT">
      <input id="in1" label="Alter"><inputExpression id="ie1" typeRef="integer"><text>alter</text></inputExpression></input>
      <output id="o1" name="stufe" typeRef="string" />
      <output id="o2" name="volljaehrig" typeRef="boolean" />
      <rule id="r1"><inputEntry id="e1"><text>&lt; 18</text></inputEntry><outputEntry id="oe1"><text>"jung"</text></outputEntry><outputEntry id="oe2"><text>false</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="e2"><text>&gt;= 18</text></inputEntry><outputEntry id="oe3"><text>"erwachsen"</text></outputEntry><outputEntry id="oe4"><text>true</text></outputEntry></rule>
      <rule id="r3"><inputEntry id="e3"><text>-</text></inputEntry><outputEntry id="oe5"><text>"alle"</text></outputEntry><outputEntry id="oe6"><text>null</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`;

const form = JSON.stringify({ id: FORM, type: 'default', schemaVersion: 16, components: [{ type: 'textfield', key: 'notiz', label: 'Notiz' }] });

const resources = (name = 'Testprozess') => [
  { name: `${PROC}.bpmn`, content: Buffer.from(mainBpmn(name)) },
  { name: `${SUB}.bpmn`, content: Buffer.from(subBpmn) },
  { name: `${DEC}.dmn`, content: Buffer.from(dmn) },
  { name: `${FORM}.form`, content: Buffer.from(form) },
];

let engine: Engine;
const s: {
  v1?: DeployedDefinition;
  a?: string;
  b?: string;
  sub?: string;
  caseId: string;
} = { caseId: `fall_${run},1` };

/** Fetches this file's topic until the task of the instance comes (other instances' tasks are unlocked). */
async function fetchFor(processInstanceKey: string, lockMs = 30_000): Promise<ExternalTask> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    const tasks = await engine.work.fetchAndLock(WORKER, 10, [{ topic: TOPIC, lockMs, variables: ['caseId', 'frist', 'n', 'kommuneId'] }], 1_000);
    let hit: ExternalTask | undefined;
    for (const t of tasks) {
      if (t.processInstanceKey === processInstanceKey && !hit) hit = t;
      else await engine.work.unlock(t.id);
    }
    if (hit) return hit;
  }
  throw new Error(`no external task for ${processInstanceKey}`);
}

async function rejects<T>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as T;
  }
  throw new Error(`expected ${cls.name}`);
}

beforeAll(() => {
  if (!url) throw new Error('KIM_TEST_ENGINE_URL fehlt: die Testumgebung stellt die Engine-URL bereit.');
  engine = createOperatonEngine({ url, timeoutMs: 30_000 });
});

test('ping and deploy: new versions once, an unchanged deployment creates nothing', async () => {
  expect(await engine.ping()).toBe(true);
  const d = await engine.deployer.deploy(TENANT, `client-${run}`, resources());
  const byId = Object.fromEntries(d.definitions.map((x) => [x.id, x]));
  expect(byId[PROC]).toMatchObject({ kind: 'process', version: 1, resourceName: `${PROC}.bpmn` });
  expect(byId[SUB]).toMatchObject({ kind: 'process', version: 1 });
  expect(byId[DEC]).toMatchObject({ kind: 'decision', version: 1, resourceName: `${DEC}.dmn` });
  expect(byId[`${FORM}.form`]).toMatchObject({ kind: 'form', key: d.deploymentId, version: 0 });
  s.v1 = byId[PROC];

  const again = await engine.deployer.deploy(TENANT, `client-${run}`, resources());
  expect(again).toEqual({ deploymentId: d.deploymentId, definitions: [] });

  const broken = await rejects(
    engine.deployer.deploy(TENANT, `client-broken-${run}`, [{ name: 'kaputt.bpmn', content: Buffer.from(mainBpmn('x').replace('targetRef="Task_User"', 'targetRef="Nirgends"').replace(PROC, `kaputt-${run}`)) }]),
    EngineBadRequest,
  );
  expect(broken.status).toBe(400);

  const defs = await engine.watch.definitions(TENANT, PROC);
  expect(defs).toEqual([{ key: s.v1!.key, bpmnProcessId: PROC, version: 1, tenantId: TENANT, resourceName: `${PROC}.bpmn`, name: 'Testprozess' }]);
  expect(await engine.watch.definitionXml(s.v1!.key)).toContain('Task_Ext');
  await rejects(engine.watch.definitionXml(`nope-${run}`), EngineNotFound);
});

test('start, find by variable, external task with properties and variables, lock rules', async () => {
  const frist = new Date('2026-12-02T10:00:00.000Z');
  const started = await engine.runtime.start(PROC, TENANT, { kommuneId: TENANT, caseId: s.caseId, frist, n: 5, leer: null, weg: undefined }, `bk-${run}`);
  expect(started).toMatchObject({ processDefinitionKey: s.v1!.key, bpmnProcessId: PROC, version: 1, tenantId: TENANT });
  s.a = started.processInstanceKey;
  expect(await engine.runtime.isRunning(s.a)).toBe(true);
  expect(await engine.runtime.isRunning(`nope-${run}`)).toBe(false);
  expect(await engine.runtime.findInstances(TENANT, 'caseId', s.caseId)).toEqual([s.a]);
  expect(await engine.runtime.findInstances(TENANT, 'caseId', `fall_${run}%`)).toEqual([]);
  expect(await engine.runtime.findInstances('other-tenant', 'caseId', s.caseId)).toEqual([]);
  await rejects(engine.runtime.start(`nope-${run}`, TENANT, {}), EngineNotFound);
  await rejects(engine.runtime.start(PROC, 'other-tenant', {}), EngineNotFound);

  const t = await fetchFor(s.a);
  expect(t).toMatchObject({
    topic: TOPIC,
    workerId: WORKER,
    processDefinitionKey: s.v1!.key,
    bpmnProcessId: PROC,
    elementId: 'Task_Ext',
    tenantId: TENANT,
    retries: null,
    properties: { status: 'AKTIV' },
    variables: { caseId: s.caseId, frist: frist.toISOString(), n: 5, kommuneId: TENANT },
  });
  expect(t.activityInstanceId).toMatch(/^Task_Ext:/);
  expect(t.lockExpiresAt).toBeGreaterThan(Date.now());
  await engine.work.extendLock(t.id, WORKER, 60_000);
  // The runtime finds tasks locked for a poll nobody read by asking what its worker id holds.
  expect(await engine.work.lockedBy(WORKER)).toEqual([t.id]);
  expect(await engine.work.lockedBy('someone-else')).toEqual([]);
  await rejects(engine.work.complete(t.id, 'someone-else'), EngineConflict);
  await rejects(engine.work.extendLock(t.id, 'someone-else', 1000), EngineConflict);
  await engine.work.complete(t.id, WORKER, { ergebnis: 'ok' });
  expect(await engine.work.lockedBy(WORKER)).toEqual([]);
  await rejects(engine.work.complete(t.id, WORKER), EngineNotFound);
});

test('fetchAndLock long-polls and stops when its signal aborts', async () => {
  const ctl = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ctl.abort(), 300);
  await expect(engine.work.fetchAndLock(WORKER, 1, [{ topic: `${TOPIC}.leer`, lockMs: 1000 }], 20_000, ctl.signal)).rejects.toMatchObject({ name: 'AbortError' });
  expect(Date.now() - t0).toBeLessThan(5_000);
  // Without tasks the poll ends empty after the async timeout.
  expect(await engine.work.fetchAndLock(WORKER, 1, [{ topic: `${TOPIC}.leer`, lockMs: 1000 }], 500)).toEqual([]);
});

test('user task: form, claim, conflict, assign, unclaim, complete; unknown tasks are not found', async () => {
  const [taskId] = await engine.tasks.openTaskIds({ processInstanceKey: s.a!, tenantId: TENANT });
  expect(taskId).toBeDefined();
  expect(await engine.tasks.openTaskIds({ processInstanceKey: s.a!, tenantId: 'other-tenant' })).toEqual([]);
  expect(await engine.tasks.deployedForm(taskId)).toMatchObject({ id: FORM, components: [{ key: 'notiz' }] });
  expect(await engine.tasks.deployedForm(`nope-${run}`)).toBeNull();

  await engine.tasks.claim(taskId, 'anna');
  await engine.tasks.claim(taskId, 'anna');
  await rejects(engine.tasks.claim(taskId, 'bert'), EngineConflict);
  await engine.tasks.assign(taskId, 'bert');
  await engine.tasks.assign(taskId, null);
  await engine.tasks.claim(taskId, 'anna');
  await engine.tasks.unclaim(taskId);
  await engine.tasks.complete(taskId, { geprueft: true, am: new Date() });
  expect(await engine.tasks.openTaskIds({ processInstanceKey: s.a! })).toEqual([]);

  await rejects(engine.tasks.claim(taskId, 'anna'), EngineNotFound);
  await rejects(engine.tasks.unclaim(taskId), EngineNotFound);
  await rejects(engine.tasks.assign(taskId, 'anna'), EngineNotFound);
  await rejects(engine.tasks.complete(taskId, {}), EngineNotFound);
});

test('message correlation: no waiting instance → EngineNoCorrelation; then by key and by instance', async () => {
  await rejects(engine.runtime.correlate({ name: MSG, tenantId: TENANT, correlationKeys: { caseId: 'niemand' } }), EngineNoCorrelation);
  await rejects(engine.runtime.correlate({ name: `${MSG}-unbekannt`, tenantId: TENANT, processInstanceKey: s.a }), EngineNoCorrelation);
  const r = await engine.runtime.correlate({ name: MSG, tenantId: TENANT, correlationKeys: { caseId: s.caseId }, variables: { antwort: 'ja' } });
  expect(r).toEqual({ processInstanceKey: s.a });
  // Now the instance waits in the called process.
  const called = await engine.watch.calledInstances(s.a!);
  expect(called).toHaveLength(1);
  s.sub = called[0];
  expect(await engine.runtime.isRunning(s.sub)).toBe(true);
  const [subTask] = await engine.tasks.openTaskIds({ processInstanceKey: s.sub, tenantId: TENANT });
  expect(await engine.tasks.deployedForm(subTask)).toBeNull(); // a task without formRef
});

test('history trace, heatmap, running counts, decisions', async () => {
  const trace = await engine.watch.activityTrace(s.a!);
  expect(trace.map((x) => x.activityId)).toEqual(['Start', 'Task_Ext', 'Task_User', 'Wait_Msg', 'Call_Sub']);
  const call = trace[4];
  expect(call).toMatchObject({ activityType: 'callActivity', endTime: null, canceled: false, calledProcessInstanceKey: s.sub });
  expect(trace[0].startTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(trace[1].endTime).not.toBeNull();

  expect(await engine.watch.heatmap(s.v1!.key)).toEqual({ Call_Sub: 1 });
  const infos = await engine.watch.instances([s.a!, s.sub!, `nope-${run}`]);
  expect(infos.find((i) => i.processInstanceKey === s.a)).toMatchObject({ processDefinitionKey: s.v1!.key, bpmnProcessId: PROC, version: 1, tenantId: TENANT, superProcessInstanceKey: null, state: 'ACTIVE', endTime: null });
  expect(infos.find((i) => i.processInstanceKey === s.sub)).toMatchObject({ bpmnProcessId: SUB, superProcessInstanceKey: s.a, state: 'ACTIVE' });
  expect(infos).toHaveLength(2);
  expect(await engine.watch.runningCounts(TENANT, PROC)).toEqual([{ processDefinitionKey: s.v1!.key, version: 1, running: 1 }]);

  expect(await engine.runtime.evaluateDecision(DEC, TENANT, { alter: 20 })).toEqual({
    rules: [
      { stufe: 'erwachsen', volljaehrig: true },
      { stufe: 'alle', volljaehrig: null },
    ],
  });
  expect((await engine.runtime.evaluateDecision(DEC, TENANT, { alter: 10 })).rules[0]).toEqual({ stufe: 'jung', volljaehrig: false });
  await rejects(engine.runtime.evaluateDecision(`nope-${run}`, TENANT, {}), EngineNotFound);
});

test('incident after retries 0, found by instance and by process id; retry resolves it', async () => {
  s.b = (await engine.runtime.start(PROC, TENANT, { kommuneId: TENANT, caseId: `${s.caseId}-b` })).processInstanceKey;
  const t = await fetchFor(s.b);
  await engine.work.failure(t.id, WORKER, { message: 'Error (Fehler-ID test)', details: 'Fehler-ID test', retries: 0, retryTimeoutMs: 0 });
  const [inc] = await engine.watch.incidents({ tenantId: TENANT, processInstanceKey: s.b });
  expect(inc).toMatchObject({ type: 'failedExternalTask', message: 'Error (Fehler-ID test)', processInstanceKey: s.b, processDefinitionKey: s.v1!.key, activityId: 'Task_Ext', configuration: t.id, tenantId: TENANT });
  expect(inc.createdAt).toMatch(/Z$/);
  expect((await engine.watch.incidents({ tenantId: TENANT, bpmnProcessId: PROC })).map((i) => i.id)).toContain(inc.id);
  expect(await engine.watch.incidents({ tenantId: 'other-tenant', bpmnProcessId: PROC })).toEqual([]);
  expect(await engine.watch.incidents({ tenantId: TENANT, processDefinitionKey: s.v1!.key, processInstanceKey: s.b })).toHaveLength(1);

  await engine.watch.retryIncident(inc, 1);
  expect(await engine.watch.incidents({ tenantId: TENANT, processInstanceKey: s.b })).toEqual([]);
  const again = await fetchFor(s.b);
  expect(again.id).toBe(t.id);
  expect(again.retries).toBe(1);
  // No boundary event catches the error: the engine ends the instance.
  await engine.work.bpmnError(again.id, WORKER, { code: 'Err_Unbehandelt', message: 'kein Handler', variables: { grund: 'x' } });
  expect(await engine.runtime.isRunning(s.b)).toBe(false);
  await rejects(engine.watch.retryIncident({ ...inc, type: 'failedJob', configuration: `nope-${run}` }, 1), EngineNotFound);
  await rejects(engine.watch.retryIncident({ ...inc, configuration: `nope-${run}` }, 1), EngineNotFound);
});

test('migration from version 1 to version 2 of the process', async () => {
  const c = (await engine.runtime.start(PROC, TENANT, { kommuneId: TENANT, caseId: `${s.caseId}-c` })).processInstanceKey;
  const d = await engine.deployer.deploy(TENANT, `client-${run}`, resources('Testprozess v2'));
  const v2 = d.definitions.find((x) => x.id === PROC)!;
  expect(v2).toMatchObject({ kind: 'process', version: 2 });
  expect(d.definitions.map((x) => x.id)).not.toContain(SUB);

  const plan = await engine.watch.migrationPlan(s.v1!.key, v2.key);
  expect(plan.unmapped).toEqual([]);
  expect(plan.instructions).toEqual(expect.arrayContaining([{ sourceActivityIds: ['Task_Ext'], targetActivityIds: ['Task_Ext'] }]));
  expect(await engine.watch.runningInstances(s.v1!.key)).toContain(c);
  await engine.watch.migrate(s.v1!.key, v2.key, [c]);
  expect(await engine.watch.runningInstances(v2.key)).toEqual([c]);
  expect(await engine.watch.heatmap(v2.key)).toEqual({ Task_Ext: 1 });
  expect((await engine.watch.runningCounts(TENANT, PROC)).map((x) => [x.version, x.running])).toEqual([
    [2, 1],
    [1, expect.any(Number)],
  ]);
  const t = await fetchFor(c);
  expect(t.processDefinitionKey).toBe(v2.key);

  await engine.runtime.cancel(c, 'Test');
  await rejects(engine.runtime.cancel(c), EngineNotFound);
  expect(await engine.runtime.isRunning(c)).toBe(false);
  await rejects(engine.work.complete(t.id, WORKER), EngineNotFound);
  await rejects(engine.watch.migrationPlan(`nope-${run}`, v2.key), EngineNotFound);
  await engine.watch.forgetInstances([c]);
});

test('forgetInstances deletes runtime and history, called instances included', async () => {
  const keys = [s.a!, s.b!, s.sub!];
  expect((await engine.watch.existingInstances(keys)).sort()).toEqual([...keys].sort());
  await engine.watch.forgetInstances([s.a!, s.b!, `nope-${run}`]);
  expect(await engine.watch.existingInstances(keys)).toEqual([]);
  expect(await engine.runtime.isRunning(s.a!)).toBe(false);
  expect(await engine.runtime.isRunning(s.sub!)).toBe(false);
  expect(await engine.watch.calledInstances(s.a!)).toEqual([]);
  expect(await engine.watch.activityTrace(s.a!)).toEqual([]);
});

test('an unreachable engine is EngineUnavailable, ping says false', async () => {
  const down = createOperatonEngine({ url: 'http://127.0.0.1:9/engine-rest', timeoutMs: 2_000 });
  expect(await down.ping()).toBe(false);
  const e = await rejects(down.runtime.isRunning('x'), EngineUnavailable);
  expect(e.status).toBe(0);
  expect(e.message).not.toContain('caseId');
});
