/**
 * kim.record-naturalisation-precheck – kim-einbuergerung: stores the decision's result, opens the document checklist and sets the gateway flags.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { listOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordNaturalisationPrecheck: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordPreCheck,
  fetchVariables: ['einbuergerungId', 'vorpruefungErfuellt', 'fehlendeVoraussetzungen', 'fruehesterAntragstermin'],
  handler: (job, deps) =>
    run(async () => {
      // The business rule task maps the decision's result to plain variables (codes comma-separated).
      const v = job.variables;
      const result =
        typeof v.vorpruefungErfuellt === 'boolean'
          ? { eligible: v.vorpruefungErfuellt, fehlendeVoraussetzungen: listOf(v.fehlendeVoraussetzungen), fruehesterAntragstermin: v.fruehesterAntragstermin ?? null }
          : null;
      return complete(await einbuergerungOf(deps).recordPreCheck(job.key, einbuergerungIdOf(job), result));
    }),
};
