/**
 * kim.record-client-informed – kim-einbuergerung: notes that the case manager informed the client; the preparation is done.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordClientInformed: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordInformed,
  fetchVariables: ['einbuergerungId', 'informiertAm'],
  handler: (job, deps) =>
    run(async () => {
      const v = job.variables;
      await einbuergerungOf(deps).recordInformed(job.key, einbuergerungIdOf(job), { informiertAm: v.informiertAm });
      return complete();
    }),
};
