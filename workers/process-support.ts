/**
 * Shared by the kim-intake / kim-case workers: reading ids from a job and turning domain errors
 * into outcomes. Invalid data (4xx) will not heal by retrying: the job fails without retries, so an
 * incident shows what is wrong (without personal data); anything else is thrown and retried with
 * backoff.
 */
import { randomUUID } from 'node:crypto';
import { DomainError } from '../server/errors';
import { errorKind } from '../server/util/log';
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
 * given user tasks of this instance (see server/inbox/protected-input.ts).
 */
export async function inputOf(deps: WorkerDeps, job: Job, sourceElements: readonly string[]): Promise<Record<string, unknown>> {
  return { ...job.variables, ...(await deps.inbox.protectedInput(job.processInstanceKey, sourceElements)) };
}

/**
 * A list variable → its entries. The engine holds lists as comma-separated strings (the REST API
 * takes no list variables); form input the inbox kept in the app database is still an array.
 */
export function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String).filter((x) => x !== '');
  if (typeof v === 'string') return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return [];
}

/** A list of ids or codes as an engine variable: comma-separated (read back with listOf, or `${kim.list(…)}` in a model). */
export function csv(list: readonly string[]): string {
  for (const x of list) if (x.includes(',')) throw new Error('Ein Listeneintrag enthält ein Komma und kann nicht als Prozessvariable übergeben werden.');
  return list.join(',');
}

/**
 * A domain message without what it may quote: quoted values („…“, "…", '…') and the text after a
 * colon ("Unbekannte Hilfeart: …") are where a message repeats input – the value a person typed
 * into a field can be a name. Written messages without such parts stay as they are.
 */
export function withoutQuotedValues(message: string): string {
  return message
    .replace(/„[^“]*“|"[^"]*"|'[^']*'|»[^«]*«/g, '„…“')
    .replace(/: [^.;]+/g, ': …');
}

export async function run(fn: () => Promise<Outcome>): Promise<Outcome> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError && e.status >= 400 && e.status < 500 && e.status !== 404) {
      // The message goes into the incident (and the engine's tables): only without quoted input.
      const message = withoutQuotedValues(e.message);
      if (message === e.message) return { kind: 'fail', message, retries: 0 };
      const correlationId = randomUUID();
      const fields = Object.keys(e.fields ?? {}).filter((f) => /^[\w.]{1,60}$/.test(f));
      return { kind: 'fail', message: `${message}${fields.length ? ` (Felder: ${fields.join(', ')})` : ''} Fehler-ID ${correlationId}`, retries: 0, cause: { errorKind: errorKind(e), correlationId } };
    }
    throw e;
  }
}
