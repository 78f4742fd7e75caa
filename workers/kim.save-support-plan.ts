/**
 * kim.save-support-plan – kim-case: writes the Förderplan's goals to the case and removes their texts from the instance.
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const SAVE_SUPPORT_PLAN = 'kim.save-support-plan';

export const saveSupportPlan: WorkerDefinition<WorkerDeps> = {
  type: SAVE_SUPPORT_PLAN,
  fetchVariables: ['caseId',  'ziele'],
  handler: (job, deps) =>
    run(async () => {
    const r = await need(deps, 'caseProcess').saveSupportPlan(job.key, caseIdOf(job), job.variables.ziele);
    // Goal texts live in the app database only: the variable is cleared in the instance.
    return complete({ ...r, ziele: null });
    }),
};
