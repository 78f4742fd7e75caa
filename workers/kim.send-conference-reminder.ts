/**
 * kim.send-conference-reminder – kim-fallkonferenz: the reminder before the date to every agency that has not declined (outbox row per participant).
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const sendConferenceReminder: WorkerDefinition<WorkerDeps> = {
  type: JOB.sendReminder,
  fetchVariables: ['conferenceId'],
  handler: (job, deps) =>
    run(async () => {
      await conferences(deps).sendReminder(idOf(job, 'conferenceId'));
      return complete();
    }),
};
