/**
 * Retention on the real engine and PostgreSQL: a closed case whose deletion date has come is
 * deleted by the stack's retention timer – its process instances removed from the engine's runtime
 * and history (called instances included; proven by scanning every engine table for the instance
 * ids), every row of the app database removed (kept form input and kept messages included), the
 * client only when no other case refers to them, the residence path with its deadlines and its
 * kim-bleiberecht instance – and a DeletionRecord plus an audit entry remain.
 * (The cases the job must leave alone: test/api/retention.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ELEMENTS as BR } from '../../processes/kim-bleiberecht/contract';
import { ELEMENTS as E, PROCESS_ID } from '../../processes/kim-case/contract';
import type { Actor } from '../../server/auth/policy';
import { deletionDateAfter } from '../../server/cases/retention.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { FIXTURES, startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
let cm: Actor;
let dir: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-case', 'kim-bleiberecht']);
  fs.cpSync(path.join(FIXTURES, 'retention'), dir, { recursive: true });
  stack = await startTestStack({ config: testConfig({ KIM_RETENTION_INTERVAL_MS: '300' }), processesDir: dir, workerDefs: registry });
  cm = await actorOf(stack, 'cm.duisburg');
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Where the engine still mentions any of the ids: every text column of every table in the engine's
 * schema ("engine" of the file's database), runtime and history alike. "table.column" per hit.
 */
async function engineMentions(ids: string[]): Promise<string[]> {
  const c = new Client({ connectionString: stack.databaseUrl });
  await c.connect();
  try {
    const cols = await c.query<{ table_name: string; column_name: string }>(
      `select c.table_name, c.column_name from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'engine' and t.table_type = 'BASE TABLE' and c.data_type in ('character varying', 'text')`,
    );
    expect(cols.rows.length).toBeGreaterThan(100);
    const byTable = new Map<string, string[]>();
    for (const r of cols.rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
    const hits: string[] = [];
    for (const [table, columns] of byTable) {
      for (const col of columns) {
        const r = await c.query(`select 1 from engine."${table}" where "${col}" = any($1::text[]) limit 1`, [ids]);
        if (r.rowCount) hits.push(`${table}.${col}`);
      }
    }
    return hits;
  } finally {
    await c.end();
  }
}

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
  const r = await stack.engine.runtime.start(PROCESS_ID, 'duisburg', { caseId, clientId, kommuneId: 'duisburg', bearbeitungsfrist: 'P3D', wiedervorlageIntervall: 'P30D' });
  const pik = r.processInstanceKey;
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
  expect(await stack.db.goal.count({ where: { caseId: due.id } })).toBe(1);
  // A message kept for the case's instance (it waits for nothing of that name yet).
  expect(
    await stack.services.messages.send({ messageId: `ret-${due.id}`, name: 'Msg_TestNeverAwaited', tenantId: 'duisburg', correlation: { variable: 'caseId', value: due.id } }),
  ).toBe('kept');
  // The engine holds the instance in runtime and history.
  expect((await engineMentions([pik])).length).toBeGreaterThan(0);
  await close(later.id, new Date(Date.now() + 365 * 86_400_000));
  await close(due.id, yesterday());

  const record = await until(() => stack.db.deletionRecord.findUnique({ where: { caseId: due.id } }), 'Löschnachweis des fälligen Falls');
  expect(record).toMatchObject({ reference: due.reference, kommuneId: 'duisburg', clientDeleted: false, processInstanceKeys: [pik] });
  expect(record.removed).toMatchObject({ Case: 1, Need: 1, Goal: 1, Note: 1, TaskSubmission: 1, PendingMessage: 1 });
  expect((record.removed as Record<string, number>).Task).toBeGreaterThanOrEqual(2);
  expect(await stack.db.case.findUnique({ where: { id: due.id } })).toBeNull();
  for (const count of [
    stack.db.need.count({ where: { caseId: due.id } }),
    stack.db.goal.count({ where: { caseId: due.id } }),
    stack.db.task.count({ where: { caseId: due.id } }),
    stack.db.taskSubmission.count({ where: { caseId: due.id } }),
    stack.db.pendingMessage.count({ where: { processInstanceKey: pik } }),
  ]) {
    expect(await count).toBe(0);
  }
  // The instance is gone from the engine: runtime and history, every table.
  expect(await stack.engine.watch.existingInstances([pik])).toEqual([]);
  expect(await engineMentions([pik])).toEqual([]);
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

test('instances the case\'s instance called go too – running and ended ones, runtime and history', async () => {
  const { cases } = await clientWithCases(1);
  const [kase] = cases;
  // Two parents, each with a called child that does not know the case: one child still waits, the
  // other ended (and its parent with it). Only the engine's history links the children to the case.
  const running = (await stack.engine.runtime.start('kim-test-parent', 'duisburg', { caseId: kase.id, kommuneId: 'duisburg' })).processInstanceKey;
  const ended = (await stack.engine.runtime.start('kim-test-parent', 'duisburg', { caseId: kase.id, kommuneId: 'duisburg' })).processInstanceKey;
  const [runningChild] = await stack.engine.watch.calledInstances(running);
  const [endedChild] = await stack.engine.watch.calledInstances(ended);
  expect(runningChild && endedChild).toBeTruthy();
  const endedTask = await stack.db.task.findFirstOrThrow({ where: { processInstanceKey: endedChild, state: 'CREATED' } });
  await stack.engine.tasks.complete(endedTask.id, {});
  expect(await stack.engine.runtime.isRunning(ended)).toBe(false);
  // The app knows the parents only: as the case's process and as the process of a naturalisation.
  await stack.db.case.update({ where: { id: kase.id }, data: { processInstanceKey: running } });
  await stack.db.naturalisation.create({ data: { caseId: kase.id, kommuneId: 'duisburg', processInstanceKey: ended } });
  await stack.db.taskSubmission.create({ data: { taskId: endedTask.id, processInstanceKey: endedChild, elementId: 'Task_ChildWork', caseId: null, data: { notiz: 'ohne Fallbezug gespeichert' }, submittedBy: 'cm.duisburg' } });
  const all = [running, ended, runningChild, endedChild];
  expect((await stack.engine.watch.existingInstances(all)).sort()).toEqual([...all].sort());

  await close(kase.id, yesterday());
  const record = await until(() => stack.db.deletionRecord.findUnique({ where: { caseId: kase.id } }), 'Löschnachweis');
  expect([...record.processInstanceKeys].sort()).toEqual([...all].sort());
  expect(await stack.engine.watch.existingInstances(all)).toEqual([]);
  expect(await engineMentions(all)).toEqual([]);
  // Rows of the called instances go as well, including input kept without a case link.
  expect(await stack.db.task.count({ where: { processInstanceKey: { in: all } } })).toBe(0);
  expect(await stack.db.taskSubmission.count({ where: { taskId: endedTask.id } })).toBe(0);
});

test('the residence path goes with the case: its kim-bleiberecht instance, the facts, the tracked deadlines and the worker steps', async () => {
  const { client, cases } = await clientWithCases(1);
  const [kase] = cases;
  await stack.db.client.update({ where: { id: client.id }, data: { birthDate: new Date('2005-05-10T00:00:00Z') } });
  const started = await stack.services.residence.start(cm, { caseId: kase.id });
  // The case manager records the facts: the worker stores them and the tracked dates; the ABH's task waits.
  const passBis = `${new Date().getUTCFullYear() + 2}-03-01`;
  await completeTask(stack, cm, kase.id, BR.recordFacts, { aufenthaltsstatus: 'DULDUNG', aufenthaltSeit: '2019-01-15', duldungSeit: '2023-01-01', passBis, schulbesuchOderAbschluss: true });
  await openTask(stack, kase.id, BR.confirmFacts);
  const deadlines = await until(async () => {
    const n = await stack.db.residenceDeadline.count({ where: { caseId: kase.id } });
    return n > 0 && n;
  }, 'Fristen des Bleiberechts');
  const steps = await stack.db.residencePathStep.count({ where: { residencePathId: started.bleiberechtId } });
  expect(steps).toBeGreaterThan(0);
  expect(await stack.engine.runtime.isRunning(started.processInstanceKey)).toBe(true);
  expect((await engineMentions([started.processInstanceKey])).length).toBeGreaterThan(0);

  await close(kase.id, yesterday());
  const record = await until(() => stack.db.deletionRecord.findUnique({ where: { caseId: kase.id } }), 'Löschnachweis mit Bleiberecht');
  expect(record.processInstanceKeys).toContain(started.processInstanceKey);
  expect(record.removed).toMatchObject({ Case: 1, ResidencePath: 1, ResidenceDeadline: deadlines, ResidencePathStep: steps });
  expect(await stack.engine.watch.existingInstances([started.processInstanceKey])).toEqual([]);
  expect(await engineMentions([started.processInstanceKey])).toEqual([]);
  for (const count of [
    stack.db.residencePath.count({ where: { caseId: kase.id } }),
    stack.db.residenceDeadline.count({ where: { caseId: kase.id } }),
    stack.db.residencePathStep.count({ where: { residencePathId: started.bleiberechtId } }),
    stack.db.task.count({ where: { processInstanceKey: started.processInstanceKey } }),
  ]) {
    expect(await count).toBe(0);
  }
});
