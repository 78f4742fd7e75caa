/**
 * The inbox list on a 1440 px screen and on a 390 px phone in a real browser: everything fits
 * (count, filters, actions; no sideways scrolling), phones get one card per task with every action,
 * "Bearbeitung" is a choice, dates are typed the German way (TT.MM.JJJJ) whatever the browser's
 * language, ABH/EBH see the case's Aktenzeichen instead of an id. And the load: inbox and case
 * file after a full reload, measured in Chromium and printed (reported, not asserted – house rule),
 * with the structural fact asserted that the modeler and form-js are not loaded for them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from '../../server/config';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, openView, SHOTS, signIn as signInAt, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES, startTestStack, until } from '../support/stack';

const UI_TIMEOUT = 30_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];

let stack: Stack;
let ui: UiBrowser;
let kase: { id: string; reference: string };
let taskId: string;
const tag = `${process.pid}${Date.now() % 100000}`;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  ui = await launchBrowser(UI_TIMEOUT);
  const db = stack.db;
  await db.task.deleteMany({});
  const cm = await db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
  const client = await db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-RESP-${tag}`, firstName: 'Rana', lastName: `Liste${tag}` } });
  kase = await db.case.create({ data: { reference: `DU-RESP-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Clearing', caseManagerId: cm.id } });
  const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId: kase.id, kommuneId: 'duisburg' })).processInstanceKey;
  taskId = (await until(() => db.task.findFirst({ where: { processInstanceKey: pik, state: 'CREATED' } }), 'Aufgabe in der Projektion')).id;
  // An ABH task of the same case (projection row: the test model routes to case managers only).
  await db.task.create({
    data: { id: `resp-abh-${tag}`, processInstanceKey: `resp-${tag}`, processDefinitionKey: '1', processDefinitionId: 'kim-einbuergerung', processVersion: 1, elementId: 'Task_ConfirmResidenceFacts', name: 'Aufenthaltsdaten bestätigen oder korrigieren', candidateGroups: ['abh:duisburg'], caseId: kase.id, kommuneId: 'duisburg' },
  });
  // No saved inbox filters from an earlier run.
  await db.userPreference.deleteMany({});
}, 240_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

async function inbox(username: string, width: number, view: 'Meine Aufgaben' | 'Gruppenaufgaben' = 'Gruppenaufgaben') {
  const page = await ui.newPage({ width, height: width > 800 ? 900 : 844 });
  await signInAt(page, stack.url, username);
  await page.getByTestId('home-welcome').waitFor();
  // By address: on a phone the menu is folded away.
  await page.goto(`${stack.url}/#/tasks`);
  await openView(page, view);
  return page;
}

const status = (page: Page) => page.locator('[data-testid="task-list-status"][data-loaded="true"]');
const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
/** The element lies fully inside the viewport's width. */
async function inView(page: Page, locator: ReturnType<Page['locator']>, width: number) {
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}

test('1440 px: the list fits – count, filters and every action on screen; "Bearbeitung" as choices; German date filter', async () => {
  const page = await inbox('cm.duisburg', 1440);
  const row = page.locator('tbody tr', { hasText: kase.reference });
  await row.waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'inbox-1440.png'), fullPage: true });
  expect(await pageWidth(page)).toBeLessThanOrEqual(1440);
  // Nothing cut off: the table, the count and the row's actions end within the screen.
  await inView(page, page.locator('table').first(), 1440);
  await inView(page, page.getByTestId('task-list-status'), 1440);
  await inView(page, row.getByRole('button', { name: /Übernehmen/ }), 1440);
  await inView(page, row.getByRole('link', { name: /^Öffnen: / }), 1440);
  await expectNoSevereA11yViolations(page);

  // "Bearbeitung": choices in German; "offen" finds the unassigned task.
  await page.getByRole('combobox', { name: 'Bearbeitung' }).click();
  await page.getByRole('option', { name: 'von mir übernommen' }).waitFor();
  await page.getByRole('option', { name: 'offen (nicht übernommen)' }).click();
  await status(page).waitFor();
  await row.waitFor();
  await page.getByRole('combobox', { name: 'Bearbeitung' }).click();
  await page.getByRole('option', { name: 'von mir übernommen' }).click();
  await row.waitFor({ state: 'detached' });
  await page.getByRole('combobox', { name: 'Bearbeitung' }).click();
  await page.getByRole('option', { name: 'Eingabe löschen' }).click();
  await row.waitFor();

  // "fällig bis" in German (TT.MM.JJJJ), not the browser's date field; the test model's task is due 31.01.2030.
  const due = page.getByLabel('fällig bis');
  expect(await due.getAttribute('type')).toBe('text');
  expect(await due.getAttribute('placeholder')).toBe('TT.MM.JJJJ');
  await due.fill('01.01.2029');
  await row.waitFor({ state: 'detached' });
  await due.fill('31.01.2030');
  await row.waitFor();
  // An impossible date is said at the field; the filter keeps its last valid date.
  await due.fill('31.02.2030');
  await page.getByText('Datum als TT.MM.JJJJ eingeben').waitFor();
  await status(page).waitFor();
  await row.waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'inbox-1440-date-filter.png'), fullPage: true });
  await due.fill('');
  await status(page).waitFor();
  await row.waitFor();
}, 300_000);

test('390 px: one card per task, no sideways scrolling, every action reachable; claim from the card', async () => {
  const page = await inbox('cm.duisburg', 390);
  const card = page.getByTestId('task-card').filter({ hasText: kase.reference });
  await card.waitFor();
  expect(await page.locator('tbody tr').count()).toBe(0);
  expect(await pageWidth(page)).toBeLessThanOrEqual(390);
  for (const fact of ['Prozess', 'Klient/in', 'Fall', 'Standort', 'fällig', 'Bearbeitung']) await card.getByText(fact, { exact: true }).waitFor();
  expect(await card.innerText()).toContain(`Rana Liste${tag}`);
  await inView(page, card.getByRole('button', { name: /Übernehmen/ }), 390);
  await inView(page, card.getByRole('link', { name: /^Öffnen: / }), 390);
  await inView(page, page.getByTestId('task-list-status'), 390);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'inbox-390.png'), fullPage: true });

  await card.getByRole('button', { name: /Übernehmen/ }).click();
  await page.getByText('Aufgabe übernommen.').waitFor();
  await until(async () => (await stack.db.task.findUniqueOrThrow({ where: { id: taskId } })).assignee === 'cm.duisburg', 'übernommen (DB)');
  await openView(page, 'Meine Aufgaben');
  const mine = page.getByTestId('task-card').filter({ hasText: kase.reference });
  await mine.getByRole('button', { name: /Zurückgeben/ }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'inbox-390-mine.png'), fullPage: true });
  await mine.getByRole('link', { name: /^Öffnen: / }).click();
  await page.waitForURL(new RegExp(`#/tasks/${taskId}/show`));
}, 300_000);

test('ABH: the "Fall" column shows the Aktenzeichen, never an id', async () => {
  const page = await inbox('abh.duisburg', 1440);
  const row = page.locator('tbody tr', { hasText: kase.reference });
  await row.waitFor();
  expect(await row.innerText()).toContain('Aufenthaltsdaten bestätigen oder korrigieren');
  expect(await page.locator('tbody').innerText()).not.toMatch(UUID);
  expect(await page.locator('thead').innerText()).not.toContain('Klient/in');
  await page.screenshot({ path: path.join(SHOTS, 'inbox-abh-1440.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  const card = page.getByTestId('task-card').filter({ hasText: kase.reference });
  await card.waitFor();
  expect(await card.innerText()).not.toMatch(UUID);
  await page.screenshot({ path: path.join(SHOTS, 'inbox-abh-390.png'), fullPage: true });
}, 300_000);

/** The element itself takes a tap at its centre: nothing (an invisible layer, a menu) lies over it. */
const takesTaps = (l: Locator) =>
  l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return !!hit && el.contains(hit);
  });

test('a desktop window narrowed to phone width: the menu folds away and the page takes taps; the menu button opens and closes it', async () => {
  const page = await inbox('cm.duisburg', 1440);
  await page.getByRole('menuitem', { name: 'Aufgaben' }).waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  // By CSS: while the menu is open the page behind it is hidden from the accessibility tree.
  const tab = page.locator('[role="tab"]', { hasText: 'Meine Aufgaben' });
  await page.getByRole('menuitem', { name: 'Aufgaben' }).waitFor({ state: 'hidden' });
  await tab.waitFor();
  expect(await takesTaps(tab)).toBe(true);
  await tab.click();
  await page.getByRole('tab', { name: 'Meine Aufgaben', selected: true }).waitFor();
  await page.getByRole('button', { name: 'Menü öffnen' }).click();
  await page.getByRole('menuitem', { name: 'Aufgaben' }).waitFor();
  expect(await takesTaps(tab)).toBe(false);
  await page.keyboard.press('Escape');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).waitFor({ state: 'hidden' });
  expect(await takesTaps(tab)).toBe(true);
}, 300_000);

/** Milliseconds from the start of a full reload until `ready` is visible (Chromium's performance clock). */
async function reloadUntil(page: Page, ready: () => Promise<void>): Promise<number> {
  await page.reload({ waitUntil: 'commit' });
  await ready();
  return page.evaluate(() => Math.round(performance.now()));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test('load: inbox and case file after a full reload (figures printed); neither loads the modeler or form-js', async () => {
  const page = await inbox('cm.duisburg', 1440, 'Meine Aufgaben');
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  const row = page.locator('tbody tr', { hasText: kase.reference });
  await row.waitFor();
  const inboxMs: number[] = [];
  for (let i = 0; i < 3; i++) inboxMs.push(await reloadUntil(page, () => row.waitFor()));
  const inboxScripts = [...new Set(scripts)];

  scripts.length = 0;
  await page.goto(`${stack.url}/#/cases/${kase.id}/show`);
  const header = page.getByRole('heading', { level: 1 }).filter({ hasText: kase.reference });
  await header.waitFor();
  const caseMs: number[] = [];
  for (let i = 0; i < 3; i++) caseMs.push(await reloadUntil(page, () => header.waitFor()));
  const caseScripts = [...new Set(scripts)];

  // The structural fact behind the figures: the heavy parts are separate chunks, not loaded here.
  for (const list of [inboxScripts, caseScripts]) {
    expect(list.length).toBeGreaterThan(0);
    expect(list.filter((s) => /ModelEditor|form-js/.test(s))).toEqual([]);
  }
  const assets = path.join(ROOT, 'admin-ui', 'dist', 'assets');
  const kb = (f: string) => Math.round(fs.statSync(path.join(assets, f)).size / 1024);
  const chunks = fs.readdirSync(assets).filter((f) => f.endsWith('.js')).sort((a, b) => kb(b) - kb(a));
  const initial = inboxScripts.map((s) => path.basename(s)).filter((f) => chunks.includes(f));
  console.log(
    [
      `Ladezeit nach vollständigem Neuladen (Navigation bis sichtbar, Chromium performance.now(), je 3 Läufe; Last der Maschine ${os.loadavg()[0].toFixed(1)} auf ${os.cpus().length} Kernen):`,
      `  Aufgabeneingang: ${inboxMs.join(' / ')} ms (Median ${median(inboxMs)} ms)`,
      `  Fallakte:        ${caseMs.join(' / ')} ms (Median ${median(caseMs)} ms)`,
      `Skripte des Aufgabeneingangs: ${initial.map((f) => `${f} (${kb(f)} KB)`).join(', ')} = ${initial.reduce((n, f) => n + kb(f), 0)} KB`,
      `Alle JS-Chunks: ${chunks.map((f) => `${f} ${kb(f)} KB`).join(', ')}`,
    ].join('\n'),
  );
}, 300_000);
