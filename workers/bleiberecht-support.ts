/**
 * Shared by the kim-bleiberecht workers: the service from the deps and the residence path id from
 * the job. Domain errors become outcomes through process-support's run().
 */
import { DomainError } from '../server/errors';
import type { ResidenceService } from '../server/residence/residence.service';
import type { WorkerDeps } from './deps';
import type { Job } from './runtime';

export function bleiberechtOf(deps: WorkerDeps): ResidenceService {
  if (!deps.residence) throw new Error('Der Dienst „residence“ ist in diesem Worker-Prozess nicht verfügbar.');
  return deps.residence;
}

export function bleiberechtIdOf(job: Job): string {
  const v = job.variables.bleiberechtId;
  if (typeof v !== 'string' || !v) throw new DomainError(400, 'Die Prozessvariable bleiberechtId fehlt.');
  return v;
}
