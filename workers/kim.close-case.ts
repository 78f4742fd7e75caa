/**
 * kim.close-case – kim-intake / kim-case: closes the case with outcome and evaluation and sets its deletion date.
 * Idempotent: a job delivered twice has one side effect (job key / case row lock in the service).
 */
import type { WorkerDeps } from './deps';
import { caseIdOf, need, run } from './process-support';
import { complete, type WorkerDefinition } from './runtime';

export const CLOSE_CASE = 'kim.close-case';

export const closeCase: WorkerDefinition<WorkerDeps> = {
  type: CLOSE_CASE,
  fetchVariables: ['caseId', 'abschlussGrund', 'zieleErreicht'],
  handler: (job, deps) =>
    run(async () => {
      const r = await need(deps, 'caseProcess').closeCase(caseIdOf(job), { abschlussGrund: job.variables.abschlussGrund, zieleErreicht: job.variables.zieleErreicht });
      return complete({ loeschdatum: r.deletionDate });
    }),
};
