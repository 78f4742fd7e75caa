/**
 * The case manager's journey in one piece, on the real stack with the real models (kim-intake with its
 * DMN kim-intake-hilfeart and kim-case, their forms) and the real workers: cm.duisburg signs in,
 * begins a new Erstberatung for a new person (a missing field first), finds the first intake task in
 * the inbox and works every task of the intake through its form-js form in the browser – first
 * contact (three life areas, several legal spheres, MBE counselling known: the DMN decides case
 * management), consent given, the double-funding clarification ("KIM übernimmt") – then kim-case's
 * "Förderplan erstellen" with two goals in the dynamic list; opens the case file and checks needs,
 * consent, goals and the process view (kim-intake's path done and its call activity running,
 * kim-case with "Nächsten Schritt festlegen" active). At each step the database must show what the
 * UI claimed; axe finds no serious or critical violation; screenshots journey-*.png go to
 * test-results/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ELEMENTS as CASE } from '../../processes/kim-case/contract';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, expectNoSevereA11yViolations, launchBrowser, SHOTS, signIn, UiBrowser } from '../support/browser';
import { check, completeTask as completeTaskAs, form, heading, pick, reachTask as reachTaskIn } from '../support/journey';
import { processesDirWith } from '../support/processes';
import { startTestStack, until } from '../support/stack';

const UI_TIMEOUT = 60_000;
const ENGINE_TIMEOUT = 90_000;
const tag = `${process.pid}-${Date.now()}`;
const USER = 'cm.duisburg';

let dir: string;
let stack: Stack;
let ui: UiBrowser;

beforeAll(async () => {
  await ensureUiBuilt();
  dir = processesDirWith(['kim-intake', 'kim-case']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry });
  ui = await launchBrowser(UI_TIMEOUT);
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `journey-${name}.png`), fullPage: true });
const reachTask = (page: Page, reference: string, caseId: string, elementId: string, name: string) => reachTaskIn(stack, page, { reference, caseId }, elementId, name);
const completeTask = (page: Page, taskId: string) => completeTaskAs(stack, page, taskId, USER);

test('a case manager begins an intake, works its tasks and the Förderplan in the forms, and sees the case with its process view', async () => {
  const page = await ui.newPage();
  await signIn(page, stack.url, USER, { awaitIdentity: true });

  // 1. "Neue Erstberatung" for a new person: the missing last name is reported in German at the
  //    field, nothing typed is lost; then the case is created and kim-intake starts.
  await page.getByRole('menuitem', { name: 'Fälle' }).click();
  await page.getByRole('link', { name: 'Neue Erstberatung' }).click();
  await heading(page, 'Neue Erstberatung').waitFor();
  expect(await page.getByRole('radio', { name: 'Neue Person erfassen' }).isChecked()).toBe(true);
  const lastName = `Rahimi ${tag}`;
  await page.getByLabel('Vorname').fill('Farid');
  await page.getByLabel('Geburtsdatum').fill('23.09.1987');
  await page.getByLabel('Sprachen').fill('Dari, Englisch');
  await page.getByRole('button', { name: 'Erstberatung starten' }).click();
  await page.getByText('Bitte den Nachnamen angeben.').waitFor();
  await page.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie die markierten Felder' }).waitFor();
  expect(await page.getByLabel('Vorname').inputValue()).toBe('Farid');
  expect(await stack.db.client.count({ where: { firstName: 'Farid', birthDate: new Date('1987-09-23') } })).toBe(0);
  await expectNoSevereA11yViolations(page);
  await shot(page, 'intake-validation');

  await page.getByLabel('Nachname').fill(lastName);
  await page.getByRole('button', { name: 'Erstberatung starten' }).click();
  await page.waitForURL(/#\/cases\/[0-9a-f-]{36}\/show/);
  const caseId = /#\/cases\/([0-9a-f-]{36})\/show/.exec(page.url())![1];
  const started = await stack.db.case.findUniqueOrThrow({ where: { id: caseId }, include: { client: true } });
  const reference = started.reference;
  await heading(page, `Fall ${reference}`).waitFor();
  expect(started.client).toMatchObject({ firstName: 'Farid', lastName, languages: ['Dari', 'Englisch'] });
  expect(started).toMatchObject({ kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Zugang', closedAt: null });
  expect(started.processInstanceKey).toBeTruthy();

  // 2a. The first task appears in the group inbox; its form: required field first, then the first
  //     contact that makes the decision choose case management (3 life areas, several legal
  //     spheres) and names known MBE counselling (so the double-funding check finds something).
  const first = await reachTask(page, reference, caseId, INTAKE.documentFirstContact, 'Erstkontakt dokumentieren');
  await page.getByRole('heading', { name: `Fall ${reference}` }).waitFor();
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await form(page).getByText('Pflichtfeld – bitte ausfüllen.').first().waitFor();
  await page.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie die markierten Felder' }).waitFor();
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: first.id } })).state).toBe('CREATED');
  await expectNoSevereA11yViolations(page);
  await shot(page, 'first-contact-validation');
  for (const area of ['Aufenthalt', 'Arbeit', 'Wohnen']) await check(form(page), area);
  await check(form(page), 'Mehrere Rechtskreise / Stellen sind beteiligt (z. B. Jobcenter und Ausländerbehörde)');
  await check(form(page), 'Migrationsberatung für Erwachsene (MBE)');
  expect(await form(page).getByRole('checkbox', { name: 'Das Anliegen ist in ein bis zwei Gesprächen lösbar' }).isChecked()).toBe(false);
  await shot(page, 'first-contact');
  await completeTask(page, first.id);
  // kim.record-first-contact: one need per life area, phase Clearing.
  const needs = await until(async () => {
    const n = await stack.db.need.findMany({ where: { caseId } });
    return n.length === 3 && n;
  }, 'Bedarfe aus dem Erstkontakt', ENGINE_TIMEOUT);
  expect(needs.map((n) => n.lifeArea).sort()).toEqual(['Arbeit', 'Aufenthalt', 'Wohnen']);

  // 2b. Consent: given, with recipients, purposes, data categories and a date typed into form-js'
  //     date field.
  const consentTask = await reachTask(page, reference, caseId, INTAKE.captureConsent, 'Einwilligung erfassen');
  expect((await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).phase).toBe('Clearing');
  // The conditional fields appear only once consent is given.
  expect(await form(page).getByRole('checkbox', { name: 'Jobcenter Duisburg', exact: true }).count()).toBe(0);
  await form(page).getByRole('radio', { name: 'Erteilt', exact: true }).check();
  // Recipients are the commune's organisations (the same list as the case file's consent dialog).
  await check(form(page), 'Jobcenter Duisburg');
  await check(form(page), 'Vermittlung an eine Stelle');
  await check(form(page), 'Fallkonferenz');
  await check(form(page), 'Stammdaten');
  await check(form(page), 'Bildung und Arbeit');
  const until2030 = form(page).getByLabel('Gültig bis');
  expect(await until2030.getAttribute('placeholder')).toBe('TT.MM.JJJJ');
  await until2030.click();
  await form(page).locator('.flatpickr-calendar.open .flatpickr-weekday', { hasText: 'Mo' }).first().waitFor();
  const calendar = await form(page).locator('.flatpickr-calendar.open').innerText();
  expect(calendar).toContain('Dezember');
  expect(calendar).not.toMatch(/\b(January|March|May|June|July|October|December|Sun|Mon)\b/);
  await until2030.fill('31.12.2030');
  await until2030.press('Enter');
  await until2030.press('Tab');
  expect(await until2030.inputValue()).toBe('31.12.2030');
  await shot(page, 'consent');
  await completeTask(page, consentTask.id);
  const consent = await until(() => stack.db.consent.findFirst({ where: { caseId } }), 'Einwilligung in der Datenbank', ENGINE_TIMEOUT);
  const jobcenter = await stack.db.organisation.findMany({ where: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg' }, select: { id: true } });
  expect(consent.recipients.length).toBeGreaterThan(0);
  expect([...consent.recipients].sort()).toEqual(jobcenter.map((o) => o.id).sort());
  expect([...consent.purposes].sort()).toEqual(['Fallkonferenz', 'Vermittlung']);
  expect([...consent.dataCategories].sort()).toEqual(['BildungArbeit', 'Stammdaten']);
  expect(consent.validUntil?.toISOString().slice(0, 10)).toBe('2030-12-31');
  expect(consent.revokedAt).toBeNull();

  // 2c. The double-funding check found the MBE counselling: clarify – KIM takes the case on.
  const clarify = await reachTask(page, reference, caseId, INTAKE.clarifyExistingSupport, 'Bestehende Unterstützung klären');
  expect(await form(page).locator('.fjs-form-field-text').first().innerText()).toMatch(/gefunden: .*MBE/);
  expect((await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).existingSupport).toEqual(['MBE']);
  await form(page).getByRole('radio', { name: 'KIM übernimmt (abgestimmt, keine Doppelförderung)' }).check();
  await shot(page, 'clarification');
  await completeTask(page, clarify.id);

  // 2d. The decision chose case management; kim-case starts with "Förderplan erstellen".
  const plan = await reachTask(page, reference, caseId, CASE.createSupportPlan, 'Förderplan erstellen');
  expect(plan.processDefinitionId).toBe('kim-case');
  expect(await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ kindOfHelp: 'CaseManagement', phase: 'Foerderplanung', closedAt: null });
  // The kind of help is a column default too: the decision's own record says it was decided.
  expect((await stack.db.auditLog.findFirstOrThrow({ where: { action: 'intake.kind_of_help', entityId: caseId } })).reason).toBe('CaseManagement');
  // The case context beside the form says so too.
  const context = await page.getByRole('region', { name: 'Fallkontext' }).innerText();
  expect(context).toContain('Phase: Förderplanung');
  expect(context).toContain('Hilfeart: Case Management');

  // Two goals in the dynamic list; a too short goal text is reported in German first.
  const goals = form(page).locator('.fjs-form-field-dynamiclist');
  const goalWork = `Arbeitsvertrag in der Lagerlogistik bis zum Sommer ${tag}`;
  const goalHousing = `Eigene Wohnung mit WBS gefunden ${tag}`;
  const items = goals.locator('.fjs-repeat-row-container');
  await pick(items.nth(0).locator('.fjs-form-field-select'), 'Arbeit');
  // Leaving a field validates it (form-js); the message must be gone before the next click, or the
  // layout moves under the pointer.
  const goalText = (i: number) => items.nth(i).getByRole('textbox', { name: 'Ziel', exact: true });
  const tooShort = form(page).getByText('Bitte mindestens 3 Zeichen eingeben.');
  // Tab moves on to the goal's date field; Escape closes its calendar, which would cover the buttons.
  const leave = async (field: Locator) => {
    await field.press('Tab');
    await form(page).locator('.flatpickr-calendar.open').waitFor();
    await page.keyboard.press('Escape');
    await form(page).locator('.flatpickr-calendar.open').waitFor({ state: 'detached' });
  };
  await goalText(0).fill('ab');
  await leave(goalText(0));
  await tooShort.waitFor();
  await page.getByRole('button', { name: 'Abschließen' }).click();
  await page.getByRole('alert').filter({ hasText: 'Bitte prüfen Sie die markierten Felder' }).waitFor();
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: plan.id } })).state).toBe('CREATED');
  await goalText(0).fill(goalWork);
  await leave(goalText(0));
  await tooShort.waitFor({ state: 'detached' });
  await goals.getByRole('button', { name: 'Eintrag hinzufügen' }).click();
  await items.nth(1).waitFor();
  await pick(items.nth(1).locator('.fjs-form-field-select'), 'Wohnen');
  await goalText(1).fill(goalHousing);
  await leave(goalText(1));
  await goals.getByRole('button', { name: 'Eintrag 2 entfernen' }).waitFor();
  await expectNoSevereA11yViolations(page);
  await shot(page, 'support-plan');
  await completeTask(page, plan.id);
  // kim.save-support-plan wrote the goals (from the inbox's TaskSubmission, not the engine).
  const goalRows = await until(async () => {
    const g = await stack.db.goal.findMany({ where: { caseId }, orderBy: { lifeArea: 'asc' } });
    return g.length === 2 && g;
  }, 'Ziele in der Datenbank', ENGINE_TIMEOUT);
  expect(goalRows.map((g) => [g.lifeArea, g.description, g.status])).toEqual([
    ['Arbeit', goalWork, 'laufend'],
    ['Wohnen', goalHousing, 'laufend'],
  ]);

  // kim-case moved on to "Nächsten Schritt festlegen".
  const next = await reachTask(page, reference, caseId, CASE.planNextStep, 'Nächsten Schritt festlegen');
  expect(next.processDefinitionId).toBe('kim-case');
  const kase = await stack.db.case.findUniqueOrThrow({ where: { id: caseId } });
  expect(kase).toMatchObject({ kindOfHelp: 'CaseManagement', phase: 'Umsetzung', closedAt: null, consentRefusedAt: null });
  for (const id of [first.id, consentTask.id, clarify.id, plan.id]) {
    expect(await stack.db.task.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: 'COMPLETED', completedBy: USER });
  }

  // 3. The case file from the task view.
  await page.getByRole('link', { name: 'Fallakte öffnen' }).click();
  await heading(page, `Fall ${reference}`).waitFor();
  await page.getByText(`Farid ${lastName}`).first().waitFor();
  // The workspace opens on "Bedarfe und Ziele"; the goals only exist in the fresh record, so the
  // values are read once they are there.
  const plan2 = page.getByRole('tabpanel');
  await plan2.getByText(`Ziel: ${goalHousing}`).waitFor();
  const summary = page.getByTestId('case-summary');
  await summary.getByText('Umsetzung', { exact: true }).waitFor();
  await summary.getByText('Case Management', { exact: true }).waitFor();
  for (const area of ['Aufenthalt', 'Arbeit', 'Wohnen']) await plan2.getByText(area, { exact: true }).waitFor();
  const workNeed = plan2.locator('li', { has: page.getByText('Arbeit', { exact: true }) }).first();
  expect(await workNeed.innerText()).toContain(`Ziel: ${goalWork}`);
  await page.getByRole('tab', { name: 'Einwilligungen', exact: true }).click();
  const consents = page.getByRole('tabpanel');
  await consents.getByText(/Stammdaten/).first().waitFor();
  const consentText = await consents.innerText();
  expect(consentText).toContain('31.12.2030');
  expect(consentText).toContain('Bildung und Arbeit');
  expect(consentText).not.toContain('BildungArbeit');
  await page.getByRole('tab', { name: 'Prozessansicht', exact: true }).click();

  // The process view: kim-intake ran its path up to the call activity, which waits for kim-case
  // (so its end event is not reached yet); kim-case (called by it) is in its collapsed subprocess
  // "Umsetzung und Monitoring" at "Nächsten Schritt festlegen". The view reads the engine's history
  // when it loads, so refresh until the workers have moved the instances on.
  const view = page.getByRole('region', { name: 'Prozessansicht' });
  const intake = view.locator('[data-testid="process-view-kim-intake"][data-state="ACTIVE"]');
  const cm = view.locator('[data-testid="process-view-kim-case"][data-state="ACTIVE"]');
  const marked = (instance: Locator, cls: string, id: string) => instance.locator(`svg g.djs-element.${cls}[data-element-id="${id}"]`);
  await until(async () => {
    const ready =
      (await cm.getByTestId('process-view-active-steps').allInnerTexts()).join('\n').includes('Nächsten Schritt festlegen') &&
      (await marked(cm, 'kim-pv-done', CASE.saveSupportPlan).count()) === 1 &&
      (await marked(intake, 'kim-pv-done', INTAKE.openCase).count()) === 1;
    if (ready) return true;
    await view.getByRole('button', { name: 'Aktualisieren' }).click();
    return false;
  }, 'Prozessansicht mit dem aktuellen Stand der Engine', ENGINE_TIMEOUT);

  for (const id of [
    INTAKE.start,
    INTAKE.documentFirstContact,
    INTAKE.recordFirstContact,
    INTAKE.captureConsent,
    INTAKE.recordConsent,
    INTAKE.checkExistingSupport,
    INTAKE.clarifyExistingSupport,
    INTAKE.decideKindOfHelp,
    INTAKE.openCase,
  ]) {
    await marked(intake, 'kim-pv-done', id).waitFor();
  }
  await marked(intake, 'kim-pv-active', INTAKE.callCase).waitFor();
  // Not taken: the refusal, the shortcut past the clarification, the short and referral counselling.
  for (const id of [INTAKE.recordConsentRefusal, INTAKE.shortCounselling, INTAKE.referralOnly, INTAKE.endIntakeClosed, INTAKE.endCaseManagement]) {
    expect(await intake.locator(`svg g.djs-element[data-element-id="${id}"][class*="kim-pv-"]`).count()).toBe(0);
  }
  // A straight connection has a zero-height box, so "attached" rather than "visible".
  for (const flow of ['Flow_ConsentGiven', 'Flow_ExistingSupportFound', 'Flow_TakeOn', 'Flow_CaseManagement']) {
    await marked(intake, 'kim-pv-flow', flow).waitFor({ state: 'attached' });
  }
  expect(await intake.locator('svg g.djs-element[data-element-id="Flow_NoExistingSupport"].kim-pv-flow').count()).toBe(0);
  expect(await intake.getByTestId('process-view-active-steps').innerText()).toBe('Fallbegleitung');

  await cm.getByText('aufgerufen von Erstkontakt und Clearing').waitFor();
  for (const id of [CASE.start, CASE.createSupportPlan, CASE.saveSupportPlan]) await marked(cm, 'kim-pv-done', id).waitFor();
  await marked(cm, 'kim-pv-active', CASE.implementation).waitFor();
  expect(await cm.locator('svg g.djs-element.kim-pv-done[data-element-id="Task_EvaluateCase"], svg g.djs-element.kim-pv-done[data-element-id="Task_CloseCase"]').count()).toBe(0);
  const activeSteps = (await cm.getByTestId('process-view-active-steps').innerText()).split('\n').map((s) => s.trim());
  expect(activeSteps).toEqual(['Umsetzung und Monitoring', 'Nächsten Schritt festlegen']);
  await shot(page, 'case');
  // Into the subprocess: its active user task is highlighted, the way to it marked.
  await cm.getByRole('button', { name: 'Umsetzung und Monitoring öffnen' }).click();
  await marked(cm, 'kim-pv-active', CASE.planNextStep).waitFor();
  await marked(cm, 'kim-pv-done', 'StartEvent_ImplementationStarted').waitFor();
  expect(await cm.locator('svg .kim-pv-active:visible').count()).toBe(1);

  // 4. axe on the case view; screenshots.
  await expectNoSevereA11yViolations(page);
  await view.screenshot({ path: path.join(SHOTS, 'journey-process-view.png'), style: 'header.MuiAppBar-root { visibility: hidden !important; }' });
});
