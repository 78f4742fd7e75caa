/**
 * A case manager's day, part 2, on the real models (kim-fallkonferenz, kim-einbuergerung,
 * kim-bleiberecht) with the real workers and the embedded mail catcher: cm.duisburg starts a case
 * conference with two agencies (one covered by the consent, one not: asked, and it takes part
 * without data), plans it, the invitations go out (the administrator sees them in the
 * "Postausgang"), the agencies answer through their links and the case file shows who comes;
 * prepares a naturalisation up to the authority's decision and informs the client (the ABH's and
 * EBH's own steps are theirs – here done over the API, in the browser in day-authorities); and
 * begins the residence path of a young tolerated person, whose deadlines then show in the case
 * file. Every main screen at 1440 px and 390 px: axe-clean, no sideways scrolling, nothing technical.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { ELEMENTS as RESIDENCE } from '../../processes/kim-bleiberecht/contract';
import { ELEMENTS as NAT } from '../../processes/kim-einbuergerung/contract';
import { ELEMENT as CONF } from '../../processes/kim-fallkonferenz/contract';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureUiBuilt, launchBrowser, UiBrowser } from '../support/browser';
import { dayOf, linkIn, picturesAfterEach, screen, WIDE } from '../support/day';
import { check, completeTask, form, heading, pick, reachTask, typeDate } from '../support/journey';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { completeVia, contextCase, type ContextCase, openTaskOf } from '../support/task-context';

const UI_TIMEOUT = 60_000;
const ENGINE_TIMEOUT = 90_000;
jest.setTimeout(600_000);
const USER = 'cm.duisburg';
const OCCASION = 'Mietschulden und Kita-Platz: Abstimmung zwischen Jobcenter und Jugendamt';

let dir: string;
let stack: Stack;
let ui: UiBrowser;
let page: Page;
let c: ContextCase;
let kase: { caseId: string; reference: string };

beforeAll(async () => {
  await ensureUiBuilt();
  delete process.env.KIM_SMTP_URL;
  dir = processesDirWith(['kim-fallkonferenz', 'kim-einbuergerung', 'kim-referral', 'kim-bleiberecht']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry, config: testConfig() });
  ui = await launchBrowser(UI_TIMEOUT);
  // A case of the morning (intake and support plan are in day-case-manager): the person consented
  // to sharing master data with the Jobcenter for conferences.
  c = await contextCase(stack, 'day-pm');
  kase = { caseId: c.caseId, reference: (await stack.db.case.findUniqueOrThrow({ where: { id: c.caseId } })).reference };
  const jobcenter = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg' } });
  await stack.db.consent.create({ data: { caseId: c.caseId, recipients: [jobcenter.id], dataCategories: ['Stammdaten', 'BildungArbeit'], purposes: ['Fallkonferenz'], validFrom: new Date('2026-01-01T00:00:00Z') } });
  await stack.db.case.update({ where: { id: c.caseId }, data: { caseManagerId: (await stack.db.user.findUniqueOrThrow({ where: { username: USER } })).id } });
  page = await dayOf(ui, stack, USER);
}, 300_000);

picturesAfterEach('case-manager-afternoon', () => ui);

afterAll(async () => {
  await ui?.close();
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function openCase(p: Page, k: { caseId: string; reference: string }, tab?: string) {
  await p.goto(`${stack.url}/#/cases/${k.caseId}/show`);
  await heading(p, `Fall ${k.reference}`).waitFor();
  if (tab) {
    // The tab row grows while the case's parts load (e.g. "Aufenthalt"); a click in that moment can
    // land before the row settles, so click until the tab is the selected one.
    const selected = p.getByRole('tab', { name: tab, exact: true, selected: true });
    for (let i = 0; i < 5 && !(await selected.isVisible()); i++) {
      await p.getByRole('tab', { name: tab, exact: true }).click();
      await selected.waitFor({ timeout: 5_000 }).catch(() => undefined);
    }
    await selected.waitFor();
  }
}

const inDays = (n: number) => {
  const d = new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) + n * 86_400_000);
  return { iso: d.toISOString().slice(0, 10), de: d.toISOString().slice(0, 10).split('-').reverse().join('.') };
};

test('case conference: consent asked for the second agency, planned, invitations in the mail catcher, the agencies answer', async () => {
  await openCase(page, kase);
  await page.getByRole('button', { name: 'Fallkonferenz starten' }).click();
  const dialog = page.getByRole('dialog', { name: 'Fallkonferenz starten' });
  await dialog.getByLabel('Anlass').fill(OCCASION);
  for (const org of ['Jobcenter Duisburg', 'Jugendamt Duisburg']) await dialog.getByRole('checkbox', { name: org, exact: true }).check();
  await dialog.getByRole('button', { name: 'Fallkonferenz starten' }).click();
  await dialog.waitFor({ state: 'detached' });

  // The Jugendamt is not covered by the consent: the case manager asks; here, no consent.
  const consent = await reachTask(stack, page, kase, CONF.obtainConsent, 'Einwilligung für die Stelle einholen');
  const step = await page.getByTestId('step-context').innerText();
  expect(step).toContain('Jugendamt Duisburg');
  expect(step).toContain(OCCASION);
  await form(page).getByRole('radio', { name: 'Keine Einwilligung – die Stelle nimmt ohne Daten teil' }).check();
  await screen(page, 'case-manager-conference-consent');
  await completeTask(stack, page, consent.id, USER);

  // Planning: date and time, place, agenda; the interpreter the person needs.
  const plan = await reachTask(stack, page, kase, CONF.planConference, 'Fallkonferenz planen');
  const date = inDays(10);
  await typeDate(form(page), 'Datum', date.de);
  const time = form(page).getByLabel('Uhrzeit');
  await time.fill('10:00');
  await time.press('Tab');
  await form(page).getByLabel('Dauer (Minuten)').fill('90');
  await form(page).getByLabel('Ort (Raum, Adresse)').fill('Rathaus Hamborn, Raum 204');
  await form(page).getByLabel('Tagesordnung').fill('1. Lage der Familie\n2. Mietschulden\n3. Kita-Platz\n4. Vereinbarungen');
  await check(form(page), 'Dolmetscherin / Dolmetscher wird benötigt');
  await form(page).getByLabel('Sprache für die Dolmetschung').fill('Arabisch');
  await screen(page, 'case-manager-conference-plan');
  await completeTask(stack, page, plan.id, USER);

  // The invitations (with calendar entry) go out through the embedded mail catcher.
  const invitations = await until(async () => {
    const rows = await stack.db.mailOutbox.findMany({ where: { caseId: kase.caseId, kind: 'invitation', status: 'sent' }, orderBy: { recipient: 'asc' } });
    return rows.length === 2 && rows;
  }, 'zwei versendete Einladungen', ENGINE_TIMEOUT);
  const admin = await dayOf(ui, stack, 'admin.duisburg');
  await admin.goto(`${stack.url}/#/outbox`);
  await admin.getByRole('heading', { name: 'Postausgang' }).first().waitFor();
  for (const m of invitations) await admin.getByRole('row').filter({ hasText: m.recipient }).getByText(/versendet \(lokaler Mail-Catcher, keine echte Zustellung\)/).waitFor();
  await screen(admin, 'admin-postausgang', { ready: (p) => p.getByText(invitations[0].recipient).first().waitFor() });

  // The Jobcenter says yes, the Jugendamt no – through the links in their e-mails.
  const partner = await ui.newPage(WIDE);
  const [jobcenterMail, youthMail] = [invitations.find((m) => m.recipient.includes('jobcenter'))!, invitations.find((m) => m.recipient.includes('jugendamt'))!];
  await partner.goto(`${stack.url}${linkIn(jobcenterMail.body, '/partner/conferences/')}`);
  await partner.getByRole('radio', { name: 'Ja, wir nehmen teil' }).check();
  await screen(partner, 'partner-conference');
  await partner.getByRole('button', { name: 'Antwort senden' }).click();
  await partner.getByRole('status').waitFor();
  await partner.goto(`${stack.url}${linkIn(youthMail.body, '/partner/conferences/')}`);
  await partner.getByRole('radio', { name: 'Nein, wir sagen ab' }).check();
  await partner.getByLabel(/Hinweis zur Absage/).fill('Termin fällt in die Schließzeit; schriftliche Stellungnahme folgt.');
  await partner.getByRole('button', { name: 'Antwort senden' }).click();
  await partner.getByRole('status').waitFor();

  // The case file: occasion, date, place and who comes (with or without the person's data).
  await openCase(page, kase, 'Fallkonferenzen');
  const conf = page.getByRole('tabpanel').getByRole('listitem').filter({ hasText: OCCASION });
  await conf.getByText(/Jobcenter Duisburg – mit Daten \(Einwilligung\) – hat zugesagt/).waitFor();
  await conf.getByText(/Jugendamt Duisburg – ohne Daten – hat abgesagt.*Schließzeit/).waitFor();
  expect(await conf.innerText()).toContain(`${date.de}, 10:00 Uhr`);
  expect(await conf.innerText()).toContain('Rathaus Hamborn, Raum 204');
  await screen(page, 'case-manager-conferences');
});

test('naturalisation: requirements, the completeness check, the authority decides, the client is informed', async () => {
  const [abh, ebh]: Session[] = await Promise.all(['abh.duisburg', 'ebh.duisburg'].map((u) => login(stack.url, u)));
  await openCase(page, kase);
  await page.getByRole('button', { name: 'Einbürgerung vorbereiten' }).click();
  const dialog = page.getByRole('dialog', { name: 'Einbürgerung vorbereiten' });
  await dialog.getByRole('button', { name: 'Vorbereitung starten' }).click();
  await dialog.waitFor({ state: 'detached' });

  // The requirements as the person states them.
  const requirements = await reachTask(stack, page, kase, NAT.recordRequirements, 'Voraussetzungen erfassen');
  await typeDate(form(page), /Rechtmäßiger gewöhnlicher Aufenthalt seit/, '01.03.2015');
  await pick(form(page).locator('.fjs-form-field-select', { hasText: 'Aktueller Aufenthaltstitel' }), 'Niederlassungserlaubnis');
  await check(form(page), 'Titel erlaubt einen dauerhaften Aufenthalt');
  await pick(form(page).locator('.fjs-form-field-select', { hasText: 'Nachgewiesenes Sprachniveau Deutsch' }), 'B2');
  await check(form(page), 'Einbürgerungstest bestanden');
  await form(page).getByLabel('Monate in Vollzeit in den letzten 24 Monaten').fill('24');
  for (const l of ['Bewährungsstrafe in Monaten', 'Geldstrafe in Tagessätzen']) if (!(await form(page).getByLabel(l).inputValue())) await form(page).getByLabel(l).fill('0');
  await check(form(page), 'Bekenntnis zur freiheitlichen demokratischen Grundordnung abgegeben');
  await screen(page, 'case-manager-naturalisation-requirements');
  await completeTask(stack, page, requirements.id, USER);

  // The ABH confirms the residence facts (its own day: day-authorities).
  const abhTask = await openTaskOf(stack, { caseId: kase.caseId }, NAT.confirmResidence);
  const abhForm = (await (await abh.get(`/api/tasks/${abhTask.id}/form`)).json()) as { step: { action: { variables: Record<string, unknown> } } };
  await completeVia(abh, abhTask.id, abhForm.step.action.variables);

  // Completeness: the required documents are listed; all are there.
  const completeness = await reachTask(stack, page, kase, NAT.checkCompleteness, 'Vollständigkeit des Antrags prüfen');
  expect(await page.getByTestId('step-context').innerText()).toContain('Reisepass: fehlt');
  const rows = form(page).locator('.fjs-form-field-dynamiclist .fjs-repeat-row-container');
  const count = await rows.count();
  expect(count).toBeGreaterThanOrEqual(6);
  for (let i = 0; i < count; i++) await pick(rows.nth(i).locator('.fjs-form-field-select').nth(1), 'vollständig');
  await screen(page, 'case-manager-naturalisation-documents');
  await completeTask(stack, page, completeness.id, USER);

  // The EBH accepts and decides (its own day: day-authorities).
  await completeVia(ebh, (await openTaskOf(stack, { caseId: kase.caseId }, NAT.ebhPreCheck)).id, { ebhErgebnis: 'annehmen' });
  await completeVia(ebh, (await openTaskOf(stack, { caseId: kase.caseId }, NAT.recordDecision)).id, { entscheidung: 'eingebuergert', entscheidungsdatum: todayInBerlin() });

  // The client is told: the decision in German, date and way recorded.
  const inform = await reachTask(stack, page, kase, NAT.informClient, 'Klient*in über die Entscheidung informieren');
  expect(await form(page).innerText()).toContain('Die Einbürgerungsbehörde hat entschieden: Einbürgerung zugesichert / vollzogen');
  await typeDate(form(page), 'Informiert am', inDays(0).de);
  await pick(form(page).locator('.fjs-form-field-select', { hasText: 'Informiert durch' }), 'persönlich');
  await screen(page, 'case-manager-naturalisation-inform');
  await completeTask(stack, page, inform.id, USER);
  await until(async () => (await stack.db.naturalisation.findFirst({ where: { caseId: kase.caseId } }))?.clientInformedAt, 'Klient*in informiert', ENGINE_TIMEOUT);

  await openCase(page, kase, 'Einbürgerung');
  const status = page.getByTestId('einbuergerung-status');
  await status.getByText(/Einbürgerung zugesichert \/ vollzogen/).waitFor();
  await screen(page, 'case-manager-naturalisation');
});

test('residence path of a young tolerated person: facts recorded, the deadlines show in the case file', async () => {
  // Another case of the site (a young person, tolerated for two years).
  const young = await contextCase(stack, 'day-br');
  const birth = new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) - 20 * 365.25 * 86_400_000);
  await stack.db.client.update({ where: { id: young.clientId }, data: { birthDate: birth } });
  const k = { caseId: young.caseId, reference: (await stack.db.case.findUniqueOrThrow({ where: { id: young.caseId } })).reference };
  await openCase(page, k);
  await page.getByRole('button', { name: 'Bleiberecht vorbereiten' }).click();
  const dialog = page.getByRole('dialog', { name: 'Bleiberecht vorbereiten' });
  await dialog.getByRole('button', { name: 'Verfahren beginnen' }).click();
  await dialog.waitFor({ state: 'detached' });

  const facts = await reachTask(stack, page, k, RESIDENCE.recordFacts, 'Angaben zum Aufenthalt erfassen');
  await pick(form(page).locator('.fjs-form-field-select', { hasText: 'Aufenthaltsstatus' }), 'Duldung');
  await typeDate(form(page), /Ununterbrochener Aufenthalt/, inDays(-4 * 365).de);
  await typeDate(form(page), 'Geduldet seit', inDays(-2 * 365).de);
  const duldungBis = inDays(200);
  const passBis = inDays(120);
  await typeDate(form(page), 'Duldung gültig bis', duldungBis.de);
  await typeDate(form(page), 'Pass gültig bis', passBis.de);
  await pick(form(page).locator('.fjs-form-field-select', { hasText: 'Mündliche Deutschkenntnisse' }), 'A2');
  await form(page).getByRole('checkbox', { name: /^3 Jahre erfolgreicher Schulbesuch/ }).check();
  await screen(page, 'case-manager-residence-facts');
  await completeTask(stack, page, facts.id, USER);
  await until(async () => (await stack.db.residenceDeadline.count({ where: { caseId: k.caseId } })) >= 2, 'Fristen gespeichert', ENGINE_TIMEOUT);

  await openCase(page, k, 'Aufenthalt');
  const panel = page.getByRole('tabpanel');
  await panel.getByText(passBis.de).first().waitFor();
  await panel.getByText(duldungBis.de).first().waitFor();
  await screen(page, 'case-manager-residence');
});
