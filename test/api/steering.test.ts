/**
 * /api/steuerung against the real server, database and engine: only the coordination of a commune
 * steers (every other role 403 on every route; case managers only read the closing notices of their
 * own site's cases); Mettmann's coordination never sees or touches Duisburg's themes, measures,
 * members or meetings (lists hold none, ids answer 404); input is checked with German messages;
 * writes are audit-logged; a theme shows counts and life areas, never persons; a decision taken in
 * a meeting reaches the theme's process instance.
 */
import fs from 'node:fs';
import { ELEMENT as E } from '../../processes/kim-steuerung/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { caseFixture, q, type CaseFixture } from './fixtures';

let stack: Stack;
let dir: string;
const s: Record<string, Session> = {};
let nord: CaseFixture;
let sued: CaseFixture;
/** Duisburg's rows (the seeded demo history plus what the tests add). */
const du = { theme: '', measure: '', member: '', meeting: '', item: '' };

const USERS = ['koord.duisburg', 'koord.mettmann', 'cm.duisburg', 'cm2.duisburg', 'cm.mettmann', 'abh.duisburg', 'ebh.duisburg', 'admin.duisburg', 'land.nrw'];

beforeAll(async () => {
  dir = processesDirWith(['kim-steuerung']);
  stack = await startTestStack({ config: testConfig({ KIM_STEERING_INTAKE_INTERVAL_MS: '300' }), processesDir: dir, workerDefs: registry });
  for (const u of USERS) s[u] = await login(stack.url, u);
  nord = await caseFixture(stack, 'duisburg-nord');
  sued = await caseFixture(stack, 'duisburg-sued');
  // A Duisburg theme with a gap from the Nord case's conference (a person behind it: "Test Person …").
  const theme = await stack.db.steeringTheme.create({ data: { kommuneId: 'duisburg', title: 'API-Test: Ausbildungsplätze', state: 'offen' } });
  const gap = await stack.db.systemGap.create({ data: { kommuneId: 'duisburg', lifeArea: 'Bildung', title: 'Kein Ausbildungsplatz für Geflüchtete ohne Duldung', description: 'x', themeId: theme.id, status: 'in_pruefung' } });
  await stack.db.conferenceGap.create({ data: { conferenceId: nord.conferenceId, position: 1, systemGapId: gap.id } });
  du.theme = theme.id;
  du.measure = (await stack.db.steeringMeasure.findFirstOrThrow({ where: { kommuneId: 'duisburg' } })).id;
  du.member = (await stack.db.steeringGroupMember.findFirstOrThrow({ where: { kommuneId: 'duisburg' } })).id;
  const meeting = await stack.db.steeringMeeting.findFirstOrThrow({ where: { kommuneId: 'duisburg' }, include: { items: true } });
  du.meeting = meeting.id;
  du.item = meeting.items[0].id;
  // Closing notices for both Duisburg sites.
  for (const f of [nord, sued]) await stack.db.steeringNotice.create({ data: { themeId: theme.id, caseId: f.caseId, kommuneId: 'duisburg', siteId: f.siteId } });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every route with a request any role might send. */
const ROUTES: Array<[string, string, () => unknown]> = [
  ['GET', '/api/steuerung/themen', () => undefined],
  ['POST', '/api/steuerung/themen', () => ({ title: 'Rechte-Test' })],
  ['GET', '/api/steuerung/themen/{theme}', () => undefined],
  ['PUT', '/api/steuerung/themen/{theme}', () => ({ description: 'geändert' })],
  ['PUT', '/api/steuerung/luecken/{gap}', () => ({ themeId: du.theme })],
  ['GET', '/api/steuerung/massnahmen', () => undefined],
  ['GET', '/api/steuerung/massnahmen/{measure}', () => undefined],
  ['GET', '/api/steuerung/mitglieder', () => undefined],
  ['POST', '/api/steuerung/mitglieder', () => ({ organisation: 'Rechte-Test e. V.', kind: 'Sonstige' })],
  ['GET', '/api/steuerung/mitglieder/{member}', () => undefined],
  ['PUT', '/api/steuerung/mitglieder/{member}', () => ({ representative: 'Vertretung' })],
  ['GET', '/api/steuerung/sitzungen', () => undefined],
  ['POST', '/api/steuerung/sitzungen', () => ({ date: '2030-03-10T14:00:00+01:00' })],
  ['GET', '/api/steuerung/sitzungen/{meeting}', () => undefined],
  ['PUT', '/api/steuerung/sitzungen/{meeting}', () => ({ location: 'Raum 1' })],
  ['POST', '/api/steuerung/sitzungen/{meeting}/punkte', () => ({ title: 'Verschiedenes' })],
  ['PUT', '/api/steuerung/sitzungen/{meeting}/punkte/{item}', () => ({ notes: 'Protokoll' })],
];
const path = (p: string, ids: Record<string, string>) => p.replace(/\{(\w+)\}/g, (_m, k: string) => ids[k]);
const call = (who: string, method: string, url: string, body?: unknown) =>
  method === 'GET' ? s[who].get(url) : method === 'POST' ? s[who].post(url, body) : method === 'PUT' ? s[who].put(url, body) : s[who].del(url);

test('only the coordination steers: every other role gets 403 on every route (also with another commune’s ids)', async () => {
  const gap = (await stack.db.systemGap.findFirstOrThrow({ where: { themeId: du.theme } })).id;
  const ids = { ...du, gap };
  const failures: string[] = [];
  for (const who of ['cm.duisburg', 'cm.mettmann', 'abh.duisburg', 'ebh.duisburg', 'admin.duisburg', 'land.nrw']) {
    for (const [method, p, body] of ROUTES) {
      const r = await call(who, method, path(p, ids), body());
      if (r.status !== 403) failures.push(`${who} ${method} ${p}: ${r.status}`);
    }
    const del = await s[who].del(`/api/steuerung/mitglieder/${du.member}`);
    if (del.status !== 403) failures.push(`${who} DELETE mitglied: ${del.status}`);
    const decide = await s[who].post(`/api/steuerung/sitzungen/${du.meeting}/punkte/${du.item}/beschluss`, { code: 'kenntnis' });
    if (decide.status !== 403) failures.push(`${who} beschluss: ${decide.status}`);
  }
  // The closing notices are the case managers' only.
  for (const who of ['koord.duisburg', 'abh.duisburg', 'ebh.duisburg', 'admin.duisburg', 'land.nrw']) {
    const r = await s[who].get('/api/steuerung/rueckmeldungen');
    if (r.status !== 403) failures.push(`${who} rueckmeldungen: ${r.status}`);
  }
  expect(failures).toEqual([]);
  const forbidden = await s['land.nrw'].get('/api/steuerung/themen');
  expect(await forbidden.json()).toMatchObject({ title: 'Die Steuerung (Themen, Lenkungsgruppe, Maßnahmen) ist der Koordination vorbehalten.' });
  // Signed out: 401.
  expect((await fetch(`${stack.url}/api/steuerung/themen`)).status).toBe(401);
});

test('the coordination of Duisburg reaches every route; Mettmann’s never sees or touches Duisburg’s rows', async () => {
  const gap = (await stack.db.systemGap.findFirstOrThrow({ where: { themeId: du.theme } })).id;
  const ids = { ...du, gap };
  const failures: string[] = [];
  for (const [method, p, body] of ROUTES) {
    const own = await call('koord.duisburg', method, path(p, ids), body());
    if (own.status !== (method === 'POST' ? 201 : 200)) failures.push(`koord.duisburg ${method} ${p}: ${own.status} ${await own.text()}`);
    if (p.includes('{')) {
      const other = await call('koord.mettmann', method, path(p, ids), body());
      if (other.status !== 404) failures.push(`koord.mettmann ${method} ${p}: ${other.status}`);
    }
  }
  expect(failures).toEqual([]);
  // Lists: no Duisburg row, not even when asked for by id.
  for (const res of ['themen', 'massnahmen', 'mitglieder', 'sitzungen']) {
    const all = await s['koord.mettmann'].get(`/api/steuerung/${res}?range=[0,199]`);
    expect(all.headers.get('content-range')).toMatch(new RegExp(`^${res} \\d+-\\d+/\\d+$`));
    const rows = (await all.json()) as Array<{ id: string }>;
    expect(rows.length).toBeGreaterThan(0);
    const owners = await Promise.all(
      rows.map(async (r) =>
        res === 'themen'
          ? (await stack.db.steeringTheme.findUnique({ where: { id: r.id } }))?.kommuneId
          : res === 'massnahmen'
            ? (await stack.db.steeringMeasure.findUnique({ where: { id: r.id } }))?.kommuneId
            : res === 'mitglieder'
              ? (await stack.db.steeringGroupMember.findUnique({ where: { id: r.id } }))?.kommuneId
              : (await stack.db.steeringMeeting.findUnique({ where: { id: r.id } }))?.kommuneId,
      ),
    );
    expect(new Set(owners)).toEqual(new Set(['mettmann']));
  }
  const byId = await s['koord.mettmann'].get(`/api/steuerung/themen?filter=${q({ id: [du.theme] })}`);
  expect(await byId.json()).toEqual([]);
  expect((await s['koord.mettmann'].del(`/api/steuerung/mitglieder/${du.member}`)).status).toBe(404);
  expect((await s['koord.mettmann'].post(`/api/steuerung/sitzungen/${du.meeting}/punkte/${du.item}/beschluss`, { code: 'kenntnis' })).status).toBe(404);
  expect((await s['koord.mettmann'].post(`/api/steuerung/sitzungen/${du.meeting}/tagesordnung`)).status).toBe(404);
  // Moving a Duisburg gap into a Mettmann theme: the gap is not Mettmann's.
  const meTheme = await stack.db.steeringTheme.findFirstOrThrow({ where: { kommuneId: 'mettmann', state: { not: 'geschlossen' } } });
  expect((await s['koord.mettmann'].put(`/api/steuerung/luecken/${gap}`, { themeId: meTheme.id })).status).toBe(404);
  expect((await s['koord.duisburg'].put(`/api/steuerung/luecken/${gap}`, { themeId: meTheme.id })).status).toBe(404);
});

test('a theme shows counts and German life areas, never persons; lists filter and sort', async () => {
  const res = await s['koord.duisburg'].get(`/api/steuerung/themen/${du.theme}`);
  expect(res.status).toBe(200);
  const t = (await res.json()) as Record<string, unknown>;
  expect(t).toMatchObject({ gapCount: 1, caseCount: 1, lifeAreas: ['Bildung'], lifeAreaLabels: ['Bildung'], stateLabel: 'offen', priorityLabel: 'noch nicht priorisiert' });
  expect(t.gaps).toEqual([expect.objectContaining({ title: 'Kein Ausbildungsplatz für Geflüchtete ohne Duldung', sourceLabel: 'aus einer Fallkonferenz', lifeAreaLabel: 'Bildung' })]);
  const client = await stack.db.client.findUniqueOrThrow({ where: { id: nord.clientId } });
  const body = JSON.stringify(t);
  for (const personal of [client.lastName, client.pseudonym, nord.caseId, nord.clientId]) expect(body).not.toContain(personal);
  // Reading a theme reads no personal data: the list is the same for the seeded demo themes.
  const list = (await (await s['koord.duisburg'].get(`/api/steuerung/themen?filter=${q({ state: 'in_bearbeitung' })}&sort=${encodeURIComponent(JSON.stringify(['title', 'ASC']))}`)).json()) as Array<{ title: string; state: string; measureStateLabel: string }>;
  expect(list.length).toBeGreaterThan(0);
  expect(list.every((x) => x.state === 'in_bearbeitung')).toBe(true);
  expect(list.map((x) => x.title)).toEqual([...list.map((x) => x.title)].sort((a, b) => a.localeCompare(b, 'de')));
  const overdue = (await (await s['koord.mettmann'].get(`/api/steuerung/massnahmen?filter=${q({ overdue: true })}`)).json()) as Array<{ overdue: boolean; title: string }>;
  expect(overdue.map((m) => m.title)).toContain('Kooperationsvereinbarung mit den Wohnungsbaugesellschaften');
  expect(overdue.every((m) => m.overdue)).toBe(true);
});

test('bad input gets German messages per field; nothing is written', async () => {
  const before = await stack.db.steeringTheme.count();
  const noTitle = await s['koord.duisburg'].post('/api/steuerung/themen', { title: '   ' });
  expect(noTitle.status).toBe(400);
  expect(await noTitle.json()).toMatchObject({ title: 'Die Eingaben sind unvollständig oder ungültig. Bitte prüfen Sie die markierten Felder.', errors: { title: 'Bitte einen Titel angeben.' } });
  const foreign = await s['koord.duisburg'].post('/api/steuerung/themen', { title: 'X', kommuneId: 'mettmann' });
  expect(foreign.status).toBe(400);
  expect(await stack.db.steeringTheme.count()).toBe(before);
  const badDate = await s['koord.duisburg'].post('/api/steuerung/sitzungen', { date: 'nächsten Dienstag' });
  expect(badDate.status).toBe(400);
  expect(((await badDate.json()) as { errors: Record<string, string> }).errors.date).toMatch(/Datum und Uhrzeit/);
  const badKind = await s['koord.duisburg'].post('/api/steuerung/mitglieder', { organisation: 'X', kind: 'Verein' });
  expect(((await badKind.json()) as { errors: Record<string, string> }).errors.kind).toBe('Bitte die Art der Organisation wählen.');
  // A decision that does not fit the item's kind.
  const m = await s['koord.duisburg'].post('/api/steuerung/sitzungen', { date: '2030-05-05T10:00:00+02:00' });
  const meeting = (await m.json()) as { id: string };
  const extra = (await (await s['koord.duisburg'].post(`/api/steuerung/sitzungen/${meeting.id}/punkte`, { title: 'Bericht des Jobcenters' })).json()) as { items: Array<{ id: string; kind: string }> };
  const other = extra.items.find((i) => i.kind === 'sonstiges')!;
  const wrong = await s['koord.duisburg'].post(`/api/steuerung/sitzungen/${meeting.id}/punkte/${other.id}/beschluss`, { code: 'freigeben' });
  expect(wrong.status).toBe(400);
  const ok = await s['koord.duisburg'].post(`/api/steuerung/sitzungen/${meeting.id}/punkte/${other.id}/beschluss`, { code: 'kenntnis', text: 'Bericht zur Kenntnis genommen.' });
  expect(ok.status).toBe(201);
  const twice = await s['koord.duisburg'].post(`/api/steuerung/sitzungen/${meeting.id}/punkte/${other.id}/beschluss`, { code: 'kenntnis' });
  expect(twice.status).toBe(409);
});

test('case managers see the closing notices of their own site’s cases only', async () => {
  const nordRows = (await (await s['cm.duisburg'].get('/api/steuerung/rueckmeldungen')).json()) as Array<{ id: string; caseReference: string; themeTitle: string }>;
  const suedRows = (await (await s['cm2.duisburg'].get('/api/steuerung/rueckmeldungen')).json()) as Array<{ id: string; caseReference: string }>;
  const refs = async (f: CaseFixture) => (await stack.db.case.findUniqueOrThrow({ where: { id: f.caseId } })).reference;
  expect(nordRows.map((r) => r.caseReference)).toContain(await refs(nord));
  expect(nordRows.map((r) => r.caseReference)).not.toContain(await refs(sued));
  expect(suedRows.map((r) => r.caseReference)).toEqual([await refs(sued)]);
  expect((await (await s['cm.mettmann'].get('/api/steuerung/rueckmeldungen')).json()) as unknown[]).toEqual([]);
  // Marking another site's notice as read: 404; the own one: read, audit-logged.
  expect((await s['cm.duisburg'].post(`/api/steuerung/rueckmeldungen/${suedRows[0].id}/gelesen`)).status).toBe(404);
  const own = nordRows.find((r) => r.themeTitle === 'API-Test: Ausbildungsplätze')!;
  const read = await s['cm.duisburg'].post(`/api/steuerung/rueckmeldungen/${own.id}/gelesen`);
  expect(read.status).toBe(200);
  expect(((await read.json()) as { readAt: string | null }).readAt).not.toBeNull();
  expect(await stack.db.auditLog.count({ where: { action: 'steuerung.rueckmeldung_gelesen', username: 'cm.duisburg', caseId: nord.caseId } })).toBe(1);
});

test('writes are audit-logged; a decision in a meeting reaches the theme’s instance', async () => {
  // The seeded prioritised theme is taken into the process (it waits for the steering group).
  const seeded = await stack.db.steeringTheme.findFirstOrThrow({ where: { kommuneId: 'duisburg', title: 'Therapieplätze mit Sprachmittlung' } });
  const pik = await until(async () => (await stack.db.steeringTheme.findUniqueOrThrow({ where: { id: seeded.id } })).processInstanceKey, 'Thema aufgenommen');
  await until(async () => {
    const subs = (await (await fetch(`${stack.engine.url}/event-subscription?processInstanceId=${pik}`)).json()) as Array<{ activityId: string }>;
    return subs.some((x) => x.activityId === E.steeringDecision);
  }, 'wartet auf die Lenkungsgruppe');
  // The theme went onto the agenda of the first planned meeting (and onto no later one while it waits there).
  const created = await s['koord.duisburg'].post('/api/steuerung/sitzungen', { date: '2030-06-01T10:00:00+02:00', location: 'Rathaus' });
  expect(created.status).toBe(201);
  const items = await stack.db.steeringAgendaItem.findMany({ where: { themeId: seeded.id, kind: 'thema', decision: null } });
  expect(items).toHaveLength(1);
  const decided = await s['koord.duisburg'].post(`/api/steuerung/sitzungen/${items[0].meetingId}/punkte/${items[0].id}/beschluss`, { code: 'projektgruppe', text: 'Projektgruppe Gesundheit.' });
  expect(decided.status).toBe(201);
  await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, elementId: E.draftMeasure, state: 'CREATED' } }), 'Maßnahme ausarbeiten');
  expect((await stack.db.steeringTheme.findUniqueOrThrow({ where: { id: seeded.id } })).state).toBe('in_bearbeitung');
  const audit = await stack.db.auditLog.findMany({ where: { username: 'koord.duisburg', action: { in: ['steuerung.sitzung_angelegt', 'steuerung.beschluss'] } } });
  expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['steuerung.sitzung_angelegt', 'steuerung.beschluss']));
  expect(audit.every((x) => x.kommuneId === 'duisburg')).toBe(true);
});
