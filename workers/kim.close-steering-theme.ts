/**
 * kim.close-steering-theme – kim-steuerung: the theme is closed with its result (kept in the app database); its gaps are done.
 * Idempotent: a job delivered twice has one side effect (job key in SteeringStep).
 */
import { ELEMENT, JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const closeSteeringTheme: WorkerDefinition<WorkerDeps> = {
  type: JOB.closeTheme,
  fetchVariables: ['themeId'],
  handler: (job, deps) =>
    run(async () => {
      await steeringOf(deps).closeTheme(job.key, await inputOf(deps, job, [ELEMENT.closeTheme]));
      return complete();
    }),
};
