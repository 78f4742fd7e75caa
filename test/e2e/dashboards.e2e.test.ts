/**
 * The dashboards in a real browser on the demo history (prisma/seed-history.ts): the coordinator's
 * commune dashboard (charts with their tables, filter by site, CSV), and the state user from an
 * otherwise empty menu through the state's dashboard to the export for "Datenbank KIM" (export made
 * and listed, downloaded again, a schedule). Each screen at 1440 and 390 px: no sideways scrolling,
 * axe finds nothing serious, nothing technical on it; screenshots test-results/screenshots/
 * dashboard-*.png (with KIM_DOC_SCREENSHOTS=1 also docs/screenshots/, shown in the README).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { seedHistory } from '../../prisma/seed-history';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import { ensureUiBuilt, expectNoSevereA11yViolations, expectNoSideScroll, launchBrowser, SHOTS, signIn, UiBrowser } from '../support/browser';
import { expectReadable, menuEntries, PHONE, WIDE } from '../support/day';
import { startTestStack } from '../support/stack';

const UI_TIMEOUT = 90_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
let stack: Stack;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ workers: false });
  await seedHistory(stack.db);
  ui = await launchBrowser(UI_TIMEOUT);
}, 600_000);
afterAll(async () => {
  await ui?.close();
  await stack?.stop();
});

async function shoot(page: Page, file: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
  if (process.env.KIM_DOC_SCREENSHOTS === '1') fs.copyFileSync(path.join(SHOTS, file), path.join(ROOT, 'docs', 'screenshots', file));
}

/** The screen at 1440 and 390 px: fits, axe, readable, photographed. */
async function screens(page: Page, name: string, ready: (p: Page) => Promise<void>) {
  for (const size of [WIDE, PHONE]) {
    await page.setViewportSize(size);
    await ready(page);
    await expectNoSideScroll(page, `${name} bei ${size.width} px`);
    await expectReadable(page, `${name} bei ${size.width} px`, { allowUsernames: true });
    await expectNoSevereA11yViolations(page);
    await shoot(page, `dashboard-${name}-${size.width}.png`);
  }
  await page.setViewportSize(WIDE);
}

const loaded = async (page: Page) => {
  await page.locator('[data-testid="dashboard-tables"][data-loaded="true"]').waitFor();
  // Every chart has drawn its bars.
  await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid^="report-chart-"]')).every((c) => c.querySelector('svg rect, svg path')));
};

/** Every indicator card: a chart (an image with a name) and, beside it, its numbers as a table with a caption. */
async function expectChartsWithTables(page: Page): Promise<Locator[]> {
  const cards = await page.locator('section[data-testid^="report-"]').all();
  expect(cards.length).toBeGreaterThanOrEqual(11);
  for (const card of cards) {
    const title = await card.getByRole('heading', { level: 2 }).innerText();
    const chart = card.getByRole('img', { name: /^Balkendiagramm: / });
    if (await card.getByText('Noch keine Einträge.').count()) continue;
    expect({ title, charts: await chart.count() }).toEqual({ title, charts: 1 });
    const table = card.getByRole('table');
    expect({ title, tables: await table.count() }).toEqual({ title, tables: 1 });
    expect(await table.locator('caption').innerText()).toBe(`${title} (Zahlen)`);
    expect(await table.getByRole('columnheader').count()).toBeGreaterThan(1);
    expect(await table.getByRole('rowheader').count()).toBeGreaterThan(0);
  }
  return cards;
}

test('coordinator: the commune dashboard – charts with tables, small site counts as "< 5", filter by site, CSV', async () => {
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'koord.duisburg', { awaitIdentity: true });
  await page.getByRole('menuitem', { name: 'Kennzahlen' }).click();
  await page.getByRole('heading', { level: 1, name: 'Kennzahlen Stadt Duisburg' }).waitFor();
  await loaded(page);
  await expectChartsWithTables(page);
  await page.getByTestId('suppression-hint').getByText('„< 5“').waitFor();
  // Site-level small counts are hidden and say so; the commune's totals are all shown.
  const open = page.getByTestId('report-table-offene-faelle');
  expect(await open.locator('[data-suppressed="true"]').count()).toBeGreaterThan(0);
  expect(await open.locator('[data-suppressed="true"]').first().innerText()).toBe('< 5');
  const totals = await open.getByRole('columnheader', { name: 'Stadt Duisburg gesamt' }).count();
  expect(totals).toBe(1);
  const chartLabels = await page.getByTestId('report-chart-offene-faelle').locator('text').allTextContents();
  expect(chartLabels).toContain('< 5');
  await screens(page, 'kommune', loaded);

  // Filter: one site.
  await page.getByRole('combobox', { name: 'Standort' }).click();
  await page.getByRole('option', { name: 'Regional Support Center Nord (Hamborn)' }).click();
  await page.getByTestId('dashboard-scope').getByText('Regional Support Center Nord (Hamborn) · Zeitraum:').waitFor();
  await loaded(page);
  expect(await page.getByTestId('report-table-hilfeart').getByRole('columnheader', { name: 'Summe' }).count()).toBe(1);

  // CSV for Excel.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV herunterladen' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^kim-kennzahlen-duisburg_\d{4}-\d{2}_bis_\d{4}-\d{2}\.csv$/);
  const file = fs.readFileSync((await download.path())!);
  expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(file.toString('utf8')).toContain('Kennzahl;Offene Fälle nach Phase');
}, 600_000);

test('state: from the menu to the state\'s dashboard and through the export for "Datenbank KIM"', async () => {
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, 'land.nrw', { awaitIdentity: true });
  // The state sees figures only: no inbox, case files or process models in its menu.
  expect(await menuEntries(page)).toEqual(['Startseite', 'Landesübersicht', 'Export Datenbank KIM']);
  await page.getByRole('menuitem', { name: 'Landesübersicht' }).click();
  await page.getByRole('heading', { level: 1, name: 'Landesübersicht KIM' }).waitFor();
  await loaded(page);
  await expectChartsWithTables(page);
  const kinds = page.getByTestId('report-table-hilfeart');
  // Kinds of help as rows, one column per commune (as the chart's bars), then NRW.
  await kinds.getByRole('columnheader', { name: 'Stadt Duisburg' }).waitFor();
  await kinds.getByRole('columnheader', { name: 'Kreis Mettmann' }).waitFor();
  await kinds.getByRole('columnheader', { name: 'NRW gesamt' }).waitFor();
  // The demo history: nothing suppressed at commune level.
  expect(await page.locator('[data-testid="report-table-hilfeart"] [data-suppressed="true"]').count()).toBe(0);
  await screens(page, 'land', loaded);

  // The export: choose, make, find it in the list, download it again.
  await page.getByRole('menuitem', { name: 'Export Datenbank KIM' }).click();
  await page.getByRole('heading', { level: 1, name: 'Export für die Datenbank KIM' }).waitFor();
  await page.getByRole('checkbox', { name: 'Art der Hilfe' }).check();
  await page.getByRole('checkbox', { name: 'Bedarfe nach Lebensbereich' }).check();
  await page.getByRole('checkbox', { name: 'Sachbericht / Verwendungsnachweis (Jahreszahlen)' }).check();
  await page.getByRole('radio', { name: 'JSON' }).check();
  await page.getByRole('button', { name: 'Export erstellen' }).click();
  const made = page.getByTestId('export-made');
  await made.waitFor();
  const runs = page.getByTestId('export-runs');
  await runs.getByRole('cell', { name: 'land.nrw' }).first().waitFor();
  await runs.getByRole('cell', { name: '3 Kennzahlen' }).first().waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), runs.getByRole('link', { name: 'JSON herunterladen' }).first().click()]);
  expect(download.suggestedFilename()).toMatch(/^kim-export_nrw_\d{4}-\d{2}_bis_\d{4}-\d{2}\.json$/);
  const json = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as { gebiet: string; werte: Array<{ gebiet: string; anzahl: number | null }> };
  expect(json.gebiet).toBe('Nordrhein-Westfalen (alle Kommunen)');
  expect(new Set(json.werte.map((w) => w.gebiet))).toEqual(new Set(['Stadt Duisburg', 'Kreis Mettmann', 'NRW gesamt']));
  expect(JSON.stringify(json)).not.toMatch(UUID);
  expect(await stack.db.auditLog.count({ where: { username: 'land.nrw', entity: 'ExportRun', action: { in: ['export', 'download'] } } })).toBe(2);

  // A monthly schedule, the first export at once.
  await page.getByRole('checkbox', { name: 'Erstes Mal sofort (für den letzten abgeschlossenen Zeitraum)' }).check();
  await page.getByRole('button', { name: 'Zeitplan speichern' }).click();
  await page.getByTestId('export-configs').getByRole('cell', { name: 'monatlich (Vormonat)', exact: true }).waitFor();

  // The Sachbericht of last year below.
  await page.getByTestId('report-sachbericht-fallzahlen').getByRole('rowheader', { name: 'Baustein 2: Vermittlungen' }).waitFor();
  await screens(page, 'export', async (p) => {
    await p.getByTestId('export-runs').waitFor();
    await p.getByTestId('report-sachbericht-stellen').waitFor();
  });
}, 600_000);
