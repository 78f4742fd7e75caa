/**
 * kim.record-statistics – kim-intake / kim-case: anonymised statistics events (kind from the task's input mapping statistikArt).
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const RECORD_STATISTICS = 'kim.record-statistics';

export const recordStatistics: WorkerDefinition<WorkerDeps> = {
  type: RECORD_STATISTICS,
  fetchVariables: ['caseId', 'statistikArt'],
  handler: (job, deps) =>
    run(async () => {
      await need(deps, 'caseProcess').recordStatistics(job.key, caseIdOf(job), job.variables.statistikArt);
      return complete();
    }),
};
