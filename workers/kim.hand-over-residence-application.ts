/**
 * kim.hand-over-residence-application – kim-bleiberecht: hands the complete application over to the commune's Ausländerbehörde.
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const handOverResidenceApplication: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.handOver,
  fetchVariables: ['bleiberechtId'],
  handler: (job, deps) =>
    run(async () => {
      await bleiberechtOf(deps).handOver(job.key, bleiberechtIdOf(job));
      return complete();
    }),
};
