/**
 * kim.record-residence-path-confirmation – kim-bleiberecht: takes over the residence facts the Ausländerbehörde confirmed or corrected; the decision inputs, dates and reminders follow (fristenNeu restarts the tracker).
 * Idempotent: a job delivered twice has one side effect (job key under the residence path's row lock).
 */
import { ELEMENTS, JOB_TYPES } from '../processes/kim-bleiberecht/contract';
import type { WorkerDeps } from './deps';
import { bleiberechtIdOf, bleiberechtOf } from './bleiberecht-support';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordResidencePathConfirmation: WorkerDefinition<WorkerDeps> = {
  type: JOB_TYPES.recordConfirmation,
  fetchVariables: ['bleiberechtId', 'aufenthaltPruefung', 'aufenthaltsstatus', 'aufenthaltSeit', 'duldungSeit', 'nichtAnrechenbareTage', 'duldungBis', 'aufenthaltserlaubnisBis', 'passBis', 'einreiseAm', 'beschaeftigungsduldungSeit', 'identitaetstaeuschung', 'ausweisungsinteresseSchwer'],
  handler: (job, deps) =>
    run(async () => {
      const v = await inputOf(deps, job, [ELEMENTS.confirmFacts]);
      return complete(await bleiberechtOf(deps).recordConfirmation(job.key, bleiberechtIdOf(job), v));
    }),
};
