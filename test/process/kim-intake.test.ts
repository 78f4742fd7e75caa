/**
 * kim-intake on the real engine: every path of the model (consent given / refused, double-funding
 * check with clarification both ways, the three DMN outcomes, case management starting kim-case),
 * driven through IntakeService.startIntake and the inbox, with the workers of the registry.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../../server/auth/policy';
import type { Stack } from '../../server/stack';
import { ELEMENTS as CASE } from '../../processes/kim-case/contract';
import { ELEMENTS as E } from '../../processes/kim-intake/contract';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
let cm: Actor;
let dir: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-intake', 'kim-case']);
  stack = await startTestStack({ processesDir: dir, config: testConfig({ KIM_REVIEW_INTERVAL: 'PT2S', KIM_TASK_DUE: 'P3D' }) });
  cm = await actorOf(stack, 'cm.duisburg');
  await stack.db.organisation.upsert({
    where: { kommuneId_name: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg (Test Intake)' } },
    create: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg (Test Intake)', type: 'Jobcenter', email: 'jc@example.org' },
    update: {},
  });
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const newClient = () => ({ firstName: 'Test', lastName: `Person ${process.pid}-${++n}`, birthDate: '1990-05-0' + ((n % 9) + 1), languages: ['ar'] });
const closed = (caseId: string) => until(async () => (await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).closedAt && stack.db.case.findUniqueOrThrow({ where: { id: caseId } }), 'Fall abgeschlossen');
const stats = (kind: string) => stack.db.statisticsEvent.count({ where: { kind } });

test('case management: first contact, consent given, no existing support → DMN CaseManagement → kim-case starts with the Förderplan', async () => {
  const started = await stack.services.intake.startIntake(cm, { client: newClient() });
  const first = await openTask(stack, started.caseId, E.documentFirstContact);
  expect(first).toMatchObject({ name: 'Erstkontakt dokumentieren', candidateGroups: ['case-manager:duisburg'], kommuneId: 'duisburg', processDefinitionId: 'kim-intake' });
  // Due date from the configured duration (P3D).
  expect(first.dueDate!.getTime() - Date.now()).toBeGreaterThan(2.9 * 86400_000);
  expect((await stack.db.case.findUniqueOrThrow({ where: { id: started.caseId } })).processInstanceKey).toBe(started.processInstanceKey);

  await completeTask(stack, cm, started.caseId, E.documentFirstContact, { lebensbereiche: ['Arbeit', 'Wohnen', 'Aufenthalt'], kurzfristigLoesbar: false, rechtskreisuebergreifend: true, bekannteBeratung: [], dolmetschBedarf: true });
  await completeTask(stack, cm, started.caseId, E.captureConsent, {
    einwilligung: 'erteilt',
    einwilligungEmpfaenger: ['Jobcenter'],
    einwilligungZwecke: ['Vermittlung'],
    einwilligungDatenkategorien: ['Stammdaten'],
    einwilligungGueltigBis: '2030-12-31',
  });
  const plan = await openTask(stack, started.caseId, CASE.createSupportPlan);
  expect(plan.processDefinitionId).toBe('kim-case');

  const c = await stack.db.case.findUniqueOrThrow({ where: { id: started.caseId }, include: { needs: true, consents: true, client: true } });
  expect(c).toMatchObject({ kindOfHelp: 'CaseManagement', phase: 'Foerderplanung', existingSupport: [], consentRefusedAt: null, closedAt: null });
  expect(c.needs.map((x) => x.lifeArea).sort()).toEqual(['Arbeit', 'Aufenthalt', 'Wohnen']);
  expect(c.client.interpreterNeeded).toBe(true);
  expect(c.consents).toHaveLength(1);
  const jc = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg (Test Intake)' } });
  expect(c.consents[0]).toMatchObject({ purposes: ['Vermittlung'], dataCategories: ['Stammdaten'] });
  expect(c.consents[0].recipients).toContain(jc.id);

  // The Wiedervorlage interval comes from configuration (PT2S here): a review task appears in kim-case.
  await completeTask(stack, cm, started.caseId, CASE.createSupportPlan, { ziele: [{ lebensbereich: 'Arbeit', beschreibung: 'Arbeitsaufnahme vorbereiten' }] });
  await openTask(stack, started.caseId, CASE.reviewCase);
  await stack.engine.runtime.cancel(started.processInstanceKey);
});

test('short counselling with consent refused: the refusal is recorded, DMN Kurzberatung, statistics and closing with deletion date', async () => {
  const before = await stats('kurzberatung_abgeschlossen');
  const started = await stack.services.intake.startIntake(cm, { client: newClient() });
  await completeTask(stack, cm, started.caseId, E.documentFirstContact, { lebensbereiche: ['Sprache'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: [] });
  await completeTask(stack, cm, started.caseId, E.captureConsent, { einwilligung: 'verweigert' });
  await completeTask(stack, cm, started.caseId, E.shortCounselling, { beratungErfolgt: true });
  const c = await closed(started.caseId);
  expect(c).toMatchObject({ kindOfHelp: 'Kurzberatung', phase: 'Abschluss', outcome: 'kurzberatung' });
  expect(c.consentRefusedAt).not.toBeNull();
  expect(await stack.db.consent.count({ where: { caseId: started.caseId } })).toBe(0);
  const year = c.closedAt!.getUTCFullYear();
  expect(c.deletionDate!.toISOString().slice(0, 10)).toBe(`${year + 3}${c.closedAt!.toISOString().slice(4, 10)}`);
  expect(await stats('kurzberatung_abgeschlossen')).toBe(before + 1);
  const ev = await stack.db.statisticsEvent.findFirstOrThrow({ where: { kind: 'kurzberatung_abgeschlossen' }, orderBy: { id: 'desc' } });
  expect(ev).toMatchObject({ kommuneId: 'duisburg', lifeArea: 'Sprache' });
});

test('referral only: two life areas in one legal domain → DMN Verweisberatung, statistics per life area, case closed', async () => {
  const before = await stats('verweisberatung_abgeschlossen');
  const started = await stack.services.intake.startIntake(cm, { client: newClient() });
  await completeTask(stack, cm, started.caseId, E.documentFirstContact, { lebensbereiche: ['Arbeit', 'Bildung'], kurzfristigLoesbar: false, rechtskreisuebergreifend: false, bekannteBeratung: [] });
  await completeTask(stack, cm, started.caseId, E.captureConsent, { einwilligung: 'verweigert' });
  await completeTask(stack, cm, started.caseId, E.referralOnly, { verweisLebensbereich: 'Arbeit', verweisStelle: 'Jobcenter' });
  const c = await closed(started.caseId);
  expect(c).toMatchObject({ kindOfHelp: 'Verweisberatung', outcome: 'verweisberatung' });
  expect(await stats('verweisberatung_abgeschlossen')).toBe(before + 2);
});

test('double funding: an open case of the same person → clarification → not taken on closes the intake', async () => {
  const before = await stats('nicht_uebernommen');
  const first = await stack.services.intake.startIntake(cm, { client: newClient() });
  const second = await stack.services.intake.startIntake(cm, { clientId: first.clientId });
  await completeTask(stack, cm, second.caseId, E.documentFirstContact, { lebensbereiche: ['Wohnen'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: [] });
  await completeTask(stack, cm, second.caseId, E.captureConsent, { einwilligung: 'verweigert' });
  const clarify = await openTask(stack, second.caseId, E.clarifyExistingSupport);
  expect(clarify.name).toBe('Bestehende Unterstützung klären');
  expect((await stack.db.case.findUniqueOrThrow({ where: { id: second.caseId } })).existingSupport).toEqual(['OFFENER_FALL']);
  await completeTask(stack, cm, second.caseId, E.clarifyExistingSupport, { klaerungErgebnis: 'nicht-uebernehmen' });
  const c = await closed(second.caseId);
  expect(c.outcome).toBe('nicht-uebernommen-bestehende-unterstuetzung');
  expect(await stats('nicht_uebernommen')).toBe(before + 1);
  await stack.engine.runtime.cancel(first.processInstanceKey);
});

test('double funding: known MBE counselling → clarification → KIM takes on, the decision follows', async () => {
  const started = await stack.services.intake.startIntake(cm, { client: newClient() });
  await completeTask(stack, cm, started.caseId, E.documentFirstContact, { lebensbereiche: ['Sprache'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: ['MBE'] });
  await completeTask(stack, cm, started.caseId, E.captureConsent, { einwilligung: 'verweigert' });
  await completeTask(stack, cm, started.caseId, E.clarifyExistingSupport, { klaerungErgebnis: 'uebernehmen' });
  await openTask(stack, started.caseId, E.shortCounselling);
  const c = await stack.db.case.findUniqueOrThrow({ where: { id: started.caseId } });
  expect(c).toMatchObject({ existingSupport: ['MBE'], kindOfHelp: 'Kurzberatung', closedAt: null });
  await stack.engine.runtime.cancel(started.processInstanceKey);
});

test('startIntake: only case managers of a site, and a person is required', async () => {
  const ebh = await actorOf(stack, 'ebh.duisburg');
  await expect(stack.services.intake.startIntake(ebh, { client: newClient() })).rejects.toMatchObject({ status: 403 });
  await expect(stack.services.intake.startIntake(cm, {})).rejects.toMatchObject({ status: 400 });
  await expect(stack.services.intake.startIntake(cm, { clientId: '00000000-0000-0000-0000-000000000000' })).rejects.toMatchObject({ status: 404 });
  const other = await actorOf(stack, 'cm.mettmann');
  const mine = await stack.services.intake.startIntake(cm, { client: newClient() });
  await expect(stack.services.intake.startIntake(other, { clientId: mine.clientId })).rejects.toMatchObject({ status: 404 });
  await stack.engine.runtime.cancel(mine.processInstanceKey);
});

test('process variables hold ids and decision inputs only', async () => {
  const xml = fs.readFileSync(path.join(dir, 'kim-intake', 'kim-intake.bpmn'), 'utf8');
  expect(xml).not.toMatch(/firstName|lastName|address|Notiz/);
});
