/**
 * kim.record-residence-client-informed – kim-bleiberecht: records that the client was informed; the residence path is done.
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordResidenceClientInformed: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordInformed,
  fetchVariables: ['bleiberechtId'],
  handler: (job, deps) =>
    run(async () => {
      await bleiberechtOf(deps).recordClientInformed(job.key, bleiberechtIdOf(job));
      return complete();
    }),
};
