/** Shared by the modeler's API and browser tests: fixtures, a second coordinator, a flaky worker and the modeler's pages. */
import path from 'node:path';
import type { Page } from 'playwright-core';
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

/** "Prozesse" → the process's page (its versions, draft and review). */
export async function openProcess(page: Page, processId: string) {
  await page.getByRole('menuitem', { name: 'Prozesse' }).click();
  await page.getByTestId(`process-${processId}`).getByRole('link', { name: 'Öffnen' }).click();
  await page.getByRole('heading', { name: 'Versionen' }).waitFor();
}

/** Waits until the live check has run on the current model and returns its error count. */
export async function lintErrors(page: Page): Promise<number> {
  const status = page.locator('[data-testid="lint-status"][data-checking="false"]:not([data-errors=""])');
  await status.waitFor();
  return Number(await status.getAttribute('data-errors'));
}

/** Renames a shape on the modeler's canvas by direct editing (double click, type, Enter). */
export async function renameOnCanvas(page: Page, elementId: string, name: string) {
  await page.locator(`[data-testid="modeler-canvas"] [data-element-id="${elementId}"]`).dblclick();
  const editor = page.locator('.djs-direct-editing-parent');
  await editor.waitFor();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await editor.waitFor({ state: 'hidden' });
}
