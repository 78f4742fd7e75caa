/**
 * kim.record-test-registration – kim-einbuergerung: stores the test registration; date and test centre leave the instance.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordTestRegistration: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordTestRegistration,
  fetchVariables: ['einbuergerungId', 'testTermin', 'teststelle'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.registerTest]);
      await einbuergerungOf(deps).recordTestRegistration(job.key, einbuergerungIdOf(job), { testTermin: v.testTermin, teststelle: v.teststelle });
      return complete({ testTermin: null, teststelle: null });
    }),
};
