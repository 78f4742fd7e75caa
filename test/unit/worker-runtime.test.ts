/**
 * The worker runtime against an in-memory WorkSource: outcomes, retries and backoff, lock extension,
 * per-topic parallelism, thrown errors (no message text leaks), engine outage and stop.
 */
import type { ExternalTask, FetchTopic, Variables, WorkSource } from '../../server/engine/port';
import { EngineConcurrentUpdate, EngineConflict, EngineNotFound, EngineUnavailable } from '../../server/engine/port';
import { backoffFor, bpmnError, complete, errorKind, fail, type Job, type Outcome, type WorkerDefinition, WorkerRuntime } from '../../workers/runtime';

type Call =
  | { op: 'complete'; taskId: string; variables?: Variables }
  | { op: 'failure'; taskId: string; message: string; details?: string; retries: number; retryTimeoutMs: number }
  | { op: 'bpmnError'; taskId: string; code: string; message: string; variables?: Variables }
  | { op: 'extendLock'; taskId: string; ms: number }
  | { op: 'unlock'; taskId: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));

async function until(cond: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

let seq = 0;
function task(topic: string, over: Partial<ExternalTask> = {}): ExternalTask {
  seq++;
  return {
    id: `t${seq}`,
    topic,
    workerId: '',
    processInstanceKey: `pi${seq}`,
    processDefinitionKey: 'kim-x:1:abc',
    bpmnProcessId: 'kim-x',
    elementId: 'Task_A',
    activityInstanceId: `Task_A:${seq}`,
    tenantId: 'duisburg',
    retries: null,
    properties: { status: 'AKTIV' },
    variables: { caseId: 'c1' },
    lockExpiresAt: 0,
    ...over,
  };
}

/** An engine's external tasks in memory: long polls wait for tasks, the signal aborts them. */
class FakeWork implements WorkSource {
  queue: ExternalTask[] = [];
  calls: Call[] = [];
  fetches: Array<{ maxTasks: number; topics: FetchTopic[] }> = [];
  failFetches = 0;
  /** Return every queued task of the polled topics, ignoring maxTasks (an engine filling from one topic). */
  overDeliver = false;
  reportError: Error | null = null;
  /** Tasks the engine locks for a poll at the moment it is aborted (nobody reads that answer). */
  lockOnAbort: ExternalTask[] = [];
  /** Locked tasks by id, as fetched (unlock puts them back). */
  locks = new Map<string, ExternalTask>();
  /** Errors thrown once each by the next reports. */
  reportOnce: Error[] = [];
  private waiters = new Set<() => void>();

  add(...tasks: ExternalTask[]) {
    this.queue.push(...tasks);
    for (const w of [...this.waiters]) w();
  }
  of(op: Call['op']) {
    return this.calls.filter((c) => c.op === op);
  }

  async fetchAndLock(workerId: string, maxTasks: number, topics: FetchTopic[], asyncTimeoutMs: number, signal?: AbortSignal): Promise<ExternalTask[]> {
    this.fetches.push({ maxTasks, topics });
    if (this.failFetches > 0) {
      this.failFetches--;
      throw new EngineUnavailable('Engine nicht erreichbar: POST /external-task/fetchAndLock', 0);
    }
    const end = Date.now() + asyncTimeoutMs;
    const aborted = () => {
      for (const t of this.lockOnAbort.splice(0)) this.locks.set(t.id, t);
      return new DOMException('aborted', 'AbortError');
    };
    for (;;) {
      if (signal?.aborted) throw aborted();
      const names = new Set(topics.map((t) => t.topic));
      const picked: ExternalTask[] = [];
      for (const t of [...this.queue]) {
        if (!names.has(t.topic) || (!this.overDeliver && picked.length >= maxTasks)) continue;
        picked.push({ ...t, workerId, lockExpiresAt: Date.now() + topics.find((x) => x.topic === t.topic)!.lockMs });
        this.queue.splice(this.queue.indexOf(t), 1);
        this.locks.set(t.id, t);
      }
      if (picked.length) return picked;
      const left = end - Date.now();
      if (left <= 0) return [];
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          done();
          reject(aborted());
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
        signal?.addEventListener('abort', onAbort);
      });
    }
  }
  async complete(taskId: string, _w: string, variables?: Variables) {
    if (this.reportError) throw this.reportError;
    const once = this.reportOnce.shift();
    if (once) throw once;
    this.calls.push({ op: 'complete', taskId, variables });
    this.locks.delete(taskId);
  }
  async failure(taskId: string, _w: string, f: { message: string; details?: string; retries: number; retryTimeoutMs: number }) {
    if (this.reportError) throw this.reportError;
    const once = this.reportOnce.shift();
    if (once) throw once;
    this.calls.push({ op: 'failure', taskId, ...f });
    this.locks.delete(taskId);
  }
  async bpmnError(taskId: string, _w: string, e: { code: string; message: string; variables?: Variables }) {
    if (this.reportError) throw this.reportError;
    const once = this.reportOnce.shift();
    if (once) throw once;
    this.calls.push({ op: 'bpmnError', taskId, ...e });
    this.locks.delete(taskId);
  }
  async extendLock(taskId: string, _w: string, ms: number) {
    this.calls.push({ op: 'extendLock', taskId, ms });
  }
  async unlock(taskId: string) {
    this.calls.push({ op: 'unlock', taskId });
    // Back into the queue, as the engine makes it fetchable again.
    const t = this.locks.get(taskId);
    this.locks.delete(taskId);
    if (t) this.add(t);
  }
  async lockedBy() {
    return [...this.locks.keys()];
  }
}

function fakeLog() {
  const lines: Array<{ level: string; obj: unknown; msg: string }> = [];
  const at = (level: string) => (obj: unknown, msg?: string) => void lines.push({ level, obj, msg: msg ?? '' });
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as never };
}

const def = (type: string, handler: (job: Job) => Promise<Outcome>, over: Partial<WorkerDefinition<unknown>> = {}): WorkerDefinition<unknown> => ({
  type,
  handler: (job) => handler(job),
  ...over,
});

let runtime: WorkerRuntime<unknown> | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

/**
 * A handler that holds its task (lock 40 ms, so it extends every 20 ms) until released: its lock
 * extensions are the clock for "nothing else happened meanwhile" – the runtime's own timers ran.
 */
function witness(type = 'kim.witness') {
  let release: () => void = () => undefined;
  const d = def(type, () => new Promise<Outcome>((r) => (release = () => r(complete()))), { timeoutMs: 40 });
  return {
    def: d,
    /** Starts the witness task and waits until its lock was extended `n` times. */
    async ticks(work: FakeWork, n: number) {
      const t = task(type);
      work.add(t);
      await until(() => work.of('extendLock').filter((c) => c.taskId === t.id).length >= n);
      release();
    },
  };
}

function start(work: FakeWork, defs: Array<WorkerDefinition<unknown>>, opts: ConstructorParameters<typeof WorkerRuntime>[3] = {}) {
  const l = fakeLog();
  runtime = new WorkerRuntime<unknown>(work, {}, l.log, { workerId: 'w-test', asyncResponseTimeoutMs: 2000, stopTimeoutMs: 2000, ...opts });
  runtime.start(defs);
  return l;
}

test('each handler ends in exactly one outcome: complete, BPMN error, failure with retries and backoff', async () => {
  const work = new FakeWork();
  const seen: Job[] = [];
  start(work, [
    def('kim.ok', async (j) => (seen.push(j), complete({ done: true }))),
    def('kim.err', async () => bpmnError('Err_X', 'Kein Partner erreichbar', { grund: 'x' })),
    def('kim.fail', async () => fail('Ungültige Daten')),
    def('kim.fail0', async () => ({ kind: 'fail', message: 'Endgültig', retries: 0 })),
  ]);
  const ok = task('kim.ok');
  const err = task('kim.err');
  const first = task('kim.fail');
  const last = task('kim.fail', { retries: 1 });
  const none = task('kim.fail0', { retries: 3 });
  work.add(ok, err, first, last, none);
  await until(() => work.calls.length === 5);

  expect(work.of('complete')).toEqual([{ op: 'complete', taskId: ok.id, variables: { done: true } }]);
  expect(work.of('bpmnError')).toEqual([{ op: 'bpmnError', taskId: err.id, code: 'Err_X', message: 'Kein Partner erreichbar', variables: { grund: 'x' } }]);
  const failures = work.of('failure') as Array<Extract<Call, { op: 'failure' }>>;
  // First failure: the engine's null retries count as 3, so 2 are left, with backoff.
  expect(failures.find((f) => f.taskId === first.id)).toMatchObject({ message: 'Ungültige Daten', retries: 2, retryTimeoutMs: backoffFor(2) });
  expect(failures.find((f) => f.taskId === last.id)).toMatchObject({ retries: 0, retryTimeoutMs: 0 });
  expect(failures.find((f) => f.taskId === none.id)).toMatchObject({ message: 'Endgültig', retries: 0 });

  expect(seen[0]).toMatchObject({ key: ok.id, type: 'kim.ok', processInstanceKey: ok.processInstanceKey, bpmnProcessId: 'kim-x', elementId: 'Task_A', tenantId: 'duisburg', properties: { status: 'AKTIV' }, variables: { caseId: 'c1' } });
  expect(seen[0].lockExpiresAt).toBeGreaterThan(Date.now());
  const st = runtime!.statuses();
  expect(st.find((s) => s.type === 'kim.fail')).toMatchObject({ running: true, jobs: 2, failures: 2, active: 0 });
  expect(st.find((s) => s.type === 'kim.ok')?.lastJobAt).toBeDefined();
});

test('fetch asks for the free slots, with each topic’s lock and variables', async () => {
  const work = new FakeWork();
  start(work, [def('kim.a', async () => complete(), { maxParallel: 3, timeoutMs: 5000, fetchVariables: ['caseId'] }), def('kim.b', async () => complete())]);
  await until(() => work.fetches.length > 0);
  expect(work.fetches[0]).toEqual({
    maxTasks: 3 + 16,
    topics: [
      { topic: 'kim.a', lockMs: 5000, variables: ['caseId'] },
      { topic: 'kim.b', lockMs: 60_000, variables: undefined },
    ],
  });
});

test('backoff grows as retries run out', () => {
  expect([2, 1, 0].map((r) => backoffFor(r))).toEqual([2000, 4000, 8000]);
  expect(backoffFor(-20)).toBe(300_000);
});

test('retryForever never reaches retries 0', async () => {
  const work = new FakeWork();
  start(work, [def('kim.infra', async () => fail('Datenbank nicht erreichbar'), { retryForever: true })]);
  work.add(task('kim.infra', { retries: 1 }), task('kim.infra', { retries: 0 }));
  await until(() => work.of('failure').length === 2);
  for (const f of work.of('failure') as Array<Extract<Call, { op: 'failure' }>>) {
    expect(f.retries).toBe(1);
    expect(f.retryTimeoutMs).toBeGreaterThan(0);
  }
});

test('a thrown error becomes a failure with its kind and a correlation id – never its message text', async () => {
  const work = new FakeWork();
  class ValidationProblem extends Error {}
  const l = start(work, [
    def('kim.throw', async (j) => {
      if (j.variables.n === 1) throw new ValidationProblem('Erika Mustermann, geb. 01.01.1980, hat keine Adresse');
      throw Object.assign(new Error('connect ECONNREFUSED Erika'), { code: 'ECONNREFUSED' });
    }),
  ]);
  work.add(task('kim.throw', { variables: { n: 1 } }), task('kim.throw', { variables: { n: 2 } }));
  await until(() => work.of('failure').length === 2);
  const [a, b] = work.of('failure') as Array<Extract<Call, { op: 'failure' }>>;
  for (const f of [a, b]) {
    expect(f.message).toMatch(/Fehler-ID [0-9a-f-]{36}/);
    expect(f.retries).toBe(2);
    expect(f.retryTimeoutMs).toBe(backoffFor(2));
  }
  expect([a.message, b.message].sort()).toEqual([expect.stringMatching(/^Error ECONNREFUSED \(Fehler-ID /), expect.stringMatching(/^ValidationProblem \(Fehler-ID /)]);
  const everything = JSON.stringify(work.calls) + JSON.stringify(l.lines);
  expect(everything).not.toContain('Erika');
  // The correlation id in the engine is the one in the log.
  const id = a.message.match(/Fehler-ID ([0-9a-f-]{36})/)![1];
  expect(l.lines.some((x) => (x.obj as { correlationId?: string }).correlationId === id)).toBe(true);
});

test('errorKind: class and code, never the message', () => {
  expect(errorKind(new TypeError('Erika'))).toBe('TypeError');
  expect(errorKind(Object.assign(new Error('x'), { code: 'P2002' }))).toBe('Error P2002');
  expect(errorKind(new EngineNotFound('x', 404))).toBe('EngineNotFound');
  expect(errorKind('Erika')).toBe('string');
  expect(errorKind(Object.assign(new Error('x'), { code: 'has spaces and Erika' }))).toBe('Error');
});

test('a handler longer than half its lock extends the lock until it ends', async () => {
  const work = new FakeWork();
  let release!: () => void;
  const w = witness();
  start(work, [def('kim.slow', () => new Promise<Outcome>((r) => (release = () => r(complete()))), { timeoutMs: 80 }), w.def]);
  const t = task('kim.slow');
  work.add(t);
  await until(() => work.of('extendLock').length >= 3);
  expect(work.of('extendLock')[0]).toEqual({ op: 'extendLock', taskId: t.id, ms: 80 });
  release();
  await until(() => work.of('complete').length === 1);
  const n = work.of('extendLock').filter((c) => c.taskId === t.id).length;
  // Five lock periods of the witness (≥ 100 ms) are more than two of the finished handler's.
  await w.ticks(work, 5);
  expect(work.of('extendLock').filter((c) => c.taskId === t.id).length).toBe(n);
});

test('a quick handler does not extend its lock', async () => {
  const work = new FakeWork();
  const w = witness();
  start(work, [def('kim.quick', async () => complete(), { timeoutMs: 60 }), w.def]);
  const t = task('kim.quick');
  work.add(t);
  await until(() => work.of('complete').length === 1);
  // Ten witness extensions (≥ 200 ms) span several half-locks of the quick task.
  await w.ticks(work, 10);
  expect(work.of('extendLock').filter((c) => c.taskId === t.id)).toEqual([]);
});

test('maxParallel per topic holds even when the engine hands out more; surplus tasks are given back', async () => {
  const work = new FakeWork();
  work.overDeliver = true;
  let active = 0;
  let peak = 0;
  const slow = async () => {
    active++;
    peak = Math.max(peak, active);
    for (let i = 0; i < 5; i++) await tick();
    active--;
    return complete();
  };
  start(work, [def('kim.one', slow, { maxParallel: 1 }), def('kim.many', async () => complete(), { maxParallel: 3 })]);
  const tasks = [task('kim.one'), task('kim.one'), task('kim.one'), task('kim.one')];
  work.add(...tasks);
  await until(() => work.of('complete').length === 4, 5000);
  expect(peak).toBe(1);
  expect(work.of('unlock').length).toBeGreaterThan(0);
  expect(new Set(work.of('complete').map((c) => c.taskId))).toEqual(new Set(tasks.map((t) => t.id)));
});

test('a full topic is left out of the poll and taken up again as soon as a slot frees', async () => {
  const work = new FakeWork();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  start(work, [def('kim.gated', async () => (await gate, complete()), { maxParallel: 1 }), def('kim.other', async () => complete())], { asyncResponseTimeoutMs: 10_000 });
  work.add(task('kim.gated'), task('kim.gated'));
  await until(() => work.fetches.some((f) => f.topics.length === 1 && f.topics[0].topic === 'kim.other'));
  release();
  // Without re-polling the second task would wait for the 10 s long poll to end.
  await until(() => work.of('complete').length === 2, 1500);
});

test('engine down: fetch backs off and logs once per outage, then works again', async () => {
  const work = new FakeWork();
  work.failFetches = 4;
  const l = start(work, [def('kim.ok', async () => complete())], { fetchBackoffMs: { min: 5, max: 20 } });
  work.add(task('kim.ok'));
  await until(() => work.of('complete').length === 1);
  expect(work.fetches.length).toBeGreaterThanOrEqual(5);
  expect(l.lines.filter((x) => x.level === 'warn' && /fetchAndLock failed/.test(x.msg))).toHaveLength(1);
  expect(l.lines.filter((x) => x.level === 'info' && /works again/.test(x.msg))).toHaveLength(1);
  expect(JSON.stringify(l.lines)).toContain('EngineUnavailable');
});

test('an outcome the engine no longer accepts (task gone) is logged and the runtime goes on', async () => {
  const work = new FakeWork();
  work.reportError = new EngineNotFound('Engine-Anfrage POST /external-task/x/complete fehlgeschlagen: HTTP 404', 404);
  const l = start(work, [def('kim.ok', async () => complete())]);
  work.add(task('kim.ok'));
  await until(() => l.lines.some((x) => /task is gone/.test(x.msg)));
  work.reportError = null;
  work.add(task('kim.ok'));
  await until(() => work.of('complete').length === 1);
});

test('a concurrent change in the engine (optimistic locking) or a short outage while reporting is retried', async () => {
  const work = new FakeWork();
  work.reportOnce = [
    new EngineConcurrentUpdate('Engine-Anfrage POST /external-task/x/complete fehlgeschlagen: HTTP 500 (OptimisticLockingException)', 500, 'OptimisticLockingException'),
    new EngineUnavailable('Engine nicht erreichbar: POST /external-task/x/complete', 0),
  ];
  const l = start(work, [def('kim.mi', async () => complete({ x: 1 }))]);
  const t = task('kim.mi');
  work.add(t);
  await until(() => work.of('complete').length === 1);
  expect(work.of('complete')).toEqual([{ op: 'complete', taskId: t.id, variables: { x: 1 } }]);
  expect(l.lines.filter((x) => x.level === 'warn' || x.level === 'error')).toEqual([]);
});

test('a lost lock (another worker) is not retried', async () => {
  const work = new FakeWork();
  work.reportOnce = [new EngineConflict('Engine-Anfrage POST /external-task/x/complete fehlgeschlagen: HTTP 400 (RestException)', 400, 'RestException')];
  const l = start(work, [def('kim.lost', async () => complete())]);
  work.add(task('kim.lost'));
  // The line is logged after the report gave up: nothing was sent again before or after it.
  await until(() => l.lines.some((x) => /lock lost/.test(x.msg)));
  expect(work.of('complete')).toEqual([]);
  expect(work.reportOnce).toEqual([]);
});

test('stop aborts the long poll at once', async () => {
  const work = new FakeWork();
  start(work, [def('kim.idle', async () => complete())], { asyncResponseTimeoutMs: 60_000 });
  await until(() => work.fetches.length === 1);
  const t0 = Date.now();
  await runtime!.stop();
  expect(Date.now() - t0).toBeLessThan(500);
  expect(runtime!.statuses()[0].running).toBe(false);
  runtime = undefined;
});

test('stop waits for running handlers and reports their outcome', async () => {
  const work = new FakeWork();
  let release!: () => void;
  start(work, [def('kim.slow', () => new Promise<Outcome>((r) => (release = () => r(complete({ late: true })))))]);
  work.add(task('kim.slow'));
  await until(() => runtime!.statuses()[0].active === 1);
  const stopped = runtime!.stop();
  // stop() has aborted the poll and now waits for the handler, whose outcome is still reported.
  await tick();
  expect(work.of('complete')).toHaveLength(0);
  release();
  await stopped;
  expect(work.of('complete')).toHaveLength(1);
  runtime = undefined;
});

test('stop is bounded when a handler hangs', async () => {
  const work = new FakeWork();
  const l = start(work, [def('kim.hang', () => new Promise<Outcome>(() => undefined), { timeoutMs: 40 })], { stopTimeoutMs: 100 });
  work.add(task('kim.hang'));
  await until(() => runtime!.statuses()[0].active === 1);
  const t0 = Date.now();
  await runtime!.stop();
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(l.lines.some((x) => /still running/.test(x.msg))).toBe(true);
  // Lock extension of the hanging handler stops with the runtime: a second runtime's witness
  // extends its lock ten times (≥ 200 ms, five lock periods of the hanging task) meanwhile.
  const n = work.of('extendLock').length;
  runtime = undefined;
  const w = witness();
  const clock = new FakeWork();
  start(clock, [w.def]);
  await w.ticks(clock, 10);
  expect(work.of('extendLock').length).toBe(n);
});

test('after a failure the runtime polls again once the backoff has passed, not only when the long poll ends', async () => {
  const work = new FakeWork();
  start(work, [def('kim.flaky', async () => ({ kind: 'fail', message: 'Vorübergehend', backoffMs: 100 }))], { asyncResponseTimeoutMs: 60_000 });
  work.add(task('kim.flaky'));
  await until(() => work.of('failure').length === 1);
  const pollsAfterFailure = work.fetches.length;
  // The engine would offer the task again after 100 ms, without waking the running 60 s poll.
  await until(() => work.fetches.length > pollsAfterFailure, 2000);
});

test('a task the engine locked for an aborted poll is given back and runs without waiting for its lock', async () => {
  const work = new FakeWork();
  let release!: () => void;
  const ran: string[] = [];
  // kim.one has one slot: while it is busy the poll asks for kim.other only; when it is free again
  // the runtime aborts that poll – and the engine locks kim.other's new task for the dead request.
  start(work, [
    def('kim.one', () => new Promise<Outcome>((r) => (release = () => r(complete()))), { maxParallel: 1 }),
    def('kim.other', async (j) => (ran.push(j.key), complete())),
  ], { asyncResponseTimeoutMs: 60_000 });
  work.add(task('kim.one'));
  await until(() => runtime!.statuses()[0].active === 1);
  const orphan = task('kim.other');
  work.lockOnAbort = [orphan];
  release();
  // The lock is 60 s; the runtime finds the task locked for nobody after its next (short) poll.
  await until(() => ran.includes(orphan.id), 5000);
  expect(work.of('unlock')).toEqual([{ op: 'unlock', taskId: orphan.id }]);
  expect(work.of('complete').filter((c) => c.taskId === orphan.id)).toHaveLength(1);
});
