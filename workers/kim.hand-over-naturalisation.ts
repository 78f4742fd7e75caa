/**
 * kim.hand-over-naturalisation – kim-einbuergerung: hands the complete application over to the commune's naturalisation authority (EBH).
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const handOverNaturalisation: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.handOver,
  fetchVariables: ['einbuergerungId'],
  handler: (job, deps) =>
    run(async () => {
      await einbuergerungOf(deps).handOver(job.key, einbuergerungIdOf(job));
      return complete();
    }),
};
