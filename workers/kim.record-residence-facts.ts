/**
 * kim.record-residence-facts – kim-einbuergerung: takes over the residence facts the Ausländerbehörde confirmed or corrected; the decision inputs follow them.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordResidenceFacts: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordResidence,
  fetchVariables: ['einbuergerungId', 'aufenthaltPruefung', 'aufenthaltSeit', 'aufenthaltstitel', 'aufenthaltstitelGeeignet'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.confirmResidence]);
      const r = await einbuergerungOf(deps).recordResidence(job.key, einbuergerungIdOf(job), { aufenthaltPruefung: v.aufenthaltPruefung, aufenthaltSeit: v.aufenthaltSeit, aufenthaltstitel: v.aufenthaltstitel, aufenthaltstitelGeeignet: v.aufenthaltstitelGeeignet });
      return complete({ ...r, aufenthaltstitel: null });
    }),
};
