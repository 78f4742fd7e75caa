/**
 * kim.send-conference-protocol – kim-fallkonferenz: mails the protocol PDF only to agencies a valid consent covers (outbox row per participant).
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const sendConferenceProtocol: WorkerDefinition<WorkerDeps> = {
  type: JOB.sendProtocol,
  fetchVariables: ['conferenceId'],
  handler: (job, deps) =>
    run(async () => {
      await conferences(deps).sendProtocol(idOf(job, 'conferenceId'));
      return complete();
    }),
};
