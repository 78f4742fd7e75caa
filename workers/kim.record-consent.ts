/**
 * kim.record-consent – kim-intake: stores the consent given in the intake (one Consent per job key).
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, listOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const RECORD_CONSENT = 'kim.record-consent';

export const recordConsent: WorkerDefinition<WorkerDeps> = {
  type: RECORD_CONSENT,
  fetchVariables: ['caseId', 'einwilligungEmpfaenger', 'einwilligungZwecke', 'einwilligungDatenkategorien', 'einwilligungGueltigBis'],
  handler: (job, deps) =>
    run(async () => {
      const v = job.variables;
      const r = await need(deps, 'intake').recordConsent(job.key, caseIdOf(job), {
        empfaenger: listOf(v.einwilligungEmpfaenger),
        zwecke: listOf(v.einwilligungZwecke),
        datenkategorien: listOf(v.einwilligungDatenkategorien),
        gueltigBis: v.einwilligungGueltigBis,
      });
      return complete(r);
    }),
};
