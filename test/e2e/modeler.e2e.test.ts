/**
 * The process modeler in a real browser on the real stack: a coordinator renames a user task in the
 * Camunda 7 (camunda-platform) modeler, the live check passes, saves and submits; a second
 * coordinator reviews the visual diff and approves; the server deploys the commune's variant; a new
 * instance shows the new name in the inbox. The properties panel is the Camunda 7 one (external
 * task, topic) and offers the element templates of the worker topics. A model with an unknown topic
 * is refused with a German message; a case manager reaches neither the editor nor its API; an
 * incident of a failing worker shows up with its step's name and its case, and is retried. The
 * diagram opens fitted beside the palette, the review shows old and new side by side (zoomable), a
 * stale check says "wird geprüft", and the properties panel and form editor speak German.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, SHOTS, signIn, UiBrowser } from '../support/browser';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { cleanupModeler, ensureSecondCoordinator, flaky, lintErrors, MODELER_FIXTURES, modelerTestWorkers, openProcess, renameOnCanvas } from '../support/modeler';
import { login, startTestStack, until } from '../support/stack';
import { caseFixture } from '../api/fixtures';

const UI_TIMEOUT = 30_000;
const NEW_NAME = 'Anfrage im Browser prüfen';

let stack: Stack;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  stack = await startTestStack({ processesDir: MODELER_FIXTURES, workerDefs: [...registry, ...modelerTestWorkers] });
  await ensureSecondCoordinator(stack);
  await cleanupModeler(stack);
  ui = await launchBrowser(UI_TIMEOUT);
}, 240_000);

afterAll(async () => {
  await ui?.close();
  if (stack) await cleanupModeler(stack);
  await stack?.stop();
});

async function signedIn(username: string, width = 1440): Promise<Page> {
  const page = await ui.newPage({ width, height: 1000 });
  await signIn(page, stack.url, username);
  // On a phone the menu is folded away: then the signed-in app is there once the login form is gone.
  if (width >= 900) await page.getByRole('menuitem', { name: 'Prozesse' }).waitFor();
  else await page.getByLabel('Passwort').waitFor({ state: 'detached' });
  return page;
}

test('a coordinator renames a user task, a second coordinator approves, new instances show the new name', async () => {
  const page = await signedIn('koord.duisburg');
  await openProcess(page, 'kim-test-modeler');
  await page.getByRole('link', { name: 'Neuen Entwurf anlegen' }).click();
  await page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_CheckRequest"]').waitFor();
  expect(await lintErrors(page)).toBe(0);
  await expectFitted(page);

  // Rename the user task on the canvas (direct editing; the properties panel shows the same name).
  await renameOnCanvas(page, 'Task_CheckRequest', NEW_NAME);
  // The result before the change is not shown as current: "wird geprüft" until the new check returns.
  await page.getByTestId('lint-pending').getByText('Der aktuelle Stand wird geprüft').waitFor();
  expect(await page.getByText('Keine Fehler – der Entwurf kann').count()).toBe(0);
  await page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_CheckRequest"]').getByText('Anfrage im Browser').waitFor();
  expect(await lintErrors(page)).toBe(0);
  await page.getByText('Keine Fehler – der Entwurf kann').waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'modeler-editor.png'), fullPage: true });
  await expectNoSevereA11yViolations(page);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText('Entwurf gespeichert.').waitFor();
  await page.getByLabel('Kommentar zur Änderung').fill('Aufgabe verständlicher benannt');
  await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).click();
  await page.getByTestId('draft-status').getByText(/zur Freigabe eingereicht/).waitFor();
  // The author cannot approve.
  await page.getByText(/Vier-Augen-Prinzip/).waitFor();
  expect(await page.getByRole('button', { name: 'Freigeben und bereitstellen' }).count()).toBe(0);

  const before = (await stack.engine.watch.definitions('duisburg', 'kim-test-modeler'))[0].version;
  const page2 = await signedIn('koord2.duisburg');
  await openProcess(page2, 'kim-test-modeler');
  // The change by name (no ids), old and new side by side, each large and zoomable, with a legend.
  await page2.getByTestId('diff-summary').getByText(`Geändert: „${NEW_NAME}“`).waitFor();
  for (const word of ['Legende:', 'neu', 'geändert', 'entfernt']) await page2.getByTestId('diff-legend').getByText(word, { exact: true }).waitFor();
  const oldBox = (await page2.getByTestId('diff-old').boundingBox())!;
  const newBox = (await page2.getByTestId('diff-new').boundingBox())!;
  expect(oldBox.x + oldBox.width).toBeLessThanOrEqual(newBox.x);
  expect(Math.min(oldBox.height, newBox.height)).toBeGreaterThanOrEqual(400);
  expect(Math.min(oldBox.width, newBox.width)).toBeGreaterThanOrEqual(550);
  // The changed task is marked on both sides.
  for (const side of ['diff-old', 'diff-new']) await page2.locator(`[data-testid="${side}"] .kim-diff-changed[data-element-id="Task_CheckRequest"]`).waitFor();
  const taskWidth = async () => (await page2.locator('[data-testid="diff-new"] [data-element-id="Task_CheckRequest"]').boundingBox())!.width;
  const before1 = await taskWidth();
  await page2.getByRole('button', { name: 'Nachher: Entwurf: vergrößern' }).click();
  await until(async () => (await taskWidth()) > before1 * 1.1, 'vergrößertes Diagramm');
  await page2.getByRole('button', { name: 'Nachher: Entwurf: einpassen' }).click();
  await page2.screenshot({ path: path.join(SHOTS, 'modeler-review.png'), fullPage: true });
  await page2.screenshot({ path: path.join(SHOTS, 'modeler-review-1440.png'), fullPage: true });
  await expectNoSevereA11yViolations(page2);
  const phone = await signedIn('koord2.duisburg', 390);
  await phone.goto(`${stack.url}/#/models/kim-test-modeler/show`);
  await phone.getByTestId('diff-summary').getByText(`Geändert: „${NEW_NAME}“`).waitFor();
  await phone.screenshot({ path: path.join(SHOTS, 'modeler-review-390.png'), fullPage: true });
  // Nothing runs off the phone's screen sideways (wide tables scroll within their card).
  const wide = await phone.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('[data-table-scroll]') && !Array.from(e.children).some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${String(e.className).slice(0, 80)} (${Math.round(e.getBoundingClientRect().right)} px)`),
  );
  expect(wide).toEqual([]);
  await page2.getByLabel('Kommentar zur Freigabe').fill('Geprüft – passt');
  await page2.getByRole('button', { name: 'Freigeben und bereitstellen' }).click();
  await page2.getByText(`Freigegeben und bereitgestellt als Version ${before + 1}.`).waitFor();
  await page2.getByTestId(`version-${before + 1}`).getByText('Geprüft – passt').waitFor();

  // A new instance gets the new version; the inbox shows the new name.
  const r = await stack.engine.runtime.start('kim-test-modeler', 'duisburg', { kommuneId: 'duisburg', caseId: 'e2e-modeler' });
  const t = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: r.processInstanceKey } }), 'Aufgabe der neuen Version');
  expect(t.processVersion).toBe(before + 1);
  // Mettmann keeps its own variant.
  expect((await stack.engine.watch.definitions('mettmann', 'kim-test-modeler')).map((d) => d.version)).toEqual([1]);
  const cm = await signedIn('cm.duisburg');
  await cm.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await cm.getByRole('tab', { name: 'Gruppenaufgaben' }).click();
  await cm.locator('tbody tr', { hasText: NEW_NAME }).first().waitFor();
}, 300_000);

test('the properties panel is the Camunda 7 one: a worker step shows its external topic, and the templates of the worker topics are offered', async () => {
  const api = await login(stack.url, 'koord.duisburg');
  await api.del('/api/models/kim-test-modeler/draft');
  const page = await signedIn('koord.duisburg');
  await page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
  const task = page.locator('[data-testid="modeler-canvas"] [data-element-id="Task_After"]');
  await task.waitFor();
  expect(await lintErrors(page)).toBe(0);
  // Opening and checking the draft changes nothing.
  expect(await page.getByText('ungespeicherte Änderungen').count()).toBe(0);
  await task.click();
  const panel = page.getByTestId('properties-panel');
  // The service task is an external task with topic kim.test-after (camunda:type / camunda:topic).
  await panel.getByText('Umsetzung', { exact: true }).click();
  const topic = panel.getByLabel('Topic', { exact: true });
  await topic.waitFor();
  expect(await topic.inputValue()).toBe('kim.test-after');
  await page.screenshot({ path: path.join(SHOTS, 'modeler-properties.png'), fullPage: true });
  // The template chooser lists the worker topics by their German names.
  await panel.getByRole('button', { name: 'Auswählen' }).first().click();
  await page.getByText('Vermittlung senden').first().waitFor();
  await page.keyboard.press('Escape');
  await api.del('/api/models/kim-test-modeler/draft');
});

test('a model with an unknown topic is refused with a German message', async () => {
  const api = await login(stack.url, 'koord.duisburg');
  await api.del('/api/models/kim-test-modeler/draft');
  const d = (await (await api.post('/api/models/kim-test-modeler/draft')).json()) as { xml: string; revision: number };
  await api.put('/api/models/kim-test-modeler/draft', { xml: d.xml.replace('camunda:topic="kim.test-after"', 'camunda:topic="kim.gibt-es-nicht"'), revision: d.revision });
  const page = await signedIn('koord.duisburg');
  await page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
  expect(await lintErrors(page)).toBe(1);
  await page.getByText('Fehler bei „Danach“: Unbekanntes Topic „kim.gibt-es-nicht“: dafür gibt es keinen Worker. Bitte einen automatischen Schritt aus der Vorlagenliste wählen.').waitFor();
  await page.getByLabel('Kommentar zur Änderung').fill('Versuch');
  expect(await page.getByRole('button', { name: 'Zur Freigabe einreichen' }).isDisabled()).toBe(true);
  const submit = await api.post('/api/models/kim-test-modeler/draft/submit', { comment: 'Versuch' });
  expect(submit.status).toBe(422);
  expect(((await submit.json()) as { title: string }).title).toContain('Unbekanntes Topic „kim.gibt-es-nicht“');
  await api.del('/api/models/kim-test-modeler/draft');
});

test('a case manager reaches neither the editor nor its API', async () => {
  const page = await signedIn('cm.duisburg');
  await page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
  await page.getByText('Nur Koordinierende der Kommune dürfen Prozessmodelle bearbeiten.').waitFor();
  expect(await page.getByTestId('modeler-canvas').count()).toBe(0);
  await openProcess(page, 'kim-test-modeler');
  expect(await page.getByRole('link', { name: /Entwurf/ }).count()).toBe(0);
  const api = await login(stack.url, 'cm.duisburg');
  for (const res of [await api.get('/api/models/kim-test-modeler/draft'), await api.post('/api/models/kim-test-modeler/draft'), await api.get('/api/models/element-templates')]) expect(res.status).toBe(403);
});

test('an incident of a failing worker shows up with its step and the retry button re-runs the step', async () => {
  flaky.healthy = false;
  const f = await caseFixture(stack, 'duisburg-nord');
  const r = await stack.engine.runtime.start('kim-test-incident', 'duisburg', { kommuneId: 'duisburg', caseId: f.caseId });
  const pik = r.processInstanceKey;
  // The instance belongs to the case, as the processes a case starts are recorded with it.
  const kase = await stack.db.case.update({ where: { id: f.caseId }, data: { processInstanceKey: pik } });
  await until(async () => (await stack.engine.watch.incidents({ tenantId: 'duisburg', processInstanceKey: pik })).length > 0, 'Vorfall in der Engine').catch((e: Error) => {
    // Tells a worker that never fetched (flaky.calls = 0) from an engine that did not raise the incident.
    throw new Error(`${e.message} (der Worker kim.test-flaky wurde ${flaky.calls}-mal aufgerufen)`);
  });
  const page = await signedIn('koord.duisburg');
  await openProcess(page, 'kim-test-incident');
  const row = page.getByTestId(`incident-${pik}`);
  await row.getByText('Partnersystem nicht erreichbar (Test)').waitFor();
  await row.getByTestId('incident-step').getByText('Unzuverlässiger Schritt', { exact: true }).waitFor();
  // The case by its reference, as a link to the case file; no element id anywhere in the row.
  const link = row.getByTestId('incident-case').getByRole('link', { name: `Fall ${kase.reference}` });
  expect(await link.getAttribute('href')).toBe(`#/cases/${f.caseId}/show`);
  expect(await row.innerText()).not.toContain('Task_Flaky');
  await page.screenshot({ path: path.join(SHOTS, 'modeler-incidents.png'), fullPage: true });
  flaky.healthy = true;
  const done = flaky.completed;
  await row.getByRole('button', { name: 'Erneut versuchen' }).click();
  await page.getByText('Schritt wird erneut ausgeführt.').waitFor();
  // The engine resolved the incident: it leaves the list.
  await row.waitFor({ state: 'detached' });
  await until(async () => flaky.completed > done, 'Schritt nach Wiederholung erledigt');
});

/** The diagram lies inside the canvas, right of the palette, at a readable size. */
async function expectFitted(page: Page) {
  const box = await page.evaluate(() => {
    const rect = (el: Element | null) => el!.getBoundingClientRect();
    const canvas = rect(document.querySelector('[data-testid="modeler-canvas"]'));
    const palette = rect(document.querySelector('[data-testid="modeler-canvas"] .djs-palette'));
    const shapes = Array.from(document.querySelectorAll('[data-testid="modeler-canvas"] .djs-element.djs-shape')).map((e) => e.getBoundingClientRect());
    const task = rect(document.querySelector('[data-testid="modeler-canvas"] [data-element-id="Task_CheckRequest"]'));
    return {
      canvas: { left: canvas.left, right: canvas.right, top: canvas.top, bottom: canvas.bottom },
      paletteRight: palette.right,
      diagram: { left: Math.min(...shapes.map((r) => r.left)), right: Math.max(...shapes.map((r) => r.right)), top: Math.min(...shapes.map((r) => r.top)), bottom: Math.max(...shapes.map((r) => r.bottom)) },
      taskWidth: task.width,
    };
  });
  expect(box.diagram.left).toBeGreaterThan(box.paletteRight);
  expect(box.diagram.right).toBeLessThanOrEqual(box.canvas.right);
  expect(box.diagram.top).toBeGreaterThanOrEqual(box.canvas.top);
  expect(box.diagram.bottom).toBeLessThanOrEqual(box.canvas.bottom);
  // Not tiny: a task is shown at (close to) its natural 100 px.
  expect(box.taskWidth).toBeGreaterThanOrEqual(90);
}

/** Words that are English only (not also German, like "Name", "ID" or "Timer"); matched as whole words, any case. */
const ENGLISH = [
  'General', 'Implementation', 'Inputs', 'Outputs', 'Documentation', 'Execution listeners', 'Extension properties', 'Forms', 'Details',
  'Asynchronous continuations', 'Job execution', 'Text field', 'Checkbox', 'Validation', 'Appearance', 'Condition', 'Layout',
  'Assignment', 'Candidate', 'Create', 'Append', 'Search', 'Required', 'Label', 'Key', 'Description', 'Default', 'Components', 'Submit',
  'Select', 'Field', 'Template', 'Type', 'Input', 'Output', 'Start event', 'User task', 'Service task', 'Retry', 'Priority', 'Due date',
  'Process', 'Event', 'the', 'expression', 'date', 'time', 'Options', 'Group', 'Number', 'Spacer', 'Separator', 'view',
];

/** English words in the visible text and the tooltips of the given part of the page. */
async function englishIn(page: Page, selector: string): Promise<string[]> {
  const text = await page.evaluate((sel) => {
    const root = document.querySelector(sel) as HTMLElement | null;
    if (!root) return '';
    const tips = Array.from(root.querySelectorAll('[title], [placeholder], [aria-label]')).map((e) => ['title', 'placeholder', 'aria-label'].map((a) => e.getAttribute(a) ?? '').join('\n'));
    return `${root.innerText}\n${tips.join('\n')}`;
  }, selector);
  return ENGLISH.filter((w) => new RegExp(`(^|[^\\p{L}])${w}([^\\p{L}]|$)`, 'iu').test(text)).map((w) => `${w} in ${selector}: „${text.split('\n').find((l) => l.includes(w))}“`);
}

/** Opens every collapsed group of the properties panel. */
async function openAllGroups(page: Page, panel: string) {
  for (let i = 0; i < 40; i++) {
    const closed = page.locator(`${panel} .bio-properties-panel-group-header:not(.open)`);
    if (!(await closed.count())) return;
    await closed.first().click();
  }
}

test('the modeler, its properties panel and the form editor speak German (user task, worker step, gateway, start event, timer, form fields)', async () => {
  const api = await login(stack.url, 'koord.duisburg');
  await api.del('/api/models/kim-test-modeler/draft');
  const d = (await (await api.post('/api/models/kim-test-modeler/draft')).json()) as { xml: string; revision: number };
  const xml = d.xml
    .replace(
      '</bpmn:process>',
      '<bpmn:exclusiveGateway id="Gateway_Test" name="Passt es?" /><bpmn:intermediateCatchEvent id="Timer_Test" name="Eine Woche warten"><bpmn:timerEventDefinition id="TimerDef_Test"><bpmn:timeDuration>P7D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent></bpmn:process>',
    )
    .replace(
      '</bpmndi:BPMNPlane>',
      '<bpmndi:BPMNShape id="Gateway_Test_di" bpmnElement="Gateway_Test"><dc:Bounds x="200" y="200" width="50" height="50" /></bpmndi:BPMNShape><bpmndi:BPMNShape id="Timer_Test_di" bpmnElement="Timer_Test"><dc:Bounds x="340" y="207" width="36" height="36" /></bpmndi:BPMNShape></bpmndi:BPMNPlane>',
    );
  expect((await api.put('/api/models/kim-test-modeler/draft', { xml, forms: undefined, revision: d.revision })).status).toBe(200);
  const found: string[] = [];
  for (const width of [1440, 390]) {
    const page = await signedIn('koord.duisburg', width);
    await page.goto(`${stack.url}/#/models/kim-test-modeler/edit`);
    await page.locator('[data-testid="modeler-canvas"] [data-element-id="Timer_Test"]').waitFor();
    await lintErrors(page);
    if (width === 390) {
      await page.screenshot({ path: path.join(SHOTS, 'modeler-editor-390.png'), fullPage: true });
      continue;
    }
    found.push(...(await englishIn(page, '[data-testid="modeler-canvas"] .djs-palette')));
    for (const id of ['StartEvent_Started', 'Task_CheckRequest', 'Task_After', 'Gateway_Test', 'Timer_Test']) {
      await page.locator(`[data-testid="modeler-canvas"] [data-element-id="${id}"]`).click();
      await page.locator('[data-testid="properties-panel"] .bio-properties-panel-header').waitFor();
      await openAllGroups(page, '[data-testid="properties-panel"]');
      found.push(...(await englishIn(page, '[data-testid="properties-panel"]')), ...(await englishIn(page, '[data-testid="modeler-canvas"] .djs-context-pad')));
      await page.screenshot({ path: path.join(SHOTS, `modeler-panel-${id}.png`), fullPage: true });
    }
    await page.getByRole('tab', { name: /Formulare/ }).click();
    const form = page.getByTestId('form-editor');
    await form.locator('.fjs-form-field').first().waitFor();
    found.push(...(await englishIn(page, '[data-testid="form-editor"]')));
    await form.locator('.fjs-editor-container .fjs-form-field-textfield, .fjs-editor-container .fjs-form-field').first().click();
    await openAllGroups(page, '[data-testid="form-editor"]');
    found.push(...(await englishIn(page, '[data-testid="form-editor"]')));
    await page.screenshot({ path: path.join(SHOTS, 'modeler-form-editor.png'), fullPage: true });
  }
  expect([...new Set(found)]).toEqual([]);
  await api.del('/api/models/kim-test-modeler/draft');
}, 300_000);
