/**
 * kim.inbox-sync – keeps the Task table (the inbox) current.
 *
 * On the Camunda 8.6 engine this project runs (see README: 8.9 is not on Maven Central), user tasks
 * are handed out as jobs of type io.camunda.zeebe:userTask. This worker takes each one, writes the
 * inbox row and holds the job open; the server completes it when a person completes the task. A task
 * created while this worker is down waits in the engine and appears as soon as it runs again.
 * Cancelled tasks are closed by the reconciler (InboxService.reconcile).
 */
import { USER_TASK_JOB_TYPE, USER_TASK_TIMEOUT_MS } from '../server/domain/inbox.service';
import type { WorkerDeps } from './deps';
import type { WorkerDefinition } from './runtime';

export const INBOX_SYNC = 'kim.inbox-sync';

export const inboxSync: WorkerDefinition<WorkerDeps> = {
  type: USER_TASK_JOB_TYPE,
  // Only the ids the row needs; never personal data.
  fetchVariables: ['caseId', 'kommuneId'],
  timeoutMs: USER_TASK_TIMEOUT_MS,
  maxParallel: 32,
  // A database outage must not turn user tasks into incidents: retry until the row is written.
  retryForever: true,
  async handler(job, deps) {
    await deps.inbox.project(job);
    return { kind: 'hold' };
  },
};
