/**
 * kim.save-document-checklist – kim-einbuergerung: writes the document checklist (status per document) to the app database, clears it in the instance and says whether all documents are complete.
 * Idempotent: a job delivered twice has one side effect (job key under the naturalisation's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-einbuergerung/contract';
import type { WorkerDeps } from './deps';
import { einbuergerungIdOf, einbuergerungOf } from './einbuergerung-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const saveDocumentChecklist: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.saveDocuments,
  fetchVariables: ['einbuergerungId', 'dokumente'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.prepareDocuments, ELEMENTS.checkCompleteness, ELEMENTS.supplyDocuments]);
      const r = await einbuergerungOf(deps).saveDocuments(job.key, einbuergerungIdOf(job), v.dokumente);
      return complete({ ...r, dokumente: null });
    }),
};
