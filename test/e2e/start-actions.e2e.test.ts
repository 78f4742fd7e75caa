/**
 * Starting processes from the web app on the real stack (the real processes folder and worker
 * registry, SMTP on loopback): cm.duisburg begins a new Erstberatung (a missing field is reported at
 * the field and nothing typed is lost) and the first intake task appears in the inbox; the quick
 * check names the missing requirements; koord.duisburg reassigns the intake task with a reason (the
 * audit log has it); cm.duisburg starts a referral from the case and sees it in the case's referrals.
 * axe finds no serious or critical violation on the new pages; screenshots go to
 * test-results/screenshots/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import { ROOT } from '../../server/config';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, openView, SHOTS, signIn as signInAt, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { freePort } from '../../server/util/ports';
import { workers as registry } from '../../workers';
import { choose } from '../support/journey';
import { login, startTestStack, testConfig, until } from '../support/stack';

const UI_TIMEOUT = 60_000;
const tag = `${process.pid}-${Date.now()}`;



let smtp: SMTPServer;
let stack: Stack;
let ui: UiBrowser;
let school: { id: string; name: string };
let caseId: string;
let caseRef: string;
let intakeTaskId: string;

beforeAll(async () => {
  await ensureUiBuilt();
  const port = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => cb());
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  stack = await startTestStack({
    processesDir: path.join(ROOT, 'processes'),
    workerDefs: registry,
    config: testConfig({ KIM_SMTP_URL: `smtp://127.0.0.1:${port}`, KIM_LINK_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456', KIM_REFERRAL_REMINDER_AFTER: 'PT1H' }),
  });
  school = await stack.db.organisation.create({
    data: { kommuneId: 'duisburg', name: `Sprachschule am Hafen ${tag}`, type: 'Sprachkurstraeger', email: `sprachschule-${tag}@partner.test` },
  });
  ui = await launchBrowser(UI_TIMEOUT);
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

const newPage = () => ui.newPage();


const signIn = (page: Page, username: string) => signInAt(page, stack.url, username, { awaitIdentity: true });



test('cm.duisburg begins a new Erstberatung in the web app; the first intake task appears in the inbox', async () => {
  const page = await newPage();
  await signIn(page, 'cm.duisburg');
  await page.getByRole('menuitem', { name: 'Fälle' }).click();
  await page.getByRole('link', { name: 'Neue Erstberatung' }).click();
  await page.getByRole('heading', { name: 'Neue Erstberatung', level: 1 }).waitFor();

  // The last name is missing: the API's message appears at the field, everything typed stays.
  await page.getByLabel('Vorname').fill('Amina');
  await page.getByLabel('Geburtsdatum').fill('12.04.1990');
  await page.getByLabel('Staatsangehörigkeit').fill('syrisch');
  await page.getByLabel('Sprachen').fill('Arabisch, Englisch');
  await page.getByLabel('Dolmetschung nötig').check();
  await page.getByRole('button', { name: 'Erstberatung starten' }).click();
  await page.getByText('Bitte den Nachnamen angeben.').waitFor();
  await page.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie die markierten Felder' }).waitFor();
  expect(await page.getByLabel('Vorname').inputValue()).toBe('Amina');
  expect(await page.getByLabel('Sprachen').inputValue()).toBe('Arabisch, Englisch');
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'start-intake-validation.png'), fullPage: true });

  await page.getByLabel('Nachname').fill(`Haddad ${tag}`);
  await page.getByRole('button', { name: 'Erstberatung starten' }).click();
  await page.waitForURL(/#\/cases\/[0-9a-f-]{36}\/show/);
  caseId = /#\/cases\/([0-9a-f-]{36})\/show/.exec(page.url())![1];
  await page.getByRole('heading', { name: /^Fall DU-/, level: 1 }).waitFor();
  const c = await stack.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { client: true } });
  caseRef = c.reference;
  expect(c.client.firstName).toBe('Amina');
  expect(c.client.languages).toEqual(['Arabisch', 'Englisch']);
  expect(c.client.interpreterNeeded).toBe(true);
  expect(c.siteId).toBe('duisburg-nord');

  // The first task of kim-intake is the starter's own: in "Meine Aufgaben", not among the group's.
  const t = await until(() => stack.db.task.findFirst({ where: { caseId, elementId: INTAKE.documentFirstContact, state: 'CREATED' } }), 'erste Aufgabe von kim-intake', 90_000);
  intakeTaskId = t.id;
  expect(t.assignee).toBe('cm.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Meine Aufgaben');
  const row = page.locator('tbody tr', { hasText: caseRef });
  await row.first().waitFor();
  expect(await row.first().innerText()).toContain('Erstkontakt dokumentieren');
  await page.screenshot({ path: path.join(SHOTS, 'start-intake-my-tasks.png'), fullPage: true });
  await openView(page, 'Gruppenaufgaben');
  expect(await page.locator('tbody tr', { hasText: caseRef }).count()).toBe(0);
});

test('the quick check names the missing requirements and the earliest application date', async () => {
  const page = await newPage();
  await signIn(page, 'cm.duisburg');
  await page.getByRole('menuitem', { name: 'Schnellprüfung' }).click();
  await page.getByRole('heading', { name: 'Einbürgerung – Schnellprüfung', level: 1 }).waitFor();
  await page.getByLabel('Stichtag').fill('01.03.2026');
  await page.getByLabel('Rechtmäßiger Aufenthalt seit').fill('15.06.2022');
  await choose(page, 'Sprachniveau Deutsch', 'A2');
  await page.getByLabel('Geeigneter Aufenthaltstitel').check();
  await page.getByLabel('Bezieht Leistungen nach SGB II oder SGB XII').check();
  await page.getByLabel('Monate in Vollzeit in den letzten 24 Monaten').fill('12');
  await page.getByLabel('Bekenntnis zur freiheitlichen demokratischen Grundordnung abgegeben').check();
  await page.getByRole('button', { name: 'Voraussetzungen prüfen' }).click();
  const result = page.getByTestId('quick-check-result');
  await result.getByRole('heading', { name: 'Ergebnis' }).waitFor();
  const text = await result.innerText();
  expect(text).toContain('Noch nicht erfüllt');
  for (const missing of ['5 Jahre rechtmäßiger gewöhnlicher Aufenthalt', 'Deutschkenntnisse (B1)', 'Einbürgerungstest', 'Lebensunterhalt ohne SGB II/XII']) expect(text).toContain(missing);
  for (const met of ['Geeigneter Aufenthaltstitel', 'Straffreiheit', 'Bekenntnis zur']) expect(text).not.toContain(met);
  expect(text).toContain('Frühester Antragstermin (nach Aufenthaltsdauer): 15.06.2027');
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'start-quick-check.png'), fullPage: true });

  // A value the API rejects: German message at the field, the inputs stay.
  await page.getByLabel('Monate in Vollzeit in den letzten 24 Monaten').fill('30');
  await page.getByRole('button', { name: 'Voraussetzungen prüfen' }).click();
  await page.getByText('Vollzeitmonate in den letzten 24 Monaten: höchstens 24.').waitFor();
  expect(await page.getByLabel('Rechtmäßiger Aufenthalt seit').inputValue()).toBe('15.06.2022');
});

test('koord.duisburg reassigns the intake task to cm2.duisburg with a reason; the audit log keeps it', async () => {
  expect(intakeTaskId).toBeTruthy();
  const page = await newPage();
  await signIn(page, 'koord.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Alle Aufgaben');
  const row = page.locator('tbody tr', { hasText: caseRef }).filter({ hasText: 'Erstkontakt dokumentieren' });
  await row.first().waitFor();
  await row.first().getByRole('button', { name: /^Neu zuweisen/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Aufgabe neu zuweisen' });
  await dialog.waitFor();

  // No reason: told at the field, nothing sent.
  await choose(page, 'Neue Bearbeitung', /Jonas Becker.*cm2\.duisburg/);
  await dialog.getByRole('button', { name: 'Neu zuweisen' }).click();
  await dialog.getByText('Bitte den Grund der Neuzuweisung angeben').waitFor();
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'start-reassign.png'), fullPage: true });

  const reason = `Vertretung während Urlaub ${tag}`;
  await dialog.getByLabel('Grund').fill(reason);
  await dialog.getByRole('button', { name: 'Neu zuweisen' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText('ist jetzt Jonas Becker zugewiesen').waitFor();
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: intakeTaskId } })).assignee).toBe('cm2.duisburg');
  const audit = await stack.db.auditLog.findFirstOrThrow({ where: { action: 'task.assign', entityId: intakeTaskId } });
  expect(audit.username).toBe('koord.duisburg');
  expect(audit.reason).toContain(reason);
  expect(audit.reason).toContain('von cm.duisburg an cm2.duisburg');
});

test('cm.duisburg starts a referral from the case; it appears in the case\'s referrals', async () => {
  expect(caseId).toBeTruthy();
  const page = await newPage();
  await signIn(page, 'cm.duisburg');
  await page.goto(`${stack.url}/#/cases/${caseId}/show`);
  await page.getByRole('heading', { name: /^Fall DU-/, level: 1 }).waitFor();
  for (const b of ['Vermittlung starten', 'Fallkonferenz starten', 'Einbürgerung vorbereiten']) await page.getByRole('button', { name: b }).waitFor();
  await page.getByRole('button', { name: 'Vermittlung starten' }).click();
  const dialog = page.getByRole('dialog', { name: 'Vermittlung starten' });
  await dialog.waitFor();
  await choose(page, 'Angebot / Organisation', school.name);
  await choose(page, 'Lebensbereich', 'Sprache');
  const purpose = `Integrationskurs B1 ${tag}`;
  await dialog.getByLabel('Zweck der Vermittlung').fill(purpose);
  await dialog.getByLabel('Fällig bis').fill('31.12.2026');
  await expectNoSevereA11yViolations(page);
  await dialog.getByRole('button', { name: 'Vermittlung starten' }).click();
  await dialog.waitFor({ state: 'detached' });

  await page.getByRole('tab', { name: 'Vermittlungen', exact: true }).click();
  const row = page.getByRole('tabpanel').locator('tr', { hasText: purpose });
  await row.waitFor();
  expect(await row.innerText()).toContain(school.name);
  const r = await until(() => stack.db.referral.findFirst({ where: { caseId, purpose } }), 'Vermittlung in der Datenbank');
  expect(r.organisationId).toBe(school.id);
  expect(r.processInstanceKey).toBeTruthy();
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'start-case-referral.png'), fullPage: true });
});

test('other roles see no start buttons in the case and no "Neue Erstberatung"', async () => {
  expect(caseId).toBeTruthy();
  const page = await newPage();
  await signIn(page, 'koord.duisburg');
  // Coordinators open a person's case file only with a stated reason (here given over the API).
  const koord = await login(stack.url, 'koord.duisburg');
  expect((await koord.post(`/api/cases/${caseId}/access`, { reason: 'Fachaufsicht', note: 'Stichprobe der Fachaufsicht' })).status).toBeLessThan(300);
  await page.goto(`${stack.url}/#/cases/${caseId}/show`);
  await page.getByRole('heading', { name: /^Fall DU-/, level: 1 }).waitFor();
  await page.getByRole('tab', { name: 'Vermittlungen', exact: true }).waitFor();
  expect(await page.getByRole('button', { name: 'Vermittlung starten' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Fallkonferenz starten' }).count()).toBe(0);
  await page.getByRole('menuitem', { name: 'Fälle' }).click();
  await page.getByRole('columnheader', { name: 'Aktenzeichen' }).waitFor();
  expect(await page.getByRole('link', { name: 'Neue Erstberatung' }).count()).toBe(0);
});
