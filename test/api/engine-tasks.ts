/** A real user task of the engine for the API tests: routed to one group and linked to a case. */
import type { Stack } from '../../server/stack';
import { until } from '../support/stack';

/** Deployed from test/fixtures/tasks (startTestStack({ processesDir: path.join(FIXTURES, 'tasks') })). */
export const TASK_PROCESS = 'kim-test-task';

export async function engineTaskFor(stack: Stack, caseId: string, group: string, kommuneId = 'duisburg') {
  const pik = (await stack.engine.runtime.start(TASK_PROCESS, kommuneId, { caseId, kommuneId, gruppe: group })).processInstanceKey;
  // The engine's listener wrote the row in the start's transaction.
  return until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, state: 'CREATED' } }), `Aufgabe der Instanz ${pik}`, 5_000);
}
