/**
 * The start page per role in a real browser: the case manager's work overview (own open and
 * overdue tasks, follow-ups of the week, own cases by phase, partners' answers – each a link to
 * where the work is done), the coordinator's commune overview under pseudonyms, the ABH's own
 * tasks without client data, the state's pointer to the statistics and the administrator's system
 * status (only theirs). German display names for commune and site, clear empty states, no ids.
 * Each page is checked with axe and photographed at 1440 px and 390 px (no sideways scrolling).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, SHOTS, signIn as signInAt, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES, startTestStack, until } from '../support/stack';

/** The test model's automatic steps (before and after its user task). */
const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];

const UI_TIMEOUT = 30_000;
const DAY = 24 * 3600 * 1000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let stack: Stack;
let ui: UiBrowser;
const tag = `${process.pid}${Date.now() % 100000}`;
let kase: { id: string; reference: string };
let client: { firstName: string; lastName: string; pseudonym: string };
const task: Record<string, string> = {};

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  ui = await launchBrowser(UI_TIMEOUT);
  const db = stack.db;
  // Counts on the page are exact: no inbox rows from an earlier run of this file.
  await db.task.deleteMany({});
  const cm = await db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
  const person = await db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-HOME-${tag}`, firstName: 'Hana', lastName: `Start${tag}` } });
  client = person;
  kase = await db.case.create({ data: { reference: `DU-HOME-${tag}`, clientId: person.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung', caseManagerId: cm.id } });
  // Real engine tasks of the case (the test model's user task), projected into the inbox.
  const start = async () => {
    const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId: kase.id, kommuneId: 'duisburg' })).processInstanceKey;
    return (await until(() => db.task.findFirst({ where: { processInstanceKey: pik, state: 'CREATED' } }), 'Aufgabe in der Projektion')).id;
  };
  task.overdue = await start();
  task.followUp = await start();
  task.abh = await start();
  // Taken by cm.duisburg in the engine; names and dates as the real models would give them (the
  // start page reads the inbox projection): overdue and mine, a follow-up this week, one for the ABH.
  await stack.engine.tasks.claim(task.overdue, 'cm.duisburg');
  await until(async () => (await db.task.findUniqueOrThrow({ where: { id: task.overdue } })).assignee === 'cm.duisburg', 'Übernahme in der Projektion');
  await db.task.update({ where: { id: task.overdue }, data: { processDefinitionId: 'kim-case', name: 'Unterlagen nachreichen lassen', dueDate: new Date(Date.now() - 2 * DAY) } });
  await db.task.update({ where: { id: task.followUp }, data: { processDefinitionId: 'kim-case', name: 'Wiedervorlage: Fall überprüfen', dueDate: null, followUpDate: new Date(Math.min(Date.now() + DAY, nextMonday() - 60_000)) } });
  await db.task.update({ where: { id: task.abh }, data: { processDefinitionId: 'kim-einbuergerung', candidateGroups: ['abh:duisburg'], name: 'Aufenthaltsdaten bestätigen', dueDate: new Date(Date.now() - DAY) } });
  // The partner accepted the referral.
  const org = await db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg', type: 'Jobcenter' } });
  await db.referral.create({ data: { caseId: kase.id, organisationId: org.id, lifeArea: 'Arbeit', purpose: 'Arbeitsvermittlung', status: 'angenommen', answeredAt: new Date() } });
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

function nextMonday(): number {
  const d = new Date();
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return midnight + ((8 - d.getUTCDay()) % 7 || 7) * DAY;
}

async function home(username: string, width = 1440): Promise<Page> {
  const page = await ui.newPage({ width, height: 900 });
  await signInAt(page, stack.url, username);
  await page.getByTestId('home-welcome').waitFor();
  return page;
}

/** axe and screenshots at 1440 and 390 px; at 390 px the page must not scroll sideways. */
async function check(page: Page, name: string) {
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, `home-${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('home-welcome').waitFor();
  await until(async () => (await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'keine waagerechte Bildlaufleiste bei 390 px', 5000);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, `home-${name}-390.png`), fullPage: true });
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(UUID);
  for (const raw of ['duisburg-nord', 'case_manager', 'Foerderplanung', 'kim-test-inbox', 'undefined', 'null']) expect(text).not.toContain(raw);
  return text;
}

test('case manager: own tasks, follow-ups, cases by phase and partners\' answers – all linked', async () => {
  const page = await home('cm.duisburg');
  expect(await page.getByTestId('home-where').innerText()).toBe('Fallmanagement · Stadt Duisburg, Regional Support Center Nord (Hamborn)');
  const tasks = page.getByTestId('home-tasks');
  await tasks.getByRole('heading', { name: 'Meine Aufgaben' }).waitFor();
  await tasks.getByRole('link', { name: 'Unterlagen nachreichen lassen' }).waitFor();
  expect(await tasks.getByTestId('home-task-counts').innerText()).toMatch(/1 offene Aufgabe, 1 überfällig/);
  await tasks.getByText('Keine weiteren Aufgaben mit Frist.').waitFor();
  // The unassigned follow-up of the own case shows under this week's follow-ups; the group tasks are counted.
  await page.getByTestId('home-follow-ups').getByRole('link', { name: 'Wiedervorlage: Fall überprüfen' }).waitFor();
  await tasks.getByRole('link', { name: /^Gruppenaufgaben \(\d+\)$/ }).waitFor();
  const cases = page.getByTestId('home-cases');
  await cases.getByRole('heading', { name: 'Meine Fälle nach Phase' }).waitFor();
  await cases.getByRole('link', { name: 'Umsetzung' }).waitFor();
  await cases.getByRole('link', { name: 'Neue Erstberatung' }).waitFor();
  const answers = page.getByTestId('home-answers');
  await answers.getByText('hat die Vermittlung angenommen').waitFor();
  expect(await answers.innerText()).toContain('Jobcenter Duisburg');
  await answers.getByRole('link', { name: kase.reference }).waitFor();
  // System status is the administrators'.
  expect(await page.getByText('Systemzustand').count()).toBe(0);
  const text = await check(page, 'case-manager');
  // No client names on the start page.
  expect(text).not.toContain(client.lastName);

  // Every entry leads somewhere: the overdue task opens, the phase opens the filtered case list,
  // "Überfällige anzeigen" the inbox with that filter.
  await page.setViewportSize({ width: 1440, height: 900 });
  await tasks.getByRole('link', { name: 'Unterlagen nachreichen lassen' }).click();
  await page.waitForURL(new RegExp(`#/tasks/${task.overdue}/show`));
  await page.goBack();
  await cases.getByRole('link', { name: 'Umsetzung' }).click();
  await page.waitForURL(/#\/cases\?filter=/);
  expect(decodeURIComponent(page.url())).toContain('"phase":"Umsetzung"');
  await page.locator('tbody tr', { hasText: kase.reference }).waitFor();
  await page.getByRole('menuitem', { name: 'Startseite' }).click();
  await page.getByTestId('home-tasks').getByRole('link', { name: 'Überfällige anzeigen' }).click();
  await page.locator('[data-testid="task-list-status"][data-view="mine"][data-loaded="true"]').waitFor();
  await page.locator('tbody tr', { hasText: 'Unterlagen nachreichen lassen' }).waitFor();
  expect(await page.getByLabel('überfällig').isChecked()).toBe(true);
}, 300_000);

test('empty states are said plainly (a case manager of Mettmann with nothing due)', async () => {
  const page = await home('cm.mettmann');
  expect(await page.getByTestId('home-where').innerText()).toBe('Fallmanagement · Kreis Mettmann, KIM Ratingen');
  await page.getByText('Keine überfälligen Aufgaben.').waitFor();
  await page.getByText('Keine offenen Aufgaben.').waitFor();
  await page.getByText('Keine Wiedervorlagen in dieser Woche.').waitFor();
  await page.getByText('Keine Antworten von Partnern in den letzten 14 Tagen.').waitFor();
  const text = await check(page, 'empty');
  // Nothing of Duisburg.
  for (const x of [kase.reference, 'Unterlagen nachreichen lassen', 'Duisburg']) expect(text).not.toContain(x);
}, 300_000);

test('coordinator: the commune\'s tasks and cases, clients under pseudonyms only', async () => {
  const page = await home('koord.duisburg');
  expect(await page.getByTestId('home-where').innerText()).toBe('Koordination · Stadt Duisburg');
  const tasks = page.getByTestId('home-tasks');
  await tasks.getByRole('heading', { name: 'Aufgaben der Kommune' }).waitFor();
  await tasks.getByRole('link', { name: 'Unterlagen nachreichen lassen' }).waitFor();
  expect(await tasks.innerText()).toContain(`(${client.pseudonym})`);
  await page.getByTestId('home-cases').getByRole('heading', { name: 'Offene Fälle der Kommune nach Phase' }).waitFor();
  expect(await page.getByTestId('home-cases').getByRole('link', { name: 'Neue Erstberatung' }).count()).toBe(0);
  const text = await check(page, 'coordinator');
  expect(text).not.toContain(client.lastName);
  expect(text).not.toContain(client.firstName);
}, 300_000);

test('ABH: the authority\'s own tasks with the case reference – nothing of the client, no link into the case', async () => {
  const page = await home('abh.duisburg');
  const tasks = page.getByTestId('home-tasks');
  await tasks.getByRole('heading', { name: 'Aufgaben Ihrer Behörde' }).waitFor();
  await tasks.getByRole('link', { name: 'Aufenthaltsdaten bestätigen' }).waitFor();
  expect(await tasks.innerText()).toContain(kase.reference);
  expect(await tasks.getByRole('link', { name: kase.reference }).count()).toBe(0);
  expect(await tasks.getByRole('link', { name: 'Unterlagen nachreichen lassen' }).count()).toBe(0);
  expect(await page.getByTestId('home-cases').count()).toBe(0);
  const text = await check(page, 'abh');
  for (const x of [client.lastName, client.firstName, client.pseudonym]) expect(text).not.toContain(x);
}, 300_000);

test('land: a pointer to the anonymised statistics; administrator: the system status', async () => {
  const land = await home('land.nrw');
  await land.getByTestId('home-statistics').getByRole('heading', { name: 'Statistik der Kommunen' }).waitFor();
  await land.getByTestId('home-statistics').getByText('Stadt Duisburg').waitFor();
  expect(await land.getByTestId('home-tasks').count()).toBe(0);
  const landText = await check(land, 'land');
  expect(landText).not.toContain(kase.reference);

  const admin = await home('admin.duisburg');
  await admin.getByRole('heading', { name: 'Systemzustand' }).waitFor();
  for (const part of ['database', 'engine']) await admin.getByTestId(`health-${part}`).getByText('verfügbar', { exact: true }).waitFor();
  expect(await admin.getByTestId('home-tasks').count()).toBe(0);
  await check(admin, 'admin');
}, 300_000);
