/**
 * The task view shows what each step needs, on the real models in a real browser: the referral
 * task names the offer, purpose, contact details and referral number; each conference consent task
 * names its agency and the occasion; the ABH confirms the prefilled residence facts with one click;
 * the case manager's completeness check lists the required documents; the EBH sees the pre-check,
 * the confirmed residence facts and the checklist; the case manager sees the decision in German.
 * Date fields are German (TT.MM.JJJJ, German month names) even in an English browser. Every view at
 * 1440 px and 390 px (no horizontal scrolling, the buttons reachable), axe-clean.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ELEMENTS as E } from '../../processes/kim-einbuergerung/contract';
import { referralNumber } from '../../server/referrals/referral.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, SHOTS, signIn, UiBrowser } from '../support/browser';
import { processesDirWith } from '../support/processes';
import { MailCatcher, startMailCatcher } from '../support/smtp';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { ALL_COMPLETE, completeVia, conferenceWithTwoAgencies, contextCase, naturalisationAtAbh, OCCASION, openTaskOf, referralWithoutData } from '../support/task-context';

const UI_TIMEOUT = 30_000;
// Each test signs in twice (1440 px and a phone) and runs axe on both; the machine is shared.
jest.setTimeout(300_000);
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let ui: UiBrowser;
let smtp: MailCatcher;
let dir: string;
let cm: Session;
let ebh: Session;

beforeAll(async () => {
  await ensureUiBuilt();
  smtp = await startMailCatcher();
  dir = processesDirWith(['kim-referral', 'kim-fallkonferenz', 'kim-einbuergerung']);
  stack = await startTestStack({ config: testConfig({ KIM_SMTP_URL: smtp.url }), processesDir: dir, workerDefs: registry });
  ui = await launchBrowser(UI_TIMEOUT);
  [cm, ebh] = await Promise.all(['cm.duisburg', 'ebh.duisburg'].map((u) => login(stack.url, u)));
}, 300_000);
afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const stepPanel = (page: Page) => page.getByTestId('step-context');

async function openTask(page: Page, taskId: string, name: string) {
  await page.goto(`${stack.url}/#/tasks/${taskId}/show`);
  await page.getByRole('heading', { name, exact: true, level: 1 }).waitFor();
  await page.getByTestId('camunda-form').locator('.fjs-form').waitFor();
}

/** The page fits the viewport (no horizontal scrolling) and the given button is on screen when scrolled to. */
async function fitsAndReachable(page: Page, button: string) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  const b = page.getByRole('button', { name: button, exact: true });
  await b.scrollIntoViewIfNeeded();
  const box = await b.boundingBox();
  const vw = page.viewportSize()!.width;
  expect(box && box.x >= 0 && box.x + box.width <= vw).toBe(true);
}

/**
 * Screenshots at 1440 px (the given page) and 390 px (a phone: a fresh page of that size signed in
 * as the same user – a phone never was a desktop), axe on both; the page fits and the button is
 * reachable.
 */
async function shots(page: Page, name: string, button: string, user: string, taskId: string, heading: string) {
  await fitsAndReachable(page, button);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, `${name}-1440.png`), fullPage: true });
  const phone = await ui.newPage(PHONE);
  try {
    await signIn(phone, stack.url, user, { awaitIdentity: true });
    await openTask(phone, taskId, heading);
    await fitsAndReachable(phone, button);
    await expectNoSevereA11yViolations(phone);
    await phone.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
  } finally {
    await phone.context().close();
  }
}

test('referral without data: the task names the offer, the purpose, its contact details and the referral number', async () => {
  const c = await contextCase(stack, 'e2e-ref');
  const { referralId, task } = await referralWithoutData(stack, c);
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'cm.duisburg', { awaitIdentity: true });
  await openTask(page, task.id, 'Kontakt des Angebots an Klient*in geben');
  const panel = await stepPanel(page).innerText();
  for (const text of [c.org.name, 'Integrationskurs mit Kinderbetreuung', referralNumber(referralId), c.org.phone, c.org.email, c.org.address, 'Dolmetscher']) expect(panel).toContain(text);
  // the form's own text names them too
  const form = await page.getByTestId('camunda-form').innerText();
  expect(form).toContain(c.org.name);
  expect(form).toContain(referralNumber(referralId));
  expect(await page.getByText('Vermittlung · erstellt').count()).toBe(1);
  await shots(page, 'task-context-vermittlung', 'Abschließen', 'cm.duisburg', task.id, 'Kontakt des Angebots an Klient*in geben');
});

test('conference: each consent task names its agency and shows the occasion', async () => {
  const c = await contextCase(stack, 'e2e-conf');
  const { consentTasks } = await conferenceWithTwoAgencies(stack, cm, c);
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'cm.duisburg', { awaitIdentity: true });
  const named: string[] = [];
  for (const t of consentTasks) {
    await openTask(page, t.id, 'Einwilligung für die Stelle einholen');
    const panel = await stepPanel(page).innerText();
    expect(panel).toContain(OCCASION);
    const agency = [c.org.name, c.org2.name].find((n) => panel.includes(n));
    expect(agency).toBeTruthy();
    named.push(agency!);
    expect(await page.getByTestId('camunda-form').innerText()).toContain(`Für die eingeladene Stelle ${agency}`);
    expect(await page.getByText('eine eingeladene Stelle').count()).toBe(0);
  }
  expect(named.sort()).toEqual([c.org.name, c.org2.name].sort());
  await shots(page, 'task-context-fallkonferenz', 'Abschließen', 'cm.duisburg', consentTasks[1].id, 'Einwilligung für die Stelle einholen');
});

test('naturalisation: ABH confirms the prefilled data in one click; documents listed; EBH sees its decision basis; the case manager the decision; German dates', async () => {
  const c = await contextCase(stack, 'e2e-nat');
  const { einbuergerungId, abhTask } = await naturalisationAtAbh(stack, cm, c);

  // ABH: prefilled, one click
  const a = await ui.newPage(WIDE);
  await signIn(a, stack.url, 'abh.duisburg', { awaitIdentity: true });
  await openTask(a, abhTask.id, 'Aufenthaltsdaten bestätigen oder korrigieren');
  const abhPanel = await stepPanel(a).innerText();
  for (const text of ['01.03.2015', 'Niederlassungserlaubnis']) expect(abhPanel).toContain(text);
  for (const hidden of [c.lastName, 'Arabisch', 'Dolmetsch']) expect(abhPanel).not.toContain(hidden);
  expect(await a.getByTestId('camunda-form').innerText()).toContain('seit 01.03.2015');
  // a difference is typed into prefilled fields only after choosing to correct
  await a.getByTestId('camunda-form').getByRole('radio', { name: 'Angaben korrigieren' }).check();
  const since = a.getByTestId('camunda-form').getByLabel('Rechtmäßiger gewöhnlicher Aufenthalt seit');
  await until(async () => (await since.inputValue()) === '01.03.2015', 'vorbelegtes Datum im Korrekturfeld');
  await a.getByTestId('camunda-form').getByRole('radio', { name: 'Die Angaben stimmen' }).check();
  await shots(a, 'task-context-abh', 'Daten bestätigen', 'abh.duisburg', abhTask.id, 'Aufenthaltsdaten bestätigen oder korrigieren');
  await a.getByRole('button', { name: 'Daten bestätigen', exact: true }).click();
  await a.getByText('Aufgabe abgeschlossen.').waitFor();
  const confirmed = await until(async () => {
    const n = await stack.db.naturalisation.findUniqueOrThrow({ where: { id: einbuergerungId } });
    return n.residenceConfirmedAt && n;
  }, 'Aufenthaltsdaten bestätigt');
  expect(confirmed).toMatchObject({ residenceCorrected: false, residenceTitle: 'niederlassungserlaubnis' });

  // case manager: the completeness check lists the required documents, prefilled
  const check = await openTaskOf(stack, { caseId: c.caseId }, E.checkCompleteness);
  const p = await ui.newPage(WIDE);
  await signIn(p, stack.url, 'cm.duisburg', { awaitIdentity: true });
  await openTask(p, check.id, 'Vollständigkeit des Antrags prüfen');
  const required = await stepPanel(p).innerText();
  for (const text of ['Erforderliche Unterlagen', 'Reisepass: fehlt', 'Meldebescheinigung: fehlt', 'Einkommensnachweis: fehlt']) expect(required).toContain(text);
  expect(await p.getByTestId('camunda-form').locator('.fjs-repeat-row-container, .fjs-repeat-row').count()).toBeGreaterThanOrEqual(6);
  await shots(p, 'task-context-unterlagen', 'Abschließen', 'cm.duisburg', check.id, 'Vollständigkeit des Antrags prüfen');
  await completeVia(cm, check.id, { dokumente: ALL_COMPLETE });

  // EBH: pre-check, confirmed residence facts, checklist
  const pre = await openTaskOf(stack, { caseId: c.caseId }, E.ebhPreCheck);
  const e = await ui.newPage(WIDE);
  await signIn(e, stack.url, 'ebh.duisburg', { awaitIdentity: true });
  await openTask(e, pre.id, 'Antrag vorprüfen');
  const ebhPanel = await stepPanel(e).innerText();
  for (const text of ['alle Voraussetzungen erfüllt', 'Niederlassungserlaubnis', '01.03.2015', 'durch die Ausländerbehörde', 'Unterlagen-Checkliste', 'Reisepass: vollständig']) expect(ebhPanel).toContain(text);
  for (const hidden of [c.lastName, 'Arabisch', 'Dolmetsch']) expect(ebhPanel).not.toContain(hidden);
  // The authority works the task, not the case file: no way into it from the task.
  expect(await e.getByRole('link', { name: 'Fallakte öffnen' }).count()).toBe(0);
  await shots(e, 'task-context-ebh', 'Abschließen', 'ebh.duisburg', pre.id, 'Antrag vorprüfen');
  await completeVia(ebh, pre.id, { ebhErgebnis: 'annehmen' });
  await completeVia(ebh, (await openTaskOf(stack, { caseId: c.caseId }, E.recordDecision)).id, { entscheidung: 'eingebuergert', entscheidungsdatum: '2026-02-01' });

  // case manager: the decision in German, the date field German
  const inform = await openTaskOf(stack, { caseId: c.caseId }, E.informClient);
  await openTask(p, inform.id, 'Klient*in über die Entscheidung informieren');
  const decision = await stepPanel(p).innerText();
  expect(decision).toContain('Einbürgerung zugesichert / vollzogen');
  expect(decision).toContain('01.02.2026');
  expect(await p.getByTestId('camunda-form').innerText()).toContain('Die Einbürgerungsbehörde hat entschieden: Einbürgerung zugesichert / vollzogen');
  expect(await p.getByText('eingebuergert').count()).toBe(0);
  await shots(p, 'task-context-entscheidung', 'Abschließen', 'cm.duisburg', inform.id, 'Klient*in über die Entscheidung informieren');
});

test('date fields are German in an English browser: TT.MM.JJJJ, German month names, the typed date kept as dd.mm.yyyy', async () => {
  const c = await contextCase(stack, 'e2e-date');
  const { abhTask } = await naturalisationAtAbh(stack, cm, c);
  const context = await ui.browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Berlin', viewport: WIDE });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  try {
    await signIn(page, stack.url, 'abh.duisburg', { awaitIdentity: true });
    await openTask(page, abhTask.id, 'Aufenthaltsdaten bestätigen oder korrigieren');
    const form = page.getByTestId('camunda-form');
    await form.getByRole('radio', { name: 'Angaben korrigieren' }).check();
    const since = form.getByLabel('Rechtmäßiger gewöhnlicher Aufenthalt seit');
    expect(await since.getAttribute('placeholder')).toBe('TT.MM.JJJJ');
    await until(async () => (await since.inputValue()) === '01.03.2015', 'vorbelegtes Datum im Korrekturfeld');
    await since.click();
    await form.locator('.flatpickr-calendar.open .flatpickr-weekday', { hasText: 'Mo' }).first().waitFor();
    const calendar = await form.locator('.flatpickr-calendar.open').innerText();
    expect(calendar).toContain('März');
    expect(calendar).not.toMatch(/\b(January|March|May|June|July|October|December|Sun|Mon)\b/);
    await since.fill('15.06.2014');
    await since.press('Enter');
    await since.press('Tab');
    expect(await since.inputValue()).toBe('15.06.2014');
  } finally {
    await context.close();
  }
});
