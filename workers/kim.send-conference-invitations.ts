/**
 * kim.send-conference-invitations – kim-fallkonferenz: one e-mail per agency with an iCalendar (.ics) attachment and a signed link to confirm or decline (outbox row per participant).
 * The mails are queued in the mail outbox and the step completes; the dispatcher delivers them with retries.
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { JOB } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const sendConferenceInvitations: WorkerDefinition<WorkerDeps> = {
  type: JOB.sendInvitations,
  fetchVariables: ['conferenceId'],
  handler: (job, deps) =>
    run(async () => {
      await conferences(deps).sendInvitations(idOf(job, 'conferenceId'));
      return complete();
    }),
};
