/**
 * kim.record-measure-progress – kim-steuerung: the state of a measure from its Wiedervorlage (Task_RecordProgress) or its escalation (Task_RecordEscalation, by the element): done, still running, or a new target date that moves eskalationAm.
 * Idempotent: a job delivered twice has one side effect (job key in SteeringStep).
 */
import { ELEMENT, JOB } from '../processes/kim-steuerung/contract';
import type { WorkerDeps } from './deps';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';
import { steeringOf } from './steering-support';

export const recordMeasureProgress: WorkerDefinition<WorkerDeps> = {
  type: JOB.recordProgress,
  fetchVariables: ['themeId', 'measureId', 'stand'],
  handler: (job, deps) =>
    run(async () => {
      const escalation = job.elementId === ELEMENT.recordEscalation;
      const v = await inputOf(deps, job, [escalation ? ELEMENT.escalateMeasure : ELEMENT.reportProgress]);
      return complete(await steeringOf(deps).recordProgress(job.key, escalation, v));
    }),
};
