/**
 * kim.create-conference-protocol – kim-fallkonferenz: the protocol PDF, stored once as a Document of the case.
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const createConferenceProtocol: WorkerDefinition<WorkerDeps> = {
  type: JOB.createProtocolPdf,
  fetchVariables: ['conferenceId'],
  handler: (job, deps) =>
    run(async () => {
      await conferences(deps).createProtocolPdf(idOf(job, 'conferenceId'));
      return complete();
    }),
};
