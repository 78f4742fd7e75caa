/**
 * kim-einbuergerung on the real engine, every path: all requirements met → straight to the
 * completeness check; the ABH corrects the residence facts and only the time is missing → Wiedervorlage
 * at a date (a few seconds ahead via wiedervorlageAm); several missing → parallel preparation with the
 * real kim-referral as language course, test registration and the document checklist; incomplete
 * documents and the EBH's request loop back to the case manager (with the due date); the EBH accepts
 * and records the decision; the case manager informs the client. The ABH and EBH work their steps in
 * their own inbox (candidate groups abh:duisburg / ebh:duisburg).
 */
import fs from 'node:fs';
import { DEFAULT_DOCUMENTS, ELEMENTS as E, PROCESS_ID } from '../../processes/kim-einbuergerung/contract';
import { CORRELATION, ELEMENT as R, MSG } from '../../processes/kim-referral/contract';
import type { Actor } from '../../server/auth/policy';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { expectNotInEngine } from '../support/engine-log';
import { MailCatcher, startMailCatcher } from '../support/smtp';
import { startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
let smtp: MailCatcher;
let dir: string;
let cm: Actor;
let abh: Actor;
let ebh: Actor;

beforeAll(async () => {
  smtp = await startMailCatcher();
  dir = processesDirWith(['kim-einbuergerung', 'kim-referral']);
  stack = await startTestStack({ config: testConfig({ KIM_SMTP_URL: smtp.url }), processesDir: dir, workerDefs: registry });
  cm = await actorOf(stack, 'cm.duisburg');
  abh = await actorOf(stack, 'abh.duisburg');
  ebh = await actorOf(stack, 'ebh.duisburg');
});
afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function start(opts: { wiedervorlageAm?: string } = {}) {
  const tag = `${process.pid}-${++n}`;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-EB-${tag}`, firstName: 'Einbürgerung', lastName: `Test ${tag}` } });
  const c = await stack.db.case.create({ data: { reference: `DU-EB-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung' } });
  const r = await stack.services.einbuergerung.start(cm, { caseId: c.id }, undefined, opts);
  return { caseId: c.id, id: r.einbuergerungId, pik: r.processInstanceKey };
}

const yearsAgo = (y: number, days = 0) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - y);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const allMet = {
  aufenthaltSeit: yearsAgo(8),
  aufenthaltstitel: 'niederlassungserlaubnis',
  aufenthaltstitelGeeignet: true,
  sprachniveau: 'B1',
  einbuergerungstestBestanden: true,
  vollzeitMonateLetzte24: 24,
  bewaehrungsstrafeMonate: 0,
  verurteilungTagessaetze: 0,
  bekenntnisAbgegeben: true,
};
const allComplete = { dokumente: DEFAULT_DOCUMENTS.map((art) => ({ art, status: 'vollstaendig' })) };
const row = (id: string) => stack.db.naturalisation.findUniqueOrThrow({ where: { id }, include: { documents: true } });

async function confirmByAbh(caseId: string, facts: Record<string, unknown>) {
  const t = await openTask(stack, caseId, E.confirmResidence);
  expect(t).toMatchObject({ name: 'Aufenthaltsdaten bestätigen oder korrigieren', candidateGroups: ['abh:duisburg'], formKey: expect.anything() });
  // the case manager does not see the ABH's task; the ABH does
  const cmList = await stack.services.inbox.list(cm, { view: 'all', caseId, offset: 0, limit: 50, sort: { field: 'createdAt', order: 'asc' } });
  expect(cmList.rows.map((r) => r.id)).not.toContain(t.id);
  await stack.services.inbox.complete(abh, t.id, facts);
}

async function ebhAccepts(caseId: string, decision: 'eingebuergert' | 'abgelehnt') {
  const pre = await openTask(stack, caseId, E.ebhPreCheck);
  expect(pre.candidateGroups).toEqual(['ebh:duisburg']);
  await expect(stack.services.inbox.complete(cm, pre.id, { ebhErgebnis: 'annehmen' })).rejects.toMatchObject({ status: 404 });
  await stack.services.inbox.complete(ebh, pre.id, { ebhErgebnis: 'annehmen' });
  const dec = await openTask(stack, caseId, E.recordDecision);
  expect(dec.candidateGroups).toEqual(['ebh:duisburg']);
  await stack.services.inbox.complete(ebh, dec.id, { entscheidung: decision, entscheidungsdatum: '2026-03-01' });
  const inform = await openTask(stack, caseId, E.informClient);
  expect(inform.candidateGroups).toEqual(['case-manager:duisburg']);
  await stack.services.inbox.complete(cm, inform.id, { informiertAm: '2026-03-02', informationsweg: 'persoenlich' });
}

test('all requirements met: ABH confirms, straight to the completeness check, EBH accepts and decides, the client is informed', async () => {
  const { caseId, id } = await start();
  expect((await openTask(stack, caseId, E.recordRequirements)).candidateGroups).toEqual(['case-manager:duisburg']);
  await completeTask(stack, cm, caseId, E.recordRequirements, allMet);
  await confirmByAbh(caseId, { aufenthaltPruefung: 'bestaetigt', aufenthaltSeit: allMet.aufenthaltSeit, aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true });

  await openTask(stack, caseId, E.checkCompleteness);
  const checked = await row(id);
  expect(checked).toMatchObject({ eligible: true, missingRequirements: [], residenceCorrected: false, residenceTitle: 'niederlassungserlaubnis', status: 'vollstaendigkeitspruefung' });
  expect(checked.residenceConfirmedAt).not.toBeNull();
  expect(checked.documents.map((d) => d.kind).sort()).toEqual([...DEFAULT_DOCUMENTS].sort());
  // no preparation work was opened
  expect(await stack.db.task.count({ where: { caseId, elementId: { in: [E.registerTest, E.prepareDocuments, E.resubmission] } } })).toBe(0);
  expect(await stack.db.referral.count({ where: { caseId } })).toBe(0);

  await completeTask(stack, cm, caseId, E.checkCompleteness, allComplete);
  await ebhAccepts(caseId, 'eingebuergert');
  const done = await until(async () => {
    const r = await row(id);
    return r.status === 'abgeschlossen' && r;
  }, 'Vorbereitung abgeschlossen');
  expect(done).toMatchObject({ decision: 'eingebuergert' });
  expect(done.acceptedAt).not.toBeNull();
  expect(done.clientInformedAt?.toISOString().slice(0, 10)).toBe('2026-03-02');
});

test('ABH corrects the residence facts, only the time is missing: Wiedervorlage at the set date, then the completeness check', async () => {
  const { caseId, id } = await start({ wiedervorlageAm: new Date(Date.now() + 5000).toISOString() });
  await completeTask(stack, cm, caseId, E.recordRequirements, allMet);
  const corrected = yearsAgo(4);
  await confirmByAbh(caseId, { aufenthaltPruefung: 'korrigiert', aufenthaltSeit: corrected, aufenthaltstitel: 'daueraufenthalt_eu', aufenthaltstitelGeeignet: true });

  const waiting = await until(async () => {
    const r = await row(id);
    return r.status === 'wiedervorlage' && r;
  }, 'Wiedervorlage');
  expect(waiting).toMatchObject({ residenceCorrected: true, residenceTitle: 'daueraufenthalt_eu', eligible: false, missingRequirements: ['AUFENTHALTSDAUER'] });
  expect(waiting.residenceSince?.toISOString().slice(0, 10)).toBe(corrected);
  expect(waiting.earliestApplicationDate?.toISOString().slice(0, 10)).toBe(yearsAgo(-1));
  const resub = await openTask(stack, caseId, E.resubmission);
  expect(resub.candidateGroups).toEqual(['case-manager:duisburg']);
  expect(await stack.db.task.count({ where: { caseId, elementId: { in: [E.registerTest, E.prepareDocuments, E.checkCompleteness] } } })).toBe(0);
  await stack.services.inbox.complete(cm, resub.id, { terminVereinbart: true });
  await openTask(stack, caseId, E.checkCompleteness);
});

test('several requirements missing: parallel preparation (kim-referral language course, test, checklist), incomplete documents and the EBH request loop back with a due date', async () => {
  const { caseId, id } = await start();
  await completeTask(stack, cm, caseId, E.recordRequirements, { ...allMet, sprachniveau: 'A2', einbuergerungstestBestanden: false, bekenntnisAbgegeben: false });
  await confirmByAbh(caseId, { aufenthaltPruefung: 'bestaetigt', aufenthaltSeit: allMet.aufenthaltSeit, aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true });

  // three branches at once
  const test = await openTask(stack, caseId, E.registerTest);
  const docs = await openTask(stack, caseId, E.prepareDocuments);
  expect((await row(id)).missingRequirements).toEqual(['SPRACHE', 'EINBUERGERUNGSTEST', 'BEKENNTNIS']);
  const referral = await until(() => stack.db.referral.findFirst({ where: { caseId } }), 'Sprachkurs-Vermittlung');
  expect(referral).toMatchObject({ lifeArea: 'Sprache', status: 'angelegt' });
  expect((await row(id)).languageReferralId).toBe(referral.id);
  // the real kim-referral runs as called process: hand over the contact (no consent), sent, partner declines
  await completeTask(stack, cm, caseId, R.handOverContact, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });
  await until(async () => (await stack.db.referral.findUniqueOrThrow({ where: { id: referral.id } })).status === 'gesendet', 'Vermittlung gesendet');
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: referral.id } })).processInstanceKey).toBeTruthy();

  const centre = `VHS Duisburg ${process.pid}-${n}`;
  await stack.services.inbox.complete(cm, test.id, { testTermin: '2026-05-12', teststelle: centre });
  await stack.services.inbox.complete(cm, docs.id, { dokumente: [{ art: 'reisepass', status: 'vorhanden' }, { art: 'geburtsurkunde', status: 'uebersetzung_noetig' }, { art: 'heiratsurkunde', status: 'apostille_noetig' }] });
  const afterPrep = await until(async () => {
    const r = await row(id);
    return r.testDate && r.documents.some((d) => d.kind === 'heiratsurkunde') && r;
  }, 'Testanmeldung und Checkliste gespeichert');
  expect(afterPrep.testDate?.toISOString().slice(0, 10)).toBe('2026-05-12');
  expect(afterPrep.testCentre).toBe(centre);
  await expectNotInEngine(stack, [centre]);
  expect(Object.fromEntries(afterPrep.documents.map((d) => [d.kind, d.status]))).toMatchObject({ reisepass: 'vorhanden', geburtsurkunde: 'uebersetzung_noetig', heiratsurkunde: 'apostille_noetig', lebenslauf: 'fehlt' });
  // the join waits for the language course
  expect(await stack.db.task.count({ where: { caseId, elementId: E.checkCompleteness } })).toBe(0);
  await stack.services.messages.send({ messageId: `${referral.id}:test-declined`, name: MSG.declined, tenantId: 'duisburg', correlation: { ...CORRELATION[MSG.declined], value: referral.id } });
  await until(async () => (await stack.db.referral.findUniqueOrThrow({ where: { id: referral.id } })).status === 'abgelehnt', 'Vermittlung abgelehnt');

  // completeness: not yet complete → the case manager supplies documents → check again
  await completeTask(stack, cm, caseId, E.checkCompleteness, { dokumente: [{ art: 'reisepass', status: 'vollstaendig' }] });
  await completeTask(stack, cm, caseId, E.supplyDocuments, { dokumente: [...allComplete.dokumente, { art: 'heiratsurkunde', status: 'vollstaendig' }] });
  await completeTask(stack, cm, caseId, E.checkCompleteness, { dokumente: [] });

  // EBH requests a document with a due date → back to the case manager, due on that date
  const pre = await openTask(stack, caseId, E.ebhPreCheck);
  await stack.services.inbox.complete(ebh, pre.id, { ebhErgebnis: 'unterlagen_nachfordern', nachgeforderteUnterlagen: ['geburtsurkunde'], nachforderungFrist: '2030-01-31' });
  const supply = await until(() => stack.db.task.findFirst({ where: { caseId, elementId: E.supplyDocuments, state: 'CREATED' } }), 'Nachforderung beim Case-Management');
  expect(supply.candidateGroups).toEqual(['case-manager:duisburg']);
  expect(supply.dueDate?.toISOString()).toBe('2030-01-31T23:59:59.000Z');
  const requested = await row(id);
  expect(requested.status).toBe('unterlagen_nachgefordert');
  expect(requested.documents.find((d) => d.kind === 'geburtsurkunde')).toMatchObject({ status: 'fehlt', requestedByEbh: true });
  await stack.services.inbox.complete(cm, supply.id, { dokumente: [{ art: 'geburtsurkunde', status: 'vollstaendig' }] });
  await completeTask(stack, cm, caseId, E.checkCompleteness, { dokumente: [] });
  await ebhAccepts(caseId, 'abgelehnt');
  await until(async () => (await row(id)).status === 'abgeschlossen', 'Vorbereitung abgeschlossen');
  expect((await row(id)).decision).toBe('abgelehnt');
});

test('start: one open preparation per case, only case managers of the site', async () => {
  const { caseId } = await start();
  await expect(stack.services.einbuergerung.start(cm, { caseId })).rejects.toMatchObject({ status: 409 });
  await expect(stack.services.einbuergerung.start(abh, { caseId })).rejects.toMatchObject({ status: 403 });
  const other = await actorOf(stack, 'cm2.duisburg');
  await expect(stack.services.einbuergerung.start(other, { caseId })).rejects.toMatchObject({ status: 404 });
});

test('the model is deployed under its process id', () => {
  expect(stack.deployment.deployed.map((d) => d.resourceId)).toContain(PROCESS_ID);
});
