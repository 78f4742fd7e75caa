/**
 * The process modeler in a real browser on the real stack (issue 7): a coordinator renames a user
 * task in the camunda-cloud modeler, the live check passes, saves and submits; a second coordinator
 * reviews the visual diff and approves; the server deploys; a new instance shows the new name in the
 * inbox. A model with an unknown job type is refused with a German message; a case manager reaches
 * neither the editor nor its API; an incident of a failing worker shows up and is retried.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, SHOTS, signIn, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { cleanupModeler, ensureSecondCoordinator, flaky, MODELER_FIXTURES, modelerTestWorkers } from '../support/modeler';
import { login, startTestStack, until } from '../support/stack';

const UI_TIMEOUT = 30_000;
const NEW_NAME = 'Anfrage im Browser prüfen';



let stack: Stack;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: MODELER_FIXTURES, workerDefs: [...registry, ...modelerTestWorkers] });
  await ensureSecondCoordinator(stack);
  await cleanupModeler(stack);
  ui = await launchBrowser(UI_TIMEOUT);
}, 240_000);

afterAll(async () => {
  await ui?.close();
  if (stack) await cleanupModeler(stack);
  await stack?.stop();
});

async function signedIn(username: string): Promise<Page> {
  const page = await ui.newPage({ width: 1400, height: 1000 });
  await signIn(page, stack.url, username);
  await page.getByRole('menuitem', { name: 'Prozesse' }).waitFor();
  return page;
}

async function openProcess(page: Page, processId: string) {
  await page.getByRole('menuitem', { name: 'Prozesse' }).click();
  await page.getByTestId(`process-${processId}`).getByRole('link', { name: 'Öffnen' }).click();
  await page.getByRole('heading', { name: 'Versionen' }).waitFor();
}

/** Waits until the live check has run on the current model and returns its error count. */
async function lintErrors(page: Page): Promise<number> {
  const status = page.locator('[data-testid="lint-status"][data-checking="false"]:not([data-errors=""])');
  await status.waitFor();
  return Number(await status.getAttribute('data-errors'));
}

test('a coordinator renames a user task, a second coordinator approves, new instances show the new name', async () => {
  const page = await signedIn('koord.duisburg');
  await openProcess(page, 'kim-test-modeler');
  await page.getByRole('link', { name: 'Neuen Entwurf anlegen' }).click();
  await page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_CheckRequest"]').waitFor();
  expect(await lintErrors(page)).toBe(0);

  // Rename the user task on the canvas (direct editing; the properties panel shows the same name).
  await page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_CheckRequest"]').dblclick();
  const editor = page.locator('.djs-direct-editing-parent');
  await editor.waitFor();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(NEW_NAME);
  await page.keyboard.press('Enter');
  await editor.waitFor({ state: 'hidden' });
  await page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_CheckRequest"]').getByText('Anfrage im Browser').waitFor();
  await page.locator('[data-testid="lint-status"][data-checking="true"]').waitFor().catch(() => undefined);
  expect(await lintErrors(page)).toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'modeler-editor.png'), fullPage: true });
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText('Entwurf gespeichert.').waitFor();
  await page.getByLabel('Kommentar zur Änderung').fill('Aufgabe verständlicher benannt');
  await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
  await page.getByTestId('draft-status').getByText(/zur Freigabe eingereicht/).waitFor();
  // The author cannot approve.
  await page.getByText(/Vier-Augen-Prinzip/).waitFor();
  expect(await page.getByRole('button', { name: 'Freigeben und bereitstellen' }).count()).toBe(0);

  const before = (await stack.db.processDefinition.findFirstOrThrow({ where: { processId: 'kim-test-modeler' }, orderBy: { version: 'desc' } })).version;
  const page2 = await signedIn('koord2.duisburg');
  await openProcess(page2, 'kim-test-modeler');
  await page2.getByTestId('diff-summary').getByText(/Geändert: .*Task_CheckRequest/).waitFor();
  await page2.screenshot({ path: path.join(SHOTS, 'modeler-review.png'), fullPage: true });
  await page2.getByLabel('Kommentar zur Freigabe').fill('Geprüft – passt');
  await page2.getByRole('button', { name: 'Freigeben und bereitstellen' }).click();
  await page2.getByText(`Freigegeben und bereitgestellt als Version ${before + 1}.`).waitFor();
  await page2.getByTestId(`version-${before + 1}`).getByText('Geprüft – passt').waitFor();

  // A new instance gets the new version; the inbox shows the new name.
  const r = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-modeler', variables: { kommuneId: 'duisburg', caseId: 'e2e-modeler' } });
  const t = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: String(r.processInstanceKey) } }), 'Aufgabe der neuen Version');
  expect(t.processVersion).toBe(before + 1);
  const cm = await signedIn('cm.duisburg');
  await cm.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await cm.getByRole('tab', { name: 'Gruppenaufgaben' }).click();
  await cm.locator('tbody tr', { hasText: 'e2e-modeler' }).getByText(NEW_NAME).waitFor();
});

test('a model with an unknown job type is refused with a German message', async () => {
  const api = await login(stack.url, 'koord.duisburg');
  await api.del('/api/models/kim-test-modeler/draft');
  const d = (await (await api.post('/api/models/kim-test-modeler/draft')).json()) as { xml: string; revision: number };
  await api.put('/api/models/kim-test-modeler/draft', { xml: d.xml.replace('type="kim.test-after"', 'type="kim.gibt-es-nicht"'), revision: d.revision });
  const page = await signedIn('koord.duisburg');
  await page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
  expect(await lintErrors(page)).toBe(1);
  await page.getByText('Fehler bei Task_After: Unbekannter Job-Typ „kim.gibt-es-nicht“: dafür gibt es keinen Worker. Bitte einen automatischen Schritt aus der Vorlagenliste wählen.').waitFor();
  await page.getByLabel('Kommentar zur Änderung').fill('Versuch');
  expect(await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).isDisabled()).toBe(true);
  const submit = await api.post('/api/models/kim-test-modeler/draft/submit', { comment: 'Versuch' });
  expect(submit.status).toBe(422);
  expect(((await submit.json()) as { title: string }).title).toContain('Unbekannter Job-Typ „kim.gibt-es-nicht“');
  await api.del('/api/models/kim-test-modeler/draft');
});

test('a case manager reaches neither the editor nor its API', async () => {
  const page = await signedIn('cm.duisburg');
  await page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
  await page.getByText('Nur Koordinierende der Kommune dürfen Prozessmodelle bearbeiten.').waitFor();
  expect(await page.getByTestId('modeler-canvas').count()).toBe(0);
  await openProcess(page, 'kim-test-modeler');
  expect(await page.getByRole('link', { name: /Entwurf/ }).count()).toBe(0);
  const api = await login(stack.url, 'cm.duisburg');
  for (const res of [await api.get('/api/models/kim-test-modeler/draft'), await api.post('/api/models/kim-test-modeler/draft'), await api.get('/api/models/element-templates')]) expect(res.status).toBe(403);
});

test('an incident of a failing worker shows up and the retry button re-runs the step', async () => {
  flaky.healthy = false;
  const r = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-incident', variables: {} });
  const pik = String(r.processInstanceKey);
  await until(() => stack.db.incident.findFirst({ where: { processInstanceKey: pik } }), 'Vorfall erfasst');
  const page = await signedIn('koord.duisburg');
  await openProcess(page, 'kim-test-incident');
  const row = page.getByTestId(`incident-${pik}`);
  await row.getByText('Partnersystem nicht erreichbar (Test)').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'modeler-incidents.png'), fullPage: true });
  flaky.healthy = true;
  const done = flaky.completed;
  await row.getByRole('button', { name: 'Erneut versuchen' }).click();
  await page.getByText('Schritt wird erneut ausgeführt.').waitFor();
  await row.getByText('erneut versucht (koord.duisburg)').waitFor();
  await until(async () => flaky.completed > done, 'Schritt nach Wiederholung erledigt');
});
