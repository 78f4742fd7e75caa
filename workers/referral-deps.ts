/** Shared guard of the kim-referral workers: the referral service and the referral id of the job. */
import type { ReferralService } from '../server/referrals/referral.service';
import type { WorkerDeps } from './deps';
import type { Job } from './runtime';

export function referralOf(job: Job, deps: WorkerDeps): { svc: ReferralService; referralId: string } | { missing: string } {
  if (!deps.referrals) return { missing: 'ReferralService ist nicht verdrahtet (server/stack.ts).' };
  const referralId = job.variables.referralId;
  if (typeof referralId !== 'string' || !referralId) return { missing: 'Prozessvariable referralId fehlt.' };
  return { svc: deps.referrals, referralId };
}
