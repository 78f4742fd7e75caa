/**
 * kim.save-residence-application – kim-bleiberecht: stores the paragraph and the document checklist of the application; antragVollstaendig decides whether it goes to the ABH.
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const saveResidenceApplication: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.saveApplication,
  fetchVariables: ['bleiberechtId', 'antragNach'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.prepareApplication]);
      return complete(await bleiberechtOf(deps).saveApplication(job.key, bleiberechtIdOf(job), { antragNach: v.antragNach, unterlagen: v.unterlagen }));
    }),
};
