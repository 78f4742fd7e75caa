/** kim.check-referral-consent – the consent gate: sets withData and consentId (ids and a boolean only). */
import { JOB } from '../processes/kim-referral/contract';
import type { WorkerDeps } from './deps';
import { referralOf } from './referral-deps';
import { complete, fail, WorkerDefinition } from './runtime';

export const checkReferralConsent: WorkerDefinition<WorkerDeps> = {
  type: JOB.checkConsent,
  fetchVariables: ['referralId'],
  async handler(job, deps) {
    const r = referralOf(job, deps);
    if ('missing' in r) return fail(r.missing);
    const { withData, consentId } = await r.svc.checkConsent(r.referralId);
    return complete({ withData, consentId });
  },
};
