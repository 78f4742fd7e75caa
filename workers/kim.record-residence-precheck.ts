/**
 * kim.record-residence-precheck – kim-bleiberecht: stores the result of the pre-check (decision kim-bleiberecht-vorpruefung).
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordResidencePrecheck: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordPreCheck,
  fetchVariables: ['bleiberechtId', 'erfuellt25a', 'erfuellt25b', 'fehlend25a', 'fehlend25b', 'fruehestensAb25a', 'fruehestensAb25b', 'antragSpaetestensAm'],
  handler: (job, deps) =>
    run(async () => {
      await bleiberechtOf(deps).recordPreCheck(job.key, bleiberechtIdOf(job), job.variables);
      return complete();
    }),
};
