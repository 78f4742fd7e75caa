/** Shared guard of the kim-fallkonferenz workers: the conference service and an id variable of the job. */
import type { ConferenceService } from '../server/conferences/conference.service';
import { DomainError } from '../server/errors';
import type { WorkerDeps } from './deps';
import type { Job } from './runtime';

export function conferences(deps: WorkerDeps): ConferenceService {
  if (!deps.conferences) throw new Error('ConferenceService ist nicht verdrahtet (server/stack.ts).');
  return deps.conferences;
}

export function idOf(job: Job, name: 'conferenceId' | 'participantId' | 'agreementId'): string {
  const v = job.variables[name];
  if (typeof v !== 'string' || !v) throw new DomainError(400, `Die Prozessvariable ${name} fehlt.`);
  return v;
}
