/**
 * kim.record-conference-protocol – kim-fallkonferenz: attendance, situation, agreements and system gaps into the app database (once), then the text is cleared in the engine; sets agreementIds (comma-separated) and hasSystemGaps.
 * Idempotent: a job delivered twice has one side effect (see ConferenceService).
 */
import { ELEMENT, JOB, PROTOCOL_TEXT_FIELDS } from '../processes/kim-fallkonferenz/contract';
import { conferences, idOf } from './conference-deps';
import type { WorkerDeps } from './deps';
import { csv, inputOf, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const recordConferenceProtocol: WorkerDefinition<WorkerDeps> = {
  type: JOB.recordProtocol,
  fetchVariables: ['conferenceId', ...PROTOCOL_TEXT_FIELDS],
  handler: (job, deps) =>
    run(async () => {
      const r = await conferences(deps).recordProtocol(idOf(job, 'conferenceId'), await inputOf(deps, job, [ELEMENT.recordConference]));
      // The agreements' multi-instance runs over the ids: a comma-separated string in the engine.
      return complete({ ...r, agreementIds: csv(r.agreementIds) });
    }),
};
