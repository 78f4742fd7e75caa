/**
 * Steering (Baustein 1) in a real browser on the real model: a coordinator takes a gap a referral
 * reported from the inbox into a new theme, prioritises it, plans a meeting of the steering group
 * (the agenda comes from the prioritised themes), records the decision for a project group, drafts
 * the measure in its task, has it approved in the meeting, reports it done at its Wiedervorlage and
 * closes the theme; the case manager whose case reported the gap sees the notice. Every screen at
 * 1440 px and 390 px: axe-clean, no sideways scrolling; screenshots steuerung-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ELEMENT as E } from '../../processes/kim-steuerung/contract';
import type { Stack } from '../../server/stack';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, expectNoSevereA11yViolations, expectNoSideScroll, launchBrowser, openView, SHOTS, signIn, UiBrowser } from '../support/browser';
import { completeTask, form, heading, pick } from '../support/journey';
import { processesDirWith } from '../support/processes';
import { startTestStack, testConfig, until } from '../support/stack';

const UI_TIMEOUT = 30_000;
// Seven screens, each also signed in on a phone, axe on both: slow on a shared 2-core machine.
jest.setTimeout(1_200_000);
const WIDE = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

let stack: Stack;
let ui: UiBrowser;
let dir: string;

beforeAll(async () => {
  await ensureUiBuilt();
  dir = processesDirWith(['kim-steuerung']);
  stack = await startTestStack({ config: testConfig({ KIM_STEERING_REMINDER_EVERY: 'PT4S', KIM_STEERING_INTAKE_INTERVAL_MS: '500' }), processesDir: dir, workerDefs: registry });
  ui = await launchBrowser(UI_TIMEOUT);
}, 300_000);
afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The page from its top, nothing focused (the skip link and the fixed app bar stay where they belong in a full-page shot). */
async function shoot(p: Page, file: string) {
  await p.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  await p.screenshot({ path: path.join(SHOTS, file), fullPage: true });
}

/** axe and no sideways scrolling here, a screenshot at 1440 px; the same address on a phone, signed in as the same user. */
async function shots(page: Page, name: string, user: string, ready: (p: Page) => Promise<unknown>) {
  await expectNoSideScroll(page, name);
  await expectNoSevereA11yViolations(page);
  await shoot(page, `${name}-1440.png`);
  const phone = await ui.newPage(PHONE);
  try {
    await signIn(phone, stack.url, user, { awaitIdentity: true });
    await phone.goto(page.url());
    await ready(phone);
    await expectNoSideScroll(phone, `${name} (390 px)`);
    await expectNoSevereA11yViolations(phone);
    await shoot(phone, `${name}-390.png`);
  } finally {
    await phone.context().close();
  }
}

const openTaskPage = async (page: Page, taskId: string, name: string) => {
  await page.goto(`${stack.url}/#/tasks/${taskId}/show`);
  await heading(page, name).waitFor();
  await form(page).locator('.fjs-form').waitFor();
};
const taskAt = (pik: string, elementId: string) => until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, elementId, state: 'CREATED' } }), `Aufgabe ${elementId}`, 90_000);

async function typeDate(p: Page, label: string, value: string) {
  const field = form(p).getByLabel(label);
  await field.fill(value);
  await field.press('Enter');
  await field.press('Tab');
  await form(p).locator('.flatpickr-calendar.open').waitFor({ state: 'detached' });
}

test('a coordinator from a reported gap through theme, meeting, measure and approval to closing; the case manager gets the notice', async () => {
  const tag = `${process.pid}`;
  // A case of Duisburg Nord whose referral found no reachable offer: kim-referral reported a gap.
  const cm = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-E2E-ST-${tag}`, firstName: 'Leyla', lastName: `Steuerung ${tag}`, birthDate: new Date('1991-05-14') } });
  const kase = await stack.db.case.create({ data: { reference: `DU-E2E-ST-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung', caseManagerId: cm.id } });
  const org = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg' } });
  const referral = await stack.db.referral.create({ data: { caseId: kase.id, organisationId: org.id, lifeArea: 'Sprache', purpose: 'Integrationskurs', status: 'abgebrochen' } });
  const GAP = `Kein Abendkurs für Berufstätige in Hamborn ${tag}`;
  const gap = await stack.db.systemGap.create({ data: { kommuneId: 'duisburg', lifeArea: 'Sprache', title: GAP, description: 'Kein Kurs nach 17 Uhr erreichbar.' } });
  await stack.db.referralEvent.create({ data: { referralId: referral.id, kind: 'system-gap', systemGapId: gap.id } });
  const pik = await until(async () => (await stack.db.systemGap.findUniqueOrThrow({ where: { id: gap.id } })).steeringInstanceKey, 'Systemlücke im Eingang');
  const assign = await taskAt(pik, E.assignGap);

  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'koord.duisburg', { awaitIdentity: true });
  for (const item of ['Themen', 'Lenkungsgruppe', 'Maßnahmen']) await page.getByRole('menuitem', { name: item }).waitFor();

  // 1. The gap arrives in the coordination's group tasks; opened, it shows its step context (no person).
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  await page.locator(`a[href="#/tasks/${assign.id}/show"]`).click();
  await heading(page, 'Systemlücke einem Thema zuordnen').waitFor();
  await form(page).locator('.fjs-form').waitFor();
  const step = await page.getByTestId('step-context').innerText();
  expect(step).toContain(GAP);
  expect(step).toContain('aus einer Vermittlung');
  expect(step).not.toContain(client.lastName);
  await shots(page, 'steuerung-luecke', 'koord.duisburg', (p) => form(p).locator('.fjs-form').waitFor());
  const THEME = `Sprachkurse am Abend für Berufstätige ${tag}`;
  await form(page).getByRole('radio', { name: 'Neues Thema anlegen' }).check();
  await form(page).getByLabel('Titel des neuen Themas').fill(THEME);
  await form(page).getByLabel('Beschreibung des Themas').fill('Berufstätige finden keinen Kurs nach Feierabend.');
  await completeTask(stack, page, assign.id, 'koord.duisburg');

  // 2. Prioritise.
  const prio = await taskAt(pik, E.prioritiseTheme);
  await openTaskPage(page, prio.id, 'Thema priorisieren');
  expect(await form(page).innerText()).toContain('1 Systemlücke aus 1 Fall');
  await pick(form(page).locator('.fjs-form-field-select', { hasText: 'Priorität' }), 'hoch');
  await form(page).getByRole('radio', { name: 'Für die Lenkungsgruppe vormerken' }).check();
  await completeTask(stack, page, prio.id, 'koord.duisburg');
  const theme = await until(() => stack.db.steeringTheme.findFirst({ where: { title: THEME, state: 'priorisiert' } }), 'Thema priorisiert');

  // 3. The theme in "Themen": counts and life areas, never persons.
  // In two CI runs the menu click left the address where it was (the page after the completion,
  // cause not found yet); a user clicks again. The address seen then goes to the log.
  const themes = page.getByRole('menuitem', { name: 'Themen' });
  await themes.click();
  const opened = await page.waitForURL((u) => u.hash.startsWith('#/steuerung/themen'), { timeout: 10_000 }).then(
    () => true,
    () => false,
  );
  if (!opened) {
    console.warn(`Menüklick auf „Themen“ ohne Wirkung, Adresse: ${new URL(page.url()).hash}`);
    await themes.click();
    await page.waitForURL((u) => u.hash.startsWith('#/steuerung/themen'));
  }
  await page.getByRole('link', { name: THEME }).click();
  await page.getByTestId('theme-show').waitFor();
  expect(await page.getByTestId('theme-reach').innerText()).toContain('1 Systemlücke aus 1 Fall · Priorität: hoch');
  const themeText = await page.getByTestId('theme-show').innerText();
  expect(themeText).toContain(GAP);
  expect(themeText).toContain('Sprache');
  for (const hidden of [client.lastName, kase.reference]) expect(themeText).not.toContain(hidden);
  await shots(page, 'steuerung-thema', 'koord.duisburg', (p) => p.getByTestId('theme-show').waitFor());

  // 4. A meeting of the steering group: the agenda has the prioritised theme; decision: project group.
  await page.getByRole('menuitem', { name: 'Lenkungsgruppe' }).click();
  await page.getByTestId('steering-members').getByText('Jobcenter Duisburg').first().waitFor();
  await shots(page, 'steuerung-lenkungsgruppe', 'koord.duisburg', (p) => p.getByTestId('steering-members').getByText('Jobcenter Duisburg').first().waitFor());
  await page.getByRole('button', { name: 'Neue Sitzung' }).click();
  const meetingDay = new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) + 14 * 86_400_000).toISOString().slice(0, 10);
  await page.getByRole('textbox', { name: /^Datum/ }).fill(meetingDay.split('-').reverse().join('.'));
  await page.getByLabel('Ort').fill('Rathaus Duisburg, Raum 101');
  await page.getByRole('button', { name: 'Sitzung anlegen' }).click();
  await page.getByTestId('meeting-show').waitFor();
  const themeItem = page.getByTestId('agenda-item').filter({ hasText: THEME });
  await themeItem.getByRole('radio', { name: 'Projektgruppe beauftragen: Maßnahme ausarbeiten' }).check();
  await themeItem.getByLabel('Begründung oder Auftrag (optional)').fill('Projektgruppe mit VHS und Jobcenter.');
  await themeItem.getByRole('button', { name: 'Beschluss festhalten' }).click();
  await themeItem.getByTestId('agenda-decision').waitFor();
  const meetingUrl = page.url();

  // 5. The project group's measure, in its task.
  const draft = await taskAt(pik, E.draftMeasure);
  await openTaskPage(page, draft.id, 'Maßnahme ausarbeiten (Projektgruppe)');
  expect(await page.getByTestId('step-context').innerText()).toContain('Projektgruppe mit VHS und Jobcenter.');
  const MEASURE = `Abendkurs an der VHS Hamborn ${tag}`;
  await form(page).getByRole('textbox', { name: /^Maßnahme/ }).fill(MEASURE);
  // A searchable form-js select: type, pick from the list, the input shows the choice.
  const owner = form(page).locator('.fjs-form-field-select', { hasText: 'Verantwortliche Organisation' }).locator('input');
  await owner.click();
  await owner.fill('Jobcenter');
  await form(page).locator('.fjs-dropdownlist-item', { hasText: /^Jobcenter Duisburg$/ }).click();
  await until(async () => (await owner.inputValue()) === 'Jobcenter Duisburg', 'Organisation gewählt');
  const target = new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) + 180 * 86_400_000).toISOString().slice(0, 10);
  await typeDate(page, 'Zieldatum', target.split('-').reverse().join('.'));
  await form(page).getByLabel('Erwartete Wirkung').fill('Berufstätige beginnen innerhalb von drei Monaten einen Kurs.');
  await shots(page, 'steuerung-massnahme', 'koord.duisburg', (p) => form(p).locator('.fjs-form').waitFor());
  await completeTask(stack, page, draft.id, 'koord.duisburg');
  const measure = await until(() => stack.db.steeringMeasure.findFirst({ where: { themeId: theme.id, title: MEASURE } }), 'Maßnahme gespeichert');
  expect(measure).toMatchObject({ ownerOrganisation: 'Jobcenter Duisburg', state: 'entwurf' });
  expect(measure.targetDate.toISOString().slice(0, 10)).toBe(target);

  // 6. Approval in the meeting: the agenda is brought up to date with the measure.
  await page.goto(meetingUrl);
  await page.getByTestId('meeting-show').waitFor();
  await page.getByRole('button', { name: 'Tagesordnung aktualisieren' }).click();
  const measureItem = page.getByTestId('agenda-item').filter({ hasText: `Freigabe: ${MEASURE}` });
  await measureItem.getByRole('radio', { name: 'Maßnahme freigeben' }).check();
  await measureItem.getByRole('button', { name: 'Beschluss festhalten' }).click();
  await measureItem.getByTestId('agenda-decision').waitFor();
  await page.getByLabel('Protokoll (Anwesende, Verlauf, Verabredungen)').fill('Anwesend: alle Mitgliedsorganisationen.');
  await page.getByRole('button', { name: 'Protokoll speichern' }).click();
  await until(async () => (await stack.db.steeringMeeting.findFirst({ where: { minutes: 'Anwesend: alle Mitgliedsorganisationen.' } })) !== null, 'Protokoll gespeichert');
  await shots(page, 'steuerung-sitzung', 'koord.duisburg', (p) => p.getByTestId('meeting-show').waitFor());

  // 7. "Maßnahmen": in implementation, with owner and target date.
  await page.getByRole('menuitem', { name: 'Maßnahmen' }).click();
  await page.getByText(MEASURE).first().waitFor();
  await until(async () => (await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measure.id } })).state === 'in_umsetzung', 'in Umsetzung');
  await page.reload();
  const row = page.locator('tbody tr').filter({ hasText: MEASURE });
  expect(await row.innerText()).toMatch(/Jobcenter Duisburg[\s\S]*in Umsetzung/);
  await shots(page, 'steuerung-massnahmen', 'koord.duisburg', (p) => p.getByText(MEASURE).first().waitFor());

  // 8. The Wiedervorlage: done; then the theme is closed with its result.
  const progress = await taskAt(pik, E.reportProgress);
  await openTaskPage(page, progress.id, 'Stand der Maßnahme erfassen');
  await form(page).getByRole('radio', { name: 'Umgesetzt' }).check();
  await completeTask(stack, page, progress.id, 'koord.duisburg');
  const close = await taskAt(pik, E.closeTheme);
  await openTaskPage(page, close.id, 'Thema abschließen');
  expect(await form(page).innerText()).toContain('1 meldenden Fallakte');
  const RESULT = 'Seit Mai gibt es einen Abendkurs an der VHS Hamborn.';
  await form(page).getByLabel('Ergebnis für die Fallverantwortlichen').fill(RESULT);
  await form(page).getByRole('checkbox', { name: 'Thema jetzt schließen' }).check();
  await completeTask(stack, page, close.id, 'koord.duisburg');
  await until(async () => !(await stack.engine.runtime.isRunning(pik)), 'Instanz beendet', 60_000);
  await page.goto(`${stack.url}/#/steuerung/themen/${theme.id}/show`);
  await page.getByText(RESULT).waitFor();
  expect(await page.getByTestId('theme-show').innerText()).toContain('Rückmeldung in 1 Fallakte');
  await shots(page, 'steuerung-geschlossen', 'koord.duisburg', (p) => p.getByText(RESULT).waitFor());

  // 9. The case manager: the notice and the note in the case file.
  const cmPage = await ui.newPage(WIDE);
  await signIn(cmPage, stack.url, 'cm.duisburg', { awaitIdentity: true });
  expect(await cmPage.getByRole('menuitem', { name: 'Themen' }).count()).toBe(0);
  await cmPage.getByRole('menuitem', { name: 'Rückmeldungen' }).click();
  const notice = cmPage.locator('tbody tr').filter({ hasText: kase.reference });
  await notice.waitFor();
  expect(await notice.innerText()).toContain(THEME);
  expect(await notice.innerText()).toContain(RESULT);
  // On the phone too the notice can be marked as read (and the case opened) without the wide table.
  await shots(cmPage, 'steuerung-rueckmeldung', 'cm.duisburg', (p) => p.getByRole('button', { name: `Rückmeldung zu ${kase.reference} als gelesen markieren` }).waitFor());
  await notice.getByRole('button', { name: `Rückmeldung zu ${kase.reference} als gelesen markieren` }).click();
  await notice.getByText(/gelesen am/).waitFor();
  const note = await stack.db.note.findFirstOrThrow({ where: { caseId: kase.id, authorId: null } });
  expect(note.text).toContain(GAP);
  expect(note.text).toContain(RESULT);
});
