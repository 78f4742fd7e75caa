/** Shared by the modeler's API and browser tests: fixtures, a second coordinator and a flaky worker. */
import path from 'node:path';
import type { Stack } from '../../server/stack';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES } from './stack';

export const MODELER_FIXTURES = path.join(FIXTURES, 'modeler');

/** kim.test-flaky fails (→ incident with retries="1") until `flaky.healthy` is set. */
export const flaky = { healthy: false, calls: 0, completed: 0 };

export const modelerTestWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
  {
    type: 'kim.test-flaky',
    handler: async () => {
      flaky.calls++;
      if (!flaky.healthy) return { kind: 'fail', message: 'Partnersystem nicht erreichbar (Test)', backoffMs: 0 };
      flaky.completed++;
      return { kind: 'complete' };
    },
  },
];

/** koord2.duisburg: a second coordinator of Duisburg with the demo password (cloned from koord.duisburg). */
export async function ensureSecondCoordinator(stack: Stack, username = 'koord2.duisburg') {
  const k = await stack.db.user.findUniqueOrThrow({ where: { username: 'koord.duisburg' } });
  await stack.db.user.upsert({
    where: { username },
    create: { username, displayName: 'Jonas Berger', passwordHash: k.passwordHash, role: k.role, kommuneId: k.kommuneId, siteId: k.siteId, groups: k.groups },
    update: { active: true, failedLogins: 0, lockedUntil: null },
  });
}

export async function cleanupModeler(stack: Stack) {
  await stack.db.processDraft.deleteMany({ where: { processId: { in: ['kim-test-modeler', 'kim-test-incident'] } } });
}
