/**
 * The inbox in a real browser: the built web app served by the product stack on the suite's engine
 * and database. Sign-in (German error on a wrong password), the group inbox with the engine's user
 * task, claim, complete (row closed in the database, gone from the list), tenant isolation between
 * communes, an axe-core accessibility check of the inbox page, and the live list: tasks completed
 * or created in the background appear and disappear without a reload, with the life-area filter
 * and the client column.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, openView, SHOTS, signIn as signInAt, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES, login, startTestStack, until } from '../support/stack';

/** The case of the test's task, found in the list by its Aktenzeichen (the list never shows ids). */
let CASE_REF = '';
/** Upper bound for any single UI condition (the 2-core machine may be busy with other runs). */
const UI_TIMEOUT = 30_000;

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];

/** Newest modification time under a path (file or folder). */


let stack: Stack;
let ui: UiBrowser;
let taskId: string;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  ui = await launchBrowser(UI_TIMEOUT);
  const tag = `${process.pid}${Date.now() % 100000}`;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-E2E-${tag}`, firstName: 'Eva', lastName: `Inbox${tag}` } });
  const kase = await stack.db.case.create({ data: { reference: `DU-E2E-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Clearing' } });
  CASE_REF = kase.reference;
  const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId: kase.id, kommuneId: 'duisburg' })).processInstanceKey;
  const row = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik } }), 'Aufgabe der E2E-Instanz in der Projektion');
  taskId = row.id;
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

const newPage = () => ui.newPage();


const signIn = (page: Page, username: string, password?: string) => signInAt(page, stack.url, username, { password });


const rowOf = (page: Page, caseId: string) => page.locator('tbody tr', { hasText: caseId });

test('a wrong password shows the API message in German on the login page', async () => {
  const page = await newPage();
  await page.goto(stack.url);
  await page.getByRole('heading', { name: 'Anmeldung' }).waitFor();
  expect(await page.title()).toBe('KIM Prozessplattform');
  expect(await page.locator('html').getAttribute('lang')).toBe('de');
  await page.screenshot({ path: path.join(SHOTS, 'login.png'), fullPage: true });
  await expectNoSevereA11yViolations(page);

  // Keyboard only: the user name field has the focus, Tab leads to the password, Enter submits.
  await page.keyboard.type('cm.duisburg');
  await page.keyboard.press('Tab');
  await page.keyboard.type('falsches-passwort');
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect((await alert.innerText()).trim()).toBe('Benutzername oder Passwort ist falsch.');
  // Still on the login page.
  await page.getByLabel('Benutzername').waitFor();
});

test('a case manager of another commune does not see the task', async () => {
  const page = await newPage();
  await signIn(page, 'cm.mettmann');
  await page.getByTestId('home-welcome').getByText('Willkommen, Elif Yıldız').waitFor();
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  for (const tab of ['Gruppenaufgaben', 'Meine Aufgaben'] as const) {
    await openView(page, tab);
    expect(await rowOf(page, CASE_REF).count()).toBe(0);
  }
  // No "Alle Aufgaben" for a case manager.
  expect(await page.getByRole('tab', { name: 'Alle Aufgaben' }).count()).toBe(0);
  // Nor by its address.
  await page.goto(`${stack.url}/#/tasks/${taskId}/show`);
  await page.getByText('Die Aufgabe wurde nicht gefunden.').waitFor();
  await page.getByRole('tab', { name: 'Meine Aufgaben', selected: true }).waitFor();
  expect(await page.getByRole('button', { name: 'Abschließen' }).count()).toBe(0);
});

test('a coordinator of the commune sees the task under "Alle Aufgaben"', async () => {
  const page = await newPage();
  await signIn(page, 'koord.duisburg');
  await page.getByTestId('identity-role').getByText('Koordination').waitFor();
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Alle Aufgaben');
  await rowOf(page, CASE_REF).waitFor();
  expect(await rowOf(page, CASE_REF).innerText()).toContain('Erstkontakt prüfen');
});

test('a case manager claims and completes the group task in the browser', async () => {
  const page = await newPage();
  await signIn(page, 'cm.duisburg');

  // Start page: who is signed in and the work overview (the system status is the administrators').
  await page.getByTestId('home-welcome').getByText('Willkommen, Aylin Demir').waitFor();
  await page.getByTestId('identity-role').getByText('Fallmanagement').waitFor();
  await page.getByTestId('home-tasks').waitFor();
  expect(await page.getByTestId('health-database').count()).toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'start.png'), fullPage: true });

  // Group inbox with the engine's task.
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  const row = rowOf(page, CASE_REF);
  await row.waitFor();
  expect(await row.innerText()).toContain('Erstkontakt prüfen');
  expect(await row.innerText()).toContain('kim-test-inbox');

  const headers = (await page.locator('thead th').allInnerTexts()).map((h) => h.trim());
  // At 1280 px the priority column gives way (shown from 1536 px on), so everything fits.
  expect(headers).toEqual(expect.arrayContaining(['Aufgabe', 'Prozess', 'Klient/in', 'Fall', 'erstellt', 'fällig', 'Bearbeitung', 'Aktionen']));
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'inbox.png'), fullPage: true });

  // Claim from the row: the task leaves the group view and is the user's own.
  await row.getByRole('button', { name: /Übernehmen/ }).click();
  await page.getByText('Aufgabe übernommen.').waitFor();
  await until(async () => (await stack.db.task.findUniqueOrThrow({ where: { id: taskId } })).assignee === 'cm.duisburg', 'Aufgabe übernommen (DB)');
  await row.waitFor({ state: 'detached' });
  await openView(page, 'Meine Aufgaben');
  const mine = rowOf(page, CASE_REF);
  await mine.waitFor();
  // The inbox names people by their display name, never by user name.
  expect(await mine.innerText()).toContain('bei mir (Aylin Demir)');
  expect(await mine.innerText()).not.toContain('cm.duisburg');

  // Open it and complete it.
  await mine.getByRole('link', { name: 'Öffnen' }).click();
  await page.getByRole('heading', { name: 'Erstkontakt prüfen', exact: true }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'task.png'), fullPage: true });
  // The task's form (form-js) validates inline: the required checkbox first.
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.getByText('Pflichtfeld – bitte ausfüllen.').first().waitFor();
  await page.getByLabel('Erstkontakt geprüft').check();
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.getByText('Aufgabe abgeschlossen.').waitFor();
  const closed = await until(async () => {
    const t = await stack.db.task.findUniqueOrThrow({ where: { id: taskId } });
    return t.state === 'COMPLETED' ? t : null;
  }, 'Aufgabe in der DB abgeschlossen');
  expect(closed.completedBy).toBe('cm.duisburg');

  // Back on the list the task is gone, also after a reload (CSRF token fetched again via /auth/me).
  await page.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();
  expect(await rowOf(page, CASE_REF).count()).toBe(0);
  await page.reload();
  await openView(page, 'Meine Aufgaben');
  expect(await rowOf(page, CASE_REF).count()).toBe(0);
  await openView(page, 'Gruppenaufgaben');
  expect(await rowOf(page, CASE_REF).count()).toBe(0);
});

test('the list updates by itself when tasks are completed or created in the background; life-area filter and client column', async () => {
  // Two cases of cm.duisburg's site: one with a need in "Wohnen", one with a goal in "Sprache".
  const tag = `${process.pid}${Date.now() % 100000}`;
  const mkCase = async (lastName: string) => {
    const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-LIVE-${lastName}-${tag}`, firstName: 'Live', lastName: `${lastName}${tag}` } });
    return stack.db.case.create({ data: { reference: `DU-LIVE-${lastName}-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung' } });
  };
  const wohnen = await mkCase('Wohnen');
  const sprache = await mkCase('Sprache');
  await stack.db.need.create({ data: { caseId: wohnen.id, lifeArea: 'Wohnen', description: 'Wohnung zu klein' } });
  await stack.db.goal.create({ data: { caseId: sprache.id, lifeArea: 'Sprache', description: 'B1 bestehen' } });
  const start = async (caseId: string) => {
    const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId, kommuneId: 'duisburg' })).processInstanceKey;
    return until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, state: 'CREATED' } }), 'Aufgabe in der Projektion');
  };
  const first = await start(wohnen.id);

  const page = await newPage();
  await signIn(page, 'cm.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  await page.locator('[data-testid="task-live"][data-live="live"]').waitFor();
  await page.getByText('Aktualisiert sich automatisch').waitFor();
  const wohnenRow = rowOf(page, wohnen.reference);
  await wohnenRow.waitFor();
  // Client column: the name for a case of the own site.
  expect(await wohnenRow.innerText()).toContain(`Live Wohnen${tag}`);
  // Case by its Aktenzeichen and the case's site by name; the row's "Öffnen" names the task.
  const site = await stack.db.site.findUniqueOrThrow({ where: { id: 'duisburg-nord' } });
  expect(await wohnenRow.innerText()).toContain(site.name);
  expect(await wohnenRow.getByRole('link', { name: /^Öffnen: / }).count()).toBe(1);

  // Created in the background (engine → projection → event): the row appears without a reload.
  const api = await login(stack.url, 'cm.duisburg');
  const second = await start(sprache.id);
  const spracheRow = rowOf(page, sprache.reference);
  await spracheRow.waitFor();
  expect(await spracheRow.innerText()).toContain(`Live Sprache${tag}`);

  // Life-area filter: "Wohnen" keeps the first task, the other goes.
  await page.getByRole('combobox', { name: 'Lebensbereich' }).click();
  await page.getByRole('option', { name: 'Wohnen' }).click();
  await spracheRow.waitFor({ state: 'detached' });
  await wohnenRow.waitFor();
  await page.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'inbox-live-filter.png'), fullPage: true });

  // Completed in the background through the API: the row disappears by itself.
  const done = await api.post(`/api/tasks/${first.id}/complete?next=false`, { variables: { geprueft: true } });
  expect(done.status).toBe(200);
  await wohnenRow.waitFor({ state: 'detached' });

  // "Sprache" shows the second task (a goal counts); back to all life areas for the next run.
  await page.getByRole('combobox', { name: 'Lebensbereich' }).click();
  await page.getByRole('option', { name: 'Sprache' }).click();
  await spracheRow.waitFor();
  await page.getByRole('combobox', { name: 'Lebensbereich' }).click();
  // The empty choice ("Alle Lebensbereiche") is labelled by react-admin as clearing the input.
  await page.getByRole('option', { name: 'Eingabe löschen' }).click();
  await page.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();
  await api.post(`/api/tasks/${second.id}/complete?next=false`, { variables: { geprueft: true } });
  await spracheRow.waitFor({ state: 'detached' });
});
