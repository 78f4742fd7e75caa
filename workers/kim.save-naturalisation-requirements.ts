/**
 * kim.save-naturalisation-requirements – kim-einbuergerung: stores the residence facts the case manager recorded (for the ABH to confirm); the title text leaves the instance.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const saveNaturalisationRequirements: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.saveRequirements,
  fetchVariables: ['einbuergerungId', 'aufenthaltSeit', 'aufenthaltstitel', 'aufenthaltstitelGeeignet'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.recordRequirements]);
      await einbuergerungOf(deps).saveRequirements(job.key, einbuergerungIdOf(job), { aufenthaltSeit: v.aufenthaltSeit, aufenthaltstitel: v.aufenthaltstitel, aufenthaltstitelGeeignet: v.aufenthaltstitelGeeignet });
      return complete({ aufenthaltstitel: null });
    }),
};
