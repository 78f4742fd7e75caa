/**
 * kim.save-support-plan – kim-case: writes the Förderplan's goals (kept by the inbox in the app database) to the case.
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { ELEMENTS } from '../processes/kim-case/contract';
import { caseIdOf, inputOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const SAVE_SUPPORT_PLAN = 'kim.save-support-plan';

export const saveSupportPlan: WorkerDefinition<WorkerDeps> = {
  type: SAVE_SUPPORT_PLAN,
  fetchVariables: ['caseId', 'ziele'],
  handler: (job, deps) =>
    run(async () => {
      const r = await need(deps, 'caseProcess').saveSupportPlan(job.key, caseIdOf(job), (await inputOf(deps, job, [ELEMENTS.createSupportPlan])).ziele);
      // Goal texts live in the app database only; should they ever reach the instance, they are cleared.
      return complete({ anzahlZiele: r.anzahlZiele, ziele: null });
    }),
};
