/**
 * kim.record-consent-refusal – kim-intake: records that the person refused consent (no data will be shared).
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const RECORD_CONSENT_REFUSAL = 'kim.record-consent-refusal';

export const recordConsentRefusal: WorkerDefinition<WorkerDeps> = {
  type: RECORD_CONSENT_REFUSAL,
  fetchVariables: ['caseId'],
  handler: (job, deps) =>
    run(async () => {
      await need(deps, 'intake').recordConsentRefusal(caseIdOf(job));
      return complete({ einwilligungId: null });
    }),
};
