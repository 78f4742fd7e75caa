/**
 * The residence path (kim-bleiberecht) end to end in a real browser, on the real engine with the real
 * model, decision, forms and workers: the case manager begins it in the case file and records what
 * the person reports; the ABH finds its task in its own inbox, the facts prefilled, and corrects the
 * Duldung's end; the engine's decision kim-bleiberecht-vorpruefung runs and the case manager sees its
 * result beside the form and in the case file; the application is prepared and handed over, the ABH
 * records its decision, the case manager informs the person and the path ends. The case file's tab
 * "Aufenthalt" shows the deadline timeline – German names and dates, passed, near and later dates
 * marked in words – at 1440 px and 390 px without sideways scrolling; both start pages list the
 * deadlines of the next 90 days. After each step the database shows what the browser claimed; axe
 * finds no serious or critical violation. Screenshots bleiberecht-*.png go to test-results/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ELEMENTS as E, PROCESS_ID } from '../../processes/kim-bleiberecht/contract';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, expectNoSevereA11yViolations, expectNoSideScroll, launchBrowser, openView, SHOTS, signIn, UiBrowser } from '../support/browser';
import { processesDirWith } from '../support/processes';
import { startTestStack, until } from '../support/stack';
import { openTaskOf } from '../support/task-context';

const UI_TIMEOUT = 60_000;
jest.setTimeout(600_000);
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const tag = `${process.pid}-${Date.now()}`;

let dir: string;
let stack: Stack;
let ui: UiBrowser;
let cmPage: Page;
let abhPage: Page;
let caseId: string;
let reference: string;

// Dates around today (Germany): the person is 20, here for four years, tolerated for two; the
// passport expired five days ago; the Duldung ends in 20 days as reported, in 25 as the ABH knows.
const DAY = 86_400_000;
const today = todayInBerlin();
const year = Number(today.slice(0, 4));
const plusDays = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const german = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
const BIRTH = `${year - 20}-03-10`;
const SINCE = `${year - 4}-01-15`;
const TOLERATED = `${year - 2}-01-15`;
const PASS = plusDays(-5);
const DULDUNG_REPORTED = plusDays(20);
const DULDUNG_CORRECTED = plusDays(25);

beforeAll(async () => {
  await ensureUiBuilt();
  dir = processesDirWith([PROCESS_ID]);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry });
  ui = await launchBrowser(UI_TIMEOUT);
  const cm = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
  const client = await stack.db.client.create({
    data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-BR-E2E-${tag}`, firstName: 'Amina', lastName: `Bleibe ${tag}`, birthDate: new Date(`${BIRTH}T00:00:00Z`) },
  });
  const kase = await stack.db.case.create({ data: { reference: `DU-BR-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung', caseManagerId: cm.id } });
  caseId = kase.id;
  reference = kase.reference;
  cmPage = await ui.newPage(WIDE);
  await signIn(cmPage, stack.url, 'cm.duisburg', { awaitIdentity: true });
  abhPage = await ui.newPage(WIDE);
  await signIn(abhPage, stack.url, 'abh.duisburg', { awaitIdentity: true });
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const form = (page: Page) => page.getByTestId('camunda-form');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `bleiberecht-${name}.png`), fullPage: true });
const residencePath = () => stack.db.residencePath.findFirstOrThrow({ where: { caseId } });
const deadlines = async () => Object.fromEntries((await stack.db.residenceDeadline.findMany({ where: { caseId } })).map((d) => [d.kind, d.date.toISOString().slice(0, 10)]));

/** Opens a task by its address and waits for its form. */
async function openTask(page: Page, taskId: string, name: string) {
  await page.goto(`${stack.url}/#/tasks/${taskId}/show`);
  await page.getByRole('heading', { name, exact: true, level: 1 }).waitFor();
  await form(page).locator('.fjs-form').waitFor();
}

/** "Abschließen": the page leaves the task and the engine has it completed by `user`. */
async function complete(page: Page, taskId: string, user: string) {
  await page.getByRole('button', { name: 'Abschließen', exact: true }).click();
  await page.waitForURL((u) => !u.hash.startsWith(`#/tasks/${taskId}/`));
  const t = await until(async () => {
    const row = await stack.db.task.findUniqueOrThrow({ where: { id: taskId } });
    return row.state === 'COMPLETED' && row;
  }, 'Aufgabe abgeschlossen');
  expect(t.completedBy).toBe(user);
}

/** A form-js date: typed in German form, taken with Enter; a click on the heading closes the calendar. */
async function typeDate(field: Locator, iso: string) {
  await field.fill(german(iso));
  await field.press('Enter');
  await field.page().getByRole('heading', { level: 1 }).click();
  await field.page().locator('.flatpickr-calendar.open').waitFor({ state: 'detached' });
  expect(await field.inputValue()).toBe(german(iso));
}

/** A form-js select (found by its label): opens its list and picks the option by its full text or its beginning. */
async function pick(page: Page, label: string, option: string | RegExp) {
  const field = form(page).locator('.fjs-form-field-select', { has: page.locator('label', { hasText: label }) });
  const text = typeof option === 'string' ? new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : option;
  await field.locator('.fjs-input-group').click();
  await field.locator('.fjs-dropdownlist-item', { hasText: text }).click();
  await field.locator('.fjs-select-display', { hasText: text }).waitFor();
}

async function openResidenceTab(page: Page) {
  await page.goto(`${stack.url}/#/cases/${caseId}/show`);
  await page.getByRole('heading', { name: `Fall ${reference}`, level: 1 }).waitFor();
  await page.getByRole('tab', { name: 'Aufenthalt', exact: true }).click();
  await page.getByRole('tab', { name: 'Aufenthalt', selected: true }).waitFor();
  return page.getByTestId('residence-timeline');
}

test('the case manager begins the residence path in the case file and records what the person reports', async () => {
  await cmPage.goto(`${stack.url}/#/cases/${caseId}/show`);
  await cmPage.getByRole('heading', { name: `Fall ${reference}`, level: 1 }).waitFor();
  // No residence data yet: no tab for it.
  expect(await cmPage.getByRole('tab', { name: 'Aufenthalt', exact: true }).count()).toBe(0);
  await cmPage.getByRole('button', { name: 'Bleiberecht vorbereiten' }).click();
  const dialog = cmPage.getByRole('dialog', { name: 'Bleiberecht vorbereiten' });
  await dialog.getByText(/Beginnt das Bleiberechtsverfahren/).waitFor();
  await dialog.getByRole('button', { name: 'Verfahren beginnen' }).click();
  await dialog.waitFor({ state: 'detached' });
  await cmPage.getByText('Bleiberechtsverfahren begonnen.', { exact: false }).waitFor();
  const started = await until(() => stack.db.residencePath.findFirst({ where: { caseId, processInstanceKey: { not: null } } }), 'Bleiberechtsverfahren gestartet');
  expect(await stack.engine.runtime.isRunning(started.processInstanceKey!)).toBe(true);
  // The path has begun: the case file shows its tab with where it stands.
  await cmPage.getByRole('tab', { name: 'Aufenthalt', exact: true }).click();
  await cmPage.getByTestId('residence-path').getByText('angelegt').waitFor();

  // The first task is the starter's own, in "Meine Aufgaben".
  const facts = await openTaskOf(stack, { caseId }, E.recordFacts);
  expect(facts.assignee).toBe('cm.duisburg');
  await cmPage.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(cmPage, 'Meine Aufgaben');
  await cmPage.locator('tbody tr', { hasText: reference }).getByRole('link', { name: 'Öffnen: Angaben zum Aufenthalt erfassen' }).click();
  await cmPage.getByRole('heading', { name: 'Angaben zum Aufenthalt erfassen', exact: true, level: 1 }).waitFor();
  await form(cmPage).locator('.fjs-form').waitFor();
  await pick(cmPage, 'Aufenthaltsstatus', 'Duldung');
  const f = form(cmPage);
  await typeDate(f.getByLabel('Ununterbrochener Aufenthalt (erlaubt, geduldet oder gestattet) seit', { exact: true }), SINCE);
  await typeDate(f.getByLabel('Geduldet seit', { exact: true }), TOLERATED);
  await typeDate(f.getByLabel('Duldung gültig bis', { exact: true }), DULDUNG_REPORTED);
  await typeDate(f.getByLabel('Pass gültig bis', { exact: true }), PASS);
  await pick(cmPage, 'Mündliche Deutschkenntnisse', 'A2');
  await f.getByRole('checkbox', { name: '3 Jahre erfolgreicher Schulbesuch in Deutschland oder deutscher Schul- bzw. Berufsabschluss' }).check();
  await expectNoSevereA11yViolations(cmPage);
  await complete(cmPage, facts.id, 'cm.duisburg');

  const saved = await until(async () => {
    const p = await residencePath();
    return p.status === 'abh_pruefung' && p.residenceSince && p;
  }, 'Angaben gespeichert');
  expect(saved).toMatchObject({ residenceStatus: 'DULDUNG', oralLanguageLevel: 'A2', schooling: true });
  expect(saved.toleranceUntil?.toISOString().slice(0, 10)).toBe(DULDUNG_REPORTED);
  expect(saved.passportUntil?.toISOString().slice(0, 10)).toBe(PASS);
  await until(async () => (await deadlines()).DULDUNG_ABLAUF === DULDUNG_REPORTED, 'Fristen gespeichert');
});

test('the ABH finds the task in its own inbox with the facts prefilled and corrects the end of the Duldung', async () => {
  const task = await openTaskOf(stack, { caseId }, E.confirmFacts);
  expect(task.candidateGroups).toEqual(['abh:duisburg']);
  await abhPage.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(abhPage, 'Gruppenaufgaben');
  await abhPage.locator('tbody tr', { hasText: reference }).getByRole('link', { name: 'Öffnen: Aufenthaltsdaten bestätigen oder korrigieren' }).click();
  await abhPage.getByRole('heading', { name: 'Aufenthaltsdaten bestätigen oder korrigieren', exact: true, level: 1 }).waitFor();
  await form(abhPage).locator('.fjs-form').waitFor();
  // What the person reported, beside the form; nothing of the person's name or the support plan.
  const facts = await abhPage.getByTestId('step-context').innerText();
  for (const text of ['Duldung', german(SINCE), german(TOLERATED), german(DULDUNG_REPORTED), german(PASS)]) expect(facts).toContain(text);
  expect(facts).not.toContain(`Bleibe ${tag}`);
  expect(await abhPage.getByRole('link', { name: 'Fallakte öffnen' }).count()).toBe(0);
  // Correcting: the fields come prefilled with the reported facts; only the difference is typed.
  const f = form(abhPage);
  await f.getByRole('radio', { name: 'Angaben korrigieren' }).check();
  const duldungBis = f.getByLabel('Duldung gültig bis', { exact: true });
  await until(async () => (await duldungBis.inputValue()) === german(DULDUNG_REPORTED), 'vorbelegtes Ende der Duldung');
  expect(await f.getByLabel('Geduldet seit', { exact: true }).inputValue()).toBe(german(TOLERATED));
  await typeDate(duldungBis, DULDUNG_CORRECTED);
  const clarification = f.getByLabel('Schritte zur Klärung der Identität (nur für die Ausländerbehörde und das Fallmanagement)');
  await clarification.fill(`Pass am Schalter vorgelegt ${tag}`);
  // Another field changing right after typing re-renders the form at once (a clerk ticks a box and
  // unticks it again): the typed text stays in the field and in what is submitted.
  const deception = f.getByRole('checkbox', { name: 'Täuschung über Identität oder Staatsangehörigkeit festgestellt' });
  await deception.evaluate((box) => {
    (box as HTMLInputElement).click();
    (box as HTMLInputElement).click();
  });
  expect(await deception.isChecked()).toBe(false);
  expect(await clarification.inputValue()).toBe(`Pass am Schalter vorgelegt ${tag}`);
  await expectNoSevereA11yViolations(abhPage);
  await shot(abhPage, 'abh-bestaetigen-1440');
  await complete(abhPage, task.id, 'abh.duisburg');

  const corrected = await until(async () => {
    const p = await residencePath();
    return p.confirmedAt && p;
  }, 'Bestätigung der ABH');
  expect(corrected.corrected).toBe(true);
  expect(corrected.toleranceUntil?.toISOString().slice(0, 10)).toBe(DULDUNG_CORRECTED);
  expect(corrected.identityClarification).toBe(`Pass am Schalter vorgelegt ${tag}`);
  await until(async () => (await deadlines()).DULDUNG_ABLAUF === DULDUNG_CORRECTED, 'Frist folgt der Korrektur');
});

test('the pre-check on the engine: § 25a met; the case file shows the result and the deadline timeline at 1440 and 390 px', async () => {
  const prepare = await openTaskOf(stack, { caseId }, E.prepareApplication);
  expect(await residencePath()).toMatchObject({ met25a: true, met25b: false, status: 'vorbereitung' });
  expect(await deadlines()).toMatchObject({ FRUEHESTENS_25A: `${year - 1}-01-15`, FRUEHESTENS_25B: `${year + 2}-01-15`, PASS_ABLAUF: PASS, DULDUNG_ABLAUF: DULDUNG_CORRECTED });

  const timeline = await openResidenceTab(cmPage);
  const summary = cmPage.getByTestId('residence-path');
  await summary.getByText('Antrag in Vorbereitung').waitFor();
  await summary.getByText('von der Ausländerbehörde korrigiert', { exact: false }).waitFor();
  expect(await summary.innerText()).toMatch(/§ 25a\s+erfüllt/);
  expect(await summary.innerText()).toContain('nicht erfüllt – es fehlt: 6 Jahre Aufenthalt (4 Jahre mit minderjährigem Kind im Haushalt)');
  // The timeline: every date in German form with its German name, in date order, its state in words.
  const items = timeline.getByRole('listitem');
  await items.first().waitFor();
  const texts = (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  const expected: Array<[string, string, RegExp]> = [
    [`${year - 1}-01-15`, '§ 25a: zeitliche Voraussetzungen erfüllt', /erreicht$/],
    [PASS, 'Pass läuft ab', /abgelaufen$/],
    [DULDUNG_CORRECTED, 'Duldung läuft ab', /bald: in 25 Tagen$/],
    [`${year + 2}-01-15`, '§ 25b: zeitliche Voraussetzungen erfüllt', /Erinnerung ab \d\d\.\d\d\.\d{4}$/],
  ];
  for (const [iso, label, state] of expected) {
    const line = texts.find((t) => t.startsWith(`${german(iso)} ${label}`));
    expect({ label, line: line ?? texts.join(' | '), state: !!line && state.test(line) }).toEqual({ label, line, state: true });
  }
  expect(texts.some((t) => t.includes('§ 25a: letzter Tag für den Antrag (Tag vor dem 27. Geburtstag)'))).toBe(true);
  const order = texts.map((t) => t.slice(0, 10).split('.').reverse().join('-'));
  expect(order).toEqual([...order].sort());
  expect(await timeline.locator('li[data-state="overdue"]').count()).toBe(1);
  expect(await timeline.locator('li[data-state="near"]').count()).toBe(1);
  // No raw codes, no English.
  const tab = await cmPage.getByRole('tabpanel').innerText();
  for (const raw of ['PASS_ABLAUF', 'DULDUNG_ABLAUF', 'FRUEHESTENS', 'vorbereitung', 'DULDUNG']) expect(tab).not.toContain(raw);
  await expectNoSevereA11yViolations(cmPage);
  await expectNoSideScroll(cmPage, 'Fallakte, Aufenthalt, 1440 px');
  await shot(cmPage, 'fristen-1440');

  const phone = await ui.newPage(PHONE);
  try {
    await signIn(phone, stack.url, 'cm.duisburg', { awaitIdentity: true });
    const small = await openResidenceTab(phone);
    await small.locator('li[data-state="near"]').getByText('bald: in 25 Tagen').waitFor();
    await expectNoSideScroll(phone, 'Fallakte, Aufenthalt, 390 px');
    await expectNoSevereA11yViolations(phone);
    await small.scrollIntoViewIfNeeded();
    await shot(phone, 'fristen-390');
  } finally {
    await phone.context().close();
  }

  // The result beside the form of the next step.
  await openTask(cmPage, prepare.id, 'Antrag mit der Person vorbereiten');
  const result = await cmPage.getByTestId('step-context').innerText();
  expect(result).toContain('Ergebnis der Vorprüfung');
  expect(result).toMatch(/§ 25a\s+erfüllt/);
  expect(result).toContain('Aufenthaltsdaten bestätigt');
});

test('both start pages list the deadlines of the next 90 days; the ABH without a way into the case file', async () => {
  for (const [page, linked] of [
    [cmPage, true],
    [abhPage, false],
  ] as const) {
    await page.goto(`${stack.url}/#/`);
    const card = page.getByTestId('home-deadlines');
    await card.getByRole('heading', { name: 'Fristen in den nächsten 90 Tagen' }).waitFor();
    const line = card.getByTestId('home-deadline').filter({ hasText: reference });
    await line.first().waitFor();
    expect(await line.allInnerTexts()).toEqual([expect.stringContaining(`${german(DULDUNG_CORRECTED)} · Duldung läuft ab`)]);
    expect((await line.innerText()).replace(/\s+/g, ' ')).toContain('bald: in 25 Tagen');
    expect(await line.getByRole('link', { name: reference }).count()).toBe(linked ? 1 : 0);
    await expectNoSevereA11yViolations(page);
  }
  await shot(cmPage, 'startseite-1440');
});

test('the application is prepared and handed over, the ABH records its decision, the case manager informs the person', async () => {
  const prepare = await openTaskOf(stack, { caseId }, E.prepareApplication);
  await openTask(cmPage, prepare.id, 'Antrag mit der Person vorbereiten');
  await pick(cmPage, 'Antrag nach', /^§ 25a AufenthG/);
  await form(cmPage).getByRole('checkbox', { name: 'Schulzeugnisse oder Abschluss' }).check();
  await form(cmPage).getByRole('checkbox', { name: 'Erklärung zur freiheitlichen demokratischen Grundordnung' }).check();
  await complete(cmPage, prepare.id, 'cm.duisburg');

  const decide = await openTaskOf(stack, { caseId }, E.recordDecision);
  expect(decide.candidateGroups).toEqual(['abh:duisburg']);
  expect((await residencePath()).status).toBe('antrag_gestellt');
  await openTask(abhPage, decide.id, 'Entscheidung über den Antrag erfassen');
  expect(await form(abhPage).innerText()).toContain('§ 25a AufenthG (gut integrierte Jugendliche und junge Volljährige)');
  await form(abhPage).getByRole('radio', { name: 'Aufenthaltserlaubnis erteilt' }).check();
  // A required field: its label carries the asterisk.
  await typeDate(form(abhPage).getByLabel(/^Datum der Entscheidung/), today);
  await expectNoSevereA11yViolations(abhPage);
  await complete(abhPage, decide.id, 'abh.duisburg');

  const inform = await openTaskOf(stack, { caseId }, E.informClient);
  await openTask(cmPage, inform.id, 'Person über die Entscheidung informieren');
  expect(await form(cmPage).innerText()).toContain('Die Ausländerbehörde hat entschieden: Aufenthaltserlaubnis erteilt');
  await form(cmPage).getByRole('checkbox', { name: 'Person informiert' }).check();
  await complete(cmPage, inform.id, 'cm.duisburg');

  const done = await until(async () => {
    const p = await residencePath();
    return p.status === 'abgeschlossen' && p;
  }, 'Verfahren abgeschlossen');
  expect(done).toMatchObject({ decision: 'erteilt', applicationFor: '25a', documents: { schulzeugnisse: true, bekenntnisFdgo: true, sprachzertifikat: false, einkommensnachweis: false } });
  expect(done.decisionDate?.toISOString().slice(0, 10)).toBe(today);
  await until(async () => !(await stack.engine.runtime.isRunning(done.processInstanceKey!)), 'Instanz beendet');
  expect(await stack.db.task.count({ where: { caseId, state: 'CREATED' } })).toBe(0);

  // The case file says how it ended.
  await openResidenceTab(cmPage);
  const summary = cmPage.getByTestId('residence-path');
  await summary.getByText(`Aufenthaltserlaubnis erteilt (${german(today)})`).waitFor();
  await summary.getByText('abgeschlossen', { exact: true }).waitFor();
  await summary.getByText('§ 25a AufenthG (gut integrierte Jugendliche und junge Volljährige)').waitFor();
});
