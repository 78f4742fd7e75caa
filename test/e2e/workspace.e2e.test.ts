/**
 * The task view and the case file in a real browser: a case manager completes a task
 * through its rendered Camunda form (inline validation first), a saved draft survives a reload, the
 * next task of the case opens; the case file shows with its process view (active step highlighted in
 * the diagram, the path taken marked); EBH staff see only their group's task; another
 * commune sees nothing; axe finds no serious or critical violation on inbox, task view and case view.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, openView, SHOTS, signIn as signInAt, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { CaseFixture, caseFixture, taskFor } from '../api/fixtures';
import { FIXTURES, startTestStack, until } from '../support/stack';

const UI_TIMEOUT = 30_000;

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];



let stack: Stack;
let ui: UiBrowser;
let fx: CaseFixture;
let t1: string;
let t2: string;
let ebhTask: string;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  ui = await launchBrowser(UI_TIMEOUT);
  fx = await caseFixture(stack, 'duisburg-nord');
  const start = async () => {
    const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId: fx.caseId, kommuneId: 'duisburg' })).processInstanceKey;
    return (await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik } }), 'Aufgabe in der Projektion')).id;
  };
  t1 = await start();
  t2 = await start();
  ebhTask = (await taskFor(stack, fx.caseId, 'ebh:duisburg')).id;
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

const newPage = () => ui.newPage();


const signIn = (page: Page, username: string) => signInAt(page, stack.url, username, { awaitIdentity: true });


/** The case's Aktenzeichen: the inbox shows the case by it. */
let reference = '';
const caseRef = () => {
  if (!reference) throw new Error('Aktenzeichen des Testfalls fehlt');
  return reference;
};
beforeAll(async () => {
  reference = (await stack.db.case.findUniqueOrThrow({ where: { id: fx.caseId } })).reference;
});

test('a case manager works a task through its form: validation, draft across reload, completion opens the next task', async () => {
  const page = await newPage();
  await signIn(page, 'cm.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  await page.locator('tbody tr', { hasText: caseRef() }).first().waitFor();
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-inbox.png'), fullPage: true });

  await page.goto(`${stack.url}/#/tasks/${t1}/show`);
  await page.getByRole('heading', { name: 'Erstkontakt prüfen', exact: true }).waitFor();
  const box = page.getByLabel('Erstkontakt geprüft');
  await box.waitFor();
  // Case context beside the form.
  await page.getByRole('heading', { name: /^Fall T-/ }).waitFor();
  await page.getByText('Letzte Notizen').waitFor();

  // Required field missing: inline message in German, nothing completed.
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.getByText('Pflichtfeld – bitte ausfüllen.').first().waitFor();
  await page.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie die markierten Felder' }).waitFor();
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t1 } })).state).toBe('CREATED');
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-task-validation.png'), fullPage: true });

  // Draft survives a reload.
  await box.check();
  await page.getByRole('button', { name: 'Entwurf speichern' }).click();
  await page.getByText('Entwurf gespeichert.').waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Erstkontakt prüfen', exact: true }).waitFor();
  await until(async () => page.getByLabel('Erstkontakt geprüft').isChecked(), 'Entwurf nach dem Neuladen');

  // Completion: the next task of the same case opens.
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.waitForURL(new RegExp(`#/tasks/${t2}/show`));
  await page.getByText(/Nächste Aufgabe/).waitFor();
  const done = await stack.db.task.findUniqueOrThrow({ where: { id: t1 } });
  expect(done.state).toBe('COMPLETED');
  expect(done.completedBy).toBe('cm.duisburg');
  await page.getByLabel('Erstkontakt geprüft').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'workspace-next-task.png'), fullPage: true });

  // The case file from the task view.
  await page.getByRole('link', { name: 'Fallakte öffnen' }).click();
  await page.getByRole('heading', { name: /^Fall T-/, level: 1 }).waitFor();
  // The case file is a workspace with tabs (test/e2e/case-workspace.e2e.test.ts covers it in depth).
  for (const h of ['Einwilligungen', 'Vermittlungen', 'Notizen', 'Dokumente', 'Verlauf']) await page.getByRole('tab', { name: h, exact: true }).waitFor();
  const openTab = async (name: string) => {
    await page.getByRole('tab', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 2 }).waitFor();
  };
  await openTab('Dokumente');
  await page.getByText('pass.pdf herunterladen').waitFor();
  await openTab('Vermittlungen');
  await page.getByRole('cell', { name: 'Arbeitsvermittlung' }).waitFor();
  await openTab('Prozessansicht');

  // The process view: the running instance (t2) with its user task highlighted in the SVG, the
  // path to it marked; the text alternative names the active step.
  const view = page.getByRole('region', { name: 'Prozessansicht' });
  const running = view.locator('[data-testid="process-view-kim-test-inbox"][data-state="ACTIVE"]');
  await running.locator('svg g.djs-element.kim-pv-active[data-element-id="Task_CheckFirstContact"]').waitFor();
  await running.locator('svg g.djs-element.kim-pv-done[data-element-id="Task_Prepare"]').waitFor();
  // A straight connection has a zero-height box, so "attached" rather than "visible".
  await running.locator('svg g.djs-element.kim-pv-flow[data-element-id="Flow_2"]').waitFor({ state: 'attached' });
  expect(await running.locator('svg .kim-pv-active').count()).toBe(1);
  expect(await running.getByTestId('process-view-active-steps').innerText()).toBe('Erstkontakt prüfen');
  await view.getByText('aktiver Schritt (blau, dicker Rahmen)').waitFor();
  // The instance of t1 ran to its end (after the worker's last step): its whole path is marked.
  await until(async () => {
    if (await view.locator('[data-testid="process-view-kim-test-inbox"][data-state="COMPLETED"]').count()) return true;
    await view.getByRole('button', { name: 'Aktualisieren' }).click();
    return false;
  }, 'erste Instanz in der Prozessansicht abgeschlossen');
  const finished = view.locator('[data-testid="process-view-kim-test-inbox"][data-state="COMPLETED"]').first();
  await finished.getByRole('button', { name: 'Diagramm anzeigen' }).click();
  await finished.locator('svg g.djs-element.kim-pv-done[data-element-id="EndEvent_Done"]').waitFor();
  await finished.locator('svg g.djs-element.kim-pv-done[data-element-id="Task_CheckFirstContact"]').waitFor();
  expect(await finished.locator('svg .kim-pv-active').count()).toBe(0);
  // The sticky app bar would cover the section's top in an element screenshot.
  await view.screenshot({ path: path.join(SHOTS, 'workspace-process-view.png'), style: 'header.MuiAppBar-root { visibility: hidden !important; }' });

  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-case.png'), fullPage: true });

  // Giving a consent in the case file: recipient, data categories and purpose ticked in the dialog.
  const org = await stack.db.organisation.findUniqueOrThrow({ where: { id: fx.organisationId } });
  await openTab('Einwilligungen');
  await page.getByRole('button', { name: 'Einwilligung erfassen' }).click();
  const dialog = page.getByRole('dialog', { name: 'Einwilligung erfassen' });
  await dialog.getByRole('checkbox', { name: org.name }).check();
  await dialog.getByRole('checkbox', { name: 'Gesundheit' }).check();
  await dialog.getByRole('checkbox', { name: 'Familie' }).check();
  await dialog.getByRole('checkbox', { name: 'Fallkonferenz' }).check();
  await expectNoSevereA11yViolations(page);
  await dialog.getByRole('button', { name: 'Speichern' }).click();
  await dialog.waitFor({ state: 'detached' });
  const given = await until(() => stack.db.consent.findFirst({ where: { caseId: fx.caseId, purposes: { has: 'Fallkonferenz' } } }), 'Einwilligung in der Datenbank');
  expect(given).toMatchObject({ recipients: [org.id], dataCategories: ['Gesundheit', 'Familie'], purposes: ['Fallkonferenz'] });
});

test('EBH staff see only the EBH task; its view shows the minimised case', async () => {
  const page = await newPage();
  await signIn(page, 'ebh.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  // ABH/EBH rows carry the task's own fields and the case's Aktenzeichen – never the case's id.
  const rows = page.locator('tbody tr', { hasText: caseRef() });
  await rows.first().waitFor();
  expect(await rows.count()).toBe(1);
  expect(await page.locator('tbody').innerText()).not.toContain(fx.caseId);
  expect(await rows.first().innerText()).toContain('Akte vorprüfen');
  await page.goto(`${stack.url}/#/tasks/${ebhTask}/show`);
  await page.getByRole('heading', { name: 'Akte vorprüfen', exact: true }).waitFor();
  await page.getByRole('heading', { name: /^Fall T-/ }).waitFor();
  expect(await page.getByText('Letzte Notizen').count()).toBe(0);
  expect(await page.getByText('Einwilligungen').count()).toBe(0);
  // No process view for EBH: not in the task view, and the API refuses it.
  expect(await page.getByText('Prozessansicht').count()).toBe(0);
  expect(await page.evaluate(async (id) => (await fetch(`/api/cases/${id}/processes`)).status, fx.caseId)).toBe(403);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-ebh-task.png'), fullPage: true });
});

test('a case manager of another commune sees none of these tasks', async () => {
  const page = await newPage();
  await signIn(page, 'cm.mettmann');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  for (const tab of ['Gruppenaufgaben', 'Meine Aufgaben'] as const) {
    await openView(page, tab);
    expect(await page.locator('tbody tr', { hasText: caseRef() }).count()).toBe(0);
  }
  await page.goto(`${stack.url}/#/tasks/${t2}/show`);
  await page.getByText('Die Aufgabe wurde nicht gefunden.').waitFor();
  expect(await page.evaluate(async (id) => (await fetch(`/api/cases/${id}/processes`)).status, fx.caseId)).toBe(404);
});
