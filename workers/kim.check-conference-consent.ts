/**
 * kim.check-conference-consent – kim-fallkonferenz: does a consent cover this agency (purpose Fallkonferenz)? Sets consentCovers; on the final check (property final=true) a missing consent is recorded: the agency joins without data.
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB, FINAL_HEADER } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const checkConferenceConsent: WorkerDefinition<WorkerDeps> = {
  type: JOB.checkConsent,
  fetchVariables: ['participantId'],
  handler: (job, deps) =>
    run(async () => {
      const r = await conferences(deps).checkConsent(idOf(job, 'participantId'), job.properties[FINAL_HEADER] === 'true');
      return complete({ consentCovers: r.consentCovers });
    }),
};
