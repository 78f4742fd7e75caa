/**
 * The kim-steuerung workers against the real test database (no engine involved): each handler with
 * a fake job, and the same job delivered twice → one side effect (one theme, one measure, one note
 * per case); invalid input fails without retries. Plus the pure rules: where an instance begins for
 * a theme's state, and when a measure becomes overdue.
 */
import { ELEMENT as E } from '../../../processes/kim-steuerung/contract';
import type { Stack } from '../../../server/stack';
import { entryOf, escalationAt, isOverdue } from '../../../server/steering/steering.service';
import type { WorkerDeps } from '../../../workers/deps';
import { assignSystemGap } from '../../../workers/kim.assign-system-gap';
import { closeSteeringTheme } from '../../../workers/kim.close-steering-theme';
import { notifySteeringClosure } from '../../../workers/kim.notify-steering-closure';
import { recordMeasureProgress } from '../../../workers/kim.record-measure-progress';
import { recordSteeringPriority } from '../../../workers/kim.record-steering-priority';
import { saveSteeringMeasure } from '../../../workers/kim.save-steering-measure';
import { startSteeringMeasure } from '../../../workers/kim.start-steering-measure';
import type { Job, WorkerDefinition } from '../../../workers/runtime';
import { startTestStack } from '../../support/stack';

let stack: Stack;
let deps: WorkerDeps;
beforeAll(async () => {
  stack = await startTestStack({ workers: false, http: false });
  deps = { inbox: stack.services.inbox, log: stack.log, steering: stack.services.steering };
});
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
const job = (key: string, variables: Record<string, unknown>, elementId = 'Task_X', processInstanceKey = `pi-${process.pid}-${key}`): Job => ({
  key: `${process.pid}-${key}`,
  type: 't',
  processInstanceKey,
  processDefinitionKey: '1',
  bpmnProcessId: 'kim-steuerung',
  elementId,
  activityInstanceId: `${elementId}:1`,
  tenantId: 'duisburg',
  retries: null,
  lockExpiresAt: 0,
  properties: {},
  variables,
});
const twice = async (w: WorkerDefinition<WorkerDeps>, j: Job) => [await w.handler(j, deps), await w.handler(j, deps)];

async function reportingCase() {
  n++;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-SW-${process.pid}-${n}`, firstName: 'Unit', lastName: `S${n}`, birthDate: new Date('1985-01-01') } });
  const c = await stack.db.case.create({ data: { reference: `DU-SW-${process.pid}-${n}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const conference = await stack.db.conference.create({ data: { caseId: c.id, title: 'Fallkonferenz' } });
  const gap = await stack.db.systemGap.create({ data: { kommuneId: 'duisburg', lifeArea: 'Arbeit', title: `Lücke ${n}`, description: 'x' } });
  await stack.db.conferenceGap.create({ data: { conferenceId: conference.id, position: 1, systemGapId: gap.id } });
  return { caseId: c.id, gapId: gap.id };
}

test('the whole chain of workers, each delivered twice: one theme, one measure, one note per reporting case', async () => {
  const r = await reportingCase();
  const [a, b] = await twice(assignSystemGap, job('a1', { systemGapId: r.gapId, zuordnung: 'neu', themaTitel: `Thema W ${n}`, themaBeschreibung: 'B' }, E.recordAssignment, `pi-${process.pid}-theme`));
  expect(a).toMatchObject({ kind: 'complete', variables: { themeId: expect.any(String) } });
  expect(b).toEqual(a);
  const themeId = (a as unknown as { variables: { themeId: string } }).variables.themeId;
  expect(await stack.db.steeringTheme.count({ where: { title: `Thema W ${n}` } })).toBe(1);
  expect(await stack.db.systemGap.findUniqueOrThrow({ where: { id: r.gapId } })).toMatchObject({ themeId, status: 'in_pruefung' });
  // A second gap joins the existing theme.
  const r2 = await reportingCase();
  expect(await assignSystemGap.handler(job('a2', { systemGapId: r2.gapId, zuordnung: 'bestehend', themaId: themeId }), deps)).toEqual({ kind: 'complete', variables: { themeId } });

  await twice(recordSteeringPriority, job('p1', { themeId, prioritaet: 'hoch', themaWeiter: 'lenkungsgruppe' }));
  expect(await stack.db.steeringTheme.findUniqueOrThrow({ where: { id: themeId } })).toMatchObject({ state: 'priorisiert', priority: 'hoch' });

  const measureJob = job('m1', { themeId, massnahmeTitel: 'M', verantwortlicheStelle: 'Jobcenter Duisburg', zieldatum: '2030-06-30', erwarteteWirkung: 'W' });
  const [m1, m2] = await twice(saveSteeringMeasure, measureJob);
  expect(m2).toEqual(m1);
  expect(await stack.db.steeringMeasure.count({ where: { themeId } })).toBe(1);
  const measureId = (m1 as unknown as { variables: { measureId: string } }).variables.measureId;

  const [s1, s2] = await twice(startSteeringMeasure, job('s1', { themeId, measureId }));
  expect(s1).toEqual({ kind: 'complete', variables: { measureId, eskalationAm: '2030-06-30T22:00:00Z' } });
  expect(s2).toEqual(s1);

  // Escalation with a date that has passed: counts as today, not as a loop of escalations.
  const esc = await recordMeasureProgress.handler(job('e1', { themeId, measureId, stand: 'neue_frist', neuesZieldatum: '2020-01-01' }, E.recordEscalation), deps);
  expect(esc.kind).toBe('complete');
  const m = await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measureId } });
  expect(m.targetDate.getTime()).toBeGreaterThan(Date.parse('2025-01-01'));
  expect(m.escalatedAt).not.toBeNull();
  // The Wiedervorlage does not accept the escalation's answers (and vice versa).
  expect(await recordMeasureProgress.handler(job('e2', { themeId, measureId, stand: 'neue_frist' }, E.recordProgress), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  await twice(recordMeasureProgress, job('e3', { themeId, measureId, stand: 'umgesetzt' }, E.recordProgress));
  expect(await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measureId } })).toMatchObject({ state: 'umgesetzt' });

  await twice(closeSteeringTheme, job('c1', { themeId, ergebnis: 'Erledigt.' }));
  expect(await stack.db.steeringTheme.findUniqueOrThrow({ where: { id: themeId } })).toMatchObject({ state: 'geschlossen', result: 'Erledigt.' });
  await twice(notifySteeringClosure, job('n1', { themeId }));
  await notifySteeringClosure.handler(job('n2', { themeId }), deps); // a new job (e.g. after an incident) adds nothing either
  for (const c of [r.caseId, r2.caseId]) expect(await stack.db.note.count({ where: { caseId: c, authorId: null } })).toBe(1);
  expect(await stack.db.steeringNotice.count({ where: { themeId } })).toBe(2);
});

test('invalid input fails without retries', async () => {
  const r = await reportingCase();
  expect(await assignSystemGap.handler(job('x1', { systemGapId: r.gapId, zuordnung: 'irgendwie' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  expect(await assignSystemGap.handler(job('x2', { systemGapId: r.gapId, zuordnung: 'neu', themaTitel: '  ' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  const mettmann = await stack.db.steeringTheme.create({ data: { kommuneId: 'mettmann', title: `Mettmann ${n}` } });
  // A theme of another commune is no choice for a Duisburg gap.
  expect(await assignSystemGap.handler(job('x3', { systemGapId: r.gapId, zuordnung: 'bestehend', themaId: mettmann.id }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  expect(await stack.db.systemGap.findUniqueOrThrow({ where: { id: r.gapId } })).toMatchObject({ themeId: null, status: 'gemeldet' });
});

test('where a theme begins, and when a measure is overdue', () => {
  expect(entryOf({ state: 'offen' }, null, null)).toBe('thema');
  expect(entryOf({ state: 'priorisiert' }, null, null)).toBe('beschluss');
  expect(entryOf({ state: 'priorisiert' }, null, { code: 'zurueckstellen' })).toBe('beschluss');
  expect(entryOf({ state: 'priorisiert' }, null, { code: 'schliessen' })).toBe('abschluss');
  expect(entryOf({ state: 'in_bearbeitung' }, null, { code: 'projektgruppe' })).toBe('massnahme');
  expect(entryOf({ state: 'in_bearbeitung' }, { state: 'zurueckgewiesen' }, null)).toBe('massnahme');
  expect(entryOf({ state: 'in_bearbeitung' }, { state: 'entwurf' }, null)).toBe('freigabe');
  expect(entryOf({ state: 'in_bearbeitung' }, { state: 'freigegeben' }, null)).toBe('umsetzung');
  expect(entryOf({ state: 'in_bearbeitung' }, { state: 'in_umsetzung' }, null)).toBe('umsetzung');
  expect(entryOf({ state: 'in_bearbeitung' }, { state: 'umgesetzt' }, null)).toBe('abschluss');
  expect(entryOf({ state: 'geschlossen' }, { state: 'umgesetzt' }, null)).toBeNull();
  // Overdue from the day after the target date, 00:00 in Germany (summer and winter time).
  expect(escalationAt(new Date('2027-07-14T00:00:00Z'))).toBe('2027-07-14T22:00:00Z');
  expect(escalationAt(new Date('2027-01-14T00:00:00Z'))).toBe('2027-01-14T23:00:00Z');
  expect(isOverdue({ state: 'in_umsetzung', targetDate: new Date('2027-01-14T00:00:00Z') }, '2027-01-15')).toBe(true);
  expect(isOverdue({ state: 'in_umsetzung', targetDate: new Date('2027-01-14T00:00:00Z') }, '2027-01-14')).toBe(false);
  expect(isOverdue({ state: 'umgesetzt', targetDate: new Date('2027-01-14T00:00:00Z') }, '2027-02-01')).toBe(false);
});
