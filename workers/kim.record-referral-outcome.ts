/** kim.record-referral-outcome – records the step's result (property "result" of the service task) on the referral. */
import { JOB, RESULT, RESULT_HEADER, ReferralResult } from '../processes/kim-referral/contract';
import type { WorkerDeps } from './deps';
import { referralOf } from './referral-deps';
import { complete, fail, WorkerDefinition } from './runtime';

const RESULTS = new Set<string>(Object.values(RESULT));

export const recordReferralOutcome: WorkerDefinition<WorkerDeps> = {
  type: JOB.recordOutcome,
  fetchVariables: ['referralId'],
  async handler(job, deps) {
    const r = referralOf(job, deps);
    if ('missing' in r) return fail(r.missing);
    const result = job.properties[RESULT_HEADER];
    if (!RESULTS.has(result)) return fail(`Die Eigenschaft "${RESULT_HEADER}" fehlt oder ist unbekannt (${String(result)}) an ${job.elementId}.`);
    await r.svc.recordOutcome(r.referralId, result as ReferralResult);
    return complete();
  },
};
