/**
 * kim-steuerung on the real engine, every path: reported gaps (from a referral, from a conference,
 * directly) arrive in the coordination's inbox; one founds a theme, one joins it, one needs no
 * action; the theme is prioritised, the steering group postpones it, then sends a project group,
 * sends its measure back, approves the revision; the measure is tracked with the Wiedervorlage
 * (short timer) until it is done; closing the theme writes a note into the two reporting cases
 * (each with its own gap only) and a notice their case managers see. Escalation: a passed target
 * date opens a high-priority escalation task and puts the measure on the next agenda; a new target
 * date goes back to tracking. Closing without a measure (by the coordination, by the steering
 * group). Themes without an instance (made in the web app, the demo data) are taken in at the point
 * their state says. Titles, descriptions and notes never reach the engine.
 */
import fs from 'node:fs';
import { ELEMENT as E, FORM } from '../../processes/kim-steuerung/contract';
import type { Actor } from '../../server/auth/policy';
import { buildHttpServices, type HttpServices } from '../../server/services';
import type { Stack } from '../../server/stack';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import { workers as registry } from '../../workers';
import { expectNotInEngine } from '../support/engine-log';
import { actorOf, processesDirWith } from '../support/processes';
import { fileEngineUrl, startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
let dir: string;
let koord: Actor;
let koordMe: Actor;
let cm: Actor;
let cm2: Actor;
let http: HttpServices;

const DAY = 86_400_000;
const plusDays = (n: number) => new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const list = { offset: 0, limit: 100, sortOrder: 'asc' as const, sortSpecified: false, filter: {} };

beforeAll(async () => {
  dir = processesDirWith(['kim-steuerung']);
  await fileEngineUrl();
  const config = testConfig({ KIM_STEERING_REMINDER_EVERY: 'PT3S', KIM_STEERING_INTAKE_INTERVAL_MS: '300' });
  stack = await startTestStack({ config, processesDir: dir, workerDefs: registry });
  [koord, koordMe, cm, cm2] = await Promise.all(['koord.duisburg', 'koord.mettmann', 'cm.duisburg', 'cm2.duisburg'].map((u) => actorOf(stack, u)));
  http = buildHttpServices({ config: stack.config, db: stack.db, engine: stack.engine, audit: stack.services.audit, inbox: stack.services.inbox, steering: stack.services.steering });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const tag = () => `${process.pid}-${++n}`;

async function newCase(siteId: string, manager: Actor) {
  const t = tag();
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId, pseudonym: `P-ST-${t}`, firstName: 'Steuerung', lastName: `Person ${t}`, birthDate: new Date('1990-01-01') } });
  return stack.db.case.create({ data: { reference: `DU-ST-${t}`, clientId: client.id, kommuneId: 'duisburg', siteId, phase: 'Umsetzung', caseManagerId: manager.id } });
}

/** A gap as kim-referral reports it: the referral's fact "system-gap" names the gap. */
async function gapFromReferral(caseId: string, title: string, lifeArea: 'Sprache' | 'Arbeit' | 'Wohnen') {
  const org = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg' } });
  const referral = await stack.db.referral.create({ data: { caseId, organisationId: org.id, lifeArea, purpose: 'Sprachkurs', status: 'abgebrochen' } });
  const gap = await stack.db.systemGap.create({ data: { kommuneId: 'duisburg', lifeArea, title, description: 'Kein erreichbares Angebot.' } });
  await stack.db.referralEvent.create({ data: { referralId: referral.id, kind: 'system-gap', systemGapId: gap.id } });
  return gap;
}

/** A gap as kim-fallkonferenz notes it in a protocol. */
async function gapFromConference(caseId: string, title: string, lifeArea: 'Sprache' | 'Arbeit' | 'Wohnen') {
  const conference = await stack.db.conference.create({ data: { caseId, title: 'Fallkonferenz', status: 'durchgefuehrt' } });
  const gap = await stack.db.systemGap.create({ data: { kommuneId: 'duisburg', lifeArea, title, description: 'In der Fallkonferenz festgestellt.' } });
  await stack.db.conferenceGap.create({ data: { conferenceId: conference.id, position: 1, systemGapId: gap.id } });
  return gap;
}

/** The open task of an element in an instance. */
const taskAt = (processInstanceKey: string, elementId: string, timeoutMs = 60_000) =>
  until(() => stack.db.task.findFirst({ where: { processInstanceKey, elementId, state: 'CREATED' } }), `Aufgabe ${elementId}`, timeoutMs);

/** The intake took the gap in: its instance and its inbox task. */
async function gapTask(gapId: string) {
  const gap = await until(async () => {
    const g = await stack.db.systemGap.findUniqueOrThrow({ where: { id: gapId } });
    return g.steeringInstanceKey ? g : null;
  }, 'Systemlücke aufgenommen');
  return { pik: gap.steeringInstanceKey!, task: await taskAt(gap.steeringInstanceKey!, E.assignGap) };
}

const complete = async (actor: Actor, pik: string, elementId: string, variables: Record<string, unknown>) => {
  const t = await taskAt(pik, elementId);
  await stack.services.inbox.complete(actor, t.id, variables);
  return t;
};
const ended = (pik: string) => until(async () => !(await stack.engine.runtime.isRunning(pik)), 'Instanz beendet');
const subscriptions = async (pik: string) => ((await (await fetch(`${stack.engine.url}/event-subscription?processInstanceId=${pik}`)).json()) as Array<{ eventName: string; activityId: string }>).map((s) => s.activityId).sort();
const waitsFor = (pik: string, activityId: string) => until(async () => (await subscriptions(pik)).includes(activityId), `Instanz wartet bei ${activityId}`);
const theme = (id: string) => stack.db.steeringTheme.findUniqueOrThrow({ where: { id } });
const itemOf = (meeting: { items: Array<{ id: string; kind: string; themeId: string | null; measureId: string | null }> }, kind: string, themeId: string) => {
  const i = meeting.items.find((x) => x.kind === kind && x.themeId === themeId);
  if (!i) throw new Error(`Kein Tagesordnungspunkt ${kind} für ${themeId}: ${JSON.stringify(meeting.items)}`);
  return i;
};
const meetingAt = (days: number) => new Date(Date.now() + days * DAY).toISOString();

test('from reported gaps through theme, steering group (postponed, project group, sent back, approved) and Wiedervorlage to closing, which tells the reporting cases', async () => {
  const caseA = await newCase('duisburg-nord', cm);
  const caseB = await newCase('duisburg-sued', cm2);
  const gapA = await gapFromReferral(caseA.id, `Kein Integrationskurs mit Kinderbetreuung (A-${n})`, 'Sprache');
  const gapB = await gapFromConference(caseB.id, `Wartezeit Sprachkurs über sechs Monate (B-${n})`, 'Arbeit');
  const gapC = await stack.db.systemGap.create({ data: { kommuneId: 'duisburg', lifeArea: 'Wohnen', title: 'Einzelfall ohne Muster', description: 'direkt gemeldet' } });

  // Gap A arrives in the coordination's inbox with what the step needs: no persons.
  const a = await gapTask(gapA.id);
  expect(a.task).toMatchObject({ name: 'Systemlücke einem Thema zuordnen', candidateGroups: ['coordinator:duisburg'], kommuneId: 'duisburg', caseId: null });
  const form = await http.workspace.taskForm(koord, a.task.id);
  expect(form.form?.formId).toBe(FORM.assignGap);
  expect(form.data).toMatchObject({ lueckeTitel: gapA.title, lueckeLebensbereich: 'Sprache', lueckeHerkunft: 'aus einer Vermittlung' });
  expect(JSON.stringify(form.step)).not.toContain(caseA.reference);
  // The case manager does not see the coordination's task.
  expect((await stack.services.inbox.list(cm, { view: 'all', offset: 0, limit: 100, sort: { field: 'createdAt', order: 'asc' } })).rows.map((r) => r.id)).not.toContain(a.task.id);

  const TITLE = `Sprachkurse mit Kinderbetreuung fehlen ${tag()}`;
  await stack.services.inbox.complete(koord, a.task.id, { zuordnung: 'neu', themaTitel: TITLE, themaBeschreibung: 'vertraulich-Beschreibung des Themas' });
  await taskAt(a.pik, E.prioritiseTheme);
  const t = await stack.db.steeringTheme.findFirstOrThrow({ where: { title: TITLE } });
  expect(t).toMatchObject({ kommuneId: 'duisburg', state: 'offen', processInstanceKey: a.pik, description: 'vertraulich-Beschreibung des Themas' });

  // Gap B joins the theme (its instance ends), gap C needs no action.
  const b = await gapTask(gapB.id);
  expect((await http.workspace.taskForm(koord, b.task.id)).data).toMatchObject({ lueckeHerkunft: 'aus einer Fallkonferenz', offeneThemen: expect.arrayContaining([{ value: t.id, label: TITLE }]) });
  await stack.services.inbox.complete(koord, b.task.id, { zuordnung: 'bestehend', themaId: t.id });
  await ended(b.pik);
  const c = await gapTask(gapC.id);
  await stack.services.inbox.complete(koord, c.task.id, { zuordnung: 'kein_bedarf', begruendung: 'vertraulich-Begründung ohne Bedarf' });
  await ended(c.pik);
  expect(await stack.db.systemGap.findUniqueOrThrow({ where: { id: gapC.id } })).toMatchObject({ status: 'erledigt', themeId: null, steeringNote: 'vertraulich-Begründung ohne Bedarf' });
  expect(await stack.db.systemGap.findUniqueOrThrow({ where: { id: gapB.id } })).toMatchObject({ status: 'in_pruefung', themeId: t.id });

  // The theme: two gaps from two cases, two life areas – counts, never persons.
  const view = await stack.services.steering.getTheme(koord, t.id);
  expect(view).toMatchObject({ gapCount: 2, caseCount: 2, lifeAreas: ['Arbeit', 'Sprache'], lifeAreaLabels: ['Arbeit', 'Sprache'] });
  expect(view.gaps.map((g) => g.sourceLabel).sort()).toEqual(['aus einer Fallkonferenz', 'aus einer Vermittlung']);
  expect(JSON.stringify(view)).not.toMatch(new RegExp(`${caseA.reference}|${caseB.reference}|Steuerung Person`));

  // Prioritise: the step shows the theme's reach.
  const prio = await taskAt(a.pik, E.prioritiseTheme);
  expect((await http.workspace.taskForm(koord, prio.id)).data).toMatchObject({ themaTitel: TITLE, themaUmfang: '2 Systemlücken aus 2 Fällen, Lebensbereiche: Arbeit, Sprache' });
  await stack.services.inbox.complete(koord, prio.id, { prioritaet: 'hoch', themaWeiter: 'lenkungsgruppe', begruendung: 'vertraulich-Begründung der Priorität' });
  await waitsFor(a.pik, E.steeringDecision);
  expect(await theme(t.id)).toMatchObject({ state: 'priorisiert', priority: 'hoch' });

  // Meeting 1: the agenda comes from the prioritised themes; the steering group postpones.
  const m1 = await stack.services.steering.createMeeting(koord, { date: meetingAt(7), location: 'Rathaus, Raum 101' });
  await stack.services.steering.decide(koord, m1.id, itemOf(m1, 'thema', t.id).id, { code: 'zurueckstellen', text: 'Erst Zahlen aus dem Jobcenter abwarten.' });
  // Postponed: the instance waits for the next decision again (a second message must find it waiting).
  expect(await stack.db.steeringDecision.count({ where: { themeId: t.id } })).toBe(1);
  await waitsFor(a.pik, E.steeringDecision);
  const m2 = await stack.services.steering.createMeeting(koord, { date: meetingAt(30) });
  await stack.services.steering.decide(koord, m2.id, itemOf(m2, 'thema', t.id).id, { code: 'projektgruppe', text: 'Projektgruppe mit VHS und Jobcenter.' });

  // The project group's measure.
  const draft = await taskAt(a.pik, E.draftMeasure);
  const draftForm = await http.workspace.taskForm(koord, draft.id);
  expect(draftForm.form?.formId).toBe(FORM.draftMeasure);
  expect((draftForm.data.verantwortlicheStellen as Array<{ value: string }>).length).toBeGreaterThan(0);
  const MEASURE = `Kurse mit Kinderbetreuung an zwei VHS-Standorten ${tag()}`;
  await stack.services.inbox.complete(koord, draft.id, { massnahmeTitel: MEASURE, verantwortlicheStelle: 'Volkshochschule Duisburg', zieldatum: plusDays(200), erwarteteWirkung: 'vertraulich-Wirkung: Wartezeit unter drei Monaten', massnahmeBeschreibung: '' });
  await waitsFor(a.pik, E.measureDecided);
  const measure = await stack.db.steeringMeasure.findFirstOrThrow({ where: { themeId: t.id } });
  expect(measure).toMatchObject({ title: MEASURE, ownerOrganisation: 'Volkshochschule Duisburg', state: 'entwurf' });
  expect(await theme(t.id)).toMatchObject({ state: 'in_bearbeitung' });

  // The steering group sends it back; the revision starts from what was there, with the reason.
  const m2b = await stack.services.steering.refreshAgenda(koord, m2.id);
  expect(m2b.added).toBeGreaterThanOrEqual(1);
  expect(m2b.items.filter((i) => i.measureId === measure.id)).toHaveLength(1);
  await stack.services.steering.decide(koord, m2.id, m2b.items.find((i) => i.kind === 'massnahme' && i.measureId === measure.id)!.id, { code: 'zurueckweisen', text: 'Finanzierung klären' });
  const redo = await until(async () => {
    const open = await stack.db.task.findFirst({ where: { processInstanceKey: a.pik, elementId: E.draftMeasure, state: 'CREATED' } });
    return open && open.id !== draft.id ? open : null;
  }, 'Maßnahme zurück zur Überarbeitung');
  expect(await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measure.id } })).toMatchObject({ state: 'zurueckgewiesen', sentBackNote: 'Finanzierung klären' });
  const redoForm = await http.workspace.taskForm(koord, redo.id);
  expect(redoForm.data).toMatchObject({ massnahmeTitel: MEASURE, verantwortlicheStelle: 'Volkshochschule Duisburg', zieldatum: plusDays(200) });
  expect(redoForm.step?.hints).toEqual([expect.stringContaining('Finanzierung klären')]);
  await stack.services.inbox.complete(koord, redo.id, { massnahmeTitel: MEASURE, verantwortlicheStelle: 'Volkshochschule Duisburg', zieldatum: plusDays(180), erwarteteWirkung: 'vertraulich-Wirkung: Wartezeit unter drei Monaten', massnahmeBeschreibung: 'Finanzierung über Landesmittel' });
  await waitsFor(a.pik, E.measureDecided);
  expect(await stack.db.steeringMeasure.count({ where: { themeId: t.id } })).toBe(1);

  // Meeting 3 approves; the measure is in implementation and comes back for its Wiedervorlage.
  const m3 = await stack.services.steering.createMeeting(koord, { date: meetingAt(60) });
  await stack.services.steering.decide(koord, m3.id, m3.items.find((i) => i.kind === 'massnahme' && i.measureId === measure.id)!.id, { code: 'freigeben' });
  const reminder = await taskAt(a.pik, E.reportProgress);
  expect(await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measure.id } })).toMatchObject({ state: 'in_umsetzung' });
  expect((await http.workspace.taskForm(koord, reminder.id)).data).toMatchObject({ massnahmeTitel: MEASURE, verantwortlicheStelle: 'Volkshochschule Duisburg' });
  await stack.services.inbox.complete(koord, reminder.id, { stand: 'laeuft', standNotiz: 'vertraulich-Stand: erster Kurs startet' });
  const again = await until(async () => {
    const open = await stack.db.task.findFirst({ where: { processInstanceKey: a.pik, elementId: E.reportProgress, state: 'CREATED' } });
    return open && open.id !== reminder.id ? open : null;
  }, 'zweite Wiedervorlage');
  await stack.services.inbox.complete(koord, again.id, { stand: 'umgesetzt' });

  // Closing: the result goes to the two reporting cases, each with its own gap only.
  const close = await taskAt(a.pik, E.closeTheme);
  expect((await http.workspace.taskForm(koord, close.id)).data).toMatchObject({ abschlussGrund: `Die Maßnahme „${MEASURE}“ ist umgesetzt.`, rueckmeldungText: expect.stringContaining('2 meldenden Fallakten') });
  await stack.services.inbox.complete(koord, close.id, { ergebnis: 'Seit März gibt es Kurse mit Kinderbetreuung in Hamborn und Rheinhausen.', abschliessen: true });
  await ended(a.pik);
  expect(await theme(t.id)).toMatchObject({ state: 'geschlossen', result: 'Seit März gibt es Kurse mit Kinderbetreuung in Hamborn und Rheinhausen.' });
  expect(await stack.db.systemGap.count({ where: { themeId: t.id, status: 'erledigt' } })).toBe(2);
  expect(await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measure.id } })).toMatchObject({ state: 'umgesetzt' });

  const noteA = await stack.db.note.findFirstOrThrow({ where: { caseId: caseA.id, authorId: null } });
  const noteB = await stack.db.note.findFirstOrThrow({ where: { caseId: caseB.id, authorId: null } });
  expect(noteA.text).toContain(gapA.title);
  expect(noteA.text).toContain(TITLE);
  expect(noteA.text).toContain(MEASURE);
  expect(noteA.text).not.toContain(gapB.title);
  expect(noteB.text).toContain(gapB.title);
  expect(noteB.text).not.toContain(gapA.title);
  // Each case manager sees the notice of their own site's case only; the coordination gets none.
  const own = await stack.services.steering.listNotices(cm, list);
  expect(own.rows.filter((r) => r.themeTitle === TITLE).map((r) => r.caseReference)).toEqual([caseA.reference]);
  const own2 = await stack.services.steering.listNotices(cm2, list);
  expect(own2.rows.filter((r) => r.themeTitle === TITLE).map((r) => r.caseReference)).toEqual([caseB.reference]);
  await expect(stack.services.steering.listNotices(koord, list)).rejects.toMatchObject({ status: 403 });

  // Titles, descriptions and notes stayed in the app database.
  await expectNotInEngine(stack, [TITLE, MEASURE, 'vertraulich-Beschreibung', 'vertraulich-Begründung', 'vertraulich-Wirkung', 'vertraulich-Stand', 'Kinderbetreuung in Hamborn', 'Volkshochschule Duisburg']);
});

test('escalation: a passed target date opens a high-priority task and puts the measure on the agenda; a new target date returns to tracking', async () => {
  const created = await stack.services.steering.createTheme(koord, { title: `Wohnungslosigkeit nach Auszug aus Unterkünften ${tag()}` });
  const pik = await until(async () => (await theme(created.id)).processInstanceKey, 'Thema aufgenommen');
  await complete(koord, pik, E.prioritiseTheme, { prioritaet: 'mittel', themaWeiter: 'lenkungsgruppe' });
  await waitsFor(pik, E.steeringDecision);
  const m1 = await stack.services.steering.createMeeting(koord, { date: meetingAt(3) });
  await stack.services.steering.decide(koord, m1.id, itemOf(m1, 'thema', created.id).id, { code: 'projektgruppe' });
  await complete(koord, pik, E.draftMeasure, { massnahmeTitel: 'Clearingstelle Wohnen', verantwortlicheStelle: 'Sozialamt', zieldatum: plusDays(-3), erwarteteWirkung: 'Weniger Wohnungslosigkeit', massnahmeBeschreibung: '' });
  await waitsFor(pik, E.measureDecided);
  const measure = await stack.db.steeringMeasure.findFirstOrThrow({ where: { themeId: created.id } });
  const m2 = await stack.services.steering.refreshAgenda(koord, m1.id);
  await stack.services.steering.decide(koord, m1.id, m2.items.find((i) => i.measureId === measure.id && i.kind === 'massnahme')!.id, { code: 'freigeben' });

  // Target date passed: the escalation, before the (later) Wiedervorlage.
  const esc = await taskAt(pik, E.escalateMeasure);
  expect(esc).toMatchObject({ name: 'Überfällige Maßnahme eskalieren', priority: 80, candidateGroups: ['coordinator:duisburg'] });
  expect(await stack.db.task.count({ where: { processInstanceKey: pik, elementId: E.reportProgress, state: 'CREATED' } })).toBe(0);
  const escForm = await http.workspace.taskForm(koord, esc.id);
  expect(escForm.step?.hints).toEqual([expect.stringContaining('ist überschritten')]);
  const overdue = await stack.services.steering.listMeasures(koord, { ...list, filter: { overdue: true } });
  expect(overdue.rows.map((r) => r.id)).toContain(measure.id);
  expect(overdue.rows.find((r) => r.id === measure.id)).toMatchObject({ overdue: true, stateLabel: 'in Umsetzung' });
  // … and on the next meeting's agenda as an overdue measure.
  const next = await stack.services.steering.createMeeting(koord, { date: meetingAt(14) });
  expect(next.items.find((i) => i.measureId === measure.id)).toMatchObject({ kind: 'eskalation', kindLabel: 'Überfällige Maßnahme' });

  await stack.services.inbox.complete(koord, esc.id, { stand: 'neue_frist', neuesZieldatum: plusDays(90), standNotiz: 'Träger hat Personal gefunden' });
  const progress = await taskAt(pik, E.reportProgress);
  const after = await stack.db.steeringMeasure.findUniqueOrThrow({ where: { id: measure.id } });
  expect(after.targetDate.toISOString().slice(0, 10)).toBe(plusDays(90));
  expect(after.escalatedAt).not.toBeNull();
  expect((await stack.services.steering.listMeasures(koord, { ...list, filter: { overdue: true } })).rows.map((r) => r.id)).not.toContain(measure.id);
  await stack.services.inbox.complete(koord, progress.id, { stand: 'umgesetzt' });
  const close = await taskAt(pik, E.closeTheme);
  expect((await http.workspace.taskForm(koord, close.id)).data).toMatchObject({ rueckmeldungText: expect.stringContaining('Keine Fallakte') });
  await stack.services.inbox.complete(koord, close.id, { ergebnis: 'Clearingstelle arbeitet.', abschliessen: true });
  await ended(pik);
  expect(await stack.db.steeringNotice.count({ where: { themeId: created.id } })).toBe(0);
});

test('closing without a measure: by the coordination when prioritising, or by the steering group', async () => {
  const byCoordination = await stack.services.steering.createTheme(koord, { title: `Anderweitig gelöst ${tag()}` });
  const bySteeringGroup = await stack.services.steering.createTheme(koord, { title: `Kein Handlungsbedarf laut Lenkungsgruppe ${tag()}` });
  const p1 = await until(async () => (await theme(byCoordination.id)).processInstanceKey, 'Thema 1 aufgenommen');
  const p2 = await until(async () => (await theme(bySteeringGroup.id)).processInstanceKey, 'Thema 2 aufgenommen');
  await complete(koord, p1, E.prioritiseTheme, { prioritaet: 'niedrig', themaWeiter: 'schliessen' });
  const close1 = await taskAt(p1, E.closeTheme);
  expect((await http.workspace.taskForm(koord, close1.id)).data).toMatchObject({ abschlussGrund: 'Das Thema wird ohne Maßnahme geschlossen.' });
  await stack.services.inbox.complete(koord, close1.id, { ergebnis: 'Das Jobcenter hat das Angebot selbst erweitert.', abschliessen: true });

  await complete(koord, p2, E.prioritiseTheme, { prioritaet: 'niedrig', themaWeiter: 'lenkungsgruppe' });
  await waitsFor(p2, E.steeringDecision);
  const m = await stack.services.steering.createMeeting(koord, { date: meetingAt(5) });
  await stack.services.steering.decide(koord, m.id, itemOf(m, 'thema', bySteeringGroup.id).id, { code: 'schliessen', text: 'Kein struktureller Bedarf.' });
  const close2 = await taskAt(p2, E.closeTheme);
  expect((await http.workspace.taskForm(koord, close2.id)).data).toMatchObject({ abschlussGrund: 'Die Lenkungsgruppe hat beschlossen, das Thema ohne Maßnahme zu schließen.' });
  // A second decision on the same item is refused.
  await expect(stack.services.steering.decide(koord, m.id, itemOf(m, 'thema', bySteeringGroup.id).id, { code: 'projektgruppe' })).rejects.toMatchObject({ status: 409 });
  await stack.services.inbox.complete(koord, close2.id, { ergebnis: 'Beobachten.', abschliessen: true });
  await ended(p1);
  await ended(p2);
  expect((await theme(byCoordination.id)).state).toBe('geschlossen');
  expect((await theme(bySteeringGroup.id)).state).toBe('geschlossen');
});

test('themes without an instance (demo data) are taken in where their state says, per commune', async () => {
  const mk = async (kommuneId: string, state: 'offen' | 'priorisiert' | 'in_bearbeitung', measureState?: 'entwurf' | 'in_umsetzung' | 'umgesetzt' | 'zurueckgewiesen', targetDays = 120) => {
    const t = await stack.db.steeringTheme.create({ data: { kommuneId, title: `Übernommen ${state} ${measureState ?? ''} ${tag()}`, state } });
    if (measureState) {
      await stack.db.steeringMeasure.create({ data: { themeId: t.id, kommuneId, title: 'M', ownerOrganisation: 'Kommune', targetDate: new Date(`${plusDays(targetDays)}T00:00:00Z`), expectedEffect: 'W', state: measureState } });
    }
    return t.id;
  };
  const ids = {
    offen: await mk('mettmann', 'offen'),
    priorisiert: await mk('duisburg', 'priorisiert'),
    ohneMassnahme: await mk('duisburg', 'in_bearbeitung'),
    zurueckgewiesen: await mk('duisburg', 'in_bearbeitung', 'zurueckgewiesen'),
    entwurf: await mk('duisburg', 'in_bearbeitung', 'entwurf'),
    umsetzung: await mk('duisburg', 'in_bearbeitung', 'in_umsetzung'),
    umgesetzt: await mk('duisburg', 'in_bearbeitung', 'umgesetzt'),
  };
  const pik = (id: string) => until(async () => (await theme(id)).processInstanceKey, `Thema ${id} aufgenommen`);
  // Mettmann's theme runs in Mettmann's tenant, its task is Mettmann's coordination's only.
  const me = await taskAt(await pik(ids.offen), E.prioritiseTheme);
  expect(me).toMatchObject({ kommuneId: 'mettmann', candidateGroups: ['coordinator:mettmann'] });
  expect((await stack.services.inbox.list(koord, { view: 'all', offset: 0, limit: 200, sort: { field: 'createdAt', order: 'asc' } })).rows.map((r) => r.id)).not.toContain(me.id);
  expect((await stack.services.inbox.list(koordMe, { view: 'all', offset: 0, limit: 200, sort: { field: 'createdAt', order: 'asc' } })).rows.map((r) => r.id)).toContain(me.id);
  await expect(stack.services.steering.getTheme(koord, ids.offen)).rejects.toMatchObject({ status: 404 });

  await waitsFor(await pik(ids.priorisiert), E.steeringDecision);
  await taskAt(await pik(ids.ohneMassnahme), E.draftMeasure);
  await taskAt(await pik(ids.zurueckgewiesen), E.draftMeasure);
  await waitsFor(await pik(ids.entwurf), E.measureDecided);
  await taskAt(await pik(ids.umsetzung), E.reportProgress);
  await taskAt(await pik(ids.umgesetzt), E.closeTheme);
  // A gap or theme is taken in once: another run starts nothing new.
  const before = await stack.db.steeringTheme.findMany({ where: { id: { in: Object.values(ids) } }, select: { id: true, processInstanceKey: true } });
  await stack.services.steering.sweep();
  expect(await stack.db.steeringTheme.findMany({ where: { id: { in: Object.values(ids) } }, select: { id: true, processInstanceKey: true } })).toEqual(before);
});
