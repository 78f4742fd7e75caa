/**
 * Reassigning across sites in the real browser: the coordinator gives a task of a case of the site
 * Nord (Hamborn) to cm2.duisburg of the site Süd (Rheinhausen); cm2 opens it from "Meine Aufgaben",
 * sees the case beside the form (not "keine für Sie sichtbare Fallakte") and completes it. Afterwards
 * the case is closed to cm2 again.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, openView, SHOTS, signIn, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { FIXTURES, login, startTestStack } from '../support/stack';
import { engineTaskFor } from '../api/engine-tasks';
import { caseFixture } from '../api/fixtures';

const UI_TIMEOUT = 30_000;

let stack: Stack;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ workers: false, processesDir: path.join(FIXTURES, 'tasks') });
  ui = await launchBrowser(UI_TIMEOUT);
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

async function signedIn(username: string, width = 1440): Promise<Page> {
  const page = await ui.newPage({ width, height: 1000 });
  await signIn(page, stack.url, username, { awaitIdentity: width >= 900 });
  // On a phone the header folds away: the signed-in app is there once the login form is gone.
  if (width < 900) await page.getByLabel('Passwort').waitFor({ state: 'detached' });
  return page;
}

test('a coordinator reassigns a task to a case manager of another site, who opens it with its case and completes it', async () => {
  const f = await caseFixture(stack, 'duisburg-nord');
  const reference = (await stack.db.case.findUniqueOrThrow({ where: { id: f.caseId } })).reference;
  const t = await engineTaskFor(stack, f.caseId, 'case-manager:duisburg');

  const koord = await signedIn('koord.duisburg');
  await koord.goto(`${stack.url}/#/tasks/${t.id}/show`);
  await koord.getByRole('button', { name: `Neu zuweisen: ${t.name}` }).click();
  const dialog = koord.getByRole('dialog', { name: 'Aufgabe neu zuweisen' });
  await dialog.getByRole('combobox', { name: /Neue Bearbeitung/ }).click();
  await koord.getByRole('option', { name: /cm2\.duisburg/ }).click();
  await dialog.getByRole('textbox', { name: /Grund/ }).fill('Vertretung für den Standort Nord');
  await dialog.getByRole('button', { name: 'Neu zuweisen', exact: true }).click();
  await dialog.waitFor({ state: 'detached' });
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).assignee).toBe('cm2.duisburg');

  for (const width of [1440, 390]) {
    const cm2 = await signedIn('cm2.duisburg', width);
    if (width === 1440) {
      // The task is in cm2's own list.
      await cm2.goto(`${stack.url}/#/tasks`);
      await openView(cm2, 'Meine Aufgaben');
      await cm2.getByText(t.name).first().waitFor();
    }
    await cm2.goto(`${stack.url}/#/tasks/${t.id}/show`);
    await cm2.getByRole('heading', { name: `Fall ${reference}` }).waitFor();
    expect(await cm2.getByText('keine für Sie sichtbare Fallakte').count()).toBe(0);
    await cm2.screenshot({ path: path.join(SHOTS, `reassign-other-site-${width}.png`), fullPage: true });
    await expectNoSevereA11yViolations(cm2);
    if (width === 390) {
      await cm2.getByRole('button', { name: 'Abschließen' }).click();
      await cm2.getByText(/^Aufgabe abgeschlossen\./).waitFor();
    }
  }
  expect(await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).toMatchObject({ state: 'COMPLETED', completedBy: 'cm2.duisburg' });
  // The task is done: the case of the other site is closed to cm2 again.
  const api = await login(stack.url, 'cm2.duisburg');
  expect((await api.get(`/api/cases/${f.caseId}`)).status).toBe(404);
}, 300_000);
