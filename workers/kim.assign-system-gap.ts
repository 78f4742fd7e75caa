/**
 * kim.assign-system-gap – kim-steuerung: files the reported gap under an existing or a new theme (title and description stay in the app database) or closes it as needing no action; sets themeId.
 * Idempotent: a job delivered twice has one side effect (job key in SteeringStep).
 */
import { ELEMENT, JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const assignSystemGap: WorkerDefinition<WorkerDeps> = {
  type: JOB.assignGap,
  fetchVariables: ['systemGapId', 'zuordnung', 'themaId'],
  handler: (job, deps) =>
    run(async () => complete(await steeringOf(deps).assignGap(job.key, job.processInstanceKey, await inputOf(deps, job, [ELEMENT.assignGap])))),
};
