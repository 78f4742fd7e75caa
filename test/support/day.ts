/**
 * Shared by the role-day browser tests (test/e2e/day-*.e2e.test.ts): each main screen of a role's
 * day is checked and photographed at 1440 px and at 390 px – no sideways scrolling, no serious or
 * critical axe violation, no raw codes, ids or user names on the screen.
 *
 * Screenshots go to test-results/screenshots/day-<role>-<screen>-<width>.png; with
 * KIM_DOC_SCREENSHOTS=1 those the README shows are also renewed in docs/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import { expectNoSevereA11yViolations, expectNoSideScroll, SHOTS, signIn, type UiBrowser } from './browser';

export const WIDE = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };
const DOCS = path.join(ROOT, 'docs', 'screenshots');

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** Codes and technical names that must never reach a screen (user names are checked separately). */
const RAW = [/\bundefined\b/, /\bnull\b/, /\bNaN\b/, /\bcase_manager\b/, /\bkim-[a-z]+(?:-[a-z]+)*\b(?![.@])/, /\b(?:Task|Event|Gateway|StartEvent|EndEvent)_[A-Za-z]+/, /\b(?:ebh_pruefung|antrag_angenommen|eingebuergert|unterlagen_nachfordern|nicht_erreicht|Foerderplanung|BildungArbeit|CaseManagement)\b/];
const USERNAMES = /\b(?:cm2?|koord2?|abh|ebh|admin)\.(?:duisburg|mettmann)\b/;

/** The visible text of the page's main content (the app bar and menu are the same on every screen). */
export async function mainText(page: Page): Promise<string> {
  return page.evaluate(() => (document.querySelector('#main-content') as HTMLElement | null)?.innerText ?? document.body.innerText);
}

/** The entries of the (open, wide) main menu, in order: a role sees only what it can use. */
export async function menuEntries(page: Page): Promise<string[]> {
  await page.getByRole('menuitem', { name: 'Startseite' }).waitFor();
  return (await page.locator('.RaSidebar-fixed [role="menuitem"]').allInnerTexts()).map((t) => t.trim());
}

/** Nothing technical on the screen: no ids, codes, English placeholders or user names (unless allowed). */
export async function expectReadable(page: Page, what: string, opts: { allowUsernames?: boolean } = {}) {
  const text = await mainText(page);
  const found = [...RAW, ...(opts.allowUsernames ? [] : [USERNAMES]), UUID].map((re) => re.exec(text)?.[0]).filter(Boolean);
  if (found.length) throw new Error(`${what}: technische Angaben auf dem Bildschirm: ${found.join(', ')}`);
}

/** The day screenshots the README shows (only those are kept in docs/screenshots). */
let shown: Set<string> | undefined;
function readmeShots(): Set<string> {
  shown ??= new Set(Array.from(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/docs\/screenshots\/(day-[\w-]+\.png)/g), (m) => m[1]));
  return shown;
}

async function save(page: Page, file: string) {
  // From the top, so the app bar (it slides away when scrolling) is back in the picture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => (document.querySelector('header')?.getBoundingClientRect().top ?? 0) >= 0 && document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity), null, { timeout: 10_000 });
  await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
  if (process.env.KIM_DOC_SCREENSHOTS === '1' && readmeShots().has(file)) fs.copyFileSync(path.join(SHOTS, file), path.join(DOCS, file));
}

export interface ScreenOptions {
  /** Waits until the screen is complete at the current width (e.g. the cards replaced the table). */
  ready?: (page: Page) => Promise<void>;
  allowUsernames?: boolean;
}

/**
 * One main screen at both widths: at 1440 px (the page's own size) and, resized, at 390 px – the
 * page fits, axe finds nothing serious, nothing technical is shown; a screenshot of each. The page
 * is wide again afterwards.
 */
export async function screen(page: Page, name: string, opts: ScreenOptions = {}) {
  for (const [size, width] of [
    [WIDE, 1440],
    [PHONE, 390],
  ] as const) {
    if (page.viewportSize()?.width !== size.width) await page.setViewportSize(size);
    try {
      // No menu drawn as a modal over the page (then axe would check the menu only).
      await page.waitForFunction(() => !Array.from(document.querySelectorAll('.RaSidebar-modal')).some((e) => getComputedStyle(e).visibility !== 'hidden'), null, { timeout: 10_000 }).catch(async (e: Error) => {
        const open = await page.evaluate(() => Array.from(document.querySelectorAll('.RaSidebar-modal'), (m) => `${m.className} ${m.outerHTML.slice(0, 600)}`).join('\n'));
        throw new Error(`${e.message}\nMenü noch offen bei ${width} px:\n${open}`);
      });
      await opts.ready?.(page);
      await expectNoSideScroll(page, `day-${name} bei ${width} px`);
      await expectReadable(page, `day-${name} bei ${width} px`, opts);
      await expectNoSevereA11yViolations(page);
    } catch (e) {
      // What the screen looked like when the check failed; the next test of the day starts wide again.
      await page.screenshot({ path: path.join(SHOTS, `day-${name}-${width}-fehler.png`), fullPage: true }).catch(() => undefined);
      await page.setViewportSize(WIDE).catch(() => undefined);
      throw e;
    }
    await save(page, `day-${name}-${width}.png`);
  }
  await page.setViewportSize(WIDE);
  await opts.ready?.(page);
}

/** A fresh 1440 px page signed in as the user, on the start page. */
export async function dayOf(ui: UiBrowser, stack: Stack, username: string, opts: { password?: string } = {}): Promise<Page> {
  const page = await ui.newPage(WIDE);
  await signIn(page, stack.url, username, { ...opts, awaitIdentity: true });
  await page.getByTestId('home-welcome').waitFor();
  return page;
}

/** The path and query of a link in a mail (the mail names KIM_PUBLIC_URL; the test's server runs elsewhere). */
export function linkIn(text: string, pathPrefix: string): string {
  const m = new RegExp(`https?://[^\\s/]+(${pathPrefix.replace(/\//g, '\\/')}[^\\s>)"]+)`).exec(text);
  if (!m) throw new Error(`Kein Link ${pathPrefix} in der E-Mail:\n${text}`);
  return m[1];
}

/**
 * After each test: a picture of every open page (test-results/screenshots/day-ende-<label>-<n>.png),
 * so a failure far into a role's day shows where the user was.
 */
export function picturesAfterEach(label: string, ui: () => UiBrowser | undefined) {
  afterEach(async () => {
    const pages = ui()?.browser.contexts().flatMap((c) => c.pages()) ?? [];
    await Promise.all(pages.map((p, i) => p.screenshot({ path: path.join(SHOTS, `day-ende-${label}-${i}.png`), fullPage: true }).catch(() => undefined)));
  });
}
