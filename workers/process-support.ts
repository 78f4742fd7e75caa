/**
 * Shared by the kim-intake / kim-case workers: reading ids from a job and turning domain errors
 * into outcomes. Invalid data (4xx) will not heal by retrying: the job fails without retries, so an
 * incident shows the German message; anything else is thrown and retried with backoff.
 */
import { DomainError } from '../server/domain/errors';
import type { WorkerDeps } from './deps';
import type { Job, Outcome } from './runtime';

export function caseIdOf(job: Job): string {
  const v = job.variables.caseId;
  if (typeof v !== 'string' || !v) throw new DomainError(400, 'Die Prozessvariable caseId fehlt.');
  return v;
}

export function need<K extends 'intake' | 'caseProcess'>(deps: WorkerDeps, key: K): NonNullable<WorkerDeps[K]> {
  const s = deps[key];
  if (!s) throw new Error(`Der Dienst „${key}“ ist in diesem Worker-Prozess nicht verfügbar.`);
  return s as NonNullable<WorkerDeps[K]>;
}

/**
 * The job's variables overlaid with the form input the inbox kept in the app database for the
 * given user tasks of this instance (see server/domain/protected-input.ts).
 */
export async function inputOf(deps: WorkerDeps, job: Job, sourceElements: readonly string[]): Promise<Record<string, unknown>> {
  return { ...job.variables, ...(await deps.inbox.protectedInput(job.processInstanceKey, sourceElements)) };
}

export async function run(fn: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError && e.status >= 400 && e.status < 500 && e.status !== 404) return { kind: 'fail', message: e.message, retries: 0 };
    throw e;
  }
}
