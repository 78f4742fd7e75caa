/**
 * kim.check-existing-support – kim-intake: double-funding check – open cases of the same person in the commune, known MBE/JMD counselling.
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, csv, listOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const CHECK_EXISTING_SUPPORT = 'kim.check-existing-support';

export const checkExistingSupport: WorkerDefinition<WorkerDeps> = {
  type: CHECK_EXISTING_SUPPORT,
  fetchVariables: ['caseId', 'bekannteBeratung'],
  handler: (job, deps) =>
    run(async () => {
      const r = await need(deps, 'intake').checkExistingSupport(caseIdOf(job), listOf(job.variables.bekannteBeratung));
      // klaerungErgebnis is reset so a later gateway never reads a stale answer.
      return complete({ bestehendeUnterstuetzung: csv(r.bestehendeUnterstuetzung), doppelfoerderungMoeglich: r.doppelfoerderungMoeglich, klaerungErgebnis: null });
    }),
};
