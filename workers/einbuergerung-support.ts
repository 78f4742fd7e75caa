/**
 * Shared by the kim-einbuergerung workers: the service from the deps and the naturalisation id from
 * the job. Domain errors become outcomes through process-support's run().
 */
import { DomainError } from '../server/errors';
import type { EinbuergerungProcessService } from '../server/naturalisation/einbuergerung-process.service';
import type { WorkerDeps } from './deps';
import type { Job } from './runtime';

export function einbuergerungOf(deps: WorkerDeps): EinbuergerungProcessService {
  if (!deps.einbuergerung) throw new Error('Der Dienst „einbuergerung“ ist in diesem Worker-Prozess nicht verfügbar.');
  return deps.einbuergerung;
}

export function einbuergerungIdOf(job: Job): string {
  const v = job.variables.einbuergerungId;
  if (typeof v !== 'string' || !v) throw new DomainError(400, 'Die Prozessvariable einbuergerungId fehlt.');
  return v;
}
