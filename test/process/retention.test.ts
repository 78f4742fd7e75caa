/**
 * Retention on the real engine and PostgreSQL: a closed case whose deletion date has come is
 * deleted by the stack's retention timer – running instances canceled in the engine, every row of
 * the app database removed, the client only when no other case refers to them – and a
 * DeletionRecord plus an audit entry remain. (The cases the job must leave alone:
 * test/api/retention.test.ts.)
 */
import fs from 'node:fs';
import { Pool } from 'pg';
import { ELEMENTS as E, PROCESS_ID } from '../../processes/kim-case/contract';
import type { Actor } from '../../server/domain/policy';
import { EngineHistoryRepository } from '../../server/data/engine-history.repository';
import { deletionDateAfter } from '../../server/domain/retention.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
let cm: Actor;
let dir: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-case']);
  stack = await startTestStack({ config: testConfig({ KIM_RETENTION_INTERVAL_MS: '300' }), processesDir: dir, workerDefs: registry });
  cm = await actorOf(stack, 'cm.duisburg');
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function clientWithCases(count: number) {
  const tag = `${process.pid}-${++n}`;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-RET-${tag}`, firstName: 'Frist', lastName: `Ablauf ${tag}` } });
  const cases = [];
  for (let i = 0; i < count; i++) {
    cases.push(await stack.db.case.create({ data: { reference: `DU-RET-${tag}-${i}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Foerderplanung', kindOfHelp: 'CaseManagement' } }));
  }
  return { client, cases };
}

/** A running kim-case instance with a saved plan (goals, kept form input) and an open task. */
async function runningCase(caseId: string, clientId: string) {
  await stack.db.need.create({ data: { caseId, lifeArea: 'Wohnen', description: 'Wohnung gesucht' } });
  await stack.db.note.create({ data: { caseId, text: 'Vertrauliche Notiz' } });
  const r = await stack.zeebe.createProcessInstance({ bpmnProcessId: PROCESS_ID, variables: { caseId, clientId, kommuneId: 'duisburg', bearbeitungsfrist: 'P3D', wiedervorlageIntervall: 'P30D' } });
  const pik = String(r.processInstanceKey);
  await stack.db.case.update({ where: { id: caseId }, data: { processInstanceKey: pik } });
  await completeTask(stack, cm, caseId, E.createSupportPlan, { ziele: [{ lebensbereich: 'Wohnen', beschreibung: 'Wohnung finden' }] });
  await openTask(stack, caseId, E.planNextStep);
  return pik;
}

const yesterday = () => new Date(Date.now() - 86_400_000);
const close = (id: string, deletionDate: Date) => stack.db.case.update({ where: { id }, data: { closedAt: new Date(), phase: 'Abschluss', deletionDate } });

test('the deletion date is the closing day plus the retention years (UTC calendar day)', () => {
  expect(deletionDateAfter(new Date('2026-11-21T23:30:00Z'), 3).toISOString()).toBe('2029-11-21T00:00:00.000Z');
  expect(deletionDateAfter(new Date('2028-02-29T08:00:00Z'), 1).toISOString()).toBe('2029-03-01T00:00:00.000Z');
});

test('a due case is deleted everywhere by the timer; the client stays while another case refers to them, and goes with the last one', async () => {
  const { client, cases } = await clientWithCases(2);
  const [due, later] = cases;
  const pik = await runningCase(due.id, client.id);
  expect(await stack.db.taskSubmission.count({ where: { caseId: due.id } })).toBe(1);
  const history = new EngineHistoryRepository(stack.engineDatabaseUrl);
  await until(async () => (await history.events([pik])).some((e) => e.elementId === E.planNextStep), 'Engine-Historie der Instanz');
  expect(await stack.db.goal.count({ where: { caseId: due.id } })).toBe(1);
  await close(later.id, new Date(Date.now() + 365 * 86_400_000));
  await close(due.id, yesterday());

  const record = await until(() => stack.db.deletionRecord.findUnique({ where: { caseId: due.id } }), 'Löschnachweis des fälligen Falls');
  expect(record).toMatchObject({ reference: due.reference, kommuneId: 'duisburg', clientDeleted: false, processInstanceKeys: [pik] });
  expect(record.removed).toMatchObject({ Case: 1, Need: 1, Goal: 1, Note: 1, TaskSubmission: 1 });
  expect((record.removed as Record<string, number>).Task).toBeGreaterThanOrEqual(2);
  expect(await stack.db.case.findUnique({ where: { id: due.id } })).toBeNull();
  for (const count of [stack.db.need.count({ where: { caseId: due.id } }), stack.db.goal.count({ where: { caseId: due.id } }), stack.db.task.count({ where: { caseId: due.id } }), stack.db.taskSubmission.count({ where: { caseId: due.id } })]) {
    expect(await count).toBe(0);
  }
  // The running instance is gone from the engine, and its history from the exporter's database.
  await expect(stack.zeebe.cancelProcessInstance(pik)).rejects.toThrow(/NOT_FOUND|not found/i);
  await until(async () => (await history.events([pik])).length === 0, 'Engine-Historie gelöscht');
  // An event the exporter writes late (after the deletion) goes with one of the next runs.
  const pool = new Pool({ connectionString: stack.engineDatabaseUrl });
  // (a copy of any other recorded event, moved to the deleted instance)
  const late = await pool.query(
    `insert into engine_element_event
     select (jsonb_populate_record(null::engine_element_event, to_jsonb(e) || jsonb_build_object('position', 9000000000000000001, 'process_instance_key', $1::bigint))).*
       from engine_element_event e limit 1`,
    [pik],
  );
  expect(late.rowCount).toBe(1);
  await until(async () => (await history.events([pik])).length === 0, 'spätes Ereignis entfernt');
  await pool.end();
  await history.close();
  // The case that is not yet due and the client stay.
  expect(await stack.db.case.findUnique({ where: { id: later.id } })).not.toBeNull();
  expect(await stack.db.client.findUnique({ where: { id: client.id } })).not.toBeNull();
  const audit = await stack.db.auditLog.findFirst({ where: { action: 'cases.delete', entityId: due.id } });
  expect(audit).toMatchObject({ caseId: due.id, username: 'system', reason: 'Aufbewahrungsfrist abgelaufen' });

  // The last case of the client: the client goes too.
  await close(later.id, yesterday());
  const last = await until(() => stack.db.deletionRecord.findUnique({ where: { caseId: later.id } }), 'Löschnachweis des letzten Falls');
  expect(last.clientDeleted).toBe(true);
  expect(await stack.db.client.findUnique({ where: { id: client.id } })).toBeNull();
});
