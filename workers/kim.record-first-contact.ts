/**
 * kim.record-first-contact – kim-intake: saves the life areas of the first contact as needs, the interpreter need on the person, phase Clearing.
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, listOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const RECORD_FIRST_CONTACT = 'kim.record-first-contact';

export const recordFirstContact: WorkerDefinition<WorkerDeps> = {
  type: RECORD_FIRST_CONTACT,
  fetchVariables: ['caseId', 'lebensbereiche', 'dolmetschBedarf'],
  handler: (job, deps) =>
    run(async () => {
      const r = await need(deps, 'intake').recordFirstContact(caseIdOf(job), { lebensbereiche: listOf(job.variables.lebensbereiche), dolmetschBedarf: job.variables.dolmetschBedarf });
      return complete(r);
    }),
};
