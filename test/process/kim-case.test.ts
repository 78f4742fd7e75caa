/**
 * kim-case on the real engine: Förderplan with goals per life area, a referral started from the plan
 * (kim-referral as called process – a stub here, so this test does not depend on the referral
 * workers), the repeating Wiedervorlage timer that creates review tasks without stopping the case,
 * and closing with evaluation, statistics and deletion date.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../../server/auth/policy';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { ELEMENTS as E, PROCESS_ID } from '../../processes/kim-case/contract';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { expectNotInEngine } from '../support/engine-log';
import { FIXTURES, startTestStack, until } from '../support/stack';

const referralCalls = new Map<string, Record<string, unknown>>();
const stubWorker: WorkerDefinition<WorkerDeps> = {
  type: 'kim.test-referral-stub',
  async handler(job) {
    referralCalls.set(String(job.variables.referralId), job.variables);
    return { kind: 'complete' };
  },
};

let stack: Stack;
let cm: Actor;
let dir: string;
let orgId: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-case']);
  stack = await startTestStack({ processesDir: dir, workerDefs: [...registry, stubWorker] });
  // The called process kim-referral as a stub (deployed directly for the commune, outside the checksum bookkeeping).
  await stack.engine.deployer.deploy('duisburg', 'kim-referral-stub', [{ name: 'kim-referral.bpmn', content: fs.readFileSync(path.join(FIXTURES, 'kim-referral-stub', 'kim-referral.bpmn')) }]);
  cm = await actorOf(stack, 'cm.duisburg');
  const org = await stack.db.organisation.upsert({
    where: { kommuneId_name: { kommuneId: 'duisburg', name: 'Sprachkursträger (Test Fall)' } },
    create: { kommuneId: 'duisburg', name: 'Sprachkursträger (Test Fall)', type: 'Sprachkurstraeger', email: 'kurs@example.org' },
    update: {},
  });
  orgId = org.id;
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function openCase(interval: string) {
  const client = await stack.db.client.create({
    data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-CASE-${process.pid}-${++n}`, firstName: 'Fall', lastName: `Test ${n}` },
  });
  const c = await stack.db.case.create({
    data: { reference: `DU-T-${process.pid}-${n}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Foerderplanung', kindOfHelp: 'CaseManagement' },
  });
  await stack.db.need.create({ data: { caseId: c.id, lifeArea: 'Sprache', description: 'Test' } });
  const r = await stack.engine.runtime.start(PROCESS_ID, 'duisburg', { caseId: c.id, clientId: client.id, kommuneId: 'duisburg', bearbeitungsfrist: 'P3D', wiedervorlageIntervall: interval });
  return { caseId: c.id, pik: r.processInstanceKey };
}

const goals = [
  { lebensbereich: 'Sprache', beschreibung: 'B1-Kurs abschließen', zieldatum: '2030-06-30' },
  { lebensbereich: 'Arbeit', beschreibung: 'Anerkennung des Berufsabschlusses beantragen' },
];

test('goal texts stay in the app database: the engine never sees them, the kept input goes with the case', async () => {
  const { caseId, pik } = await openCase('P1D');
  const marker = `Wohnung in Hamborn finden (${process.pid}-${Date.now()})`;
  await completeTask(stack, cm, caseId, E.createSupportPlan, { ziele: [{ lebensbereich: 'Wohnen', beschreibung: marker }] });
  await until(() => stack.db.goal.findFirst({ where: { caseId, description: marker } }), 'Ziel mit Beschreibung gespeichert');
  expect(await stack.db.taskSubmission.findFirstOrThrow({ where: { processInstanceKey: pik } })).toMatchObject({ elementId: E.createSupportPlan, caseId, submittedBy: 'cm.duisburg' });
  await expectNotInEngine(stack, [marker]);
  await stack.engine.runtime.cancel(pik);
  await stack.db.goal.deleteMany({ where: { caseId } });
  await stack.db.need.deleteMany({ where: { caseId } });
  await stack.db.case.delete({ where: { id: caseId } });
  expect(await stack.db.taskSubmission.count({ where: { processInstanceKey: pik } })).toBe(0);
});

test('Förderplan → referral from the plan (kim-referral called with the new referral) → closing with evaluation, statistics and deletion date', async () => {
  const { caseId } = await openCase('P1D');
  const plan = await openTask(stack, caseId, E.createSupportPlan);
  expect(plan).toMatchObject({ name: 'Förderplan erstellen', candidateGroups: ['case-manager:duisburg'] });
  await completeTask(stack, cm, caseId, E.createSupportPlan, { ziele: goals });

  await completeTask(stack, cm, caseId, E.planNextStep, { naechsterSchritt: 'vermittlung', vermittlungOrganisationId: orgId, vermittlungLebensbereich: 'Sprache', vermittlungZweck: 'Sprachkurs' });
  const saved = await stack.db.goal.findMany({ where: { caseId }, orderBy: { lifeArea: 'asc' } });
  expect(saved.map((g) => [g.lifeArea, g.description, g.status])).toEqual([
    ['Sprache', 'B1-Kurs abschließen', 'laufend'],
    ['Arbeit', 'Anerkennung des Berufsabschlusses beantragen', 'laufend'],
  ]);
  expect((await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).phase).toBe('Umsetzung');
  const referral = await until(() => stack.db.referral.findFirst({ where: { caseId } }), 'Vermittlung angelegt');
  expect(referral).toMatchObject({ organisationId: orgId, lifeArea: 'Sprache', purpose: 'Sprachkurs', status: 'angelegt', withData: false });
  const call = await until(async () => referralCalls.get(referral.id), 'kim-referral aufgerufen');
  expect(call).toMatchObject({ caseId, kommuneId: 'duisburg', referralId: referral.id });

  // Back at the plan after the referral; now close.
  const before = await stack.db.statisticsEvent.count({ where: { kind: { in: ['case_closed', 'goal_erreicht'] } } });
  await completeTask(stack, cm, caseId, E.planNextStep, { naechsterSchritt: 'abschluss' });
  await completeTask(stack, cm, caseId, E.evaluateCase, { zieleErreicht: 'ja', abschlussGrund: 'ziele-erreicht' });
  const c = await until(async () => {
    const row = await stack.db.case.findUniqueOrThrow({ where: { id: caseId } });
    return row.closedAt && row;
  }, 'Fall abgeschlossen');
  expect(c).toMatchObject({ phase: 'Abschluss', outcome: 'ziele-erreicht', goalsReached: 'ja' });
  expect(c.deletionDate!.getUTCFullYear()).toBe(c.closedAt!.getUTCFullYear() + 3);
  expect((await stack.db.goal.findMany({ where: { caseId } })).map((g) => g.status)).toEqual(['erreicht', 'erreicht']);
  // Statistics follow the closing: one case_closed per need (Sprache) + one goal_erreicht per goal.
  await until(async () => (await stack.db.statisticsEvent.count({ where: { kind: { in: ['case_closed', 'goal_erreicht'] } } })) === before + 3, 'Statistik erfasst');
});

test('Wiedervorlage: the repeating timer creates review tasks while the case goes on; closing ends open reviews', async () => {
  const { caseId, pik } = await openCase('PT2S');
  await completeTask(stack, cm, caseId, E.createSupportPlan, { ziele: goals.slice(0, 1) });
  const next = await openTask(stack, caseId, E.planNextStep);
  await openTask(stack, caseId, E.reviewCase);
  // The timer repeats: a second review task, and the plan task is still open (non-interrupting).
  await until(async () => (await stack.db.task.count({ where: { caseId, elementId: E.reviewCase } })) >= 2, 'zweite Wiedervorlage', 30_000);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: next.id } })).state).toBe('CREATED');
  const review = await completeTask(stack, cm, caseId, E.reviewCase, { fortschritt: 'verzoegert' });
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: review.id } })).state).toBe('COMPLETED');

  await completeTask(stack, cm, caseId, E.planNextStep, { naechsterSchritt: 'abschluss' });
  await completeTask(stack, cm, caseId, E.evaluateCase, { zieleErreicht: 'nein', abschlussGrund: 'kein-kontakt' });
  await until(async () => (await stack.db.case.findUniqueOrThrow({ where: { id: caseId } })).closedAt, 'Fall abgeschlossen');
  expect((await stack.db.goal.findMany({ where: { caseId } })).map((g) => g.status)).toEqual(['nicht_erreicht']);
  // The terminate end event ended the instance with its open reviews: their inbox rows left with them.
  await until(async () => !(await stack.engine.runtime.isRunning(pik)), 'Instanz beendet');
  expect(await stack.db.task.count({ where: { processInstanceKey: pik, state: 'CREATED' } })).toBe(0);
  expect(await stack.engine.tasks.openTaskIds({ processInstanceKey: pik })).toEqual([]);
});
