/**
 * kim.track-agreement – kim-fallkonferenz: decides who confirms an agreement (KIM task or the agency through a signed link, e-mailed once) and sets agreementDueAt for the overdue timer.
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const trackAgreement: WorkerDefinition<WorkerDeps> = {
  type: JOB.trackAgreement,
  fetchVariables: ['agreementId'],
  handler: (job, deps) =>
    run(async () => {
      return complete(await conferences(deps).trackAgreement(idOf(job, 'agreementId')));
    }),
};
