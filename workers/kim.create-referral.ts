/**
 * kim.create-referral – kim-case: creates the Referral row (status angelegt) that the called kim-referral works on.
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const CREATE_REFERRAL = 'kim.create-referral';

export const createReferral: WorkerDefinition<WorkerDeps> = {
  type: CREATE_REFERRAL,
  fetchVariables: ['caseId', 'vermittlungOrganisationId', 'vermittlungLebensbereich', 'vermittlungZweck'],
  handler: (job, deps) =>
    run(async () => {
      const v = job.variables;
      const r = await need(deps, 'caseProcess').createReferral(job.key, caseIdOf(job), { organisationId: v.vermittlungOrganisationId, lebensbereich: v.vermittlungLebensbereich, zweck: v.vermittlungZweck });
      return complete(r);
    }),
};
