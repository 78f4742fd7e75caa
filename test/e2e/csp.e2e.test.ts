/**
 * The Content-Security-Policy in a real browser: the screens that bring the most third-party code –
 * the inbox (react-admin/MUI), a task with its form (form-js), the modeler (bpmn-js, properties
 * panel, element templates, form-js editor) and the read-only diagram – run under the policy without
 * a single violation. Violations are collected from the page's securitypolicyviolation events and
 * from the console; a control injects an inline script and must be reported.
 */
import type { Page } from 'playwright-core';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { caseFixture } from '../api/fixtures';
import { ensureUiBuilt, launchBrowser, openView, signIn, UiBrowser } from '../support/browser';
import { cleanupModeler, MODELER_FIXTURES, modelerTestWorkers } from '../support/modeler';
import { startTestStack, until } from '../support/stack';

const UI_TIMEOUT = 30_000;

let stack: Stack;
let ui: UiBrowser;
let taskId: string;
let caseRef: string;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: MODELER_FIXTURES, workerDefs: [...registry, ...modelerTestWorkers] });
  await cleanupModeler(stack);
  ui = await launchBrowser(UI_TIMEOUT);
  const f = await caseFixture(stack, 'duisburg-nord');
  caseRef = (await stack.db.case.findUniqueOrThrow({ where: { id: f.caseId } })).reference;
  const r = await stack.engine.runtime.start('kim-test-modeler', 'duisburg', { kommuneId: 'duisburg', caseId: f.caseId });
  taskId = (await until(() => stack.db.task.findFirst({ where: { processInstanceKey: r.processInstanceKey } }), 'Aufgabe in der Projektion')).id;
}, 240_000);

afterAll(async () => {
  await ui?.close();
  if (stack) await cleanupModeler(stack);
  await stack?.stop();
});

interface Violation {
  directive: string;
  blocked: string;
  source?: string;
}

/** A page that records every CSP violation: DOM events (installed before any page script) and console. */
async function watchedPage(width = 1440): Promise<{ page: Page; violations: () => Promise<Violation[]> }> {
  const page = await ui.newPage({ width, height: 1000 });
  const fromConsole: Violation[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame|create)/i.test(m.text())) fromConsole.push({ directive: 'console', blocked: m.text() });
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: Array<Record<string, string>> };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: `${e.sourceFile}:${e.lineNumber}` }));
  });
  return {
    page,
    violations: async () => [...((await page.evaluate(() => (window as unknown as { __csp: Violation[] }).__csp)) ?? []), ...fromConsole],
  };
}

test('the response carries the policy the browser enforces', async () => {
  const res = await fetch(stack.url);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
});

test('the collector sees a violation (control: an injected inline script is blocked and reported)', async () => {
  const { page, violations } = await watchedPage();
  await page.goto(stack.url);
  await page.getByRole('heading', { name: 'Anmeldung' }).waitFor();
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.head.appendChild(s);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  await until(async () => (await violations()).some((v) => v.directive === 'script-src-elem' || v.directive === 'script-src'), 'gemeldete Verletzung', 10_000);
});

test('inbox, task form (form-js), modeler (bpmn-js, properties panel, form editor) and diagram run without a CSP violation', async () => {
  // Case manager: inbox and the task with its form.
  const cm = await watchedPage();
  await signIn(cm.page, stack.url, 'cm.duisburg');
  await cm.page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await openView(cm.page, 'Gruppenaufgaben');
  await cm.page.locator('tbody tr', { hasText: caseRef }).waitFor();
  expect(await cm.violations()).toEqual([]);
  await cm.page.goto(`${stack.url}/#/tasks/${taskId}/show`);
  await cm.page.locator('.fjs-form .fjs-form-field').first().waitFor();
  await cm.page.getByRole('button', { name: 'Abschließen' }).waitFor();
  expect(await cm.violations()).toEqual([]);

  // Coordinator: the modeler with its panel, the template chooser and the form editor; then the viewer.
  const koord = await watchedPage();
  await signIn(koord.page, stack.url, 'koord.duisburg');
  await koord.page.getByRole('menuitem', { name: 'Prozesse' }).waitFor();
  await koord.page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
  const task = koord.page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_After"]');
  await task.waitFor();
  await task.click();
  await koord.page.locator('[data-testid="properties-panel"] .bio-properties-panel-header').waitFor();
  await koord.page.getByTestId('properties-panel').getByRole('button', { name: 'Auswählen' }).first().click();
  await koord.page.getByText('Vermittlung senden').first().waitFor();
  await koord.page.keyboard.press('Escape');
  await koord.page.getByRole('tab', { name: /Formulare/ }).click();
  await koord.page.getByTestId('form-editor').locator('.fjs-form-field').first().waitFor();
  expect(await koord.violations()).toEqual([]);
  await koord.page.goto(`${stack.url}/#/models/kim-test-modeler/show`);
  await koord.page.getByRole('heading', { name: 'Versionen' }).waitFor();
  await koord.page.locator('[data-element-id="Task_CheckRequest"]').first().waitFor();
  expect(await koord.violations()).toEqual([]);
}, 300_000);
