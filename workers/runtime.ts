/**
 * The project's external-task worker runtime over the engine port's WorkSource (Operaton external
 * tasks). One long poll (fetchAndLock) per runtime serves all topics; handlers run concurrently, at
 * most `maxParallel` per topic, and each ends in exactly one outcome reported to the engine: complete,
 * BPMN error, or failure with retries and backoff (retries 0 → the engine raises an incident).
 * A thrown exception becomes a failure with backoff, never control flow. A handler that runs longer
 * than half its lock keeps extending the lock until it ends.
 *
 * Personal data: logs and failure messages carry task ids, topics and error kinds only – never
 * variables and never the text of a thrown exception (it could quote personal data). A thrown error
 * is reported as its class plus a correlation id, which is also logged.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { ExternalTask, FetchTopic, Variables, WorkSource } from '../server/engine/port';
import { EngineConcurrentUpdate, EngineConflict, EngineNotFound, EngineUnavailable } from '../server/engine/port';
import { errorKind, type Logger } from '../server/util/log';

export type Outcome =
  | { kind: 'complete'; variables?: Record<string, unknown> }
  | { kind: 'error'; code: string; message: string; variables?: Record<string, unknown> }
  /**
   * `message` is shown in the incident: German, no personal data. `cause`: the error a handler
   * turned into this failure, as its kind and the correlation id the message names (both logged).
   */
  | { kind: 'fail'; message: string; retries?: number; backoffMs?: number; cause?: { errorKind: string; correlationId: string } };

/** One external task as a handler sees it. */
export interface Job {
  /** External task id. */
  key: string;
  /** Topic. */
  type: string;
  processInstanceKey: string;
  /** Engine definition id. */
  processDefinitionKey: string;
  bpmnProcessId: string;
  elementId: string;
  activityInstanceId: string;
  tenantId: string | null;
  /** Retries the engine has for the task (null until the first failure). */
  retries: number | null;
  /** Epoch ms when the current lock ends. */
  lockExpiresAt: number;
  /** camunda:properties of the service task. */
  properties: Record<string, string>;
  variables: Record<string, unknown>;
}

export interface WorkerDefinition<D = unknown> {
  /** The topic (camunda:topic). */
  type: string;
  /** Only these variables are fetched (keep personal data out of the worker's view). */
  fetchVariables?: string[];
  /** Lock duration; a handler running longer than half of it extends the lock. Default 60 s. */
  timeoutMs?: number;
  /** Handlers of this topic running at the same time. Default 16. */
  maxParallel?: number;
  /** Never let failures use up the retries (no incident): for infrastructure tasks. */
  retryForever?: boolean;
  handler(job: Job, deps: D): Promise<Outcome>;
}

export interface WorkerStatus {
  type: string;
  running: boolean;
  /** Tasks handled since start. */
  jobs: number;
  failures: number;
  /** Handlers running now. */
  active: number;
  lastJobAt?: string;
}

export interface RuntimeOptions {
  /** Worker id towards the engine (default kim-<host>-<pid>). */
  workerId?: string;
  /** Long-poll time of one fetchAndLock (default 10 s). */
  asyncResponseTimeoutMs?: number;
  /** How long stop() waits for running handlers (default 10 s). */
  stopTimeoutMs?: number;
  /** Backoff of a failing fetch (engine down): from min doubling to max (default 1 s → 10 s). */
  fetchBackoffMs?: { min: number; max: number };
}

export const complete = (variables?: Record<string, unknown>): Outcome => ({ kind: 'complete', variables });
export const bpmnError = (code: string, message: string, variables?: Record<string, unknown>): Outcome => ({ kind: 'error', code, message, variables });
export const fail = (message: string, backoffMs?: number): Outcome => ({ kind: 'fail', message, backoffMs });

/** Retries a task has before its first failure (the engine keeps null until then). */
export const DEFAULT_RETRIES = 3;
const DEFAULT_LOCK_MS = 60_000;
const DEFAULT_MAX_PARALLEL = 16;
/**
 * Long-poll time right after an aborted poll. The engine may still lock tasks for the aborted request
 * (it was being served when the new one arrived); nobody reads that answer, so the runtime looks for
 * such tasks soon after and gives them back instead of waiting for their lock to expire.
 */
const ORPHAN_CHECK_POLL_MS = 1_000;
/** Extra attempts to report an outcome after a concurrent change or a short outage (0.1 s … 2.7 s apart). */
const REPORT_RETRIES = 4;

/** Exponential backoff by remaining retries: 1 s, 2 s, 4 s … capped at 5 min. */
export function backoffFor(retriesLeft: number, base = 1000): number {
  const attempt = Math.max(0, DEFAULT_RETRIES - retriesLeft);
  return Math.min(base * 2 ** attempt, 300_000);
}

/** What kind of error was thrown, without its message (see server/util/log.ts). Re-exported for the worker tests. */
export { errorKind };

function toJob(t: ExternalTask): Job {
  return {
    key: t.id,
    type: t.topic,
    processInstanceKey: t.processInstanceKey,
    processDefinitionKey: t.processDefinitionKey,
    bpmnProcessId: t.bpmnProcessId,
    elementId: t.elementId,
    activityInstanceId: t.activityInstanceId,
    tenantId: t.tenantId,
    retries: t.retries,
    lockExpiresAt: t.lockExpiresAt,
    properties: t.properties ?? {},
    variables: t.variables ?? {},
  };
}

const isAbort = (e: unknown) => (e as { name?: unknown })?.name === 'AbortError';

interface Topic<D> {
  def: WorkerDefinition<D>;
  status: WorkerStatus;
  running: number;
  max: number;
  lockMs: number;
  /** Consecutive failures (backoff of retryForever topics); reset by a success. */
  streak: number;
}

type RuntimeLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export class WorkerRuntime<D> {
  private readonly topics = new Map<string, Topic<D>>();
  private readonly running = new Set<Promise<void>>();
  /** Ids of the tasks dispatched to a handler and not yet reported. */
  private readonly inFlight = new Set<string>();
  /** A poll was aborted: look for tasks the engine locked for it after the next poll. */
  private orphanCheckDue = false;
  private readonly lockTimers = new Set<NodeJS.Timeout>();
  private readonly wakeTimers = new Set<NodeJS.Timeout>();
  private readonly workerId: string;
  private readonly asyncTimeout: number;
  private readonly stopTimeout: number;
  private readonly fetchBackoff: { min: number; max: number };
  private stopping = false;
  private readonly stopCtl = new AbortController();
  /** Aborts the current long poll only (a topic that was full got a free slot). */
  private pollCtl: AbortController | null = null;
  private polledTopics = new Set<string>();
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;

  constructor(
    private readonly work: WorkSource,
    private readonly deps: D,
    private readonly log: RuntimeLog,
    opts: RuntimeOptions = {},
  ) {
    this.workerId = opts.workerId ?? `kim-${os.hostname()}-${process.pid}`;
    this.asyncTimeout = opts.asyncResponseTimeoutMs ?? 10_000;
    this.stopTimeout = opts.stopTimeoutMs ?? 10_000;
    this.fetchBackoff = opts.fetchBackoffMs ?? { min: 1_000, max: 10_000 };
  }

  start(defs: Array<WorkerDefinition<D>>): void {
    if (this.loopDone) throw new Error('WorkerRuntime läuft bereits.');
    for (const def of defs) {
      if (this.topics.has(def.type)) throw new Error(`Zwei Worker für das Topic ${def.type}.`);
      this.topics.set(def.type, {
        def,
        status: { type: def.type, running: true, jobs: 0, failures: 0, active: 0 },
        running: 0,
        max: Math.max(1, def.maxParallel ?? DEFAULT_MAX_PARALLEL),
        lockMs: def.timeoutMs ?? DEFAULT_LOCK_MS,
        streak: 0,
      });
    }
    if (this.topics.size) this.loopDone = this.loop();
  }

  statuses(): WorkerStatus[] {
    return [...this.topics.values()].map((t) => ({ ...t.status }));
  }

  /** Aborts the long poll, waits (bounded) for running handlers and their outcomes, then resolves. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.stopCtl.abort();
      this.wake?.();
    }
    await this.loopDone;
    if (this.running.size) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        Promise.allSettled([...this.running]).then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.stopTimeout))),
      ]);
      clearTimeout(timer);
      if (timedOut) this.log.warn({ running: this.running.size }, 'worker stop: handlers still running, their locks will expire');
    }
    for (const t of this.lockTimers) clearInterval(t);
    this.lockTimers.clear();
    for (const t of this.wakeTimers) clearTimeout(t);
    this.wakeTimers.clear();
    for (const t of this.topics.values()) t.status.running = false;
  }

  /**
   * Polls anew in `ms`. The engine wakes a long poll for new tasks, not for a task whose retry
   * backoff has passed: without this a retry would wait for the end of the current poll.
   */
  private repollIn(ms: number): void {
    const t = setTimeout(() => {
      this.wakeTimers.delete(t);
      this.pollCtl?.abort();
      this.wake?.();
    }, ms);
    t.unref();
    this.wakeTimers.add(t);
  }

  // -------------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    let delay = this.fetchBackoff.min;
    let outage = false;
    while (!this.stopping) {
      const open = [...this.topics.values()].filter((t) => t.running < t.max);
      if (!open.length) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      const topics: FetchTopic[] = open.map((t) => ({ topic: t.def.type, lockMs: t.lockMs, variables: t.def.fetchVariables }));
      const free = open.reduce((n, t) => n + (t.max - t.running), 0);
      const checkOrphans = this.orphanCheckDue;
      this.orphanCheckDue = false;
      const poll = new AbortController();
      const onStop = () => poll.abort();
      this.stopCtl.signal.addEventListener('abort', onStop);
      this.pollCtl = poll;
      this.polledTopics = new Set(open.map((t) => t.def.type));
      let tasks: ExternalTask[];
      try {
        tasks = await this.work.fetchAndLock(this.workerId, free, topics, checkOrphans ? Math.min(this.asyncTimeout, ORPHAN_CHECK_POLL_MS) : this.asyncTimeout, poll.signal);
      } catch (e) {
        if (this.stopping) break;
        if (checkOrphans) this.orphanCheckDue = true;
        if (poll.signal.aborted && isAbort(e)) {
          // Re-poll with the topic that got room (or whose retry is due).
          this.orphanCheckDue = true;
          continue;
        }
        if (!outage) {
          outage = true;
          this.log.warn({ errorKind: errorKind(e) }, 'fetchAndLock failed; retrying with backoff until the engine answers');
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.fetchBackoff.max);
        continue;
      } finally {
        this.stopCtl.signal.removeEventListener('abort', onStop);
        this.pollCtl = null;
      }
      if (outage) {
        outage = false;
        this.log.info({}, 'fetchAndLock works again');
      }
      delay = this.fetchBackoff.min;
      for (const task of tasks) this.dispatch(task);
      // An empty answer (the poll timed out) also checks: the engine may have served an aborted
      // request later than the first check after the abort.
      if ((checkOrphans || !tasks.length) && !this.stopping) await this.giveBackOrphans();
    }
  }

  /** Unlocks tasks locked for this worker that no handler holds (locked for a poll nobody read). */
  private async giveBackOrphans(): Promise<void> {
    let ids: string[];
    try {
      ids = await this.work.lockedBy(this.workerId);
    } catch (e) {
      this.orphanCheckDue = true;
      this.log.debug({ errorKind: errorKind(e) }, 'lock check failed; tried again after the next poll');
      return;
    }
    for (const id of ids) {
      if (this.inFlight.has(id)) continue;
      this.log.info({ taskId: id }, 'task locked for an abandoned poll; given back');
      await this.giveBack(id);
    }
  }

  private giveBack(taskId: string): Promise<void> {
    return this.work.unlock(taskId).catch((e) => this.log.warn({ taskId, errorKind: errorKind(e) }, 'unlock failed; the lock will expire'));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopCtl.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopCtl.signal.addEventListener('abort', done);
    });
  }

  private dispatch(task: ExternalTask): void {
    const topic = this.topics.get(task.topic);
    if (!topic || topic.running >= topic.max) {
      // The engine filled maxTasks from one topic beyond its free slots (or sent an unknown topic):
      // give the task back so this or another worker takes it when there is room.
      void this.giveBack(task.id);
      return;
    }
    topic.running++;
    topic.status.active = topic.running;
    this.inFlight.add(task.id);
    const p = this.run(topic, task).finally(() => {
      this.inFlight.delete(task.id);
      this.running.delete(p);
      topic.running--;
      topic.status.active = topic.running;
      // A topic that was left out of the current poll has room again: poll anew with it. (Should the
      // engine lock tasks for the aborted poll at that very moment, the next poll gives them back.)
      if (!this.polledTopics.has(topic.def.type)) this.pollCtl?.abort();
      this.wake?.();
    });
    this.running.add(p);
  }

  private async run(topic: Topic<D>, task: ExternalTask): Promise<void> {
    const { def, status } = topic;
    status.jobs++;
    status.lastJobAt = new Date().toISOString();
    const meta = { topic: def.type, taskId: task.id, processInstanceKey: task.processInstanceKey, elementId: task.elementId };

    // Keep the lock while the handler runs: extend it every half lock.
    const lockTimer = setInterval(() => {
      this.work.extendLock(task.id, this.workerId, topic.lockMs).catch((e) => this.log.warn({ ...meta, errorKind: errorKind(e) }, 'extendLock failed'));
    }, Math.max(10, Math.floor(topic.lockMs / 2)));
    lockTimer.unref?.();
    this.lockTimers.add(lockTimer);

    let outcome: Outcome;
    let details: string | undefined;
    try {
      outcome = await def.handler(toJob(task), this.deps);
      if (!outcome || typeof outcome !== 'object' || !('kind' in outcome)) throw new TypeError('handler returned no outcome');
    } catch (e) {
      const correlationId = randomUUID();
      const kind = errorKind(e);
      this.log.warn({ ...meta, errorKind: kind, correlationId }, 'handler threw');
      outcome = { kind: 'fail', message: `${kind} (Fehler-ID ${correlationId})` };
      details = `Fehler-ID ${correlationId}`;
    } finally {
      clearInterval(lockTimer);
      this.lockTimers.delete(lockTimer);
    }

    try {
      await this.report(topic, task, outcome, details, meta);
    } catch (e) {
      if (e instanceof EngineNotFound) this.log.info({ ...meta, outcome: outcome.kind }, 'task is gone (instance ended or canceled); outcome dropped');
      else if (e instanceof EngineConflict) this.log.warn({ ...meta, outcome: outcome.kind }, 'task lock lost to another worker; outcome dropped');
      else this.log.error({ ...meta, outcome: outcome.kind, errorKind: errorKind(e) }, 'outcome not reported; the task runs again after its lock expires');
    }
  }

  /**
   * Reports the outcome. A concurrent change in the engine (OptimisticLockingException, e.g. two
   * branches of a parallel multi-instance ending at once) or a short outage is retried a few times:
   * the task is still locked by this worker and nothing was changed.
   */
  private async report(topic: Topic<D>, task: ExternalTask, outcome: Outcome, details: string | undefined, meta: Record<string, unknown>): Promise<void> {
    const { def, status } = topic;
    let send: () => Promise<void>;
    let done: () => void;
    switch (outcome.kind) {
      case 'complete':
        topic.streak = 0;
        send = () => this.work.complete(task.id, this.workerId, outcome.variables as Variables | undefined);
        done = () => this.log.debug({ ...meta, outcome: 'complete' }, 'task completed');
        break;
      case 'error':
        topic.streak = 0;
        send = () => this.work.bpmnError(task.id, this.workerId, { code: outcome.code, message: outcome.message, variables: outcome.variables as Variables | undefined });
        done = () => this.log.info({ ...meta, outcome: 'error', errorCode: outcome.code }, 'task ended with BPMN error');
        break;
      case 'fail': {
        status.failures++;
        topic.streak++;
        const left = (task.retries ?? DEFAULT_RETRIES) - 1;
        let retries = Math.max(0, outcome.retries ?? left);
        if (def.retryForever) retries = Math.max(1, retries);
        const backoff = outcome.backoffMs ?? (def.retryForever ? Math.min(1000 * 2 ** Math.min(topic.streak - 1, 6), 60_000) : backoffFor(retries));
        send = () => this.work.failure(task.id, this.workerId, { message: outcome.message, details, retries, retryTimeoutMs: retries > 0 ? backoff : 0 });
        done = () => {
          this.log.warn({ ...meta, outcome: 'fail', retries, backoff, ...(outcome.cause ?? {}) }, retries > 0 ? 'task failed; retried after backoff' : 'task failed without retries left; the engine raised an incident');
          if (retries > 0 && !this.stopping) this.repollIn(backoff + 50);
        };
        break;
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await send();
        done();
        return;
      } catch (e) {
        const transient = e instanceof EngineConcurrentUpdate || e instanceof EngineUnavailable;
        if (!transient || attempt >= REPORT_RETRIES) throw e;
        await new Promise((r) => setTimeout(r, 100 * 3 ** attempt + Math.floor(Math.random() * 100)));
      }
    }
  }
}
