/**
 * The authorities' day on the real models (kim-einbuergerung with kim-referral, kim-bleiberecht) and
 * the real workers: the ABH (abh.duisburg) finds its steps on the home page and in the inbox –
 * confirming the residence facts of a naturalisation with one click and correcting a tolerated
 * person's residence facts for the residence path – and the EBH (ebh.duisburg) pre-checks the
 * application and records its decision. Each sees exactly what the step needs: the facts of the
 * step, the person's name and date of birth to find the file (the EBH also the nationality), the
 * documents the step needs under a consent naming the authority – never languages, interpreter
 * need, contact data, needs, notes, other documents or the case file. The case manager's steps
 * before them are set up over the API (they are the case manager's day). Every main screen at
 * 1440 px and 390 px: axe-clean, no sideways scrolling, nothing technical.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { ELEMENTS as RESIDENCE } from '../../processes/kim-bleiberecht/contract';
import { ELEMENTS as NAT } from '../../processes/kim-einbuergerung/contract';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, launchBrowser, UiBrowser } from '../support/browser';
import { dayOf, mainText, menuEntries, picturesAfterEach, screen } from '../support/day';
import { completeTask, form, heading, openFromInbox, typeDate } from '../support/journey';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { ALL_COMPLETE, completeVia, contextCase, type ContextCase, naturalisationAtAbh, openTaskOf } from '../support/task-context';

const UI_TIMEOUT = 60_000;
const ENGINE_TIMEOUT = 90_000;
jest.setTimeout(600_000);

let dir: string;
let stack: Stack;
let ui: UiBrowser;
let cm: Session;
let nat: ContextCase & { reference: string; einbuergerungId: string };
let young: ContextCase & { reference: string };

const inDays = (n: number) => {
  const d = new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  return { iso: d, de: d.split('-').reverse().join('.') };
};
const DULDUNG_BIS = inDays(200);
const DULDUNG_BIS_ABH = inDays(260);

/** What an authority must never see of the person or the case (set up in contextCase). */
const NEVER = ['Arabisch', 'Französisch', 'Dolmetsch', 'Königstraße', 'Fallakte öffnen', 'Letzte Notizen', 'Bedarfe', 'Einwilligungen', 'Mietvertrag'];

beforeAll(async () => {
  await ensureUiBuilt();
  delete process.env.KIM_SMTP_URL;
  dir = processesDirWith(['kim-einbuergerung', 'kim-referral', 'kim-bleiberecht']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry, config: testConfig() });
  ui = await launchBrowser(UI_TIMEOUT);
  cm = await login(stack.url, 'cm.duisburg');

  // A naturalisation the case manager prepared (requirements recorded): the ABH's step is next.
  const c = await contextCase(stack, 'day-abh');
  const { einbuergerungId } = await naturalisationAtAbh(stack, cm, c);
  nat = { ...c, einbuergerungId, reference: (await stack.db.case.findUniqueOrThrow({ where: { id: c.caseId } })).reference };
  // The person consented to sharing with both authorities; the file holds a passport (the steps
  // need it), a tenancy agreement (they do not) and a note.
  const authorities = await stack.db.organisation.findMany({ where: { kommuneId: 'duisburg', type: { in: ['Auslaenderbehoerde', 'Einbuergerungsbehoerde'] } } });
  await stack.db.consent.create({ data: { caseId: c.caseId, recipients: authorities.map((o) => o.id), dataCategories: ['Stammdaten', 'Aufenthaltsstatus'], purposes: ['Abstimmung'], validFrom: new Date('2026-01-01T00:00:00Z') } });
  const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
  await stack.db.document.create({ data: { caseId: c.caseId, title: 'Reisepass (Kopie)', kind: 'reisepass', fileName: 'reisepass.pdf', mimeType: 'application/pdf', content: pdf, size: pdf.length } });
  await stack.db.document.create({ data: { caseId: c.caseId, title: 'Mietvertrag', kind: 'sonstiges', fileName: 'mietvertrag.pdf', mimeType: 'application/pdf', content: pdf, size: pdf.length } });
  await stack.db.note.create({ data: { caseId: c.caseId, text: 'Vertraulich: Gespräch über die familiäre Lage' } });

  // A young tolerated person on the residence path: the case manager recorded the facts.
  const y = await contextCase(stack, 'day-abh-br');
  await stack.db.client.update({ where: { id: y.clientId }, data: { birthDate: new Date(`${inDays(-20 * 365).iso}T00:00:00Z`) } });
  young = { ...y, reference: (await stack.db.case.findUniqueOrThrow({ where: { id: y.caseId } })).reference };
  expect((await cm.post('/api/bleiberecht/start', { caseId: y.caseId })).status).toBe(201);
  await completeVia(cm, (await openTaskOf(stack, { caseId: y.caseId }, RESIDENCE.recordFacts)).id, {
    aufenthaltsstatus: 'DULDUNG',
    aufenthaltSeit: inDays(-4 * 365).iso,
    duldungSeit: inDays(-2 * 365).iso,
    nichtAnrechenbareTage: 0,
    duldungBis: DULDUNG_BIS.iso,
    sprachniveauMuendlich: 'A2',
    schulbesuchOderAbschluss: true,
  });
  await openTaskOf(stack, { caseId: y.caseId }, RESIDENCE.confirmFacts);
}, 300_000);

picturesAfterEach('authorities', () => ui);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const inboxReady = async (p: Page) => {
  await p.locator('[data-testid="task-list-status"][data-loaded="true"]').waitFor();
  await p.locator(p.viewportSize()!.width < 1200 ? '[data-testid="task-card"]' : 'tbody tr').first().waitFor();
};

/** The task page shows nothing of the person or the case beyond the step. */
async function expectOnlyTheStep(page: Page, person: { lastName: string }, extra: string[] = []) {
  const text = await mainText(page);
  expect(text).toContain(person.lastName);
  for (const hidden of [...NEVER, ...extra]) expect(text).not.toContain(hidden);
}

test('ABH: its tasks on the home page and in the inbox; confirms a naturalisation\'s residence facts in one click and corrects a tolerated person\'s', async () => {
  const page = await dayOf(ui, stack, 'abh.duisburg');
  const tasks = page.getByTestId('home-tasks');
  await tasks.getByRole('heading', { name: 'Aufgaben Ihrer Behörde' }).waitFor();
  await tasks.getByText(nat.reference).waitFor();
  await tasks.getByText(young.reference).waitFor();
  await screen(page, 'abh-home');
  // No case list and no process models: the authority's work is its steps.
  expect(await menuEntries(page)).toEqual(['Startseite', 'Aufgaben', 'Bleiberecht prüfen']);

  // The inbox: the authority's steps with the file number – no client column.
  await page.getByRole('menuitem', { name: 'Aufgaben' }).click();
  await page.getByRole('tab', { name: 'Gruppenaufgaben' }).click();
  await inboxReady(page);
  expect(await page.getByRole('columnheader', { name: 'Klient/in' }).count()).toBe(0);
  await screen(page, 'abh-inbox', { ready: inboxReady });

  // Naturalisation: the facts as held, the passport the step needs – confirmed with one click.
  await openFromInbox(page, nat.reference, 'Aufenthaltsdaten bestätigen oder korrigieren', 'Gruppenaufgaben');
  await heading(page, 'Aufenthaltsdaten bestätigen oder korrigieren').waitFor();
  const step = await page.getByTestId('step-context').innerText();
  for (const text of ['01.03.2015', 'Niederlassungserlaubnis']) expect(step).toContain(text);
  const docs = page.getByTestId('step-documents');
  await docs.getByRole('link', { name: 'Reisepass (Kopie) herunterladen' }).waitFor();
  await expectOnlyTheStep(page, nat);
  await screen(page, 'abh-naturalisation');
  const task = await openTaskOf(stack, { caseId: nat.caseId }, NAT.confirmResidence);
  await completeTask(stack, page, task.id, 'abh.duisburg', 'Daten bestätigen');
  await until(async () => (await stack.db.naturalisation.findUniqueOrThrow({ where: { id: nat.einbuergerungId } })).residenceConfirmedAt, 'Aufenthaltsdaten bestätigt', ENGINE_TIMEOUT);

  // Residence path: the Duldung runs longer than the person said – corrected; the deadline follows.
  await openFromInbox(page, young.reference, 'Aufenthaltsdaten bestätigen oder korrigieren', 'Gruppenaufgaben');
  await heading(page, 'Aufenthaltsdaten bestätigen oder korrigieren').waitFor();
  expect(await page.getByTestId('step-context').innerText()).toContain('Duldung');
  await form(page).getByRole('radio', { name: 'Angaben korrigieren' }).check();
  await typeDate(form(page), 'Duldung gültig bis', DULDUNG_BIS_ABH.de);
  await expectOnlyTheStep(page, young, ['Mietvertrag']);
  await screen(page, 'abh-residence');
  const br = await openTaskOf(stack, { caseId: young.caseId }, RESIDENCE.confirmFacts);
  await completeTask(stack, page, br.id, 'abh.duisburg');
  await until(async () => (await stack.db.residenceDeadline.findFirst({ where: { caseId: young.caseId, kind: 'DULDUNG_ABLAUF' } }))?.date.toISOString().slice(0, 10) === DULDUNG_BIS_ABH.iso, 'Frist der Duldung folgt der Korrektur', ENGINE_TIMEOUT);

  // The case file is not the authority's to browse.
  await page.goto(`${stack.url}/#/cases/${nat.caseId}/show`);
  await page.getByText(/Fallakten führt das Case-Management/).waitFor();
  await page.getByRole('link', { name: 'Zu Ihren Aufgaben' }).waitFor();
  expect(await mainText(page)).not.toContain('Vertraulich');
});

test('EBH: pre-checks the application with the basis its decision needs, then records the decision', async () => {
  // The case manager found the application complete (the case manager's day).
  await completeVia(cm, (await openTaskOf(stack, { caseId: nat.caseId }, NAT.checkCompleteness)).id, { dokumente: ALL_COMPLETE });
  await openTaskOf(stack, { caseId: nat.caseId }, NAT.ebhPreCheck);

  const page = await dayOf(ui, stack, 'ebh.duisburg');
  await page.getByTestId('home-tasks').getByText(nat.reference).waitFor();
  await screen(page, 'ebh-home');

  await openFromInbox(page, nat.reference, 'Antrag vorprüfen', 'Gruppenaufgaben');
  await heading(page, 'Antrag vorprüfen').waitFor();
  const step = await page.getByTestId('step-context').innerText();
  for (const text of ['alle Voraussetzungen erfüllt', 'Niederlassungserlaubnis', '01.03.2015', 'durch die Ausländerbehörde', 'Unterlagen-Checkliste', 'Reisepass: vollständig']) expect(step).toContain(text);
  await page.getByTestId('step-documents').getByRole('link', { name: 'Reisepass (Kopie) herunterladen' }).waitFor();
  await expectOnlyTheStep(page, nat);
  await form(page).getByRole('radio', { name: 'Antrag annehmen' }).check();
  await screen(page, 'ebh-precheck');
  const pre = await openTaskOf(stack, { caseId: nat.caseId }, NAT.ebhPreCheck);
  await completeTask(stack, page, pre.id, 'ebh.duisburg');

  // The decision: the next step of the same case opens for the EBH.
  const decision = await openTaskOf(stack, { caseId: nat.caseId }, NAT.recordDecision);
  if (!page.url().includes(`#/tasks/${decision.id}/show`)) await openFromInbox(page, nat.reference, 'Entscheidung über die Einbürgerung erfassen', 'Gruppenaufgaben');
  await heading(page, 'Entscheidung über die Einbürgerung erfassen').waitFor();
  await form(page).getByRole('radio', { name: 'Einbürgerung zugesichert / vollzogen' }).check();
  await typeDate(form(page), 'Datum der Entscheidung', inDays(0).de);
  await expectOnlyTheStep(page, nat);
  await screen(page, 'ebh-decision');
  await completeTask(stack, page, decision.id, 'ebh.duisburg');
  await until(async () => (await stack.db.naturalisation.findUniqueOrThrow({ where: { id: nat.einbuergerungId } })).decision === 'eingebuergert', 'Entscheidung gespeichert', ENGINE_TIMEOUT);
});
