/**
 * The task view's step context on the real models and engine, through GET /api/tasks/:id/form with
 * sign-in: referral tasks name the offer, purpose, contact details and referral number; each consent
 * task of a conference names its own agency and the occasion, the planning is prefilled with the
 * interpreter need; the protocol's option lists hold the invited agencies; naturalisation tasks show
 * the required / missing documents prefilled, the ABH gets only the residence facts (prefilled,
 * confirmed with one action), the EBH only the pre-check, the confirmed residence facts and the
 * checklist, the case manager the decision in German. Another commune gets 404; completion refuses
 * fields that are not the form's.
 */
import fs from 'node:fs';
import { ELEMENTS as E } from '../../processes/kim-einbuergerung/contract';
import { ELEMENT as C } from '../../processes/kim-fallkonferenz/contract';
import { ELEMENTS as I } from '../../processes/kim-intake/contract';
import { ELEMENTS as K } from '../../processes/kim-case/contract';
import { actorOf } from '../support/processes';
import { referralNumber } from '../../server/referrals/referral.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { MailCatcher, startMailCatcher } from '../support/smtp';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { processesDirWith } from '../support/processes';
import {
  ALL_BUT_PASSPORT,
  ALL_COMPLETE,
  completeVia,
  conferenceWithTwoAgencies,
  contextCase,
  naturalisationAtAbh,
  OCCASION,
  openTaskOf,
  referralWithoutData,
} from '../support/task-context';

let stack: Stack;
let smtp: MailCatcher;
let dir: string;
let cm: Session;
let abh: Session;
let ebh: Session;
let mettmann: Session;

interface Step {
  title: string;
  facts: Array<{ label: string; value: string }>;
  lists: Array<{ title: string; items: string[] }>;
  hints: string[];
  action: { label: string; variables: Record<string, unknown> } | null;
}
interface FormView {
  processName: string;
  data: Record<string, unknown>;
  step: Step | null;
}

beforeAll(async () => {
  smtp = await startMailCatcher();
  dir = processesDirWith(['kim-intake', 'kim-case', 'kim-referral', 'kim-fallkonferenz', 'kim-einbuergerung']);
  stack = await startTestStack({ config: testConfig({
      KIM_SMTP_URL: smtp.url,
      KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123',
      // the conference is planned one hour ahead; its reminder (and then the protocol task) follows in 3 s
      KIM_CONFERENCE_REMINDER_BEFORE: 'PT59M57S',
    }), processesDir: dir, workerDefs: registry });
  [cm, abh, ebh, mettmann] = await Promise.all(['cm.duisburg', 'abh.duisburg', 'ebh.duisburg', 'cm.mettmann'].map((u) => login(stack.url, u)));
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function view(s: Session, taskId: string): Promise<FormView> {
  const res = await s.get(`/api/tasks/${taskId}/form`);
  expect(res.status).toBe(200);
  return (await res.json()) as FormView;
}
const fact = (v: FormView, label: string) => v.step?.facts.find((f) => f.label === label)?.value;
const list = (v: FormView, title: string) => v.step?.lists.find((l) => l.title === title)?.items ?? [];

test('referral without data: offer, purpose, contact details and referral number; another commune gets 404; only form fields complete the task', async () => {
  const c = await contextCase(stack, 'ref');
  const { referralId, task } = await referralWithoutData(stack, c);
  const v = await view(cm, task.id);
  expect(v.processName).toBe('Vermittlung');
  expect(v.step?.title).toBe('Vermittlung');
  expect(fact(v, 'Angebot')).toBe(c.org.name);
  expect(fact(v, 'Zweck')).toBe('Integrationskurs mit Kinderbetreuung');
  expect(fact(v, 'Lebensbereich')).toBe('Sprache');
  expect(fact(v, 'Vermittlungsnummer')).toBe(referralNumber(referralId));
  expect(fact(v, 'Adresse')).toBe(c.org.address);
  expect(fact(v, 'Telefon')).toBe(c.org.phone);
  expect(fact(v, 'E-Mail')).toBe(c.org.email);
  expect(fact(v, 'Ansprechperson')).toBe('Frau Demir');
  expect(list(v, 'An die Klientin / den Klienten übergeben').join(' ')).toContain(referralNumber(referralId));
  expect(v.step?.hints.join(' ')).toContain('Dolmetscher');
  expect(v.data).toMatchObject({ angebot: c.org.name, vermittlungsnummer: referralNumber(referralId) });

  expect([403, 404]).toContain((await mettmann.get(`/api/tasks/${task.id}/form`)).status);

  // display data and invented fields do not reach the process
  const foreign = await cm.post(`/api/tasks/${task.id}/complete`, { variables: { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true, vermittlungsnummer: 'X' } });
  expect(foreign.status).toBe(400);
  expect(JSON.stringify(await foreign.json())).toContain('vermittlungsnummer');
  await completeVia(cm, task.id, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });
});

test('conference: each consent task names its agency and the occasion; planning prefilled with the interpreter need; the protocol lists the agencies', async () => {
  const c = await contextCase(stack, 'conf');
  const { conf, consentTasks } = await conferenceWithTwoAgencies(stack, cm, c);
  const named = [];
  for (const t of consentTasks) {
    const v = await view(cm, t.id);
    expect(v.processName).toBe('Fallkonferenz');
    expect(fact(v, 'Anlass')).toBe(OCCASION);
    named.push(fact(v, 'Stelle'));
    expect(v.data.stelle).toBe(fact(v, 'Stelle'));
  }
  expect(named.sort()).toEqual([c.org.name, c.org2.name].sort());
  expect([403, 404]).toContain((await mettmann.get(`/api/tasks/${consentTasks[0].id}/form`)).status);
  for (const t of consentTasks) await completeVia(cm, t.id, { einwilligungErgebnis: 'verweigert' });

  const plan = await openTaskOf(stack, { processInstanceKey: conf.processInstanceKey }, C.planConference);
  const pv = await view(cm, plan.id);
  expect(fact(pv, 'Anlass')).toBe(OCCASION);
  expect(list(pv, 'Eingeladene Stellen').join(' ')).toContain(c.org2.name);
  expect(pv.step?.hints.join(' ')).toContain('Arabisch');
  expect(pv.data).toMatchObject({ dolmetschBedarf: true, dolmetschSprache: 'Arabisch' });
  const termin = new Date(Date.now() + 3_600_000).toISOString();
  await completeVia(cm, plan.id, { termin, dauerMinuten: 60, ort: 'Rathaus, Raum 12', tagesordnung: 'Wohnung sichern', dolmetschBedarf: true, dolmetschSprache: 'Arabisch' });

  const record = await openTaskOf(stack, { processInstanceKey: conf.processInstanceKey }, C.recordConference);
  const rv = await view(cm, record.id);
  const options = rv.data.teilnehmerOptionen as Array<{ value: string; label: string }>;
  expect(options.map((o) => o.label).sort()).toEqual([c.org.name, c.org2.name].sort());
  expect(options.map((o) => o.value).sort()).toEqual(conf.participants.map((p) => p.id).sort());
  expect((rv.data.zustaendigOptionen as Array<{ value: string }>).map((o) => o.value)).toEqual(expect.arrayContaining(['kim', ...conf.participants.map((p) => p.id)]));
  expect(fact(rv, 'Dolmetschung')).toBe('Arabisch');
});

test('naturalisation: ABH only the residence facts, prefilled and confirmed in one action; documents prefilled; EBH only its decision basis; the decision in German for the case manager', async () => {
  const c = await contextCase(stack, 'nat');
  const { einbuergerungId, abhTask } = await naturalisationAtAbh(stack, cm, c);

  // ABH
  const a = await view(abh, abhTask.id);
  expect(a.processName).toBe('Einbürgerung');
  expect(a.step?.facts).toEqual([
    { label: 'Rechtmäßiger gewöhnlicher Aufenthalt seit', value: '01.03.2015' },
    { label: 'Aufenthaltstitel', value: 'Niederlassungserlaubnis' },
    { label: 'Titel erlaubt dauerhaften Aufenthalt', value: 'ja' },
  ]);
  expect(a.step?.lists).toEqual([]);
  expect(a.data).toMatchObject({ aufenthaltSeit: '2015-03-01', aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true });
  expect(a.step?.action).toEqual({ label: 'Daten bestätigen', variables: { aufenthaltPruefung: 'bestaetigt' } });
  // nothing of the person beyond the step: no name, languages, interpreter note, birth date
  const abhStep = JSON.stringify(a.step);
  for (const hidden of [c.lastName, 'Arabisch', 'Dolmetsch', '1990']) expect(abhStep).not.toContain(hidden);
  expect([403, 404]).toContain((await ebh.get(`/api/tasks/${abhTask.id}/form`)).status);
  expect([403, 404]).toContain((await mettmann.get(`/api/tasks/${abhTask.id}/form`)).status);
  await completeVia(abh, abhTask.id, a.step!.action!.variables);
  const confirmed = await until(async () => {
    const n = await stack.db.naturalisation.findUniqueOrThrow({ where: { id: einbuergerungId } });
    return n.residenceConfirmedAt && n;
  }, 'Aufenthaltsdaten bestätigt');
  expect(confirmed).toMatchObject({ residenceCorrected: false, residenceTitle: 'niederlassungserlaubnis', residenceTitleSuitable: true });
  expect(confirmed.residenceSince?.toISOString().slice(0, 10)).toBe('2015-03-01');

  // case manager: completeness with the required documents, then only the missing one
  const check = await openTaskOf(stack, { caseId: c.caseId }, E.checkCompleteness);
  const cv = await view(cm, check.id);
  expect(list(cv, 'Erforderliche Unterlagen')).toEqual(expect.arrayContaining(['Reisepass: fehlt', 'Meldebescheinigung: fehlt', 'Einkommensnachweis: fehlt']));
  expect((cv.data.dokumente as unknown[]).length).toBe(ALL_COMPLETE.length);
  await completeVia(cm, check.id, { dokumente: ALL_BUT_PASSPORT });
  const supply = await openTaskOf(stack, { caseId: c.caseId }, E.supplyDocuments);
  const sv = await view(cm, supply.id);
  expect(list(sv, 'Fehlende oder nachgeforderte Unterlagen')).toEqual(['Reisepass: fehlt']);
  expect(sv.data).toMatchObject({ dokumente: [{ art: 'reisepass', status: 'fehlt' }], fehlendeUnterlagenText: 'Reisepass' });
  await completeVia(cm, supply.id, { dokumente: [{ art: 'reisepass', status: 'vollstaendig' }] });
  // back to the completeness check: the checklist starts as it now stands – nothing typed twice
  const recheck = await openTaskOf(stack, { caseId: c.caseId }, E.checkCompleteness, [check.id]);
  const rv = await view(cm, recheck.id);
  expect(rv.data.dokumente).toEqual(expect.arrayContaining(ALL_COMPLETE));
  expect((rv.data.dokumente as unknown[]).length).toBe(ALL_COMPLETE.length);
  await completeVia(cm, recheck.id, { dokumente: rv.data.dokumente });

  // EBH
  const pre = await openTaskOf(stack, { caseId: c.caseId }, E.ebhPreCheck);
  const e = await view(ebh, pre.id);
  expect(fact(e, 'Vorprüfung (§ 10 StAG)')).toBe('alle Voraussetzungen erfüllt');
  expect(fact(e, 'Aufenthaltstitel')).toBe('Niederlassungserlaubnis');
  expect(fact(e, 'Rechtmäßiger gewöhnlicher Aufenthalt seit')).toBe('01.03.2015');
  expect(fact(e, 'Aufenthaltsdaten bestätigt')).toMatch(/durch die Ausländerbehörde$/);
  expect(list(e, 'Unterlagen-Checkliste')).toEqual(expect.arrayContaining(['Reisepass: vollständig', 'Lebenslauf: vollständig']));
  const ebhStep = JSON.stringify(e.step);
  for (const hidden of [c.lastName, 'Arabisch', 'Dolmetsch', '1990', 'Integrationskurs']) expect(ebhStep).not.toContain(hidden);
  expect([403, 404]).toContain((await abh.get(`/api/tasks/${pre.id}/form`)).status);
  await completeVia(ebh, pre.id, { ebhErgebnis: 'annehmen' });
  const dec = await openTaskOf(stack, { caseId: c.caseId }, E.recordDecision);
  const dv = await view(ebh, dec.id);
  expect(dv.step?.facts.map((f) => f.label)).toEqual(['Vorprüfung (§ 10 StAG)', 'Antrag angenommen am']);
  await completeVia(ebh, dec.id, { entscheidung: 'eingebuergert', entscheidungsdatum: '2026-02-01' });

  // case manager informs the client: the decision in German
  const inform = await openTaskOf(stack, { caseId: c.caseId }, E.informClient);
  const iv = await view(cm, inform.id);
  expect(fact(iv, 'Entscheidung')).toBe('Einbürgerung zugesichert / vollzogen');
  expect(fact(iv, 'Datum der Entscheidung')).toBe('01.02.2026');
  expect(iv.data.entscheidungText).toBe('Einbürgerung zugesichert / vollzogen');
  expect([403, 404]).toContain((await mettmann.get(`/api/tasks/${inform.id}/form`)).status);
});

test('first contact and case: the interpreter need is prefilled, the double-funding finding reads in German, the next step offers the commune\'s partner organisations', async () => {
  const actor = await actorOf(stack, 'cm.duisburg');
  const c = await contextCase(stack, 'intake');
  const first = await stack.services.intake.startIntake(actor, { clientId: c.clientId });
  const doc = await openTaskOf(stack, { caseId: first.caseId }, I.documentFirstContact);
  const dv = await view(cm, doc.id);
  expect(dv.processName).toBe('Erstkontakt und Clearing');
  expect(dv.data.dolmetschBedarf).toBe(true);
  expect(fact(dv, 'Sprachen')).toBe('Arabisch, Französisch');
  expect(fact(dv, 'Dolmetschbedarf laut Fallakte')).toBe('ja');
  expect([403, 404]).toContain((await mettmann.get(`/api/tasks/${doc.id}/form`)).status);

  // the same person again: the double-funding check finds the open case
  const second = await stack.services.intake.startIntake(actor, { clientId: c.clientId });
  await completeVia(cm, (await openTaskOf(stack, { caseId: second.caseId }, I.documentFirstContact)).id, { lebensbereiche: ['Wohnen'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: [], dolmetschBedarf: true });
  await completeVia(cm, (await openTaskOf(stack, { caseId: second.caseId }, I.captureConsent)).id, { einwilligung: 'verweigert' });
  const clarify = await openTaskOf(stack, { caseId: second.caseId }, I.clarifyExistingSupport);
  const clv = await view(cm, clarify.id);
  expect(clv.data.bestehendeUnterstuetzung).toBe('ein offener KIM-Fall derselben Person in Ihrer Kommune');
  expect(JSON.stringify({ data: clv.data, step: clv.step })).not.toContain('OFFENER_FALL');

  // kim-case's next step: the partner organisations of Duisburg, none of another commune
  const pik = (await stack.engine.runtime.start('kim-case', 'duisburg', { caseId: c.caseId, clientId: c.clientId, kommuneId: 'duisburg', wiedervorlageIntervall: 'P30D', bearbeitungsfrist: 'P3D' })).processInstanceKey;
  await completeVia(cm, (await openTaskOf(stack, { processInstanceKey: pik }, K.createSupportPlan)).id, { ziele: [{ lebensbereich: 'Sprache', beschreibung: 'Deutschkurs B1' }] });
  const next = await openTaskOf(stack, { processInstanceKey: pik }, K.planNextStep);
  const nv = await view(cm, next.id);
  const options = nv.data.partnerOrganisationen as Array<{ value: string; label: string }>;
  expect(options).toEqual(expect.arrayContaining([{ value: c.org.id, label: `${c.org.name} (Sprachkursträger)` }]));
  const communes = await stack.db.organisation.findMany({ where: { id: { in: options.map((o) => o.value) } }, select: { kommuneId: true } });
  expect(new Set(communes.map((o) => o.kommuneId))).toEqual(new Set(['duisburg']));
  await stack.engine.runtime.cancel(pik);
});
