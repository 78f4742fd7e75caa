/**
 * kim.save-residence-path-facts – kim-bleiberecht: stores the facts the case manager recorded, computes the tracked dates and hands the decision inputs and the reminder plan to the engine.
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const saveResidencePathFacts: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.saveFacts,
  fetchVariables: ['bleiberechtId', 'aufenthaltsstatus', 'aufenthaltSeit', 'duldungSeit', 'nichtAnrechenbareTage', 'duldungBis', 'aufenthaltserlaubnisBis', 'passBis', 'einreiseAm', 'beschaeftigungsduldungSeit', 'schulbesuchOderAbschluss', 'minderjaehrigesKindImHaushalt', 'sprachniveauMuendlich', 'lebensunterhaltUeberwiegendGesichert', 'ausnahmeKrankheitBehinderungAlter', 'bekenntnisFdgo', 'schulpflichtigeKinderOhneSchulbesuch'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.recordFacts]);
      return complete(await bleiberechtOf(deps).saveFacts(job.key, bleiberechtIdOf(job), v));
    }),
};
