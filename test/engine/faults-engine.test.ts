/**
 * Fault: the engine dies while people complete tasks, and comes back. The engine here is a JVM of
 * this test's own (as global-setup starts the suite's, engine/engine.ts LocalEngine) on this file's
 * database, so killing it disturbs no other test file. Case managers keep completing tasks through
 * the API (each with a saved draft); the JVM is killed (SIGKILL) while completions are in flight, and
 * started again. Every task is then either completed once – the engine moved the instance on exactly
 * once – or still open with the user's draft kept; the user's second try completes an open one and
 * gets a German 409 for a done one. Nothing lost, nothing doubled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { jdbcTarget, LocalEngine } from '../../engine/engine';
import { loadConfig } from '../../server/config';
import type { Stack } from '../../server/stack';
import { freePort } from '../../server/util/ports';
import { caseFixture } from '../api/fixtures';
import { fileDatabaseUrl, login, Session, startTestStack, testConfig, until } from '../support/stack';

const PID = 'kim-test-fault-engine';
const N = 12;
const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_FaultEngine" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="${PID}" name="Störungstest Engine" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="StartEvent_Fault"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Fault" targetRef="Task_First" />
    <bpmn:userTask id="Task_First" name="Gespräch dokumentieren" camunda:formRef="test-fault-note" camunda:formRefBinding="deployment" camunda:candidateGroups="case-manager:\${kommuneId}"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_First" targetRef="Task_Second" />
    <bpmn:userTask id="Task_Second" name="Ergebnis prüfen" camunda:candidateGroups="case-manager:\${kommuneId}"><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Second" targetRef="EndEvent_Fault" />
    <bpmn:endEvent id="EndEvent_Fault"><bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;
const FORM = JSON.stringify({
  id: 'test-fault-note',
  type: 'default',
  schemaVersion: 16,
  executionPlatform: 'Camunda Platform',
  executionPlatformVersion: '7.24.0',
  components: [{ type: 'textfield', id: 'Field_Notiz', key: 'notiz', label: 'Notiz' }],
});

let engine: LocalEngine;
let stack: Stack;
let tmp: string;
let sql: Client;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-fault-engine-'));
  fs.mkdirSync(path.join(tmp, 'processes', PID), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'processes', PID, `${PID}.bpmn`), MODEL);
  fs.writeFileSync(path.join(tmp, 'processes', PID, 'test-fault-note.form'), FORM);
  const databaseUrl = await fileDatabaseUrl();
  const cfg = loadConfig({ ...process.env, NODE_ENV: 'test' });
  engine = new LocalEngine({
    cacheDir: cfg.KIM_CACHE_DIR,
    dataDir: path.join(process.env.KIM_TEST_RUN_DIR ?? tmp, 'fault-engine'),
    port: await freePort(),
    heap: '384m',
    database: jdbcTarget(databaseUrl),
    jobMaxWaitMs: 500,
  });
  await engine.start();
  stack = await startTestStack({ workers: false, processesDir: path.join(tmp, 'processes'), config: testConfig({ DATABASE_URL: databaseUrl, KIM_ENGINE_URL: engine.url }) });
  sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  await sql?.end().catch(() => undefined);
  await engine?.stop().catch(() => undefined);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}, 120_000);

interface Attempt {
  i: number;
  status: number | 'network';
  body: Record<string, unknown>;
}

const json = async (res: Response) => ((await res.text().then((t) => (t ? JSON.parse(t) : {}))) as Record<string, unknown>);
const engineCount = async (q: string, params: unknown[]) => (await sql.query(q, params)).rows[0].n as number;

test('the engine dies while tasks are being completed and comes back: each task completed once or open with its draft', async () => {
  const cm: Session = await login(stack.url, 'cm.duisburg');
  const items: Array<{ instance: string; caseId: string; taskId: string; note: string }> = [];
  for (let i = 0; i < N; i++) {
    const f = await caseFixture(stack, 'duisburg-nord');
    const { processInstanceKey } = await stack.engine.runtime.start(PID, 'duisburg', { kommuneId: 'duisburg', caseId: f.caseId });
    const t = await until(() => stack.db.task.findFirst({ where: { processInstanceKey, elementId: 'Task_First', state: 'CREATED' } }), 'erste Aufgabe im Posteingang');
    const note = `Entwurf ${i}: Gespräch am Vormittag`;
    // What the user typed is saved as a draft before sending (as the web app does while typing).
    expect((await cm.put(`/api/tasks/${t.id}/draft`, { data: { notiz: note } })).status).toBe(200);
    items.push({ instance: processInstanceKey, caseId: f.caseId, taskId: t.id, note });
  }

  // Two users' worth of completions one after another; the engine is killed while some are in flight.
  const attempts: Attempt[] = [];
  let next = 0;
  let inFlight = 0;
  let killed = false;
  let inFlightAtKill = -1;
  let killing: Promise<void> | null = null;
  const completer = async () => {
    while (next < N) {
      const i = next++;
      inFlight++;
      const req = cm.post(`/api/tasks/${items[i].taskId}/complete?next=false`, { variables: { notiz: items[i].note } }).catch(() => null);
      // After three completions the JVM is killed a moment after the next request went out.
      if (!killing && attempts.filter((a) => a.status === 200).length >= 3) {
        killing = new Promise((resolve) =>
          setTimeout(() => {
            inFlightAtKill = inFlight;
            engine.kill();
            killed = true;
            resolve();
          }, 15),
        );
      }
      const res = await req;
      inFlight--;
      attempts.push({ i, status: res ? res.status : 'network', body: res ? await json(res) : {} });
      if (killed && res && res.status !== 200) break;
    }
  };
  await Promise.all([completer(), completer()]);
  await killing;
  expect(killed).toBe(true);
  expect(inFlightAtKill).toBeGreaterThan(0);

  // While it is down: a German 503 that says the input is not lost; never a 500.
  const failed = attempts.filter((a) => a.status !== 200);
  expect(failed.length).toBeGreaterThan(0);
  for (const a of failed) {
    expect(a.status).toBe(503);
    expect(a.body.title).toBe('Die Prozess-Engine ist gerade nicht erreichbar. Ihre Eingaben sind nicht verloren – bitte versuchen Sie es in einigen Augenblicken erneut.');
    expect(JSON.stringify(a.body)).not.toMatch(/Entwurf|ECONN|stack|127\.0\.0\.1/);
  }

  // The engine comes back on the same database and port.
  await engine.stop();
  await engine.start();
  await until(async () => (await fetch(`${engine.url}/engine`).catch(() => null))?.ok, 'Engine wieder erreichbar', 120_000);

  // Each task: completed once (history has it ended once, the next step exists once) or still open
  // in engine and inbox alike with the user's draft.
  const outcome = new Map<number, 'done' | 'open'>();
  for (let i = 0; i < N; i++) {
    const it = items[i];
    const task = await stack.db.task.findUniqueOrThrow({ where: { id: it.taskId } });
    const engineOpen = await engineCount('select count(*)::int as n from engine.act_ru_task where id_ = $1', [it.taskId]);
    const firstEnded = await engineCount("select count(*)::int as n from engine.act_hi_taskinst where proc_inst_id_ = $1 and task_def_key_ = 'Task_First' and end_time_ is not null", [it.instance]);
    const seconds = await engineCount("select count(*)::int as n from engine.act_hi_taskinst where proc_inst_id_ = $1 and task_def_key_ = 'Task_Second'", [it.instance]);
    const draft = await stack.db.taskDraft.findFirst({ where: { taskId: it.taskId } });
    const answered = attempts.find((a) => a.i === i);
    if (task.state === 'CREATED') {
      outcome.set(i, 'open');
      expect({ i, engineOpen, firstEnded, seconds }).toEqual({ i, engineOpen: 1, firstEnded: 0, seconds: 0 });
      expect(draft?.data).toEqual({ notiz: it.note });
      const form = await cm.get(`/api/tasks/${it.taskId}/form`);
      expect(form.status).toBe(200);
      expect(((await form.json()) as { draft: { data: unknown } | null }).draft?.data).toEqual({ notiz: it.note });
      expect(answered?.status).not.toBe(200);
    } else {
      outcome.set(i, 'done');
      expect({ i, state: task.state, engineOpen, firstEnded, seconds }).toEqual({ i, state: 'COMPLETED', engineOpen: 0, firstEnded: 1, seconds: 1 });
      // Answered 200: the draft is gone. Cut off after the engine committed: the draft may stay, the task is done.
      if (answered?.status === 200) expect(draft).toBeNull();
    }
  }
  expect([...outcome.values()].filter((o) => o === 'open').length).toBeGreaterThan(0);

  // The user tries again where the answer was not 200: open ones complete, done ones say so (409).
  for (const a of attempts.filter((x) => x.status !== 200)) {
    const it = items[a.i];
    const res = await cm.post(`/api/tasks/${it.taskId}/complete?next=false`, { variables: { notiz: it.note } });
    if (outcome.get(a.i) === 'open') expect(res.status).toBe(200);
    else {
      expect(res.status).toBe(409);
      expect(((await res.json()) as { title: string }).title).toBe('Die Aufgabe ist bereits abgeschlossen.');
    }
  }
  // Tasks nobody got to before the kill are completed now.
  for (let i = 0; i < N; i++) {
    if (attempts.some((a) => a.i === i)) continue;
    expect((await cm.post(`/api/tasks/${items[i].taskId}/complete?next=false`, { variables: { notiz: items[i].note } })).status).toBe(200);
  }

  // Nothing lost, nothing doubled: every first step ended exactly once with the user's input, every
  // instance has exactly one open second step, engine and inbox agree.
  for (const it of items) {
    expect(await engineCount("select count(*)::int as n from engine.act_hi_taskinst where proc_inst_id_ = $1 and task_def_key_ = 'Task_First'", [it.instance])).toBe(1);
    expect(await engineCount("select count(*)::int as n from engine.act_hi_taskinst where proc_inst_id_ = $1 and task_def_key_ = 'Task_First' and end_time_ is not null", [it.instance])).toBe(1);
    expect(await engineCount("select count(*)::int as n from engine.act_ru_task where proc_inst_id_ = $1 and task_def_key_ = 'Task_Second'", [it.instance])).toBe(1);
    const vars = await sql.query("select text_ from engine.act_ru_variable where proc_inst_id_ = $1 and name_ = 'notiz'", [it.instance]);
    expect(vars.rows.map((r) => r.text_)).toEqual([it.note]);
    const rows = await stack.db.task.findMany({ where: { processInstanceKey: it.instance }, select: { elementId: true, state: true }, orderBy: { elementId: 'asc' } });
    expect(rows).toEqual([
      { elementId: 'Task_First', state: 'COMPLETED' },
      { elementId: 'Task_Second', state: 'CREATED' },
    ]);
    expect(await stack.db.auditLog.count({ where: { action: 'task.complete', entityId: it.taskId } })).toBeLessThanOrEqual(1);
  }
  expect(await engineCount('select count(*)::int as n from engine.act_ru_incident', [])).toBe(0);
}, 600_000);
