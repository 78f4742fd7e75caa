/**
 * A case manager's day, part 1, on the real models (kim-intake, kim-case, kim-referral) with the real
 * workers and the embedded mail catcher (no mail server configured, as after `npm start`):
 * cm.duisburg starts on the home page, takes a new person in (Neue Erstberatung → first contact →
 * consent → support plan), refers the person to a language school with data (the consent covers it:
 * "Vermittlung mit Daten freigeben") and to a debt counselling service without data (the contact
 * and the referral number handed over), the two partners answer through the link in their e-mail
 * (one accepts, one declines with a reason), and the case manager sees the answers in the case file
 * and on the home page. Every main screen at 1440 px and 390 px: axe-clean, no sideways scrolling,
 * nothing technical on it (docs/screenshots/day-case-manager-*.png).
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { ELEMENTS as CASE } from '../../processes/kim-case/contract';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import { ELEMENT as REFERRAL } from '../../processes/kim-referral/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, launchBrowser, openView, UiBrowser } from '../support/browser';
import { dayOf, linkIn, picturesAfterEach, screen, WIDE } from '../support/day';
import { check, choose, completeTask, form, heading, pick, reachTask, typeDate } from '../support/journey';
import { processesDirWith } from '../support/processes';
import { startTestStack, testConfig, until } from '../support/stack';

const UI_TIMEOUT = 60_000;
// Each step is checked at two widths with axe; on a loaded, shared machine that takes its time.
jest.setTimeout(600_000);
const ENGINE_TIMEOUT = 90_000;
const USER = 'cm.duisburg';
const tag = `${process.pid}${Date.now() % 100000}`;
const LANGUAGE_SCHOOL = 'VHS Duisburg – Sprachkurse';
const DEBT_COUNSELLING = 'AWO Schuldnerberatung Duisburg';

let dir: string;
let stack: Stack;
let ui: UiBrowser;
let page: Page;
const kase = { caseId: '', reference: '' };

beforeAll(async () => {
  await ensureUiBuilt();
  // Out of the box: no mail server, the embedded mail catcher takes every e-mail.
  delete process.env.KIM_SMTP_URL;
  dir = processesDirWith(['kim-intake', 'kim-case', 'kim-referral']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry, config: testConfig() });
  ui = await launchBrowser(UI_TIMEOUT);
  page = await dayOf(ui, stack, USER);
}, 300_000);

picturesAfterEach('case-manager', () => ui);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The inbox shows a table at 1440 px and cards at 390 px. */
const inboxReady = async (p: Page) => {
  await p.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();
  await p.locator(p.viewportSize()!.width < 1200 ? '[data-testid="task-card"]' : 'tbody tr').first().waitFor();
};

async function openCase(p: Page, tab?: string) {
  await p.goto(`${stack.url}/#/cases/${kase.caseId}/show`);
  await heading(p, `Fall ${kase.reference}`).waitFor();
  if (tab) {
    await p.getByRole('tab', { name: tab, exact: true }).click();
    await p.getByRole('tab', { name: tab, exact: true, selected: true }).waitFor();
  }
}

test('morning: the home page, then a new person from the first contact through consent to the support plan', async () => {
  await page.getByTestId('home-tasks').getByRole('heading', { name: 'Meine Aufgaben' }).waitFor();
  expect(await page.getByTestId('home-where').innerText()).toBe('Fallmanagement · Stadt Duisburg, Regional Support Center Nord (Hamborn)');

  // Neue Erstberatung for a new person who needs an interpreter.
  await page.getByRole('menuitem', { name: 'Fälle' }).click();
  await page.getByRole('link', { name: 'Neue Erstberatung' }).click();
  await heading(page, 'Neue Erstberatung').waitFor();
  const lastName = `Haddad${tag}`;
  await page.getByLabel('Vorname').fill('Amina');
  await page.getByLabel('Nachname').fill(lastName);
  await page.getByLabel('Geburtsdatum').fill('14.05.1991');
  await page.getByLabel('Sprachen').fill('Arabisch, Englisch');
  await page.getByLabel('Dolmetschung nötig').check();
  await screen(page, 'case-manager-intake');
  await page.getByRole('button', { name: 'Erstberatung starten' }).click();
  await page.waitForURL(/#\/cases\/[0-9a-f-]{36}\/show/);
  kase.caseId = /#\/cases\/([0-9a-f-]{36})\/show/.exec(page.url())![1];
  kase.reference = (await stack.db.case.findUniqueOrThrow({ where: { id: kase.caseId } })).reference;

  // First contact: three life areas and several legal spheres – the decision chooses case management.
  const first = await reachTask(stack, page, kase, INTAKE.documentFirstContact, 'Erstkontakt dokumentieren');
  expect(first.assignee).toBe(USER);
  for (const area of ['Aufenthalt', 'Sprache', 'Finanzen']) await check(form(page), area);
  await check(form(page), 'Mehrere Rechtskreise / Stellen sind beteiligt (z. B. Jobcenter und Ausländerbehörde)');
  // The interpreter need typed at the start is already ticked.
  expect(await form(page).getByRole('checkbox', { name: 'Dolmetschung wird benötigt' }).isChecked()).toBe(true);
  await screen(page, 'case-manager-first-contact');
  await completeTask(stack, page, first.id, USER);

  // Consent to the language school, the Jobcenter and the youth office for referrals and conferences.
  const consent = await reachTask(stack, page, kase, INTAKE.captureConsent, 'Einwilligung erfassen');
  await form(page).getByRole('radio', { name: 'Erteilt', exact: true }).check();
  for (const org of [LANGUAGE_SCHOOL, 'Jobcenter Duisburg']) await check(form(page), org);
  for (const p of ['Vermittlung an eine Stelle', 'Fallkonferenz', 'Stammdaten', 'Bildung und Arbeit']) await check(form(page), p);
  await typeDate(form(page), 'Gültig bis', '31.12.2030');
  await completeTask(stack, page, consent.id, USER);
  await until(() => stack.db.consent.findFirst({ where: { caseId: kase.caseId } }), 'Einwilligung in der Datenbank', ENGINE_TIMEOUT);

  // The support plan: one goal in the language area.
  const plan = await reachTask(stack, page, kase, CASE.createSupportPlan, 'Förderplan erstellen');
  const goal = `Deutschkurs B1 mit Kinderbetreuung ${tag}`;
  const items = form(page).locator('.fjs-form-field-dynamiclist .fjs-repeat-row-container');
  await pick(items.nth(0).locator('.fjs-form-field-select'), 'Sprache');
  await items.nth(0).getByRole('textbox', { name: 'Ziel', exact: true }).fill(goal);
  await screen(page, 'case-manager-support-plan');
  await completeTask(stack, page, plan.id, USER);
  await until(() => stack.db.goal.findFirst({ where: { caseId: kase.caseId, description: goal } }), 'Ziel in der Datenbank', ENGINE_TIMEOUT);
  await reachTask(stack, page, kase, CASE.planNextStep, 'Nächsten Schritt festlegen');

  // The case file: needs with the goal, the summary header.
  await openCase(page);
  await page.getByRole('tabpanel').getByText(`Ziel: ${goal}`).waitFor();
  const summary = await page.getByTestId('case-summary').innerText();
  for (const text of [`Amina ${lastName}`, 'Umsetzung', 'Case Management', 'Aylin Demir', 'erteilt (gültig bis 31.12.2030)']) expect(summary).toContain(text);
  await screen(page, 'case-manager-case');
});

test('referrals with data (released) and without data (contact handed over); the partners answer through their e-mail links', async () => {
  expect(kase.caseId).toBeTruthy();
  const start = async (org: string, lifeArea: string, purpose: string) => {
    await openCase(page);
    await page.getByRole('button', { name: 'Vermittlung starten' }).click();
    const dialog = page.getByRole('dialog', { name: 'Vermittlung starten' });
    await choose(page, 'Angebot / Organisation', org);
    await choose(page, 'Lebensbereich', lifeArea);
    await dialog.getByLabel('Zweck der Vermittlung').fill(purpose);
    await dialog.getByRole('button', { name: 'Vermittlung starten' }).click();
    await dialog.waitFor({ state: 'detached' });
    return until(() => stack.db.referral.findFirst({ where: { caseId: kase.caseId, purpose } }), 'Vermittlung in der Datenbank');
  };

  // With data: the consent covers the language school – the case manager releases the sending.
  const course = await start(LANGUAGE_SCHOOL, 'Sprache', `Integrationskurs B1 am Vormittag ${tag}`);
  // The inbox: the release is the case manager's own task, named as people read it.
  await until(() => stack.db.task.findFirst({ where: { caseId: kase.caseId, elementId: REFERRAL.releaseReferral, state: 'CREATED' } }), 'Freigabe im Aufgabeneingang', ENGINE_TIMEOUT);
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Meine Aufgaben');
  const row = page.locator('tbody tr').filter({ hasText: kase.reference }).filter({ hasText: 'Vermittlung mit Daten freigeben' });
  await row.waitFor();
  expect(await row.innerText()).toContain('Amina Haddad');
  expect(await row.innerText()).toContain('bei mir (Aylin Demir)');
  await screen(page, 'case-manager-inbox', { ready: inboxReady });
  const release = await reachTask(stack, page, kase, REFERRAL.releaseReferral, 'Vermittlung mit Daten freigeben');
  const step = await page.getByTestId('step-context').innerText();
  for (const text of [LANGUAGE_SCHOOL, 'mit Daten (Einwilligung liegt vor)', 'noch nicht versendet']) expect(step).toContain(text);
  expect(await page.getByText(/Bearbeitung: bei mir \(Aylin Demir\)/).count()).toBe(1);
  await form(page).getByRole('checkbox', { name: 'Ich habe die Vermittlung geprüft und gebe den Versand frei' }).check();
  await screen(page, 'case-manager-referral-with-data');
  await completeTask(stack, page, release.id, USER);

  // Without data: no consent for the debt counselling – the client gets contact and number.
  const debts = await start(DEBT_COUNSELLING, 'Finanzen', `Schuldenberatung wegen Mietrückstand ${tag}`);
  const handOver = await reachTask(stack, page, kase, REFERRAL.handOverContact, 'Kontakt des Angebots an Klient*in geben');
  const handOverStep = await page.getByTestId('step-context').innerText();
  for (const text of [DEBT_COUNSELLING, 'ohne Daten (keine passende Einwilligung)', 'Vermittlungsnummer', 'Dolmetscher']) expect(handOverStep).toContain(text);
  await form(page).getByRole('radio', { name: 'Persönlich im Gespräch' }).check();
  await form(page).getByRole('checkbox', { name: 'Kontaktdaten und Vermittlungsnummer wurden übergeben' }).check();
  await screen(page, 'case-manager-referral-without-data');
  await completeTask(stack, page, handOver.id, USER);

  // Each partner gets an e-mail (the embedded mail catcher takes it) with a link for the answer.
  const mailOf = (referralId: string, recipientLike: string) =>
    until(() => stack.db.mailOutbox.findFirst({ where: { caseId: kase.caseId, kind: 'referral', status: 'sent', recipient: { contains: recipientLike } } }), `E-Mail der Vermittlung ${referralId}`, ENGINE_TIMEOUT);
  const courseMail = await mailOf(course.id, 'vhs-duisburg');
  const debtMail = await mailOf(debts.id, 'awo-duisburg');
  // Without data the mail carries no name of the person.
  expect(debtMail.body).not.toContain('Haddad');

  const partner = await ui.newPage(WIDE);
  await partner.goto(`${stack.url}${linkIn(courseMail.body, '/partner/referrals/')}`);
  await partner.getByText('Angaben zur Person (laut Einwilligung)').waitFor();
  await partner.getByRole('radio', { name: 'Ja, wir nehmen die Vermittlung an' }).check();
  await screen(partner, 'partner-referral');
  await partner.getByRole('button', { name: 'Antwort senden' }).click();
  await partner.getByText('Vielen Dank: Sie haben die Vermittlung angenommen.').waitFor();

  await partner.goto(`${stack.url}${linkIn(debtMail.body, '/partner/referrals/')}`);
  await partner.getByText('Für diese Vermittlung liegt keine Einwilligung zur Weitergabe von Daten vor.').waitFor();
  await partner.getByRole('radio', { name: 'Nein, wir lehnen ab (bitte Grund angeben)' }).check();
  await partner.getByLabel(/Grund der Ablehnung/).fill('Derzeit keine freien Beratungstermine, bitte in vier Wochen erneut.');
  await partner.getByRole('button', { name: 'Antwort senden' }).click();
  await partner.getByText('Vielen Dank: Ihre Ablehnung und der Grund wurden übermittelt.').waitFor();

  await until(async () => (await stack.db.referral.findUniqueOrThrow({ where: { id: course.id } })).status === 'angenommen', 'Vermittlung angenommen', ENGINE_TIMEOUT);
  await until(async () => (await stack.db.referral.findUniqueOrThrow({ where: { id: debts.id } })).status === 'abgelehnt', 'Vermittlung abgelehnt', ENGINE_TIMEOUT);

  // The case file: organisation, with/without data, state and answer.
  await openCase(page, 'Vermittlungen');
  const panel = page.getByRole('tabpanel');
  const courseRow = panel.locator('tr', { hasText: LANGUAGE_SCHOOL });
  await courseRow.getByText('vom Partner angenommen').waitFor();
  expect(await courseRow.innerText()).toContain('mit Daten (Einwilligung)');
  const debtRow = panel.locator('tr', { hasText: DEBT_COUNSELLING });
  await debtRow.getByText('vom Partner abgelehnt').waitFor();
  expect(await debtRow.innerText()).toContain('ohne Daten');
  expect(await debtRow.innerText()).toContain('Derzeit keine freien Beratungstermine');
  await screen(page, 'case-manager-referrals');

  // The home page: the partners' answers of the last days, each a link to the case.
  await page.getByRole('menuitem', { name: 'Startseite' }).click();
  const answers = page.getByTestId('home-answers');
  await answers.getByText('hat die Vermittlung angenommen').waitFor();
  await answers.getByText('hat die Vermittlung abgelehnt').waitFor();
  await answers.getByRole('link', { name: kase.reference }).first().waitFor();
  await screen(page, 'case-manager-home', { ready: (p) => p.getByTestId('home-answers').waitFor() });
});
