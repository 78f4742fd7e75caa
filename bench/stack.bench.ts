/**
 * Stack benchmark (`npm run bench`): the product on Operaton, measured in one run; every figure is
 * printed next to its target, and relative targets against a baseline measured in the same run.
 *  1. cold start to ready of the real start command (`node scripts/bootstrap.cjs start`) with the
 *     engine jar already cached (built first when missing): fresh data folder, fresh database
 *     kim_bench, free ports;
 *  2. resident memory of the idle stack – every process the command started (node and java) – once
 *     it has settled;
 *  3. worker round trip of a one-external-task process deployed for tenant duisburg (start → worker
 *     has the task → complete → instance ended): the product's WorkerRuntime vs a bare fetchAndLock
 *     loop (plain fetch calls, long polling + complete) on the same engine, N each, interleaved;
 *  5. task created by the engine → visible in the inbox API of a signed-in case manager: through the
 *     live stream (GET /api/tasks/events, then the list reloaded) and right after the start call;
 *  4. sustained instances per second of the real kim-intake happy path, user tasks claimed and
 *     completed through the API by a signed-in case manager, with the product's workers, vs the same
 *     model driven bare on the engine (a renamed copy: plain REST calls start it and complete its
 *     user tasks, a bare fetchAndLock loop completes its external tasks with the outputs the
 *     product's workers give); the bare intake runs before and after and the baseline is their
 *     mean. A one-external-task loop is printed for comparison.
 * Loopback only; bounded in count (KIM_BENCH_N, KIM_BENCH_INTAKE, KIM_BENCH_BARE_INTAKE,
 * KIM_BENCH_BARE, KIM_BENCH_USERS)
 * and in time (every wait has a deadline); stops everything it started and checks that no JVM of its
 * own is left. No assertions: it prints.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineJarCached, ensureEngineJar } from '../engine/engine';
import { DECISION_ID as INTAKE_DECISION, ELEMENTS as INTAKE, JOB_TYPES as INTAKE_TOPICS, PROCESS_ID as INTAKE_ID } from '../processes/kim-intake/contract';
import { loadConfig, ROOT } from '../server/config';
import { canConnect, dropDatabase } from '../server/db/postgres';
import { createOperatonEngine, type Engine, type WorkSource } from '../server/engine';
import { toEngineVariables, type EngineVariables } from '../server/engine/variables';
import { toProcessVariables } from '../server/inbox/inbox.service';
import { createLogger } from '../server/util/log';
import { freePort, waitFor } from '../server/util/ports';
import { openTaskEvents, type TaskEventStream } from '../test/support/events';
import { login, type Session } from '../test/support/stack';
import { WorkerRuntime } from '../workers/runtime';

const N = Number(process.env.KIM_BENCH_N ?? 200);
const WARMUP = 5;
/** Intake instances through the API (4), bare intake instances per bare run, one-task instances. */
const INTAKE_K = Number(process.env.KIM_BENCH_INTAKE ?? 60);
const BARE_INTAKE_K = Number(process.env.KIM_BENCH_BARE_INTAKE ?? 120);
const BARE_K = Number(process.env.KIM_BENCH_BARE ?? 200);
/** Concurrent virtual users in (4), the same for the intake and the bare loop. */
const USERS = Number(process.env.KIM_BENCH_USERS ?? 8);
const DB_NAME = 'kim_bench';
const TENANT = 'duisburg';
const LOCAL_PG = 'postgresql://postgres@127.0.0.1:5432/postgres';
const TARGET = { readyS: 60, rssGb: 1.5, overheadMs: 10, throughputRatio: 0.5, visibleMs: 50 };

const say = (m: string) => console.log(`[bench] ${m}`);
const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const ms = (x: number) => `${x.toFixed(1)} ms`;
const ok = (good: boolean) => (good ? 'erfüllt' : 'VERFEHLT');

// ---------------------------------------------------------------------------------------------
// Processes and statistics

/** pid → { ppid, name, rssKb } from /proc. */
function processTable(): Map<number, { ppid: number; name: string; rssKb: number }> {
  const table = new Map<number, { ppid: number; name: string; rssKb: number }>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const status = fs.readFileSync(`/proc/${e}/status`, 'utf8');
      const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'm').exec(status)?.[1] ?? '';
      table.set(Number(e), { ppid: Number(field('PPid')), name: field('Name'), rssKb: parseInt(field('VmRSS'), 10) || 0 });
    } catch {
      /* process ended while reading */
    }
  }
  return table;
}

function descendants(root: number): Array<{ pid: number; name: string; rssKb: number }> {
  const table = processTable();
  const out: Array<{ pid: number; name: string; rssKb: number }> = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = table.get(pid);
    if (p) out.push({ pid, name: p.name, rssKb: p.rssKb });
    for (const [child, c] of table) if (c.ppid === pid) queue.push(child);
  }
  return out;
}

/** True while the process runs; a zombie (terminated, not yet reaped) counts as ended. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system) of a process in ms; 0 when it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return 0;
  }
}

const isNode = (name: string) => name.startsWith('node') || name === 'tsx';

interface Cpu {
  /** The command's node processes (API, domain services, workers). */
  node: number;
  /** The engine JVM. */
  java: number;
  /** PostgreSQL backends connected to the bench database (pools are long-lived, so the delta is theirs). */
  pg: number;
  /** This process (the bench's driver and bare client). */
  bench: number;
}

function cpuSnapshot(root: number, dbName: string): Cpu {
  const s: Cpu = { node: 0, java: 0, pg: 0, bench: 0 };
  for (const p of descendants(root)) {
    if (p.name === 'java') s.java += cpuMs(p.pid);
    else if (isNode(p.name)) s.node += cpuMs(p.pid);
  }
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres:') && cmd.includes(` ${dbName} `)) s.pg += cpuMs(Number(e));
    } catch {
      /* process ended while reading */
    }
  }
  const u = process.cpuUsage();
  s.bench = (u.user + u.system) / 1000;
  return s;
}

/** CPU ms per instance between two snapshots, as one printable line. */
function cpuPerInstance(a: Cpu, b: Cpu, n: number): { total: number; line: string } {
  const d = (k: keyof Cpu) => (b[k] - a[k]) / n;
  const total = d('node') + d('java') + d('pg') + d('bench');
  return { total, line: `CPU je Instanz ${total.toFixed(0)} ms: Engine (java) ${d('java').toFixed(0)}, App + Worker (node) ${d('node').toFixed(0)}, PostgreSQL (${DB_NAME}) ${d('pg').toFixed(0)}, Bench-Treiber ${d('bench').toFixed(0)}` };
}

/** Nearest-rank percentile. */
function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Sustained rate from the end times of a closed-loop run with `users` in flight: instances per
 * second between the end of the ramp-up (the first `users` ends) and the start of the drain (the
 * last `users` ends).
 */
function sustainedRate(ends: number[], users: number): { perS: number; counted: number; spanS: number } {
  const s = [...ends].sort((a, b) => a - b);
  const from = Math.min(users, Math.max(0, s.length - 2));
  const to = Math.max(from + 1, s.length - 1 - users);
  const spanS = (s[to] - s[from]) / 1000;
  return { perS: (to - from) / spanS, counted: to - from, spanS };
}

// ---------------------------------------------------------------------------------------------
// Bench models (deployed for tenant duisburg)

const oneExternalTask = (id: string, topic: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${id.replace(/-/g, '_')}" targetNamespace="http://kim.nrw/bench">
  <bpmn:process id="${id}" name="Bench ${topic}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="StartEvent_Started" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_Work" />
    <bpmn:serviceTask id="Task_Work" name="Arbeit" camunda:type="external" camunda:topic="${topic}" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Work" targetRef="EndEvent_Done" />
    <bpmn:endEvent id="EndEvent_Done" />
  </bpmn:process>
</bpmn:definitions>`;

const firstUserTask = (id: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_${id.replace(/-/g, '_')}" targetNamespace="http://kim.nrw/bench">
  <bpmn:process id="${id}" name="Bench Aufgabe" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="StartEvent_Started" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_Inbox" />
    <bpmn:userTask id="Task_Inbox" name="Bench-Aufgabe" camunda:candidateGroups="case-manager:${TENANT}" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Inbox" targetRef="EndEvent_Done" />
    <bpmn:endEvent id="EndEvent_Done" />
  </bpmn:process>
</bpmn:definitions>`;

const BARE = { process: 'kim-bench-bare', topic: 'kim.bench-bare' };
const RUNTIME = { process: 'kim-bench-runtime', topic: 'kim.bench-runtime' };
const INBOX_PROCESS = 'kim-bench-inbox';

/**
 * The baseline of (4): kim-intake itself, as shipped in processes/kim-intake (BPMN and DMN), under
 * its own process and decision id, with topics the product's workers do not poll and without its
 * form links (the bare driver completes the user tasks with the form's values, not through a form).
 * Fails when the model no longer contains what is renamed, so the copy cannot silently drift.
 */
const BARE_INTAKE = { process: 'kim-bench-intake-bare', decision: 'kim-bench-intake-hilfeart', topic: (t: string) => `kim.bench-bare.${t}` };

function bareIntakeFiles(): Array<{ name: string; content: Buffer }> {
  const dir = path.join(ROOT, 'processes', INTAKE_ID);
  const swap = (text: string, from: string | RegExp, to: string, what: string) => {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`Bench-Kopie von ${INTAKE_ID}: ${what} nicht im Modell gefunden`);
    return next;
  };
  let bpmn = fs.readFileSync(path.join(dir, `${INTAKE_ID}.bpmn`), 'utf8');
  bpmn = swap(bpmn, `<bpmn:process id="${INTAKE_ID}"`, `<bpmn:process id="${BARE_INTAKE.process}"`, 'Prozess-Id');
  bpmn = swap(bpmn, `bpmnElement="${INTAKE_ID}"`, `bpmnElement="${BARE_INTAKE.process}"`, 'Diagrammebene');
  bpmn = swap(bpmn, `camunda:decisionRef="${INTAKE_DECISION}"`, `camunda:decisionRef="${BARE_INTAKE.decision}"`, 'Entscheidungsreferenz');
  bpmn = swap(bpmn, / camunda:formRef="[^"]*" camunda:formRefBinding="[^"]*"/g, '', 'Formularbezug');
  for (const t of Object.values(INTAKE_TOPICS)) bpmn = swap(bpmn, `camunda:topic="${t}"`, `camunda:topic="${BARE_INTAKE.topic(t)}"`, `Topic ${t}`);
  let dmn = fs.readFileSync(path.join(dir, `${INTAKE_DECISION}.dmn`), 'utf8');
  dmn = swap(dmn, new RegExp(`(id|dmnElementRef)="${INTAKE_DECISION}"`, 'g'), `$1="${BARE_INTAKE.decision}"`, 'Entscheidungs-Id');
  return [
    { name: `${BARE_INTAKE.process}.bpmn`, content: Buffer.from(bpmn) },
    { name: `${BARE_INTAKE.decision}.dmn`, content: Buffer.from(dmn) },
  ];
}

/** The bare worker's answers on the happy path: the variables the product's workers set there. */
const BARE_INTAKE_OUTPUTS: BareTopics = {
  [BARE_INTAKE.topic(INTAKE_TOPICS.recordFirstContact)]: toEngineVariables({ anzahlLebensbereiche: 1 }),
  [BARE_INTAKE.topic(INTAKE_TOPICS.recordConsent)]: () => toEngineVariables({ einwilligungId: randomUUID() }),
  [BARE_INTAKE.topic(INTAKE_TOPICS.recordConsentRefusal)]: {},
  [BARE_INTAKE.topic(INTAKE_TOPICS.checkExistingSupport)]: toEngineVariables({ bestehendeUnterstuetzung: '', doppelfoerderungMoeglich: false, klaerungErgebnis: null }),
  [BARE_INTAKE.topic(INTAKE_TOPICS.openCase)]: {},
  [BARE_INTAKE.topic(INTAKE_TOPICS.recordStatistics)]: {},
  [BARE_INTAKE.topic(INTAKE_TOPICS.closeCase)]: () => toEngineVariables({ loeschdatum: new Date(Date.now() + 3 * 365 * 86_400_000).toISOString().slice(0, 10) }),
};

// ---------------------------------------------------------------------------------------------
// Worker side: when each instance's task was fetched and when its completion returned (the
// completion's transaction runs the instance to its end event, so that is the instance's end).

class EndTracker {
  private readonly fetched = new Map<string, number>();
  private readonly ended = new Map<string, number>();
  private readonly waiters = new Map<string, (t: number) => void>();

  onFetched(pik: string): void {
    this.fetched.set(pik, performance.now());
  }

  onEnded(pik: string): void {
    const t = performance.now();
    const w = this.waiters.get(pik);
    if (w) {
      this.waiters.delete(pik);
      w(t);
    } else this.ended.set(pik, t);
  }

  fetchedAt(pik: string): number {
    const t = this.fetched.get(pik) ?? NaN;
    this.fetched.delete(pik);
    return t;
  }

  /** Resolves with the time the instance's completion returned (which may have been before the call). */
  waitEnd(pik: string, timeoutMs = 30_000): Promise<number> {
    const done = this.ended.get(pik);
    if (done !== undefined) {
      this.ended.delete(pik);
      return Promise.resolve(done);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(pik);
        reject(new Error(`Instanz ${pik}: nicht innerhalb von ${timeoutMs} ms beendet`));
      }, timeoutMs);
      this.waiters.set(pik, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}

/** The port's WorkSource, reporting fetches and returned completions to a tracker (the runtime is unchanged). */
function tapped(work: WorkSource, tracker: EndTracker): WorkSource {
  const instanceOf = new Map<string, string>();
  return {
    async fetchAndLock(workerId, maxTasks, topics, asyncTimeoutMs, signal) {
      const tasks = await work.fetchAndLock(workerId, maxTasks, topics, asyncTimeoutMs, signal);
      for (const t of tasks) {
        instanceOf.set(t.id, t.processInstanceKey);
        tracker.onFetched(t.processInstanceKey);
      }
      return tasks;
    },
    async complete(taskId, workerId, variables, localVariables) {
      await work.complete(taskId, workerId, variables, localVariables);
      const pik = instanceOf.get(taskId);
      instanceOf.delete(taskId);
      if (pik) tracker.onEnded(pik);
    },
    failure: (taskId, workerId, f) => work.failure(taskId, workerId, f),
    bpmnError: (taskId, workerId, e) => work.bpmnError(taskId, workerId, e),
    extendLock: (taskId, workerId, d) => work.extendLock(taskId, workerId, d),
    unlock: (taskId) => work.unlock(taskId),
    lockedBy: (workerId) => work.lockedBy(workerId),
  };
}

/** One plain call to the engine's REST API (the baseline's only means; no product code on the way). */
async function bareCall<T>(url: string, method: 'GET' | 'POST', p: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url + p, { method, headers: { 'content-type': 'application/json', accept: 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p.replace(/\/(external-task|task)\/[^/?]+\//, '/$1/…/').replace(/\?.*$/, '')}: HTTP ${res.status}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** What a bare worker sends when it completes a task of one topic: the variables, already typed. */
type BareTopics = Record<string, EngineVariables | (() => EngineVariables)>;

/**
 * The baseline worker: plain fetch calls to the engine's REST API – a long-polling fetchAndLock
 * (same long-poll time, lock and batch size as the runtime's defaults) and a complete per task with
 * the topic's fixed output, sent without waiting before the next poll. `completed` hears every
 * returned completion (instance, topic).
 */
class BareLoop {
  private readonly ctl = new AbortController();
  private done: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  errors = 0;

  constructor(
    private readonly url: string,
    private readonly topics: BareTopics,
    private readonly tracker: EndTracker,
    private readonly workerId = 'kim-bench-bare',
    private readonly completed: (pik: string, topic: string) => void = () => undefined,
  ) {}

  start(): void {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const topics = Object.keys(this.topics).map((topicName) => ({ topicName, lockDuration: 60_000, variables: ['caseId'] }));
    while (!this.ctl.signal.aborted) {
      let tasks: Array<{ id: string; processInstanceId: string; topicName: string }>;
      try {
        tasks = await bareCall(this.url, 'POST', '/external-task/fetchAndLock', { workerId: this.workerId, maxTasks: 16, asyncResponseTimeout: 20_000, topics }, this.ctl.signal);
      } catch (e) {
        if (this.ctl.signal.aborted) return;
        this.errors++;
        if (this.errors > 20) throw e;
        continue;
      }
      for (const t of tasks) {
        this.tracker.onFetched(t.processInstanceId);
        const out = this.topics[t.topicName];
        const variables = typeof out === 'function' ? out() : out;
        const p: Promise<void> = bareCall<void>(this.url, 'POST', `/external-task/${encodeURIComponent(t.id)}/complete`, { workerId: this.workerId, variables })
          .then(() => {
            this.tracker.onEnded(t.processInstanceId);
            this.completed(t.processInstanceId, t.topicName);
          })
          .catch(() => void this.errors++)
          .finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }
  }

  async stop(): Promise<void> {
    this.ctl.abort();
    await this.done?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }
}

/** Wakes whoever waits for a change of an instance (a returned external-task completion). */
class InstanceChanges {
  private readonly waiters = new Map<string, Array<() => void>>();

  notify(pik: string): void {
    const ws = this.waiters.get(pik);
    this.waiters.delete(pik);
    for (const w of ws ?? []) w();
  }

  /** A promise for the next change of the instance; ask before looking, so no change slips between. */
  next(pik: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const ws = this.waiters.get(pik) ?? [];
      ws.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.waiters.set(pik, ws);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Inbox side (4): the case manager's open intake tasks, reloaded when the live stream says so.

class InboxWatcher {
  private readonly waiters = new Map<string, { resolve: (id: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private loading: Promise<void> | null = null;
  private again = false;
  private closed = false;
  private pump: Promise<void> | null = null;
  /** List requests made (each after a live event or a new waiter). */
  loads = 0;

  constructor(
    private readonly me: Session,
    private readonly stream: TaskEventStream,
  ) {}

  start(): void {
    this.pump = (async () => {
      let from = this.stream.events.length;
      while (!this.closed) {
        try {
          const e = await this.stream.waitFor((x) => x.type === 'tasks', { from, timeoutMs: 1000, what: 'tasks-Ereignis' });
          from = this.stream.events.indexOf(e) + 1;
          this.refresh();
        } catch {
          /* no change within a second: wait on */
        }
      }
    })();
  }

  /** Resolves with the id of the open task of this case and element once the list shows it. */
  waitTask(caseId: string, elementId: string, timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const key = `${caseId}|${elementId}`;
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`Aufgabe ${elementId} des Falls ${caseId} nicht innerhalb von ${timeoutMs / 1000} s im Aufgabeneingang`));
      }, timeoutMs);
      this.waiters.set(key, { resolve, reject, timer });
      // The user looks at the list once; later changes arrive as live events.
      this.refresh();
    });
  }

  private refresh(): void {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        if (this.waiters.size) await this.load().catch(() => (this.again = true));
      } while (this.again && !this.closed);
    })().finally(() => (this.loading = null));
  }

  private async load(): Promise<void> {
    this.loads++;
    const res = await this.me.get(`/api/tasks?filter=${enc({ view: 'all', processDefinitionId: INTAKE_ID })}&range=${enc([0, 199])}&sort=${enc(['createdAt', 'ASC'])}`);
    if (res.status !== 200) throw new Error(`GET /api/tasks: HTTP ${res.status}`);
    const rows = (await res.json()) as Array<{ id: string; caseId: string | null; elementId: string }>;
    for (const r of rows) {
      const key = `${r.caseId}|${r.elementId}`;
      const w = this.waiters.get(key);
      if (!w) continue;
      this.waiters.delete(key);
      clearTimeout(w.timer);
      w.resolve(r.id);
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('beendet'));
    }
    this.waiters.clear();
    await this.pump;
    await this.loading;
  }
}

/** The intake happy path as the case manager works it: the element, then the form's values. */
const INTAKE_STEPS: Array<{ element: string; values: Record<string, unknown> }> = [
  { element: INTAKE.documentFirstContact, values: { lebensbereiche: ['Sprache'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: [], dolmetschBedarf: false } },
  {
    element: INTAKE.captureConsent,
    values: { einwilligung: 'erteilt', einwilligungEmpfaenger: ['Jobcenter'], einwilligungZwecke: ['Vermittlung'], einwilligungDatenkategorien: ['Stammdaten'], einwilligungGueltigBis: '2030-12-31' },
  },
  { element: INTAKE.shortCounselling, values: { beratungErfolgt: true } },
];

// ---------------------------------------------------------------------------------------------

async function main() {
  const loadBefore = os.loadavg()[0];
  const runDir = path.join(ROOT, '.data', 'bench', `run-${process.pid}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const readyFile = path.join(runDir, 'ready');
  const localPg = await canConnect(LOCAL_PG);
  if (localPg) await dropDatabase(LOCAL_PG, DB_NAME);

  const ports = { app: await freePort(), engine: await freePort() };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(ports.app),
    HOST: '127.0.0.1',
    KIM_DATA_DIR: runDir,
    KIM_DB_NAME: DB_NAME,
    KIM_ENGINE_PORT: String(ports.engine),
    KIM_READY_FILE: readyFile,
    LOG_LEVEL: 'warn',
  };
  for (const k of ['DATABASE_URL', 'KIM_ENGINE_URL', 'KIM_ENGINE_PASSWORD']) delete env[k];
  const cfg = loadConfig(env);

  // Installs, Prisma client, web-app build and the engine jar are not part of a start: bring them up
  // to date first.
  const setup = spawnSync(process.execPath, ['scripts/bootstrap.cjs', 'setup'], { cwd: ROOT, env, encoding: 'utf8' });
  const viaBootstrap = setup.status === 0;
  if (!viaBootstrap) {
    say(`WARNUNG: "node scripts/bootstrap.cjs setup" schlug fehl (Exit-Code ${setup.status}); gemessen wird daher "tsx scripts/start.ts" (was bootstrap.cjs start danach aufruft).`);
    say(`  ${`${setup.stdout}${setup.stderr}`.trim().split('\n').slice(-4).join('\n  ')}`);
  }
  if (!engineJarCached(cfg.KIM_CACHE_DIR)) {
    say('Engine-Jar nicht im Cache – wird vor der Messung mit Maven gebaut …');
    const t = Date.now();
    await ensureEngineJar({ cacheDir: cfg.KIM_CACHE_DIR });
    say(`Engine-Jar gebaut in ${((Date.now() - t) / 1000).toFixed(0)} s (nicht Teil der Messung)`);
  }

  const command = viaBootstrap ? [process.execPath, 'scripts/bootstrap.cjs', 'start'] : [path.join(ROOT, 'node_modules', '.bin', 'tsx'), 'scripts/start.ts'];
  const startLog = path.join(runDir, 'start.log');
  const logFd = fs.openSync(startLog, 'a');
  say(`1) Kaltstart: ${path.basename(command[0])} ${command.slice(1).join(' ')} (Datenbank ${DB_NAME} neu, Datenordner neu, Ports App ${ports.app} / Engine ${ports.engine})`);
  const t0 = performance.now();
  const child: ChildProcess = spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited = false;
  const exitedP = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // The engine JVM(s) of the command (tracked once ready and before stopping; the short `java
  // -version` checks during the start are not of interest).
  const ourJavas = new Set<number>();
  const trackJava = () => {
    if (child.pid) for (const p of descendants(child.pid)) if (p.name === 'java') ourJavas.add(p.pid);
  };

  const runtimes: Array<WorkerRuntime<unknown>> = [];
  const bareLoops: BareLoop[] = [];
  const streams: TaskEventStream[] = [];
  let watcher: InboxWatcher | undefined;
  try {
    const ready = waitFor(
      async () => exited || fs.existsSync(readyFile),
      { timeoutMs: 300_000, intervalMs: 100, what: 'Stack bereit' },
    );
    await Promise.race([ready, exitedP])
      .then(() => {
        if (!fs.existsSync(readyFile)) throw new Error('Der Startbefehl hat sich vor „bereit“ beendet');
      })
      .catch((e: Error) => {
        throw new Error(`${e.message}\n${fs.readFileSync(startLog, 'utf8').slice(-3000)}`);
      });
    const readyS = (performance.now() - t0) / 1000;
    trackJava();
    const base = fs.readFileSync(readyFile, 'utf8').trim().replace('//localhost:', '//127.0.0.1:');
    say(`bereit nach ${readyS.toFixed(1)} s: ${base}`);
    // The start command's own step timings (its progress lines), to see where the time goes.
    for (const l of fs.readFileSync(startLog, 'utf8').split('\n')) if (/✓|✗/.test(l)) say(`  ${l.trim()}`);

    // 2) Idle RSS once settled: the total varies by less than 1 % over three samples a second apart.
    say('2) Speicher des ruhenden Stacks: warte, bis der RSS stabil ist …');
    const totalRss = () => descendants(child.pid!).reduce((sum, p) => sum + p.rssKb, 0);
    const samples: number[] = [];
    const settledAfter = performance.now();
    let settled = true;
    await waitFor(
      async () => {
        samples.push(totalRss());
        const last = samples.slice(-3);
        return last.length === 3 && Math.max(...last) - Math.min(...last) < Math.max(...last) * 0.01;
      },
      { timeoutMs: 90_000, intervalMs: 1000, what: 'RSS stabil' },
    ).catch(() => (settled = false));
    const settleS = (performance.now() - settledAfter) / 1000;
    const procs = descendants(child.pid!);
    const nodeKb = procs.filter((p) => isNode(p.name)).reduce((s, p) => s + p.rssKb, 0);
    const javaKb = procs.filter((p) => p.name === 'java').reduce((s, p) => s + p.rssKb, 0);
    const otherKb = procs.filter((p) => !isNode(p.name) && p.name !== 'java').reduce((s, p) => s + p.rssKb, 0);
    const totalGb = (nodeKb + javaKb + otherKb) / 1024 / 1024;
    const procList = procs.map((p) => `${p.name}:${p.pid}=${(p.rssKb / 1024).toFixed(0)}MB`).join(', ');

    // The engine (loopback, no credentials) through the product's port; the bench models for duisburg.
    const engineUrl = `http://127.0.0.1:${ports.engine}/engine-rest`;
    const engine: Engine = createOperatonEngine({ url: engineUrl });
    await engine.deployer.deploy(TENANT, 'kim-bench', [
      { name: `${BARE.process}.bpmn`, content: Buffer.from(oneExternalTask(BARE.process, BARE.topic)) },
      { name: `${RUNTIME.process}.bpmn`, content: Buffer.from(oneExternalTask(RUNTIME.process, RUNTIME.topic)) },
      { name: `${INBOX_PROCESS}.bpmn`, content: Buffer.from(firstUserTask(INBOX_PROCESS)) },
      ...bareIntakeFiles(),
    ]);

    // 3) Worker round trip: the product's runtime vs the bare loop, interleaved.
    say(`3) Worker-Rundlauf: WorkerRuntime gegen blanke fetchAndLock-Schleife, N=${N} je Variante, abwechselnd …`);
    const trackers = { bare: new EndTracker(), runtime: new EndTracker() };
    const bare = new BareLoop(engineUrl, { [BARE.topic]: {} }, trackers.bare);
    bare.start();
    bareLoops.push(bare);
    const runtime = new WorkerRuntime<unknown>(tapped(engine.work, trackers.runtime), {}, createLogger('silent'), { workerId: 'kim-bench-runtime' });
    runtime.start([{ type: RUNTIME.topic, handler: async () => ({ kind: 'complete' }) }]);
    runtimes.push(runtime);
    const rtKeys: string[] = [];
    const roundTrip = async (kind: 'bare' | 'runtime') => {
      const t = performance.now();
      const { processInstanceKey } = await engine.runtime.start(kind === 'bare' ? BARE.process : RUNTIME.process, TENANT, {});
      const started = performance.now();
      const end = await trackers[kind].waitEnd(processInstanceKey);
      rtKeys.push(processInstanceKey);
      return { total: end - t, start: started - t, fetched: trackers[kind].fetchedAt(processInstanceKey) - t };
    };
    for (let i = 0; i < WARMUP; i++) {
      await roundTrip('bare');
      await roundTrip('runtime');
    }
    rtKeys.length = 0;
    const rt = { bare: [] as Array<{ total: number; start: number; fetched: number }>, runtime: [] as Array<{ total: number; start: number; fetched: number }> };
    for (let i = 0; i < N; i++) {
      // Alternate the order so neither side always runs first.
      const order: Array<'bare' | 'runtime'> = i % 2 ? ['runtime', 'bare'] : ['bare', 'runtime'];
      for (const k of order) rt[k].push(await roundTrip(k));
    }
    const rtEnded = (await engine.watch.instances(rtKeys)).filter((x) => x.state === 'COMPLETED').length;
    await runtime.stop();
    const of = (xs: Array<{ total: number; start: number; fetched: number }>, f: 'total' | 'start' | 'fetched', p: number) => pct(xs.map((x) => x[f]), p);

    // 5) Task created by the engine → visible in the inbox API (before the load of 4).
    say(`5) Aufgabe angelegt → im Aufgabeneingang sichtbar, N=${N} je Weg …`);
    const me = await login(base, 'cm.duisburg', cfg.KIM_DEMO_PASSWORD);
    const inboxPage = async () => {
      const res = await me.get(`/api/tasks?filter=${enc({ view: 'group', processDefinitionId: INBOX_PROCESS })}&range=${enc([0, 24])}&sort=${enc(['createdAt', 'DESC'])}`);
      if (res.status !== 200) throw new Error(`GET /api/tasks: HTTP ${res.status}`);
      return (await res.json()) as Array<{ id: string; processInstanceKey: string }>;
    };
    const vis = {
      liveFromReturn: [] as number[],
      liveFromSent: [] as number[],
      event: [] as number[],
      startCall: [] as number[],
      direct: [] as number[],
      directMisses: 0,
      liveReloads: 0,
    };
    const inboxKeys: string[] = [];
    for (let i = 0; i < 2 * (N + 3); i++) {
      const warm = i < 6;
      if (i % 2 === 0) {
        // Live: a stream of its own (open and ready first, so no earlier event throttles it), the
        // list reloaded on each `tasks` event until it shows the new task.
        const stream = await openTaskEvents(base, me.cookie);
        if (stream.status !== 200) throw new Error(`GET /api/tasks/events: HTTP ${stream.status}`);
        streams.push(stream);
        const from0 = stream.events.length;
        const t = performance.now();
        let returned = NaN;
        const started = engine.runtime.start(INBOX_PROCESS, TENANT, {}).then((s) => {
          returned = performance.now();
          return s.processInstanceKey;
        });
        let from = from0;
        let eventAt = NaN;
        let seenAt = NaN;
        for (let reloads = 1; reloads <= 10; reloads++) {
          const e = await stream.waitFor((x) => x.type === 'tasks', { from, timeoutMs: 5000, what: 'tasks-Ereignis' });
          from = stream.events.indexOf(e) + 1;
          if (Number.isNaN(eventAt)) eventAt = e.at;
          const rows = await inboxPage();
          const at = performance.now();
          const pik = await started;
          if (!warm) vis.liveReloads++;
          if (rows.some((r) => r.processInstanceKey === pik)) {
            seenAt = at;
            break;
          }
        }
        const pik = await started;
        inboxKeys.push(pik);
        stream.close();
        streams.splice(streams.indexOf(stream), 1);
        if (Number.isNaN(seenAt)) throw new Error('Die neue Aufgabe erschien nach 10 Live-Ereignissen nicht in der Liste');
        if (!warm) {
          vis.liveFromReturn.push(seenAt - returned);
          vis.liveFromSent.push(seenAt - t);
          vis.event.push(eventAt - t);
          vis.startCall.push(returned - t);
        }
      } else {
        // Directly: the list right after the start call returned – once, no retry.
        const t = performance.now();
        const { processInstanceKey } = await engine.runtime.start(INBOX_PROCESS, TENANT, {});
        const returned = performance.now();
        const rows = await inboxPage();
        const at = performance.now();
        inboxKeys.push(processInstanceKey);
        if (!warm) {
          vis.startCall.push(returned - t);
          if (rows.some((r) => r.processInstanceKey === processInstanceKey)) vis.direct.push(at - returned);
          else vis.directMisses++;
        }
      }
    }
    for (const k of inboxKeys) await engine.runtime.cancel(k).catch(() => undefined);

    // 4) Throughput: the bare intake, the intake through the API, the bare intake again; before them
    // the one-task loop of 3) once more for comparison. Each bare worker serves all its runs: a long
    // poll the client aborts stays pending in Operaton and still locks the next task of its topics
    // for its worker – a new loop with the same worker id and topics would lose that task until the
    // lock expires.
    const bareRun = async (k: number) => {
      let next = 0;
      const ends: number[] = [];
      const t = performance.now();
      const user = async () => {
        while (next < k) {
          next++;
          const { processInstanceKey } = await engine.runtime.start(BARE.process, TENANT, {});
          ends.push(await trackers.bare.waitEnd(processInstanceKey));
        }
      };
      const cpu0 = cpuSnapshot(child.pid!, DB_NAME);
      await Promise.all(Array.from({ length: USERS }, user));
      const cpu = cpuPerInstance(cpu0, cpuSnapshot(child.pid!, DB_NAME), ends.length);
      return { ...sustainedRate(ends, USERS), wallS: (performance.now() - t) / 1000, n: ends.length, cpu };
    };
    say(`4) Zum Vergleich: blanke Ein-Aufgaben-Schleife (${BARE_K} Instanzen, ${USERS} parallel) …`);
    const bare1 = await bareRun(BARE_K);
    await bare.stop();

    // The baseline: the same intake model driven bare – plain engine REST calls start it, complete
    // its user tasks with the form's values (encoded as the inbox hands them to the engine, so both
    // sides send the same variables) and its external tasks with the product workers' outputs.
    const changes = new InstanceChanges();
    const bareIntakeWorker = new BareLoop(engineUrl, BARE_INTAKE_OUTPUTS, new EndTracker(), 'kim-bench-bare-intake', (pik) => changes.notify(pik));
    bareIntakeWorker.start();
    bareLoops.push(bareIntakeWorker);
    const bareTask = async (pik: string, element: string): Promise<string> => {
      const deadline = performance.now() + 30_000;
      while (performance.now() < deadline) {
        const changed = changes.next(pik);
        const rows = await bareCall<Array<{ id: string }>>(engineUrl, 'GET', `/task?processInstanceId=${pik}&taskDefinitionKey=${element}`);
        if (rows.length) return rows[0].id;
        await changed;
      }
      throw new Error(`Blanker Erstkontakt ${pik}: Aufgabe ${element} nicht innerhalb von 30 s`);
    };
    const ended = async (keys: string[]) =>
      waitFor(
        async () => {
          const xs = await engine.watch.instances(keys);
          return xs.length === keys.length && xs.every((x) => x.state !== 'ACTIVE') && xs;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: 'alle Erstkontakte beendet' },
      );
    const bareIntakeRun = async (k: number) => {
      let next = 0;
      const keys: string[] = [];
      const t = performance.now();
      const cpu0 = cpuSnapshot(child.pid!, DB_NAME);
      const user = async () => {
        while (next < k) {
          next++;
          const variables = toEngineVariables({
            caseId: randomUUID(),
            clientId: randomUUID(),
            kommuneId: TENANT,
            bearbeitungsfrist: cfg.KIM_TASK_DUE,
            wiedervorlageIntervall: cfg.KIM_REVIEW_INTERVAL,
            gestartetVon: 'cm.duisburg',
          });
          const { id: pik } = await bareCall<{ id: string }>(engineUrl, 'POST', `/process-definition/key/${BARE_INTAKE.process}/tenant-id/${TENANT}/start`, { variables });
          keys.push(pik);
          for (const step of INTAKE_STEPS) {
            const id = await bareTask(pik, step.element);
            await bareCall(engineUrl, 'POST', `/task/${id}/complete`, { variables: toEngineVariables(toProcessVariables(step.values)) });
          }
        }
      };
      await Promise.all(Array.from({ length: USERS }, user));
      const history = await ended(keys);
      const wallS = (performance.now() - t) / 1000;
      const cpu = cpuPerInstance(cpu0, cpuSnapshot(child.pid!, DB_NAME), keys.length);
      const completed = history.filter((x) => x.state === 'COMPLETED');
      return { ...sustainedRate(completed.map((x) => Date.parse(x.endTime!)), USERS), wallS, n: completed.length, cpu };
    };
    say(`4) Durchsatz: kim-intake blank an der Engine (${BARE_INTAKE_K} Instanzen, ${USERS} parallel) …`);
    const bareIntake1 = await bareIntakeRun(BARE_INTAKE_K);

    say(`4) Durchsatz: kim-intake über die API (${INTAKE_K} Instanzen, ${USERS} parallel, cm.duisburg) …`);
    const stream = await openTaskEvents(base, me.cookie);
    if (stream.status !== 200) throw new Error(`GET /api/tasks/events: HTTP ${stream.status}`);
    streams.push(stream);
    watcher = new InboxWatcher(me, stream);
    watcher.start();
    const intakeStarts = new Map<string, number>();
    let next = 0;
    let apiCalls = 0;
    const tIntake = performance.now();
    const intakeCpu0 = cpuSnapshot(child.pid!, DB_NAME);
    const intakeUser = async () => {
      while (next < INTAKE_K) {
        const i = next++;
        const startedAt = Date.now();
        const r = await me.post('/api/cases', { client: { firstName: 'Bench', lastName: `Person ${process.pid}-${i}`, birthDate: '1985-03-14', languages: ['ar'] } });
        apiCalls++;
        if (r.status !== 201) throw new Error(`POST /api/cases: HTTP ${r.status} ${(await r.text()).slice(0, 300)}`);
        const { caseId, processInstanceKey } = (await r.json()) as { caseId: string; processInstanceKey: string };
        intakeStarts.set(processInstanceKey, startedAt);
        for (const step of INTAKE_STEPS) {
          const id = await watcher!.waitTask(caseId, step.element);
          const claim = await me.post(`/api/tasks/${id}/claim`);
          if (claim.status !== 200) throw new Error(`claim ${step.element}: HTTP ${claim.status} ${(await claim.text()).slice(0, 300)}`);
          const done = await me.post(`/api/tasks/${id}/complete`, { variables: step.values });
          if (done.status !== 200) throw new Error(`complete ${step.element}: HTTP ${done.status} ${(await done.text()).slice(0, 300)}`);
          apiCalls += 2;
        }
      }
    };
    await Promise.all(Array.from({ length: USERS }, intakeUser));
    const intakeKeys = [...intakeStarts.keys()];
    // The last worker steps (statistics, closing) run after the last user task: wait until the
    // engine's history has every instance ended.
    const history = await ended(intakeKeys);
    const intakeWallS = (performance.now() - tIntake) / 1000;
    const intakeCpu = cpuPerInstance(intakeCpu0, cpuSnapshot(child.pid!, DB_NAME), intakeKeys.length);
    const intakeCompleted = history.filter((x) => x.state === 'COMPLETED');
    const intakeEnds = intakeCompleted.map((x) => Date.parse(x.endTime!));
    const intakeRate = sustainedRate(intakeEnds, USERS);
    const intakeLatency = intakeCompleted.map((x) => Date.parse(x.endTime!) - intakeStarts.get(x.processInstanceKey)!);
    const incidents = (await engine.watch.incidents({ tenantId: TENANT, bpmnProcessId: INTAKE_ID })).length;
    // Where an intake instance spends its time: p50 per element (user tasks: until the case manager
    // completed them; service tasks: fetch wait + handler + complete), from the engine's history.
    const perElement = new Map<string, number[]>();
    for (const k of intakeCompleted.slice(0, 40).map((x) => x.processInstanceKey)) {
      for (const a of await engine.watch.activityTrace(k)) {
        if (!a.endTime || !/Task$/i.test(a.activityType)) continue;
        if (!perElement.has(a.activityId)) perElement.set(a.activityId, []);
        perElement.get(a.activityId)!.push(Date.parse(a.endTime) - Date.parse(a.startTime));
      }
    }
    const elementTimes = [...perElement].map(([id, xs]) => `${id.replace(/^Task_/, '')} ${(pct(xs, 50) / 1000).toFixed(2)} s`).join(', ');
    const listLoads = watcher.loads;
    await watcher.stop();
    watcher = undefined;
    stream.close();
    streams.splice(streams.indexOf(stream), 1);

    say(`4) Durchsatz: kim-intake blank an der Engine erneut (${BARE_INTAKE_K} Instanzen) …`);
    const bareIntake2 = await bareIntakeRun(BARE_INTAKE_K);
    const bareRate = (bareIntake1.perS + bareIntake2.perS) / 2;
    await bareIntakeWorker.stop();

    const rb = { p50: of(rt.bare, 'total', 50), p95: of(rt.bare, 'total', 95) };
    const rr = { p50: of(rt.runtime, 'total', 50), p95: of(rt.runtime, 'total', 95) };
    const liveP95 = pct(vis.liveFromReturn, 95);
    const directP95 = pct(vis.direct, 95);
    const lines = [
      '',
      `KIM Prozessplattform – Stack-Benchmark (Operaton), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} Kerne, Load (1-min-Mittel) vor dem Lauf ${loadBefore.toFixed(1)}, am Ende ${os.loadavg()[0].toFixed(1)} (mit der Last des Laufs)`,
      `1) Kaltstart bis bereit (Engine-Jar im Cache, Datenbank neu):  ${readyS.toFixed(1)} s        Ziel ≤ ${TARGET.readyS} s     ${ok(readyS <= TARGET.readyS)}`,
      `2) RSS des ruhenden Stacks:                                    ${totalGb.toFixed(2)} GB       Ziel ≤ ${TARGET.rssGb} GB    ${ok(totalGb <= TARGET.rssGb)}`,
      `     node ${(nodeKb / 1024).toFixed(0)} MB + java ${(javaKb / 1024).toFixed(0)} MB + sonstige ${(otherKb / 1024).toFixed(0)} MB; ${settled ? `stabil nach ${settleS.toFixed(0)} s` : `NICHT stabil nach ${settleS.toFixed(0)} s`}`,
      `     (${procList}; PostgreSQL ${localPg ? 'ist der gemeinsame lokale Server, nicht mitgezählt' : 'eingebettet, in „sonstige“'})`,
      `3) Worker-Rundlauf (Start → Worker hat die Aufgabe → complete → Instanz beendet), 1-External-Task-Prozess, Mandant ${TENANT}, N=${N} je Variante, abwechselnd:`,
      `     blanke fetchAndLock-Schleife: p50 ${ms(rb.p50)}  p95 ${ms(rb.p95)}   (Start-Aufruf p50 ${ms(of(rt.bare, 'start', 50))}, Aufgabe beim Worker p50 ${ms(of(rt.bare, 'fetched', 50))})`,
      `     WorkerRuntime:                p50 ${ms(rr.p50)}  p95 ${ms(rr.p95)}   (Start-Aufruf p50 ${ms(of(rt.runtime, 'start', 50))}, Aufgabe beim Worker p50 ${ms(of(rt.runtime, 'fetched', 50))})`,
      `     Verhältnis Runtime/blank: p50 ${(rr.p50 / rb.p50).toFixed(2)}  p95 ${(rr.p95 / rb.p95).toFixed(2)};  Differenz p95 ${ms(rr.p95 - rb.p95)}   Ziel ≤ blank p95 + ${TARGET.overheadMs} ms   ${ok(rr.p95 <= rb.p95 + TARGET.overheadMs)}`,
      `     laut Engine-Historie beendet: ${rtEnded}/${2 * N}`,
      `4) Durchsatz (nachhaltig: Instanzen/s zwischen Anlauf und Auslauf, ${USERS} parallel):`,
      `     kim-intake blank an der Engine (dasselbe Modell, Engine-REST, blanker Worker): ${bareIntake1.perS.toFixed(2)} / ${bareIntake2.perS.toFixed(2)} Instanzen/s (vorher / nachher, ${bareIntake1.n}/${BARE_INTAKE_K} und ${bareIntake2.n}/${BARE_INTAKE_K} beendet) → Basis ${bareRate.toFixed(2)}/s`,
      `     kim-intake über die API mit den Workern des Produkts:                   ${intakeRate.perS.toFixed(2)} Instanzen/s (${intakeCompleted.length}/${INTAKE_K} beendet in ${intakeWallS.toFixed(1)} s; Dauer je Instanz p50 ${(pct(intakeLatency, 50) / 1000).toFixed(2)} s  p95 ${(pct(intakeLatency, 95) / 1000).toFixed(2)} s; Vorfälle ${incidents})`,
      `     blank:      ${bareIntake1.cpu.line} (vorher); ${bareIntake2.cpu.line.replace(/^CPU je Instanz /, '')} (nachher)`,
      `     kim-intake: ${intakeCpu.line}  → ${(intakeCpu.total / ((bareIntake1.cpu.total + bareIntake2.cpu.total) / 2)).toFixed(1)}× die CPU-Zeit einer blanken Instanz`,
      `     zum Vergleich, Ein-Aufgaben-Prozess blank (Start → 1 External Task → Ende): ${bare1.perS.toFixed(1)} Instanzen/s, ${bare1.cpu.line}`,
      `     Zeit je Element (p50, Engine-Historie): ${elementTimes}`,
      `     Verhältnis kim-intake/blank: ${((100 * intakeRate.perS) / bareRate).toFixed(1)} %   Ziel ≥ ${TARGET.throughputRatio * 100} %   ${ok(intakeRate.perS >= TARGET.throughputRatio * bareRate)}`,
      `     Szenario je Instanz (cm.duisburg, eine Sitzung, Live-Strom /api/tasks/events; Liste GET /api/tasks nach jedem Ereignis, ${listLoads} Listenabrufe, ${apiCalls} weitere API-Aufrufe):`,
      `       POST /api/cases (neue Person) → „Erstkontakt dokumentieren“ claim + complete {lebensbereiche:[Sprache], kurzfristigLoesbar:true, rechtskreisuebergreifend:false, bekannteBeratung:[], dolmetschBedarf:false}`,
      `       → Worker kim.record-first-contact → „Einwilligung erfassen“ claim + complete {einwilligung:erteilt, Empfänger [Jobcenter], Zweck [Vermittlung], Daten [Stammdaten], gültig bis 2030-12-31}`,
      `       → Worker kim.record-consent, kim.check-existing-support (nichts gefunden) → DMN Kurzberatung → Worker kim.open-case → „Kurzberatung durchführen“ claim + complete {beratungErfolgt:true}`,
      `       → Worker kim.record-statistics, kim.close-case → Ende (Zeitpunkt aus der Engine-Historie).`,
      `     Blank: dieselben Elemente ohne das Produkt – Start über /process-definition/key/…/start mit den Startvariablen des Produkts, je Benutzeraufgabe GET /task + POST /task/{id}/complete`,
      `       mit denselben Werten, die External Tasks von einer fetchAndLock-Schleife mit den Ausgaben der Produkt-Worker (anzahlLebensbereiche, einwilligungId, doppelfoerderungMoeglich=false, loeschdatum) erledigt.`,
      `5) Aufgabe von der Engine angelegt → im Aufgabeneingang-API sichtbar (cm.duisburg, Prozess mit Benutzeraufgabe als erstem Element, N=${N} je Weg):`,
      `     Live (eigener Strom, Ereignis → Liste neu geladen): ab Start-Antwort p50 ${ms(pct(vis.liveFromReturn, 50))}  p95 ${ms(liveP95)}   Ziel p95 ≤ ${TARGET.visibleMs} ms   ${ok(liveP95 <= TARGET.visibleMs)}`,
      `       ab Start gesendet p50 ${ms(pct(vis.liveFromSent, 50))}  p95 ${ms(pct(vis.liveFromSent, 95))}; Ereignis da nach p50 ${ms(pct(vis.event, 50))}  p95 ${ms(pct(vis.event, 95))}; Listenabrufe ${vis.liveReloads} für ${vis.liveFromReturn.length} Aufgaben`,
      `     Direkt (GET /api/tasks gleich nach der Start-Antwort, einmal, ohne Wiederholen): p50 ${ms(pct(vis.direct, 50))}  p95 ${ms(directP95)}; sofort sichtbar ${vis.direct.length}/${vis.direct.length + vis.directMisses}   ${ok(!vis.directMisses && directP95 <= TARGET.visibleMs)}`,
      `     Start-Aufruf selbst (Instanz + Aufgabe + Projektion in einer Transaktion): p50 ${ms(pct(vis.startCall, 50))}  p95 ${ms(pct(vis.startCall, 95))}`,
      '',
    ];
    console.log(lines.join('\n'));
  } finally {
    await watcher?.stop().catch(() => undefined);
    for (const s of streams) s.close();
    for (const rt of runtimes) await rt.stop().catch(() => undefined);
    for (const b of bareLoops) await b.stop().catch(() => undefined);
    trackJava();
    if (!exited) {
      say('beende den Stack (SIGTERM) …');
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        say('Stack reagiert nicht – SIGKILL');
        if (child.pid) for (const p of descendants(child.pid)) process.kill(p.pid, 'SIGKILL');
      }, 60_000);
      await exitedP;
      clearTimeout(timer);
    }
    // The start command waits for the JVM before it exits; make sure and say so.
    await waitFor(async () => [...ourJavas].every((p) => !alive(p)), { timeoutMs: 30_000, intervalMs: 200, what: 'JVM beendet' }).catch(() => undefined);
    const left = [...ourJavas].filter(alive);
    for (const p of left) process.kill(p, 'SIGKILL');
    let allJava: number[] = [];
    try {
      allJava = execFileSync('pgrep', ['-x', 'java'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    } catch {
      /* pgrep exits 1 when nothing matches */
    }
    const oursLeft = allJava.filter((p) => ourJavas.has(p));
    say(
      `Aufräumen: eigene JVM(s) ${[...ourJavas].join(', ') || '–'} ${oursLeft.length ? `NOCH DA: ${oursLeft.join(', ')}` : 'beendet'}` +
        (left.length ? ` (mit SIGKILL: ${left.join(', ')})` : '') +
        `; pgrep -x java: ${allJava.length ? allJava.join(', ') + ' (fremde, z. B. parallele Testläufe)' : 'keine'}`,
    );
    if (localPg) await dropDatabase(LOCAL_PG, DB_NAME).catch(() => undefined);
    if (!process.env.KIM_BENCH_KEEP) fs.rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[bench] Abgebrochen: ${(e as Error).message}`);
    process.exit(1);
  },
);
