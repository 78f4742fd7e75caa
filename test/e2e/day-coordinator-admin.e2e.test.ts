/**
 * The coordinator's and the administrator's day on the real models (kim-intake, kim-case,
 * kim-referral) with the real workers:
 * - koord.duisburg sees the commune's work under pseudonyms, gives a case manager's open first
 *   contact to a colleague of another site (Süd) with a reason – who then works it with its case
 *   beside the form, and loses the access once it is done; opens a person's case file for the
 *   Fachaufsicht only with a stated reason (the case's history shows it); renames a step of the real
 *   referral model, which a second coordinator (koord2.duisburg) reviews side by side and releases
 *   (four eyes) – new referrals then show the new name;
 * - admin.duisburg sees the system status and creates a case manager, who signs in with the
 *   one-time password, sets an own one and starts working.
 * Every main screen at 1440 px and 390 px: axe-clean, no sideways scrolling, nothing technical.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, launchBrowser, openView, UiBrowser } from '../support/browser';
import { dayOf, mainText, menuEntries, PHONE, picturesAfterEach, screen } from '../support/day';
import { check, choose, completeTask, form, heading } from '../support/journey';
import { ensureSecondCoordinator, lintErrors, openProcess, renameOnCanvas } from '../support/modeler';
import { processesDirWith } from '../support/processes';
import { login, startTestStack, testConfig, until } from '../support/stack';
import { fillNewUser, firstSignIn } from '../support/users';

const UI_TIMEOUT = 60_000;
const ENGINE_TIMEOUT = 90_000;
jest.setTimeout(600_000);
const tag = `${process.pid}${Date.now() % 100000}`;
const FOLLOW_UP = 'Task_FollowUpPartner';
const NEW_NAME = 'Beim Angebot telefonisch nachfassen';

let dir: string;
let stack: Stack;
let ui: UiBrowser;
let kase: { caseId: string; reference: string; pseudonym: string; lastName: string };

beforeAll(async () => {
  await ensureUiBuilt();
  delete process.env.KIM_SMTP_URL;
  dir = processesDirWith(['kim-intake', 'kim-case', 'kim-referral']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry, config: testConfig() });
  await ensureSecondCoordinator(stack);
  ui = await launchBrowser(UI_TIMEOUT);
  // The case manager of Nord took a person in this morning (day-case-manager): its first contact is open.
  const cm = await login(stack.url, 'cm.duisburg');
  const lastName = `Karimi${tag}`;
  const res = await cm.post('/api/cases', { client: { firstName: 'Leyla', lastName, languages: ['Persisch'] } });
  expect(res.status).toBe(201);
  const { caseId } = (await res.json()) as { caseId: string };
  const c = await stack.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { client: true } });
  kase = { caseId, reference: c.reference, pseudonym: c.client.pseudonym, lastName };
  await until(() => stack.db.task.findFirst({ where: { caseId, elementId: INTAKE.documentFirstContact, state: 'CREATED' } }), 'Erstkontakt im Aufgabeneingang', ENGINE_TIMEOUT);
}, 300_000);

picturesAfterEach('coordinator-admin', () => ui);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const inboxReady = async (p: Page) => {
  await p.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();
  await p.locator(p.viewportSize()!.width < 1200 ? '[data-testid="task-card"]' : 'tbody tr').first().waitFor();
};

test('coordinator: the commune under pseudonyms; a first contact reassigned to another site, worked there, access ended', async () => {
  const page = await dayOf(ui, stack, 'koord.duisburg');
  await page.getByTestId('home-tasks').getByRole('heading', { name: 'Aufgaben der Kommune' }).waitFor();
  await page.getByTestId('home-tasks').getByText(kase.pseudonym).first().waitFor();
  expect(await mainText(page)).not.toContain(kase.lastName);
  await screen(page, 'coordinator-home');

  // All tasks of the commune: the person as pseudonym; the first contact is with Aylin Demir.
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Alle Aufgaben');
  const row = page.locator('tbody tr').filter({ hasText: kase.reference }).filter({ hasText: 'Erstkontakt dokumentieren' });
  await row.waitFor();
  expect(await row.innerText()).toContain(kase.pseudonym);
  expect(await row.innerText()).toContain('Aylin Demir');
  expect(await mainText(page)).not.toContain(kase.lastName);
  await screen(page, 'coordinator-inbox', { ready: inboxReady });

  // Reassigned to Jonas Becker (site Süd) with a reason – from the task, which the coordinator reads
  // (the person under pseudonym) but does not work.
  await row.getByRole('link', { name: 'Öffnen: Erstkontakt dokumentieren' }).click();
  await heading(page, 'Erstkontakt dokumentieren').waitFor();
  expect(await mainText(page)).not.toContain(kase.lastName);
  await page.getByRole('button', { name: 'Neu zuweisen: Erstkontakt dokumentieren' }).click();
  const dialog = page.getByRole('dialog', { name: 'Aufgabe neu zuweisen' });
  await dialog.getByText('derzeit: Aylin Demir').waitFor();
  await choose(page, 'Neue Bearbeitung', /Jonas Becker/);
  await dialog.getByText(/Regional Support Center Süd/).waitFor();
  await dialog.getByLabel('Grund').fill('Vertretung: Frau Demir ist bis Freitag im Urlaub');
  await screen(page, 'coordinator-reassign', { allowUsernames: true, ready: (p) => p.getByRole('dialog', { name: 'Aufgabe neu zuweisen' }).waitFor() });
  await dialog.getByRole('button', { name: 'Neu zuweisen' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText('ist jetzt Jonas Becker zugewiesen').waitFor();
  const task = await stack.db.task.findFirstOrThrow({ where: { caseId: kase.caseId, elementId: INTAKE.documentFirstContact } });
  expect(task.assignee).toBe('cm2.duisburg');

  // Jonas Becker works it from his own list, with the case beside the form.
  const cm2 = await dayOf(ui, stack, 'cm2.duisburg');
  await cm2.getByTestId('home-tasks').getByRole('link', { name: 'Erstkontakt dokumentieren' }).click();
  await heading(cm2, 'Erstkontakt dokumentieren').waitFor();
  await cm2.getByRole('region', { name: 'Fallkontext' }).getByText(`Fall ${kase.reference}`).waitFor();
  expect(await cm2.getByText('keine für Sie sichtbare Fallakte').count()).toBe(0);
  for (const area of ['Aufenthalt', 'Arbeit', 'Wohnen']) await check(form(cm2), area);
  await screen(cm2, 'case-manager-reassigned-task');
  await completeTask(stack, cm2, task.id, 'cm2.duisburg');
  // Done: the case of the other site is closed to him again.
  await cm2.goto(`${stack.url}/#/cases/${kase.caseId}/show`);
  await cm2.getByText(/nicht gefunden/i).first().waitFor();
  expect(await mainText(cm2)).not.toContain(kase.lastName);
});

test('coordinator: Fachaufsicht opens a person\'s case file only with a reason; the history shows it', async () => {
  const page = await dayOf(ui, stack, 'koord.duisburg');
  await page.getByRole('menuitem', { name: 'Fälle' }).click();
  const row = page.locator('tbody tr', { hasText: kase.reference });
  await row.getByText(kase.pseudonym).waitFor();
  expect(await mainText(page)).not.toContain(kase.lastName);
  await screen(page, 'coordinator-cases', { ready: (p) => p.getByRole('link', { name: kase.reference }).first().waitFor() });

  await row.getByRole('link', { name: kase.reference }).click();
  const dialog = page.getByRole('dialog', { name: 'Fallakte mit Begründung öffnen' });
  await dialog.getByRole('radio', { name: 'Fachaufsicht' }).check();
  await dialog.getByLabel('Begründung').fill('Stichprobe der Fachaufsicht: Dokumentation des Erstkontakts');
  await screen(page, 'coordinator-access-reason');
  await dialog.getByRole('button', { name: 'Fallakte öffnen' }).click();
  await page.getByTestId('case-summary').getByText(`Leyla ${kase.lastName}`).waitFor();
  await page.getByRole('tab', { name: 'Verlauf', exact: true }).click();
  const entry = page.getByRole('tabpanel').getByText(/Fachaufsicht: Stichprobe der Fachaufsicht/).first();
  await entry.waitFor();
  await screen(page, 'coordinator-case-history', { ready: (p) => p.getByRole('tabpanel').getByText(/Fachaufsicht: Stichprobe/).first().waitFor() });
  expect(await stack.db.auditLog.count({ where: { caseId: kase.caseId, action: 'cases.file_opened', username: 'koord.duisburg' } })).toBe(1);
});

test('coordinator: a step of the referral model renamed, reviewed side by side and released by a second coordinator', async () => {
  const page = await dayOf(ui, stack, 'koord.duisburg');
  await openProcess(page, 'kim-referral');
  await page.getByRole('link', { name: /Neuen Entwurf anlegen|Entwurf bearbeiten/ }).click();
  await page.locator(`[data-testid="modeler-canvas"] [data-element-id="${FOLLOW_UP}"]`).waitFor();
  expect(await lintErrors(page)).toBe(0);
  await renameOnCanvas(page, FOLLOW_UP, NEW_NAME);
  expect(await lintErrors(page)).toBe(0);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText('Entwurf gespeichert.').waitFor();
  await page.getByLabel('Kommentar zur Änderung').fill('Nachfassen geschieht telefonisch – so heißt der Schritt jetzt auch');
  await screen(page, 'coordinator-modeler', { ready: (p) => p.locator('[data-testid="modeler-canvas"] .djs-element').first().waitFor() });
  await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
  await page.getByTestId('draft-status').getByText(/zur Freigabe eingereicht/).waitFor();
  expect(await page.getByRole('button', { name: 'Freigeben und bereitstellen' }).count()).toBe(0);

  const before = (await stack.engine.watch.definitions('duisburg', 'kim-referral'))[0].version;
  const second = await dayOf(ui, stack, 'koord2.duisburg');
  await openProcess(second, 'kim-referral');
  await second.getByTestId('diff-summary').getByText(`Geändert: „${NEW_NAME}“`).waitFor();
  for (const side of ['diff-old', 'diff-new']) await second.locator(`[data-testid="${side}"] .kim-diff-changed[data-element-id="${FOLLOW_UP}"]`).waitFor();
  await second.getByLabel('Kommentar zur Freigabe').fill('Geprüft – nur die Bezeichnung ändert sich');
  await screen(second, 'coordinator-review', { ready: (p) => p.getByTestId('diff-summary').waitFor() });
  await second.getByRole('button', { name: 'Freigeben und bereitstellen' }).click();
  await second.getByText(`Freigegeben und bereitgestellt als Version ${before + 1}.`).waitFor();
  const latest = await stack.engine.watch.definitions('duisburg', 'kim-referral');
  expect(Math.max(...latest.map((d) => d.version))).toBe(before + 1);
});

test('administrator: system status, a new case manager who signs in with the one-time password and works', async () => {
  const admin = await dayOf(ui, stack, 'admin.duisburg');
  await admin.getByRole('heading', { name: 'Systemzustand' }).waitFor();
  await screen(admin, 'admin-home');
  // No inbox, case files or process models (no case content for the administration).
  expect(await menuEntries(admin)).toEqual(['Startseite', 'Benutzer*innen', 'Standorte', 'Partnerorganisationen', 'Postausgang', 'Stellen (VZÄ)']);

  await admin.getByRole('menuitem', { name: 'Benutzer*innen' }).click();
  await admin.getByRole('row').filter({ hasText: 'Aylin Demir' }).getByText('Fallmanagement').waitFor();
  await screen(admin, 'admin-users', { allowUsernames: true, ready: (p) => p.getByText('Aylin Demir').first().waitFor() });

  const username = `neu.${tag}`;
  await fillNewUser(admin, stack.url, { username, displayName: 'Nora Feld', role: 'Fallmanagement', site: 'Regional Support Center Mitte', oneTimePassword: 'Einmal-Start-2026' });
  await screen(admin, 'admin-user-create', { allowUsernames: true });
  await admin.getByRole('button', { name: 'Speichern' }).click();
  await admin.getByRole('row').filter({ hasText: username }).getByText('aktiv – Einmalpasswort noch nicht ersetzt').waitFor();
  expect(await stack.db.user.findUniqueOrThrow({ where: { username } })).toMatchObject({ role: 'case_manager', siteId: 'duisburg-mitte', mustChangePassword: true });

  // Nora Feld on her phone: the one-time password, her own one, then her start page.
  const person = await ui.newPage(PHONE);
  await firstSignIn(person, stack.url, username, 'Einmal-Start-2026', 'Noras-eigenes-Passwort-1', async () => {
    await screen(person, 'new-user-password', { allowUsernames: true });
  });
  await person.getByTestId('home-welcome').getByText('Willkommen, Nora Feld').waitFor();
  expect(await stack.db.user.findUniqueOrThrow({ where: { username } })).toMatchObject({ mustChangePassword: false });
  await screen(person, 'new-user-home');
  // The old one-time password no longer works; the own one does.
  const again = await login(stack.url, username, 'Noras-eigenes-Passwort-1');
  expect(again.user.username).toBe(username);
});
