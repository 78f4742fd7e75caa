/**
 * The kim-intake / kim-case workers against the real test database (no engine involved): each
 * handler once with a fake job, and the same job delivered twice → one side effect. Lists come as
 * the engine holds them (comma-separated strings) and go back the same way.
 */
import type { Stack } from '../../../server/stack';
import type { WorkerDeps } from '../../../workers/deps';
import { checkExistingSupport } from '../../../workers/kim.check-existing-support';
import { closeCase } from '../../../workers/kim.close-case';
import { createReferral } from '../../../workers/kim.create-referral';
import { openCase } from '../../../workers/kim.open-case';
import { recordConsent } from '../../../workers/kim.record-consent';
import { recordConsentRefusal } from '../../../workers/kim.record-consent-refusal';
import { recordFirstContact } from '../../../workers/kim.record-first-contact';
import { recordStatistics } from '../../../workers/kim.record-statistics';
import { saveSupportPlan } from '../../../workers/kim.save-support-plan';
import type { Job, WorkerDefinition } from '../../../workers/runtime';
import { startTestStack } from '../../support/stack';

let stack: Stack;
let deps: WorkerDeps;
beforeAll(async () => {
  stack = await startTestStack({ workers: false, http: false });
  deps = { inbox: stack.services.inbox, log: stack.log, intake: stack.services.intake, caseProcess: stack.services.caseProcess };
});
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
async function newCase() {
  n++;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-UW-${process.pid}-${n}`, firstName: 'Unit', lastName: `W${n}`, birthDate: new Date('1985-01-01') } });
  const c = await stack.db.case.create({ data: { reference: `DU-UW-${process.pid}-${n}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  return { caseId: c.id, clientId: client.id };
}
const job = (key: string, variables: Record<string, unknown>): Job => ({
  key,
  type: 't',
  processInstanceKey: '1',
  processDefinitionKey: '1',
  bpmnProcessId: 'kim-test',
  elementId: 'Task_X',
  activityInstanceId: 'Task_X:1',
  tenantId: null,
  retries: null,
  lockExpiresAt: 0,
  properties: {},
  variables,
});
const twice = async (w: WorkerDefinition<WorkerDeps>, j: Job) => [await w.handler(j, deps), await w.handler(j, deps)];

test('kim.record-first-contact: needs once per life area, phase Clearing, interpreter need; invalid areas fail without retries', async () => {
  const { caseId, clientId } = await newCase();
  const [a, b] = await twice(recordFirstContact, job('101', { caseId, lebensbereiche: 'Arbeit,Wohnen', dolmetschBedarf: true }));
  expect(a).toEqual({ kind: 'complete', variables: { anzahlLebensbereiche: 2 } });
  expect(b).toEqual(a);
  expect(await stack.db.need.count({ where: { caseId } })).toBe(2);
  expect((await stack.db.client.findUniqueOrThrow({ where: { id: clientId } })).interpreterNeeded).toBe(true);
  expect(await recordFirstContact.handler(job('102', { caseId, lebensbereiche: 'Mond' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  expect(await recordFirstContact.handler(job('103', { caseId, lebensbereiche: '' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  // A list kept as an array (form input from the app database) is read the same way.
  expect(await recordFirstContact.handler(job('104', { caseId, lebensbereiche: ['Arbeit', 'Sprache'] }), deps)).toEqual({ kind: 'complete', variables: { anzahlLebensbereiche: 2 } });
  expect((await stack.db.need.findMany({ where: { caseId } })).map((x) => x.lifeArea).sort()).toEqual(['Arbeit', 'Sprache', 'Wohnen']);
});

test('kim.record-consent: one consent per job key, recipients from organisation types', async () => {
  const { caseId } = await newCase();
  const org = await stack.db.organisation.upsert({ where: { kommuneId_name: { kommuneId: 'duisburg', name: 'JMD Unit' } }, create: { kommuneId: 'duisburg', name: 'JMD Unit', type: 'JMD' }, update: {} });
  const j = job('201', { caseId, einwilligungEmpfaenger: 'JMD,Jugendamt', einwilligungZwecke: 'Vermittlung,Fallkonferenz', einwilligungDatenkategorien: 'Stammdaten', einwilligungGueltigBis: '2031-01-31' });
  const [a, b] = await twice(recordConsent, j);
  expect(a).toEqual(b);
  const rows = await stack.db.consent.findMany({ where: { caseId } });
  expect(rows).toHaveLength(1);
  expect(rows[0].recipients).toContain(org.id);
  expect(rows[0]).toMatchObject({ purposes: ['Vermittlung', 'Fallkonferenz'], dataCategories: ['Stammdaten'] });
  expect(a).toEqual({ kind: 'complete', variables: { einwilligungId: rows[0].id } });
});

test('kim.record-consent-refusal: refusal recorded once', async () => {
  const { caseId } = await newCase();
  await twice(recordConsentRefusal, job('301', { caseId }));
  const c = await stack.db.case.findUniqueOrThrow({ where: { id: caseId } });
  expect(c.consentRefusedAt).not.toBeNull();
  expect(await stack.db.auditLog.count({ where: { caseId, action: 'consents.refused' } })).toBe(1);
});

test('kim.check-existing-support: finds open cases of the same person and named MBE/JMD counselling', async () => {
  const { caseId, clientId } = await newCase();
  expect(await checkExistingSupport.handler(job('401', { caseId, bekannteBeratung: '' }), deps)).toEqual({
    kind: 'complete',
    variables: { bestehendeUnterstuetzung: '', doppelfoerderungMoeglich: false, klaerungErgebnis: null },
  });
  expect(await checkExistingSupport.handler(job('403', { caseId }), deps)).toMatchObject({ kind: 'complete', variables: { doppelfoerderungMoeglich: false } });
  await stack.db.case.create({ data: { reference: `DU-UW2-${process.pid}-${n}`, clientId, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const [a, b] = await twice(checkExistingSupport, job('402', { caseId, bekannteBeratung: 'JMD' }));
  expect(a).toEqual({ kind: 'complete', variables: { bestehendeUnterstuetzung: 'OFFENER_FALL,JMD', doppelfoerderungMoeglich: true, klaerungErgebnis: null } });
  expect(b).toEqual(a);
});

test('kim.open-case: kind of help and phase; unknown kinds fail without retries', async () => {
  const { caseId } = await newCase();
  await twice(openCase, job('501', { caseId, hilfeart: 'Verweisberatung' }));
  expect(await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ kindOfHelp: 'Verweisberatung', phase: 'Umsetzung' });
  expect(await openCase.handler(job('502', { caseId, hilfeart: 'Irgendwas' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
});

test('kim.save-support-plan: goals once per job, texts cleared from the instance', async () => {
  const { caseId } = await newCase();
  const [a, b] = await twice(saveSupportPlan, job('601', { caseId, ziele: [{ lebensbereich: 'Sprache', beschreibung: 'Kurs' }] }));
  expect(a).toEqual({ kind: 'complete', variables: { anzahlZiele: 1, ziele: null } });
  expect(b).toEqual(a);
  expect(await stack.db.goal.count({ where: { caseId } })).toBe(1);
  expect(await saveSupportPlan.handler(job('602', { caseId, ziele: [] }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
});

test('kim.create-referral: one referral per job; unknown organisation fails without retries', async () => {
  const { caseId } = await newCase();
  const org = await stack.db.organisation.upsert({ where: { kommuneId_name: { kommuneId: 'duisburg', name: 'MBE Unit' } }, create: { kommuneId: 'duisburg', name: 'MBE Unit', type: 'MBE' }, update: {} });
  const [a, b] = await twice(createReferral, job('701', { caseId, vermittlungOrganisationId: org.id, vermittlungLebensbereich: 'Arbeit', vermittlungZweck: 'Beratung' }));
  expect(a).toEqual(b);
  expect(await stack.db.referral.count({ where: { caseId } })).toBe(1);
  expect(await createReferral.handler(job('702', { caseId, vermittlungOrganisationId: '00000000-0000-0000-0000-000000000000', vermittlungLebensbereich: 'Arbeit' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
});

test('kim.record-statistics: one set of anonymous events per job', async () => {
  const { caseId } = await newCase();
  await stack.db.need.createMany({ data: [{ caseId, lifeArea: 'Arbeit', description: 'x' }, { caseId, lifeArea: 'Wohnen', description: 'y' }] });
  await twice(recordStatistics, job('801', { caseId, statistikArt: 'kurzberatung_abgeschlossen' }));
  expect(await stack.db.statisticsEvent.count({ where: { jobKey: { startsWith: '801:' } } })).toBe(2);
});

test('kim.close-case: closed once with evaluation and deletion date', async () => {
  const { caseId } = await newCase();
  await stack.db.goal.create({ data: { caseId, lifeArea: 'Arbeit', description: 'x', status: 'laufend' } });
  const [a, b] = await twice(closeCase, job('901', { caseId, abschlussGrund: 'wegzug', zieleErreicht: 'nein' }));
  expect(a).toEqual(b);
  const c = await stack.db.case.findUniqueOrThrow({ where: { id: caseId } });
  expect(c).toMatchObject({ phase: 'Abschluss', outcome: 'wegzug', goalsReached: 'nein' });
  expect(c.deletionDate).not.toBeNull();
  expect(await stack.db.auditLog.count({ where: { caseId, action: 'cases.close' } })).toBe(1);
  expect((await stack.db.goal.findFirstOrThrow({ where: { caseId } })).status).toBe('nicht_erreicht');
});

test('workers without their service fail (retry) instead of completing', async () => {
  await expect(openCase.handler(job('1001', { caseId: 'x', hilfeart: 'Kurzberatung' }), { inbox: stack.services.inbox, log: stack.log })).rejects.toThrow(/nicht verfügbar/);
});
