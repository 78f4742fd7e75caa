/** kim.check-referral-partner – is the partner reachable (active, with e-mail)? Else Err_PartnerUnreachable. */
import { ERR, JOB } from '../processes/kim-referral/contract';
import type { WorkerDeps } from './deps';
import { referralOf } from './referral-deps';
import { bpmnError, complete, fail, WorkerDefinition } from './runtime';

export const checkReferralPartner: WorkerDefinition<WorkerDeps> = {
  type: JOB.checkPartner,
  fetchVariables: ['referralId'],
  async handler(job, deps) {
    const r = referralOf(job, deps);
    if ('missing' in r) return fail(r.missing);
    const res = await r.svc.checkPartner(r.referralId);
    return res.reachable ? complete() : bpmnError(ERR.partnerUnreachable, res.reason);
  },
};
