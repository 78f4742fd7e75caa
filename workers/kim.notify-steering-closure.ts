/**
 * kim.notify-steering-closure – kim-steuerung: tells the case managers whose cases reported a gap of the closed theme – a note in each such case file (its own gap, the theme, the result; nothing of other cases) and a notice for the site.
 * Idempotent: once per theme and case (unique notice), and once per job key.
 */
import { JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const notifySteeringClosure: WorkerDefinition<WorkerDeps> = {
  type: JOB.notifyClosure,
  fetchVariables: ['themeId'],
  handler: (job, deps) =>
    run(async () => {
      await steeringOf(deps).notifyClosure(job.key, job.variables);
      return complete();
    }),
};
