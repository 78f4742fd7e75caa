/**
 * kim.open-case – kim-intake: opens the case with the kind of help the DMN decided (case management → Förderplanung).
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const OPEN_CASE = 'kim.open-case';

export const openCase: WorkerDefinition<WorkerDeps> = {
  type: OPEN_CASE,
  fetchVariables: ['caseId', 'hilfeart'],
  handler: (job, deps) =>
    run(async () => {
      await need(deps, 'intake').openCase(caseIdOf(job), job.variables.hilfeart);
      return complete();
    }),
};
