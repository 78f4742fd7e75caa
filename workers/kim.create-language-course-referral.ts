/**
 * kim.create-language-course-referral – kim-einbuergerung: creates the Referral row (Sprache, Sprachkurs) the called kim-referral works on.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const createLanguageCourseReferral: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.createLanguageReferral,
  fetchVariables: ['einbuergerungId'],
  handler: (job, deps) =>
    run(async () => {
      return complete(await einbuergerungOf(deps).createLanguageReferral(job.key, einbuergerungIdOf(job)));
    }),
};
