/**
 * Shared by the browser tests: the web app build, Debian's Chromium through playwright-core, German
 * sign-in, the inbox tabs and the axe-core check.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { ROOT } from '../../server/config';

const UI_DIR = path.join(ROOT, 'admin-ui');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const PASSWORD = process.env.KIM_DEMO_PASSWORD || 'kim-demo';

/** Newest modification time under a path (file or folder). */
function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newestMtime(path.join(p, name))), st.mtimeMs);
}

/**
 * Builds admin-ui/dist unless it is newer than the web app's sources (the server decides at start
 * whether to serve it, so call this before starting the stack). Vite runs in a child process: it is
 * ESM-only and jest's module loader runs CommonJS. Also creates the screenshot folder.
 */
export async function ensureUiBuilt() {
  fs.mkdirSync(SHOTS, { recursive: true });
  const dist = path.join(UI_DIR, 'dist');
  const built = path.join(dist, 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => path.join(UI_DIR, p)).concat(path.join(ROOT, 'package-lock.json'));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs > Math.max(...sources.map(newestMtime))) return;
  // Build beside dist and swap it in: a test run that serves the old build at this moment (another
  // jest process on the same checkout) never sees a half-written folder.
  const out = path.join(UI_DIR, `.dist-build-${process.pid}`);
  fs.rmSync(out, { recursive: true, force: true });
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', path.join(UI_DIR, 'vite.config.ts'), '--logLevel', 'warn', '--outDir', out, '--emptyOutDir'], {
    cwd: ROOT,
    // The build users get: jest sets NODE_ENV=test, which would give React's development build
    // (it behaves differently, e.g. in transitions, and is slower).
    env: { ...process.env, NODE_ENV: 'production' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (!fs.existsSync(path.join(out, 'index.html'))) throw new Error('Vite-Build hat keine index.html erzeugt');
  const old = path.join(UI_DIR, `.dist-old-${process.pid}`);
  if (fs.existsSync(dist)) fs.renameSync(dist, old);
  fs.renameSync(out, dist);
  fs.rmSync(old, { recursive: true, force: true });
}

export interface UiBrowser {
  browser: Browser;
  /** A fresh German context (own cookies) with the given upper bound for every UI condition. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Debian Chromium (KIM_CHROMIUM overrides the path) without calls to the internet. */
export async function launchBrowser(uiTimeoutMs: number): Promise<UiBrowser> {
  const browser = await chromium.launch({
    executablePath: process.env.KIM_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newPage(viewport = { width: 1280, height: 900 }) {
      const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport });
      context.setDefaultTimeout(uiTimeoutMs);
      contexts.push(context);
      const page = await context.newPage();
      // Surface browser-side failures in the jest output.
      page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** axe-core on the current page: no violation of impact serious or critical. */
export async function expectNoSevereA11yViolations(page: Page) {
  // Menus and dialogs fade in and out: colours measured mid-transition are not what a user reads.
  // Wait until every finite animation or transition has finished (spinners run forever).
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity), undefined, { timeout: 10_000 });
  const axe = await new AxeBuilder({ page }).analyze();
  const severe = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(severe.map((v) => `${v.id} (${v.impact}): ${v.help} – ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 200)} ${n.failureSummary ?? ''}`).join('; ')}`)).toEqual([]);
}

/** Fills the German login form; with `awaitIdentity` waits until the app shows the signed-in role. */
export async function signIn(page: Page, url: string, username: string, opts: { password?: string; awaitIdentity?: boolean } = {}) {
  await page.goto(url);
  await page.getByLabel('Benutzername').fill(username);
  await page.getByLabel('Passwort').fill(opts.password ?? PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  if (opts.awaitIdentity) await page.getByTestId('identity-role').waitFor();
}

/** Opens an inbox tab and waits until its list has loaded for that view. */
export async function openView(page: Page, tab: 'Meine Aufgaben' | 'Gruppenaufgaben' | 'Alle Aufgaben') {
  const view = { 'Meine Aufgaben': 'mine', Gruppenaufgaben: 'group', 'Alle Aufgaben': 'all' }[tab];
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('tab', { name: tab, selected: true }).waitFor();
  await page.locator(`[data-testid="task-list-status"][data-view="${view}"][data-loaded="true"]`).waitFor();
}

/** The page is no wider than its window (no sideways scrolling), once the layout has settled. */
export async function expectNoSideScroll(page: Page, what = 'Seite'): Promise<void> {
  try {
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, null, { timeout: 5000 });
  } catch {
    // Name the outermost elements that stick out, so the message points at the cause.
    const { w, vw, culprits } = await page.evaluate(() => {
      const vw = window.innerWidth;
      const out = Array.from(document.body.querySelectorAll('*')).filter((e) => e.getBoundingClientRect().right > vw + 1);
      const outer = out.filter((e) => !out.includes(e.parentElement as Element)).slice(0, 5);
      return { w: document.documentElement.scrollWidth, vw, culprits: outer.map((e) => `${e.tagName.toLowerCase()}.${Array.from(e.classList).slice(0, 3).join('.')}`) };
    });
    throw new Error(`${what}: ${w} px breit bei ${vw} px Fensterbreite (waagerechte Bildlaufleiste): ${culprits.join(', ')}`);
  }
}
