/**
 * The task view and the case file in a real browser (issue 6): a case manager completes a task
 * through its rendered Camunda form (inline validation first), a saved draft survives a reload, the
 * next task of the case opens; the case file shows; EBH staff see only their group's task; another
 * commune sees nothing; axe finds no serious or critical violation on inbox, task view and case view.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { CaseFixture, caseFixture, taskFor } from '../api/fixtures';
import { FIXTURES, startTestStack, until } from '../support/stack';

const UI_DIR = path.join(ROOT, 'admin-ui');
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const PASSWORD = process.env.KIM_DEMO_PASSWORD || 'kim-demo';
const UI_TIMEOUT = 30_000;

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newestMtime(path.join(p, name))), st.mtimeMs);
}

async function ensureUiBuilt() {
  const built = path.join(UI_DIR, 'dist', 'index.html');
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => path.join(UI_DIR, p)).concat(path.join(ROOT, 'package-lock.json'));
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs > Math.max(...sources.map(newestMtime))) return;
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--config', path.join(UI_DIR, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
}

let stack: Stack;
let browser: Browser;
let fx: CaseFixture;
let t1: string;
let t2: string;
let ebhTask: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await ensureUiBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  browser = await chromium.launch({
    executablePath: process.env.KIM_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  fx = await caseFixture(stack, 'duisburg-nord');
  const start = async () => {
    const r = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-inbox', variables: { caseId: fx.caseId, kommuneId: 'duisburg' } });
    const pik = String(r.processInstanceKey);
    return (await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik } }), 'Aufgabe in der Projektion')).id;
  };
  t1 = await start();
  t2 = await start();
  ebhTask = (await taskFor(stack, fx.caseId, 'ebh:duisburg')).id;
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await stack?.stop();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[browser] ${e.message}`));
  return page;
}

async function expectNoSevereA11yViolations(page: Page) {
  const axe = await new AxeBuilder({ page }).analyze();
  const severe = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(severe.map((v) => `${v.id} (${v.impact}): ${v.help} – ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html.slice(0, 200)}`).join('; ')}`)).toEqual([]);
}

async function signIn(page: Page, username: string) {
  await page.goto(stack.url);
  await page.getByLabel('Benutzername').fill(username);
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByTestId('identity-role').waitFor();
}

async function openView(page: Page, tab: 'Meine Aufgaben' | 'Gruppenaufgaben') {
  const view = tab === 'Meine Aufgaben' ? 'mine' : 'group';
  await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('tab', { name: tab, selected: true }).waitFor();
  await page.locator(`[data-testid="task-list-status"][data-view="${view}"][data-loaded="true"]`).waitFor();
}

test('a case manager works a task through its form: validation, draft across reload, completion opens the next task', async () => {
  const page = await newPage();
  await signIn(page, 'cm.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  await page.locator('tbody tr', { hasText: fx.caseId }).first().waitFor();
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-inbox.png'), fullPage: true });

  await page.goto(`${stack.url}/#/tasks/${t1}/show`);
  await page.getByRole('heading', { name: 'Erstkontakt prüfen', exact: true }).waitFor();
  const box = page.getByLabel('Erstkontakt geprüft');
  await box.waitFor();
  // Case context beside the form.
  await page.getByRole('heading', { name: /^Fall T-/ }).waitFor();
  await page.getByText('Letzte Notizen').waitFor();

  // Required field missing: inline message in German, nothing completed.
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.getByText('Pflichtfeld – bitte ausfüllen.').first().waitFor();
  await page.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie die markierten Felder' }).waitFor();
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t1 } })).state).toBe('CREATED');
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-task-validation.png'), fullPage: true });

  // Draft survives a reload.
  await box.check();
  await page.getByRole('button', { name: 'Entwurf speichern' }).click();
  await page.getByText('Entwurf gespeichert.').waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Erstkontakt prüfen', exact: true }).waitFor();
  await until(async () => page.getByLabel('Erstkontakt geprüft').isChecked(), 'Entwurf nach dem Neuladen');

  // Completion: the next task of the same case opens.
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.waitForURL(new RegExp(`#/tasks/${t2}/show`));
  await page.getByText(/Nächste Aufgabe/).waitFor();
  const done = await stack.db.task.findUniqueOrThrow({ where: { id: t1 } });
  expect(done.state).toBe('COMPLETED');
  expect(done.completedBy).toBe('cm.duisburg');
  await page.getByLabel('Erstkontakt geprüft').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'workspace-next-task.png'), fullPage: true });

  // The case file from the task view.
  await page.getByRole('link', { name: 'Fallakte öffnen' }).click();
  await page.getByRole('heading', { name: /^Fall T-/, level: 1 }).waitFor();
  for (const h of ['Einwilligungen', 'Vermittlungen', 'Notizen', 'Dokumente', 'Protokoll']) await page.getByRole('heading', { name: h }).waitFor();
  await page.getByText('pass.pdf herunterladen').waitFor();
  await page.getByRole('cell', { name: 'Arbeitsvermittlung' }).waitFor();
  await expectNoSevereA11yViolations(page);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-case.png'), fullPage: true });
});

test('EBH staff see only the EBH task; its view shows the minimised case', async () => {
  const page = await newPage();
  await signIn(page, 'ebh.duisburg');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(page, 'Gruppenaufgaben');
  const rows = page.locator('tbody tr', { hasText: fx.caseId });
  await rows.first().waitFor();
  expect(await rows.count()).toBe(1);
  expect(await rows.first().innerText()).toContain('Akte vorprüfen');
  await page.goto(`${stack.url}/#/tasks/${ebhTask}/show`);
  await page.getByRole('heading', { name: 'Akte vorprüfen', exact: true }).waitFor();
  await page.getByRole('heading', { name: /^Fall T-/ }).waitFor();
  expect(await page.getByText('Letzte Notizen').count()).toBe(0);
  expect(await page.getByText('Einwilligungen').count()).toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'workspace-ebh-task.png'), fullPage: true });
});

test('a case manager of another commune sees none of these tasks', async () => {
  const page = await newPage();
  await signIn(page, 'cm.mettmann');
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  for (const tab of ['Gruppenaufgaben', 'Meine Aufgaben'] as const) {
    await openView(page, tab);
    expect(await page.locator('tbody tr', { hasText: fx.caseId }).count()).toBe(0);
  }
  await page.goto(`${stack.url}/#/tasks/${t2}/show`);
  await page.getByText('Die Aufgabe wurde nicht gefunden.').waitFor();
});
