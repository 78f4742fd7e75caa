/**
 * kim.save-conference-plan – kim-fallkonferenz: saves date, place / video link, agenda and interpreter in the app database, clears the text in the engine and sets conferenceAt (ISO, UTC) for the reminder timer.
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { ELEMENT, JOB, PLAN_TEXT_FIELDS } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const saveConferencePlan: WorkerDefinition<WorkerDeps> = {
  type: JOB.savePlan,
  fetchVariables: ['conferenceId', ...PLAN_TEXT_FIELDS],
  handler: (job, deps) =>
    run(async () => {
      return complete(await conferences(deps).savePlan(idOf(job, 'conferenceId'), await inputOf(deps, job, [ELEMENT.planConference])));
    }),
};
