/**
 * kim.check-referral-partner – is the partner reachable (active, with e-mail)? Else Err_PartnerUnreachable.
 * As the first step it also sets `reminderAfter` from the configuration when the caller (e.g. the
 * call activity in kim-case) did not pass it.
 */
import { ERR, JOB } from '../processes/kim-referral/contract';
import type { WorkerDeps } from './deps';
import { referralOf } from './referral-deps';
import { bpmnError, complete, fail, WorkerDefinition } from './runtime';

export const checkReferralPartner: WorkerDefinition<WorkerDeps> = {
  type: JOB.checkPartner,
  fetchVariables: ['referralId', 'reminderAfter'],
  async handler(job, deps) {
    const r = referralOf(job, deps);
    if ('missing' in r) return fail(r.missing);
    const res = await r.svc.checkPartner(r.referralId, job.processInstanceKey);
    const defaults = typeof job.variables.reminderAfter === 'string' && job.variables.reminderAfter ? undefined : { reminderAfter: r.svc.defaultReminderAfter };
    return res.reachable ? complete(defaults) : bpmnError(ERR.partnerUnreachable, res.reason, defaults);
  },
};
