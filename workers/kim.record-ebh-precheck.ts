/**
 * kim.record-ebh-precheck – kim-einbuergerung: records the EBH's pre-check: accepted, or documents requested with a due date (the list leaves the instance).
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { inputOf, listOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordEbhPrecheck: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordEbhPreCheck,
  fetchVariables: ['einbuergerungId', 'ebhErgebnis', 'nachgeforderteUnterlagen', 'nachforderungFrist'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.ebhPreCheck]);
      const r = await einbuergerungOf(deps).recordEbhPreCheck(job.key, einbuergerungIdOf(job), { ebhErgebnis: v.ebhErgebnis, nachgeforderteUnterlagen: listOf(v.nachgeforderteUnterlagen), nachforderungFrist: v.nachforderungFrist });
      return complete({ ...r, nachgeforderteUnterlagen: null });
    }),
};
