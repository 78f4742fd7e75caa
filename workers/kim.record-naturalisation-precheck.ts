/**
 * kim.record-naturalisation-precheck – kim-einbuergerung: stores the decision's result, opens the document checklist and sets the gateway flags.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordNaturalisationPrecheck: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordPreCheck,
  fetchVariables: ['einbuergerungId', 'vorpruefung'],
  handler: (job, deps) =>
    run(async () => {
      const v = job.variables;
      return complete(await einbuergerungOf(deps).recordPreCheck(job.key, einbuergerungIdOf(job), v.vorpruefung));
    }),
};
