/**
 * kim.record-steering-priority – kim-steuerung: the theme's priority; "für die Lenkungsgruppe vormerken" makes it prioritised (on the next agenda).
 * Idempotent: a job delivered twice has one side effect (job key in SteeringStep).
 */
import { ELEMENT, JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const recordSteeringPriority: WorkerDefinition<WorkerDeps> = {
  type: JOB.recordPriority,
  fetchVariables: ['themeId', 'prioritaet', 'themaWeiter'],
  handler: (job, deps) =>
    run(async () => {
      await steeringOf(deps).recordPriority(job.key, await inputOf(deps, job, [ELEMENT.prioritiseTheme]));
      return complete();
    }),
};
