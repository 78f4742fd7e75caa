/** kim.report-system-gap – no reachable partner: a SystemGap for the coordinators, once per referral. */
import { JOB } from '../processes/kim-referral/contract';
import type { WorkerDeps } from './deps';
import { referralOf } from './referral-deps';
import { complete, fail, WorkerDefinition } from './runtime';

export const reportSystemGap: WorkerDefinition<WorkerDeps> = {
  type: JOB.reportSystemGap,
  fetchVariables: ['referralId'],
  async handler(job, deps) {
    const r = referralOf(job, deps);
    if ('missing' in r) return fail(r.missing);
    const { systemGapId } = await r.svc.reportSystemGap(r.referralId);
    return complete({ systemGapId });
  },
};
