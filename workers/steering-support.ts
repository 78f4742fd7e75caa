/**
 * Shared by the kim-steuerung workers: the steering service from the deps. Domain errors become
 * outcomes through process-support's run().
 */
import type { SteeringService } from '../server/steering/steering.service';
import type { WorkerDeps } from './deps';

export function steeringOf(deps: WorkerDeps): SteeringService {
  if (!deps.steering) throw new Error('Der Dienst „steering“ ist in diesem Worker-Prozess nicht verfügbar.');
  return deps.steering;
}
