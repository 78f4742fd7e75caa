/**
 * kim.record-residence-decision – kim-bleiberecht: stores the decision of the Ausländerbehörde (statistics per paragraph).
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordResidenceDecision: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.saveDecision,
  fetchVariables: ['bleiberechtId', 'entscheidung'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.recordDecision]);
      await bleiberechtOf(deps).recordDecision(job.key, bleiberechtIdOf(job), { entscheidung: v.entscheidung, entscheidungsdatum: v.entscheidungsdatum });
      return complete();
    }),
};
