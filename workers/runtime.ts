/**
 * The project's job worker runtime over @camunda8/sdk: every handler returns exactly one outcome
 * (complete, BPMN error, fail with retries and backoff, or hold for jobs that stay open such as user
 * tasks); a thrown exception becomes a fail with backoff, never control flow. Tracks status for
 * /api/health. Logs job keys and types only, never variables.
 */
import type { Zeebe } from '../server/camunda/client';
import type { Logger } from '../server/util/log';

export type Outcome =
  | { kind: 'complete'; variables?: Record<string, unknown> }
  | { kind: 'error'; code: string; message: string; variables?: Record<string, unknown> }
  | { kind: 'fail'; message: string; retries?: number; backoffMs?: number }
  | { kind: 'hold' };

export interface Job {
  key: string;
  type: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  processDefinitionVersion: number;
  elementId: string;
  elementInstanceKey?: string;
  retries: number;
  deadline: number;
  customHeaders: Record<string, string>;
  variables: Record<string, unknown>;
}

export interface WorkerDefinition<D = unknown> {
  type: string;
  /** Only these variables are fetched (keep personal data out of the worker's view). */
  fetchVariables?: string[];
  timeoutMs?: number;
  maxParallel?: number;
  /** Never let failures use up the retries (no incident): for infrastructure jobs like the inbox. */
  retryForever?: boolean;
  handler(job: Job, deps: D): Promise<Outcome>;
}

/** A job that failed with no retries left: the engine raised an incident for it. */
export interface IncidentInfo {
  jobKey: string;
  jobType: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processId: string;
  processVersion: number;
  elementId: string;
  elementInstanceKey: string;
  message: string;
}

export interface RuntimeHooks {
  /**
   * Called when a job fails with retries 0. The 8.6 engine has no incident query without secondary
   * storage, so the platform keeps its own record (table Incident).
   */
  onIncident?(i: IncidentInfo): Promise<void>;
}

export interface WorkerStatus {
  type: string;
  running: boolean;
  jobs: number;
  failures: number;
  lastJobAt?: string;
}

export const complete = (variables?: Record<string, unknown>): Outcome => ({ kind: 'complete', variables });
export const bpmnError = (code: string, message: string, variables?: Record<string, unknown>): Outcome => ({ kind: 'error', code, message, variables });
export const fail = (message: string, backoffMs?: number): Outcome => ({ kind: 'fail', message, backoffMs });

/** Exponential backoff by remaining retries: 1 s, 2 s, 4 s … capped at 5 min. */
export function backoffFor(retriesLeft: number, base = 1000): number {
  const attempt = Math.max(0, 3 - retriesLeft);
  return Math.min(base * 2 ** attempt, 300_000);
}

type SdkJob = Job & {
  complete(v?: Record<string, unknown>): Promise<unknown>;
  error(e: { errorCode: string; errorMessage: string; variables?: Record<string, unknown> }): Promise<unknown>;
  fail(f: { errorMessage: string; retries?: number; retryBackOff?: number }): Promise<unknown>;
  forward(): unknown;
};

export class WorkerRuntime<D> {
  private readonly workers: Array<{ close(): Promise<unknown> | unknown }> = [];
  private readonly status = new Map<string, WorkerStatus>();

  constructor(
    private readonly zeebe: Zeebe,
    private readonly deps: D,
    private readonly log: Logger,
    private readonly hooks: RuntimeHooks = {},
  ) {}

  start(defs: Array<WorkerDefinition<D>>): void {
    for (const def of defs) {
      const st: WorkerStatus = { type: def.type, running: true, jobs: 0, failures: 0 };
      this.status.set(def.type, st);
      const w = this.zeebe.createWorker({
        taskType: def.type,
        loglevel: 'NONE',
        timeout: def.timeoutMs ?? 60_000,
        maxJobsToActivate: def.maxParallel ?? 16,
        fetchVariable: def.fetchVariables as never,
        taskHandler: ((job: SdkJob) => this.run(def, st, job)) as never,
      });
      this.workers.push(w as never);
    }
  }

  /** Runs one job through a handler and reports its outcome to the engine. Exported for tests. */
  async run(def: WorkerDefinition<D>, st: WorkerStatus, job: SdkJob): Promise<unknown> {
    st.jobs++;
    st.lastJobAt = new Date().toISOString();
    let outcome: Outcome;
    try {
      outcome = await def.handler(toJob(job), this.deps);
    } catch (e) {
      outcome = { kind: 'fail', message: (e as Error).message || 'Unbekannter Fehler' };
    }
    const meta = { jobType: def.type, jobKey: job.key, processInstanceKey: job.processInstanceKey, outcome: outcome.kind };
    switch (outcome.kind) {
      case 'complete':
        this.log.debug(meta, 'job completed');
        return job.complete(outcome.variables ?? {});
      case 'error':
        this.log.info({ ...meta, errorCode: outcome.code }, 'job ended with BPMN error');
        return job.error({ errorCode: outcome.code, errorMessage: outcome.message, variables: outcome.variables });
      case 'fail': {
        st.failures++;
        const retries = def.retryForever ? Math.max(1, job.retries) : (outcome.retries ?? Math.max(0, job.retries - 1));
        const backoff = outcome.backoffMs ?? (def.retryForever ? Math.min(1000 * 2 ** Math.min(st.failures, 6), 60_000) : backoffFor(retries));
        this.log.warn({ ...meta, retries, backoff, reason: outcome.message }, 'job failed');
        const failed = await job.fail({ errorMessage: outcome.message, retries, retryBackOff: backoff });
        if (retries === 0 && this.hooks.onIncident) {
          const j = toJob(job);
          await this.hooks
            .onIncident({
              jobKey: j.key,
              jobType: def.type,
              processInstanceKey: j.processInstanceKey,
              processDefinitionKey: j.processDefinitionKey,
              processId: j.bpmnProcessId,
              processVersion: j.processDefinitionVersion,
              elementId: j.elementId,
              elementInstanceKey: j.elementInstanceKey ?? '',
              message: outcome.message,
            })
            .catch((e) => this.log.error({ ...meta, err: (e as Error).message }, 'incident not recorded'));
        }
        return failed;
      }
      case 'hold':
        return job.forward();
    }
  }

  statuses(): WorkerStatus[] {
    return [...this.status.values()];
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => Promise.resolve(w.close()).catch(() => undefined)));
    this.workers.length = 0;
    for (const s of this.status.values()) s.running = false;
  }
}

function toJob(j: SdkJob): Job {
  return {
    key: String(j.key),
    type: j.type,
    processInstanceKey: String(j.processInstanceKey),
    processDefinitionKey: String(j.processDefinitionKey),
    bpmnProcessId: j.bpmnProcessId,
    processDefinitionVersion: Number(j.processDefinitionVersion),
    elementId: j.elementId,
    elementInstanceKey: String((j as { elementInstanceKey?: unknown }).elementInstanceKey ?? ''),
    retries: Number(j.retries),
    deadline: Number(j.deadline),
    customHeaders: (j.customHeaders ?? {}) as Record<string, string>,
    variables: (j.variables ?? {}) as Record<string, unknown>,
  };
}
