/**
 * "Bleiberecht prüfen" in a real browser: the menu entry for case managers, ABH and coordinators
 * (not for the naturalisation authority), the German form, the engine's answer in plain German –
 * met / missing per paragraph with German labels, from when, the latest application date, the
 * deadlines – and German field messages. Dates are typed in German form (TT.MM.JJJJ), also in an
 * English browser, for both quick checks. No raw codes on the page; axe; 1440 px and 390 px.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CODES_25A, CODES_25B, DMN_FILE, FRIST_CODES } from '../../processes/kim-bleiberecht/contract';
import type { Stack } from '../../server/stack';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, SHOTS, signIn, UiBrowser } from '../support/browser';
import { decisionStack } from '../support/decision';

const UI_TIMEOUT = 30_000;
let stack: Stack;
let stop: () => Promise<void>;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  ({ stack, stop } = await decisionStack('kim-bleiberecht', DMN_FILE));
  ui = await launchBrowser(UI_TIMEOUT);
}, 240_000);
afterAll(async () => {
  await ui?.close();
  await stop?.();
});

async function openCheck(username: string, width: number): Promise<Page> {
  const page = await ui.newPage({ width, height: 900 });
  await signIn(page, stack.url, username, { awaitIdentity: true });
  // On a phone the menu is folded away: go by address there, by the menu entry on a desktop.
  if (width < 600) await page.goto(`${stack.url}/#/bleiberecht/pruefen`);
  else await page.getByRole('menuitem', { name: 'Bleiberecht prüfen' }).click();
  await page.getByRole('heading', { name: 'Bleiberecht prüfen (§§ 25a, 25b AufenthG)' }).waitFor();
  return page;
}

const RAW = [...CODES_25A, ...CODES_25B, ...FRIST_CODES, 'AE_104C', 'DULDUNG_60B'];
async function expectNoRawCodes(page: Page) {
  const text = await page.locator('main').innerText();
  for (const code of RAW) expect(text).not.toMatch(new RegExp(`\\b${code}\\b`));
}

/** Dates are typed in German form (TT.MM.JJJJ), as a person in Germany writes them. */
async function fill(page: Page, values: { stichtag: string; geburtsdatum: string; aufenthaltSeit: string; duldungSeit?: string }) {
  await page.getByLabel('Stichtag').fill(values.stichtag);
  await page.getByLabel('Geburtsdatum').fill(values.geburtsdatum);
  await page.getByLabel('Ununterbrochener Aufenthalt seit').fill(values.aufenthaltSeit);
  if (values.duldungSeit) await page.getByLabel('Geduldet seit').fill(values.duldungSeit);
}

async function choose(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

test('a case manager checks a young tolerated person: § 25a met with its last day, § 25b missing in German words', async () => {
  const page = await openCheck('cm.duisburg', 1440);
  await fill(page, { stichtag: '30.06.2025', geburtsdatum: '10.05.2005', aufenthaltSeit: '15.01.2021', duldungSeit: '01.01.2023' });
  await choose(page, 'Aufenthaltsstatus', 'Duldung');
  await choose(page, 'Mündliche Deutschkenntnisse', 'A1');
  await page.getByLabel(/3 Jahre erfolgreicher Schulbesuch/).check();
  await page.getByRole('button', { name: 'Bleiberecht prüfen' }).click();
  const result = page.getByTestId('residence-check-result');
  const p25a = result.getByRole('region', { name: /§ 25a/ });
  await p25a.getByText('Alle geprüften Voraussetzungen sind erfüllt.').waitFor();
  await p25a.getByText('Aufenthaltsdauer, Mindestalter und Duldungsdauer erfüllt ab: 15.01.2024').waitFor();
  await p25a.getByText('Antrag spätestens am: 09.05.2032 (Tag vor dem 27. Geburtstag)').waitFor();
  const p25b = result.getByRole('region', { name: /§ 25b/ });
  await p25b.getByText('Noch nicht erfüllt:').waitFor();
  expect(await p25b.getByRole('listitem').allInnerTexts()).toEqual([
    '6 Jahre Aufenthalt (4 Jahre mit minderjährigem Kind im Haushalt)',
    'Bekenntnis zur freiheitlichen demokratischen Grundordnung',
    'Lebensunterhalt überwiegend gesichert',
    'Mündliche Deutschkenntnisse mindestens A2',
  ]);
  await p25b.getByText('Aufenthaltsdauer und Volljährigkeit erfüllt ab: 15.01.2027').waitFor();
  expect(await result.getByRole('region', { name: 'Fristen' }).getByRole('listitem').allInnerTexts()).toEqual(['09.05.2032: Letzter Tag für einen Antrag nach § 25a (Tag vor dem 27. Geburtstag)']);
  await expectNoRawCodes(page);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'bleiberecht-schnellpruefung-1440.png'), fullPage: true });
});

test('an ABH officer on a phone: § 104c holder, both deadlines in date order; no sideways scrolling', async () => {
  const page = await openCheck('abh.duisburg', 390);
  await fill(page, { stichtag: '01.03.2026', geburtsdatum: '15.01.2001', aufenthaltSeit: '01.03.2018' });
  await choose(page, 'Aufenthaltsstatus', 'Aufenthaltserlaubnis nach § 104c (Chancen-Aufenthaltsrecht)');
  await choose(page, 'Mündliche Deutschkenntnisse', 'B1');
  for (const label of [/3 Jahre erfolgreicher Schulbesuch/, /Lebensunterhalt überwiegend/, /Bekenntnis zur freiheitlichen/]) await page.getByLabel(label).check();
  await page.getByRole('button', { name: 'Bleiberecht prüfen' }).click();
  const fristen = page.getByTestId('residence-check-result').getByRole('region', { name: 'Fristen' });
  await fristen.getByRole('listitem').first().waitFor();
  expect(await fristen.getByRole('listitem').allInnerTexts()).toEqual([
    '30.06.2027: Ende des Übergangs nach § 104c: Antrag nach §§ 25a/25b spätestens',
    '14.01.2028: Letzter Tag für einen Antrag nach § 25a (Tag vor dem 27. Geburtstag)',
  ]);
  await page.getByTestId('residence-check-result').getByRole('region', { name: /§ 25b/ }).getByText('Alle geprüften Voraussetzungen sind erfüllt.').waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expectNoRawCodes(page);
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'bleiberecht-schnellpruefung-390.png'), fullPage: true });
});

test('a wrong number is named at its field in German; a half-typed date says how to write it and is not sent', async () => {
  const page = await openCheck('koord.duisburg', 1440);
  const birth = page.getByLabel('Geburtsdatum');
  await birth.fill('31.02.2005');
  await page.getByText('Datum als TT.MM.JJJJ eingeben').waitFor();
  expect(await birth.getAttribute('aria-invalid')).toBe('true');
  await birth.fill('');
  await page.getByLabel('Tage mit § 60b-Duldung').fill('-3');
  await page.getByRole('button', { name: 'Bleiberecht prüfen' }).click();
  await page.getByText('Nicht anrechenbare Tage dürfen nicht negativ sein.').waitFor();
  await expectNoSevereA11yViolations(page);
});

test('both quick checks ask for dates in German form even in an English browser', async () => {
  const context = await ui.browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Berlin', viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  const page = await context.newPage();
  try {
    await signIn(page, stack.url, 'cm.duisburg', { awaitIdentity: true });
    const today = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
    for (const [route, heading, dates] of [
      ['/#/bleiberecht/pruefen', 'Bleiberecht prüfen (§§ 25a, 25b AufenthG)', ['Stichtag', 'Geburtsdatum', 'Ununterbrochener Aufenthalt seit', 'Geduldet seit']],
      ['/#/einbuergerung/schnellpruefung', 'Einbürgerung – Schnellprüfung', ['Stichtag', 'Rechtmäßiger Aufenthalt seit']],
    ] as const) {
      await page.goto(`${stack.url}${route}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      for (const label of dates) {
        const field = page.getByLabel(label, { exact: true });
        expect({ label, placeholder: await field.getAttribute('placeholder'), type: await field.getAttribute('type') }).toEqual({ label, placeholder: 'TT.MM.JJJJ', type: 'text' });
      }
      expect(await page.getByLabel('Stichtag', { exact: true }).inputValue()).toBe(today);
      expect(await page.locator('input[type="date"]').count()).toBe(0);
    }
  } finally {
    await context.close();
  }
});

test('the naturalisation authority has no menu entry, and the page tells it who may use it', async () => {
  const page = await ui.newPage({ width: 1440, height: 900 });
  await signIn(page, stack.url, 'ebh.duisburg', { awaitIdentity: true });
  await page.getByRole('menuitem', { name: 'Schnellprüfung' }).waitFor();
  expect(await page.getByRole('menuitem', { name: 'Bleiberecht prüfen' }).count()).toBe(0);
  await page.goto(`${stack.url}/#/bleiberecht/pruefen`);
  await page.getByText('Die Bleiberechtsprüfung steht dem Fallmanagement, der Ausländerbehörde und der Koordination zur Verfügung.').waitFor();
});
