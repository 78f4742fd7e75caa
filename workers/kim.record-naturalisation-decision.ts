/**
 * kim.record-naturalisation-decision – kim-einbuergerung: stores the EBH's decision; it leaves the instance.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordNaturalisationDecision: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordDecision,
  fetchVariables: ['einbuergerungId', 'entscheidung', 'entscheidungsdatum'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.recordDecision]);
      await einbuergerungOf(deps).recordDecision(job.key, einbuergerungIdOf(job), { entscheidung: v.entscheidung, entscheidungsdatum: v.entscheidungsdatum });
      return complete({ entscheidung: null, entscheidungsdatum: null });
    }),
};
