/**
 * The residence path over HTTP: starting kim-bleiberecht for a case, a case's deadlines
 * (GET /api/cases/:id/fristen) and the overview of the next days (GET /api/fristen?tage=N) – roles,
 * communes and sites checked, the ABH sees residence dates only, German labels, German 400s; and
 * the case's residence path as the case file shows it (GET /api/bleiberecht/cases/:caseId).
 */
import fs from 'node:fs';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import type { Stack } from '../../server/stack';
import { sessionsOf } from '../support/decision';
import { processesDirWith } from '../support/processes';
import { startTestStack } from '../support/stack';

let stack: Stack;
let dir: string;
const as = sessionsOf(() => stack.url);
const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.parse(`${todayInBerlin()}T00:00:00Z`) + n * DAY);
const iso = (d: Date) => d.toISOString().slice(0, 10);
const tag = `${process.pid}${Date.now() % 100000}`;
const fx: Record<string, { caseId: string; reference: string }> = {};

async function caseWith(name: string, siteId: string, manager: string | null, deadlines: Array<[string, number]>) {
  const kommuneId = siteId.split('-')[0];
  const client = await stack.db.client.create({ data: { kommuneId, siteId, pseudonym: `P-FR-${name}-${tag}`, firstName: 'Frist', lastName: `${name}${tag}` } });
  const managerId = manager ? (await stack.db.user.findUniqueOrThrow({ where: { username: manager } })).id : null;
  const c = await stack.db.case.create({ data: { reference: `FR-${name}-${tag}`, clientId: client.id, kommuneId, siteId, phase: 'Umsetzung', caseManagerId: managerId } });
  const path = await stack.db.residencePath.create({ data: { caseId: c.id, kommuneId } });
  for (const [kind, days] of deadlines) {
    await stack.db.residenceDeadline.create({ data: { residencePathId: path.id, caseId: c.id, kommuneId, kind, date: inDays(days), remindAt: inDays(days - 30) } });
  }
  fx[name] = { caseId: c.id, reference: c.reference };
}

beforeAll(async () => {
  dir = processesDirWith(['kim-bleiberecht']);
  stack = await startTestStack({ processesDir: dir, workers: false });
  await caseWith('own', 'duisburg-nord', 'cm.duisburg', [
    ['PASS_ABLAUF', 20],
    ['FRUEHESTENS_25A', 10],
    ['DULDUNG_ABLAUF', 120],
  ]);
  await caseWith('colleague', 'duisburg-nord', 'cm2.duisburg', [['DULDUNG_ABLAUF', 5]]);
  await caseWith('mettmann', 'mettmann-ratingen', 'cm.mettmann', [['PASS_ABLAUF', 7]]);
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('case manager of the site: all dates of the case, sorted, with German labels and reminder instants', async () => {
  const res = await (await as('cm.duisburg')).get(`/api/cases/${fx.own.caseId}/fristen`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual([
    { kind: 'FRUEHESTENS_25A', label: '§ 25a: zeitliche Voraussetzungen erfüllt', date: iso(inDays(10)), remindAt: inDays(-20).toISOString() },
    { kind: 'PASS_ABLAUF', label: 'Pass läuft ab', date: iso(inDays(20)), remindAt: inDays(-10).toISOString() },
    { kind: 'DULDUNG_ABLAUF', label: 'Duldung läuft ab', date: iso(inDays(120)), remindAt: inDays(90).toISOString() },
  ]);
});

test('the ABH of the commune sees the residence dates only; other sites, communes and roles see nothing', async () => {
  const abh = await (await as('abh.duisburg')).get(`/api/cases/${fx.own.caseId}/fristen`);
  expect(abh.status).toBe(200);
  expect(((await abh.json()) as Array<{ kind: string }>).map((d) => d.kind)).toEqual(['PASS_ABLAUF', 'DULDUNG_ABLAUF']);
  expect((await (await as('cm2.duisburg')).get(`/api/cases/${fx.mettmann.caseId}/fristen`)).status).toBe(404);
  expect((await (await as('cm.mettmann')).get(`/api/cases/${fx.own.caseId}/fristen`)).status).toBe(404);
  for (const u of ['koord.duisburg', 'ebh.duisburg', 'land.nrw', 'admin.duisburg']) {
    const res = await (await as(u)).get(`/api/cases/${fx.own.caseId}/fristen`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { title: string }).title).toBe('Ihre Rolle sieht keine Fristen des Bleiberechts.');
  }
});

test('overview of the next 90 days: the case manager\'s own cases; the ABH the commune\'s residence dates', async () => {
  const cm = await (await as('cm.duisburg')).get('/api/fristen?tage=90');
  expect(cm.status).toBe(200);
  expect(await cm.json()).toEqual([
    { caseId: fx.own.caseId, reference: fx.own.reference, kind: 'FRUEHESTENS_25A', label: '§ 25a: zeitliche Voraussetzungen erfüllt', date: iso(inDays(10)) },
    { caseId: fx.own.caseId, reference: fx.own.reference, kind: 'PASS_ABLAUF', label: 'Pass läuft ab', date: iso(inDays(20)) },
  ]);
  const abh = (await (await (await as('abh.duisburg')).get('/api/fristen')).json()) as Array<{ reference: string; kind: string }>;
  expect(abh.map((d) => [d.reference, d.kind])).toEqual([
    [fx.colleague.reference, 'DULDUNG_ABLAUF'],
    [fx.own.reference, 'PASS_ABLAUF'],
  ]);
  const mettmann = (await (await (await as('cm.mettmann')).get('/api/fristen?tage=7')).json()) as Array<{ reference: string }>;
  expect(mettmann.map((d) => d.reference)).toEqual([fx.mettmann.reference]);
  expect((await (await as('land.nrw')).get('/api/fristen')).status).toBe(403);
});

test.each([['0', 'tage: mindestens 1.'], ['abc', 'tage: bitte eine Zahl angeben.'], ['400', 'tage: höchstens 366.']])('tage=%s → German 400', async (value, message) => {
  const res = await (await as('cm.duisburg')).get(`/api/fristen?tage=${value}`);
  expect(res.status).toBe(400);
  expect(((await res.json()) as { errors: Record<string, string> }).errors.tage).toBe(message);
});

test('starting the residence path: the case manager of the site, once per case', async () => {
  const cm = await as('cm.duisburg');
  const c = await stack.db.case.create({
    data: { reference: `FR-start-${tag}`, clientId: (await stack.db.case.findUniqueOrThrow({ where: { id: fx.own.caseId } })).clientId, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung' },
  });
  expect((await (await as('abh.duisburg')).post('/api/bleiberecht/start', { caseId: c.id })).status).toBe(403);
  expect((await (await as('cm.mettmann')).post('/api/bleiberecht/start', { caseId: c.id })).status).toBe(404);
  const res = await cm.post('/api/bleiberecht/start', { caseId: c.id });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { bleiberechtId: string; processInstanceKey: string };
  expect(await stack.engine.runtime.isRunning(body.processInstanceKey)).toBe(true);
  const again = await cm.post('/api/bleiberecht/start', { caseId: c.id });
  expect(again.status).toBe(409);
  expect(((await again.json()) as { title: string }).title).toBe('Für diesen Fall läuft bereits ein Bleiberechtsverfahren.');
  expect((await cm.post('/api/bleiberecht/start', { caseId: c.id, name: 'x' })).status).toBe(400);
});

test('the case\'s residence path for the case file: the case manager of the site only, without the ABH\'s free text', async () => {
  const path = await stack.db.residencePath.findFirstOrThrow({ where: { caseId: fx.own.caseId } });
  await stack.db.residencePath.update({
    where: { id: path.id },
    data: { status: 'vorbereitung', residenceStatus: 'DULDUNG', met25a: true, met25b: false, missing25b: ['AUFENTHALTSDAUER'], earliest25b: inDays(400), confirmedAt: new Date(), identityClarification: `Schalter 3 ${tag}` },
  });
  const res = await (await as('cm.duisburg')).get(`/api/bleiberecht/cases/${fx.own.caseId}`);
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(JSON.parse(text)).toMatchObject({
    id: path.id,
    status: 'vorbereitung',
    aufenthaltsstatus: 'DULDUNG',
    korrigiert: false,
    paragraf25a: { erfuellt: true, fehlend: [] },
    paragraf25b: { erfuellt: false, fehlend: ['AUFENTHALTSDAUER'], fruehestensAb: iso(inDays(400)) },
    entscheidung: null,
  });
  expect(text).not.toContain(`Schalter 3 ${tag}`);
  expect((await (await as('cm2.duisburg')).get(`/api/bleiberecht/cases/${fx.own.caseId}`)).status).toBe(404);
  expect((await (await as('cm.mettmann')).get(`/api/bleiberecht/cases/${fx.own.caseId}`)).status).toBe(404);
  expect((await (await as('cm.duisburg')).get('/api/bleiberecht/cases/kein-fall')).status).toBe(404);
  for (const u of ['koord.duisburg', 'abh.duisburg', 'ebh.duisburg', 'land.nrw', 'admin.duisburg']) expect((await (await as(u)).get(`/api/bleiberecht/cases/${fx.own.caseId}`)).status).toBe(403);
  // A case without a residence path: 404, so the case file shows no residence tab for it.
  const without = await stack.db.case.create({ data: { reference: `FR-none-${tag}`, clientId: (await stack.db.case.findUniqueOrThrow({ where: { id: fx.own.caseId } })).clientId, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung' } });
  expect((await (await as('cm.duisburg')).get(`/api/bleiberecht/cases/${without.id}`)).status).toBe(404);
});
