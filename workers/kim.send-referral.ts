/**
 * kim.send-referral – queues the referral e-mail once (outbox row with unique key, in the transaction
 * that marks the referral sent) and completes; the mail dispatcher delivers it with retries, so a mail
 * server outage is never an engine incident. A consent revoked since the gate stops the send with
 * Err_ConsentRevoked.
 */
import { ERR, JOB } from '../processes/kim-referral/contract';
import type { WorkerDeps } from './deps';
import { referralOf } from './referral-deps';
import { bpmnError, complete, fail, WorkerDefinition } from './runtime';

export const sendReferral: WorkerDefinition<WorkerDeps> = {
  type: JOB.sendReferral,
  fetchVariables: ['referralId'],
  async handler(job, deps) {
    const r = referralOf(job, deps);
    if ('missing' in r) return fail(r.missing);
    const res = await r.svc.sendReferral(r.referralId);
    if (res.result === 'consent-revoked') return bpmnError(ERR.consentRevoked, res.reason);
    return complete();
  },
};
