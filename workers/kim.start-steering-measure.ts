/**
 * kim.start-steering-measure – kim-steuerung: the approved measure is in implementation; sets eskalationAm (00:00 Berlin of the day after its target date) for the escalation timer.
 * Idempotent: a job delivered twice has one side effect (job key in SteeringStep).
 */
import { JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const startSteeringMeasure: WorkerDefinition<WorkerDeps> = {
  type: JOB.startMeasure,
  fetchVariables: ['themeId', 'measureId'],
  handler: (job, deps) => run(async () => complete(await steeringOf(deps).startMeasure(job.key, job.variables))),
};
