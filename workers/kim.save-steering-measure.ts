/**
 * kim.save-steering-measure – kim-steuerung: the project group's measure (owner organisation, target date, expected effect) into the app database; a revision updates the measure sent back. Sets measureId.
 * Idempotent: a job delivered twice has one side effect (job key in SteeringStep).
 */
import { ELEMENT, JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const saveSteeringMeasure: WorkerDefinition<WorkerDeps> = {
  type: JOB.saveMeasure,
  fetchVariables: ['themeId'],
  handler: (job, deps) => run(async () => complete(await steeringOf(deps).saveMeasure(job.key, await inputOf(deps, job, [ELEMENT.draftMeasure])))),
};
