/**
 * kim.record-agreement-status – kim-fallkonferenz: marks an agreement erledigt or ueberfaellig (property status of the service task).
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB, STATUS_HEADER } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordAgreementStatus: WorkerDefinition<WorkerDeps> = {
  type: JOB.recordAgreementStatus,
  fetchVariables: ['agreementId'],
  handler: (job, deps) =>
    run(async () => {
      await conferences(deps).recordAgreementStatus(idOf(job, 'agreementId'), job.properties[STATUS_HEADER] ?? '');
      return complete();
    }),
};
