/**
 * kim-bleiberecht on the real engine, every path: the case manager records what the client reports,
 * the ABH confirms in its own inbox (candidate group abh:duisburg), the pre-check runs as the DMN on
 * the engine, the application is prepared (an incomplete checklist comes back), handed over, decided
 * by the ABH and the client is informed; a path where neither paragraph is met ends after the talk.
 * The deadline tracker: dates per case in the app database, reminder tasks at their configured lead
 * times (short, computed for this run), and when the ABH corrects the facts the dates follow, the
 * outdated reminder disappears and the new one appears. Only decision inputs and dates reach the engine.
 */
import fs from 'node:fs';
import { ELEMENTS as E, FORMS } from '../../processes/kim-bleiberecht/contract';
import type { Actor } from '../../server/auth/policy';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import { buildHttpServices, type HttpServices } from '../../server/services';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { expectNotInEngine } from '../support/engine-log';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { fileEngineUrl, startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
let dir: string;
let cm: Actor;
let abh: Actor;
let http: HttpServices;

const DAY = 86_400_000;
const plusDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const yearsAgo = (y: number) => `${Number(todayInBerlin().slice(0, 4)) - y}-01-15`;
/** 00:00 in Germany on a day, computed here with Intl (not with the product's helper). */
function germanMidnight(iso: string): number {
  const utc = Date.parse(`${iso}T12:00:00Z`);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(new Date(utc)));
  return Date.parse(`${iso}T00:00:00Z`) - (hour - 12) * 3600_000;
}

// The passport reminder is due PASS_REMINDER_IN after the stack starts: its lead time is the
// distance from then to the passport's expiry (00:00 German time), in seconds.
const PASS_REMINDER_IN = 90_000;
const passBis = plusDays(todayInBerlin(), 10);
let passRemindAt: number;

beforeAll(async () => {
  dir = processesDirWith(['kim-bleiberecht']);
  // This file's database and engine first (the slow part), then the clock starts.
  await fileEngineUrl();
  passRemindAt = Date.now() + PASS_REMINDER_IN;
  const lead = Math.round((germanMidnight(passBis) - passRemindAt) / 1000);
  const config = testConfig({ KIM_FRISTEN_VORLAUF: JSON.stringify({ PASS_ABLAUF: `PT${lead}S`, DULDUNG_ABLAUF: 'P3D' }) });
  stack = await startTestStack({ config, processesDir: dir, workerDefs: registry });
  cm = await actorOf(stack, 'cm.duisburg');
  abh = await actorOf(stack, 'abh.duisburg');
  // The task view's form data (prefill) as the web app gets it.
  http = buildHttpServices({ config: stack.config, db: stack.db, engine: stack.engine, audit: stack.services.audit, inbox: stack.services.inbox, residence: stack.services.residence });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function start(birthYearsAgo = 20) {
  const tag = `${process.pid}-${++n}`;
  const client = await stack.db.client.create({
    data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-BR-${tag}`, firstName: 'Bleiberecht', lastName: `Test ${tag}`, birthDate: new Date(`${yearsAgo(birthYearsAgo)}T00:00:00Z`) },
  });
  const c = await stack.db.case.create({ data: { reference: `DU-BR-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung', caseManagerId: cm.id } });
  const r = await stack.services.residence.start(cm, { caseId: c.id });
  return { caseId: c.id, id: r.bleiberechtId, pik: r.processInstanceKey };
}

const row = (id: string) => stack.db.residencePath.findUniqueOrThrow({ where: { id } });
const deadlines = async (caseId: string) => Object.fromEntries((await stack.db.residenceDeadline.findMany({ where: { caseId } })).map((d) => [d.kind, d.date.toISOString().slice(0, 10)]));
const openTasks = (caseId: string, elementId: string) => stack.db.task.findMany({ where: { caseId, elementId, state: 'CREATED' } });
const ended = (pik: string) => until(async () => !(await stack.engine.runtime.isRunning(pik)), 'Instanz beendet');

/** A young tolerated person: § 25a met (school, 3 years, Duldung for 2 years), § 25b not (no 6 years, no FDGO). */
const YOUNG = {
  aufenthaltsstatus: 'DULDUNG',
  aufenthaltSeit: yearsAgo(4),
  duldungSeit: yearsAgo(2),
  nichtAnrechenbareTage: 0,
  duldungBis: plusDays(todayInBerlin(), 200),
  sprachniveauMuendlich: 'A2',
  schulbesuchOderAbschluss: true,
};

test('deadline reminders fire at their lead times; when the ABH corrects the facts, the dates follow and the outdated reminder disappears', async () => {
  const { caseId, id } = await start();
  await completeTask(stack, cm, caseId, E.recordFacts, { ...YOUNG, passBis });
  const tracked = await until(async () => {
    const d = await deadlines(caseId);
    return d.PASS_ABLAUF ? d : null;
  }, 'Fristen gespeichert');
  expect(tracked).toMatchObject({ PASS_ABLAUF: passBis, DULDUNG_ABLAUF: YOUNG.duldungBis, FRUEHESTENS_25B: `${Number(todayInBerlin().slice(0, 4)) + 2}-01-15` });
  const stored = await stack.db.residenceDeadline.findFirstOrThrow({ where: { caseId, kind: 'PASS_ABLAUF' } });
  expect(Math.abs(stored.remindAt.getTime() - passRemindAt)).toBeLessThan(1000);
  // Each kind its own lead time: the Duldung the configured 3 days, § 25b the default 14 days.
  const remindAt = async (kind: string) => (await stack.db.residenceDeadline.findFirstOrThrow({ where: { caseId, kind } })).remindAt.getTime();
  const duldungRemindAt = germanMidnight(YOUNG.duldungBis) - 3 * DAY;
  expect(await remindAt('DULDUNG_ABLAUF')).toBe(duldungRemindAt);
  expect(await remindAt('FRUEHESTENS_25B')).toBe(germanMidnight(tracked.FRUEHESTENS_25B) - 14 * DAY);

  // Not before its time: the engine's timer is due at the reminder instant …
  const instance = (await stack.db.residencePath.findUniqueOrThrow({ where: { id } })).processInstanceKey!;
  // (the worker stores the dates, then hands the plan to the engine: wait for the timers)
  const timers = await until(async () => {
    const jobs = (await (await fetch(`${stack.engine.url}/job?timers=true&processInstanceId=${instance}`)).json()) as Array<{ dueDate: string }>;
    return jobs.length ? jobs.map((t) => Date.parse(t.dueDate)).sort() : null;
  }, 'Timer der Erinnerungen');
  expect(timers.some((t) => Math.abs(t - passRemindAt) < 1000)).toBe(true);
  expect(timers.some((t) => Math.abs(t - duldungRemindAt) < 1000)).toBe(true);
  // … and the reminder task appears then, not earlier (the engine's job acquisition waits at most a few seconds).
  const reminder = await until(async () => (await openTasks(caseId, E.remind))[0], 'Erinnerung an den Pass', PASS_REMINDER_IN + 30_000);
  expect(reminder.createdAt.getTime()).toBeGreaterThanOrEqual(passRemindAt - 500);
  expect(reminder).toMatchObject({ name: 'Frist: Pass läuft ab', candidateGroups: ['case-manager:duisburg'] });
  expect(reminder.dueDate?.toISOString().slice(0, 10)).toBe(passBis);
  // The Duldung ends in 200 days, its lead time is 3 days: no reminder for it yet.
  expect(await openTasks(caseId, E.remind)).toHaveLength(1);

  // The ABH corrects: a new passport (far ahead), the Duldung ends the day after tomorrow.
  const duldungBis = plusDays(todayInBerlin(), 2);
  const newPass = plusDays(todayInBerlin(), 300);
  await completeTask(stack, abh, caseId, E.confirmFacts, {
    aufenthaltPruefung: 'korrigiert',
    aufenthaltsstatus: 'DULDUNG',
    aufenthaltSeit: YOUNG.aufenthaltSeit,
    duldungSeit: YOUNG.duldungSeit,
    nichtAnrechenbareTage: 0,
    passBis: newPass,
    duldungBis,
  });
  const duldungReminder = await until(async () => {
    const open = await openTasks(caseId, E.remind);
    return open.length === 1 && open[0].name === 'Frist: Duldung läuft ab' ? open[0] : null;
  }, 'Erinnerung an die Duldung statt an den Pass');
  expect(duldungReminder.dueDate?.toISOString().slice(0, 10)).toBe(duldungBis);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: reminder.id } })).state).not.toBe('CREATED');
  expect(await deadlines(caseId)).toMatchObject({ PASS_ABLAUF: newPass, DULDUNG_ABLAUF: duldungBis });
  expect((await row(id)).corrected).toBe(true);

  // The case manager acknowledges; the tracker waits for the next change.
  await stack.services.inbox.complete(cm, duldungReminder.id, { erledigt: true });
  await until(async () => (await openTasks(caseId, E.remind)).length === 0, 'Erinnerung erledigt');
});

test('§ 25a met: the ABH confirms, the application loops until complete, the ABH decides, the client is informed', async () => {
  const { caseId, id, pik } = await start();
  const first = await openTask(stack, caseId, E.recordFacts);
  expect(first).toMatchObject({ name: 'Angaben zum Aufenthalt erfassen', candidateGroups: ['case-manager:duisburg'], assignee: 'cm.duisburg' });
  await completeTask(stack, cm, caseId, E.recordFacts, YOUNG);

  // The ABH's own inbox, the facts prefilled; the case manager does not see the task.
  const confirm = await openTask(stack, caseId, E.confirmFacts);
  expect(confirm.candidateGroups).toEqual(['abh:duisburg']);
  const cmList = await stack.services.inbox.list(cm, { view: 'all', caseId, offset: 0, limit: 50, sort: { field: 'createdAt', order: 'asc' } });
  expect(cmList.rows.map((r) => r.id)).not.toContain(confirm.id);
  const form = await http.workspace.taskForm(abh, confirm.id);
  expect(form.form?.formId).toBe(FORMS.confirmFacts);
  expect(form.data).toMatchObject({ aufenthaltsstatus: 'DULDUNG', aufenthaltSeit: YOUNG.aufenthaltSeit, duldungSeit: YOUNG.duldungSeit, aufenthaltsstatusText: 'Duldung' });
  // Nothing of the support plan, the notes or the consents.
  expect(form.context).toMatchObject({ notes: null, consents: null });
  await stack.services.inbox.complete(abh, confirm.id, { aufenthaltPruefung: 'bestaetigt', identitaetsklaerung: 'Pass vorgelegt am Schalter 3 (vertraulich-ABH)' });

  // Pre-check on the engine: § 25a met, § 25b missing in table order.
  await openTask(stack, caseId, E.prepareApplication);
  const checked = await row(id);
  expect(checked).toMatchObject({ met25a: true, met25b: false, missing25a: [], missing25b: ['AUFENTHALTSDAUER', 'BEKENNTNIS', 'LEBENSUNTERHALT'], status: 'vorbereitung', corrected: false });
  expect(checked.identityClarification).toBe('Pass vorgelegt am Schalter 3 (vertraulich-ABH)');
  expect(checked.earliest25a?.toISOString().slice(0, 10)).toBe(`${Number(todayInBerlin().slice(0, 4)) - 1}-01-15`);

  // Incomplete: back to the case manager; complete: to the ABH.
  await completeTask(stack, cm, caseId, E.prepareApplication, { antragNach: '25a', unterlagen: ['schulzeugnisse'] });
  await until(async () => (await openTasks(caseId, E.prepareApplication)).length === 1 && (await row(id)).applicationFor === '25a', 'Antrag zurück zur Vorbereitung');
  await completeTask(stack, cm, caseId, E.prepareApplication, { antragNach: '25a', unterlagen: ['schulzeugnisse', 'bekenntnisFdgo'] });

  const decide = await openTask(stack, caseId, E.recordDecision);
  expect(decide.candidateGroups).toEqual(['abh:duisburg']);
  expect((await http.workspace.taskForm(abh, decide.id)).data).toMatchObject({ antragNachText: '§ 25a AufenthG (gut integrierte Jugendliche und junge Volljährige)' });
  await expect(stack.services.inbox.complete(cm, decide.id, { entscheidung: 'erteilt', entscheidungsdatum: '2026-03-01' })).rejects.toMatchObject({ status: 404 });
  await stack.services.inbox.complete(abh, decide.id, { entscheidung: 'erteilt', entscheidungsdatum: '2026-03-01' });

  const inform = await openTask(stack, caseId, E.informClient);
  expect((await http.workspace.taskForm(cm, inform.id)).data).toMatchObject({ entscheidungText: 'Aufenthaltserlaubnis erteilt' });
  await stack.services.inbox.complete(cm, inform.id, { informiert: true });
  await ended(pik);
  const done = await row(id);
  expect(done).toMatchObject({ status: 'abgeschlossen', decision: 'erteilt', applicationFor: '25a', documents: { schulzeugnisse: true, bekenntnisFdgo: true, sprachzertifikat: false, einkommensnachweis: false } });
  expect(done.decisionDate?.toISOString().slice(0, 10)).toBe('2026-03-01');
  expect(done.submittedAt).not.toBeNull();
  // The state reporting counts the application and the decision per paragraph (no person or case id).
  const events = await stack.db.statisticsEvent.findMany({ where: { kind: { startsWith: 'bleiberecht_' } }, select: { kommuneId: true, kind: true, lifeArea: true } });
  expect(events).toEqual(
    expect.arrayContaining([
      { kommuneId: 'duisburg', kind: 'bleiberecht_antrag_25a', lifeArea: 'Aufenthalt' },
      { kommuneId: 'duisburg', kind: 'bleiberecht_entscheidung_25a_erteilt', lifeArea: 'Aufenthalt' },
    ]),
  );
  expect(events.filter((e) => e.kind === 'bleiberecht_antrag_25a')).toHaveLength(1);
  // Free text and the document list never reached the engine.
  await expectNotInEngine(stack, ['vertraulich-ABH', '2026-03-01']);
});

test('neither paragraph met: the case manager talks the result through and the path ends, reminders included', async () => {
  const { caseId, id, pik } = await start();
  await completeTask(stack, cm, caseId, E.recordFacts, { aufenthaltsstatus: 'GESTATTUNG', aufenthaltSeit: yearsAgo(1) });
  await completeTask(stack, abh, caseId, E.confirmFacts, { aufenthaltPruefung: 'bestaetigt' });
  const talk = await openTask(stack, caseId, E.discussPreCheck);
  const step = (await http.workspace.taskForm(cm, talk.id)).step;
  expect(step?.facts).toEqual(expect.arrayContaining([{ label: '§ 25a – fehlt', value: expect.stringContaining('Geduldet (oder Aufenthaltserlaubnis nach § 104c bis 30.06.2027)') }]));
  expect(await row(id)).toMatchObject({ met25a: false, met25b: false, status: 'nicht_erfuellt' });
  await completeTask(stack, cm, caseId, E.discussPreCheck, { besprochen: true });
  await ended(pik);
  expect(await stack.db.task.count({ where: { caseId, state: 'CREATED' } })).toBe(0);
});
