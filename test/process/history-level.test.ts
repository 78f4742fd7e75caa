/**
 * The engine's history level keeps the activity trail (process view, heatmap, incidents) and nothing
 * a person typed: kim-intake runs through its steps with distinctive values – ids and answers that
 * DO reach the engine as process variables and decision inputs, and a name that never does – one
 * instance to its end, one cancelled halfway. While they run, the runtime variables hold the values
 * (so the scan sees what the engine writes); afterwards no table of the engine holds them, the
 * variable, detail, decision-input/-output and external-task/job log histories are empty, and
 * act_hi_actinst has the activity trail of both instances.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ELEMENTS as E } from '../../processes/kim-intake/contract';
import type { Actor } from '../../server/auth/policy';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { engineHits, foundInEngine } from '../support/engine-log';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { rows } from '../support/sql';
import { startTestStack, until } from '../support/stack';

let stack: Stack;
let cm: Actor;
let dir: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-intake', 'kim-case']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry });
  cm = await actorOf(stack, 'cm.duisburg');
  await stack.db.organisation.upsert({
    where: { kommuneId_name: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg (Test Historie)' } },
    create: { kommuneId: 'duisburg', name: 'Jobcenter Duisburg (Test Historie)', type: 'Jobcenter', email: 'jc-historie@example.org' },
    update: {},
  });
});
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const count = async (table: string, where = 'true') => Number((await rows(stack.databaseUrl, `select count(*)::int as n from engine.${table} where ${where}`))[0].n);

test('history keeps the activity trail, never the values: variables, decision inputs/outputs, details and task logs stay empty', async () => {
  const tag = randomUUID().slice(0, 8);
  const lastName = `Historienprobe-${tag}`;
  // An unusual date as the consent's end: a form value that reaches the engine as a variable.
  const validUntil = `2043-${String((parseInt(tag.slice(0, 2), 16) % 12) + 1).padStart(2, '0')}-17`;

  // A: first contact with two life areas in one legal domain → decision Verweisberatung → closed.
  const a = await stack.services.intake.startIntake(cm, { client: { firstName: 'Probe', lastName, birthDate: '1979-03-14' } });
  await completeTask(stack, cm, a.caseId, E.documentFirstContact, { lebensbereiche: ['Arbeit', 'Bildung'], kurzfristigLoesbar: false, rechtskreisuebergreifend: false, bekannteBeratung: [], dolmetschBedarf: false });
  await completeTask(stack, cm, a.caseId, E.captureConsent, {
    einwilligung: 'erteilt',
    einwilligungEmpfaenger: ['Jobcenter'],
    einwilligungZwecke: ['Vermittlung'],
    einwilligungDatenkategorien: ['Stammdaten'],
    einwilligungGueltigBis: validUntil,
  });
  await openTask(stack, a.caseId, E.referralOnly);

  // B: started and cancelled while it waits for the consent.
  const b = await stack.services.intake.startIntake(cm, { client: { firstName: 'Probe', lastName: `${lastName}-B` } });
  await completeTask(stack, cm, b.caseId, E.documentFirstContact, { lebensbereiche: ['Wohnen'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: ['MBE'], dolmetschBedarf: true });
  await openTask(stack, b.caseId, E.captureConsent);

  // While they run, the values are runtime variables: the scan sees what the engine writes.
  const ids = [a.caseId, a.clientId, b.caseId, b.clientId];
  expect((await foundInEngine(stack.databaseUrl, ids, 'act_ru_variable')).sort()).toEqual([...ids].sort());
  expect(await foundInEngine(stack.databaseUrl, [lastName])).toEqual([]);

  await stack.engine.runtime.cancel(b.processInstanceKey, 'Test: abgebrochen');
  await completeTask(stack, cm, a.caseId, E.referralOnly, { verweisLebensbereich: 'Arbeit', verweisStelle: 'Jobcenter' });
  await until(async () => (await stack.db.case.findUniqueOrThrow({ where: { id: a.caseId } })).closedAt, 'Fall A abgeschlossen');
  await until(async () => !(await stack.engine.runtime.isRunning(a.processInstanceKey)), 'Instanz A beendet');
  expect(await stack.engine.runtime.isRunning(b.processInstanceKey)).toBe(false);
  expect((await stack.db.case.findUniqueOrThrow({ where: { id: a.caseId } })).kindOfHelp).toBe('Verweisberatung');

  // Nothing typed is left anywhere in the engine – not in history, not in runtime, not in byte arrays.
  const markers = [...ids, validUntil, lastName];
  expect(await engineHits(stack.databaseUrl, markers, 'act_hi_%')).toEqual([]);
  expect(await engineHits(stack.databaseUrl, markers)).toEqual([]);
  for (const table of ['act_hi_varinst', 'act_hi_detail', 'act_hi_dec_in', 'act_hi_dec_out', 'act_hi_ext_task_log', 'act_hi_job_log']) {
    expect([table, await count(table)]).toEqual([table, 0]);
  }

  // The activity trail is kept: the process view and the heatmap are built from it.
  const trail = async (pik: string) =>
    (await rows(stack.databaseUrl, `select act_id_ as id, end_time_ is not null as ended from engine.act_hi_actinst where proc_inst_id_ = '${pik}' order by start_time_, sequence_counter_`)) as Array<{ id: string; ended: boolean }>;
  const trailA = (await trail(a.processInstanceKey)).map((x) => x.id);
  expect(trailA).toEqual(
    expect.arrayContaining([
      E.start,
      E.documentFirstContact,
      E.recordFirstContact,
      E.captureConsent,
      E.consentGiven,
      E.recordConsent,
      E.checkExistingSupport,
      E.decideKindOfHelp,
      E.openCase,
      E.kindOfHelp,
      E.referralOnly,
      E.recordStatistics,
      E.closeCase,
      E.endIntakeClosed,
    ]),
  );
  expect(trailA).not.toContain(E.recordConsentRefusal);
  const trailB = await trail(b.processInstanceKey);
  expect(trailB.map((x) => x.id)).toEqual(expect.arrayContaining([E.start, E.documentFirstContact, E.recordFirstContact, E.captureConsent]));
  expect(trailB.every((x) => x.ended)).toBe(true);
  expect((await stack.engine.watch.activityTrace(b.processInstanceKey)).find((t) => t.activityId === E.captureConsent)).toMatchObject({ canceled: true });
  // Process and task history are kept too (without variables).
  expect(await count('act_hi_procinst', `id_ in ('${a.processInstanceKey}', '${b.processInstanceKey}') and end_time_ is not null`)).toBe(2);
  expect(await count('act_hi_taskinst', `proc_inst_id_ = '${a.processInstanceKey}'`)).toBe(3);
});
