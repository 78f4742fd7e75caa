/**
 * Needs and goals of the Förderplan through the API: the case manager of the site lists, adds and
 * changes them, coordinators read, everyone else gets 403; every read and write is audit-logged.
 */
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';
import { CaseFixture, caseFixture } from './fixtures';

let stack: Stack;
let cm: Session;
let own: CaseFixture;
let otherSite: CaseFixture;
let otherKommune: CaseFixture;

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  cm = await login(stack.url, 'cm.duisburg');
  own = await caseFixture(stack, 'duisburg-nord');
  otherSite = await caseFixture(stack, 'duisburg-sued');
  otherKommune = await caseFixture(stack, 'mettmann-ratingen');
});
afterAll(async () => {
  await stack?.stop();
});

interface Problem {
  title: string;
  errors?: Record<string, string>;
}

test('a case manager adds, lists and changes needs and goals of an own case; each step is audit-logged', async () => {
  const need = await cm.post(`/api/cases/${own.caseId}/needs`, { lifeArea: 'Sprache', description: 'Deutschkurs B1 gesucht' });
  expect(need.status).toBe(201);
  const n = (await need.json()) as { id: string; caseId: string; lifeArea: string };
  expect(n).toMatchObject({ caseId: own.caseId, lifeArea: 'Sprache' });

  const goal = await cm.post(`/api/cases/${own.caseId}/goals`, { lifeArea: 'Sprache', description: 'B1-Prüfung bestehen', dueDate: '2027-06-30', needId: n.id });
  expect(goal.status).toBe(201);
  const g = (await goal.json()) as { id: string; status: string; dueDate: string; needId: string };
  expect(g).toMatchObject({ status: 'offen', needId: n.id });
  expect(g.dueDate.slice(0, 10)).toBe('2027-06-30');

  const list = await cm.get(`/api/cases/${own.caseId}/goals`);
  expect(list.status).toBe(200);
  expect(list.headers.get('content-range')).toBe('goals 0-0/1');
  expect(((await list.json()) as Array<{ id: string }>).map((x) => x.id)).toEqual([g.id]);
  const needs = (await (await cm.get(`/api/cases/${own.caseId}/needs`)).json()) as Array<{ id: string }>;
  expect(needs.map((x) => x.id)).toContain(n.id);

  const upd = await cm.put(`/api/goals/${g.id}`, { status: 'laufend' });
  expect(upd.status).toBe(200);
  expect(((await upd.json()) as { status: string }).status).toBe('laufend');
  const updNeed = await cm.put(`/api/needs/${n.id}`, { description: 'Deutschkurs B1 mit Kinderbetreuung' });
  expect(((await updNeed.json()) as { description: string }).description).toBe('Deutschkurs B1 mit Kinderbetreuung');

  const actions = (await stack.db.auditLog.findMany({ where: { caseId: own.caseId, username: 'cm.duisburg' }, orderBy: { id: 'asc' } })).map((r) => r.action);
  expect(actions).toEqual(expect.arrayContaining(['needs.create', 'goals.create', 'goals.list', 'needs.list', 'goals.update', 'needs.update']));
  const goalUpdate = await stack.db.auditLog.findFirstOrThrow({ where: { action: 'goals.update', entityId: g.id } });
  expect(goalUpdate.fields).toEqual(['status']);
});

test("German field messages; a goal's need must belong to the case", async () => {
  const bad = await cm.post(`/api/cases/${own.caseId}/goals`, { lifeArea: 'Freizeit', description: '' });
  expect(bad.status).toBe(400);
  const p = (await bad.json()) as Problem;
  expect(p.errors?.lifeArea).toMatch(/^Lebensbereich: /);
  expect(p.errors?.description).toBe('Bitte das Ziel beschreiben.');
  const foreignNeed = await stack.db.need.create({ data: { caseId: otherSite.caseId, lifeArea: 'Arbeit', description: 'x' } });
  const r = await cm.post(`/api/cases/${own.caseId}/goals`, { lifeArea: 'Arbeit', description: 'Job', needId: foreignNeed.id });
  expect(r.status).toBe(400);
  expect(((await r.json()) as Problem).errors?.needId).toBe('Unbekannter Bedarf');
  expect((await cm.put(`/api/goals/${(await stack.db.goal.create({ data: { caseId: own.caseId, lifeArea: 'Arbeit', description: 'x' } })).id}`, { status: 'fertig' })).status).toBe(400);
});

test('other sites and communes are 404; coordinators read only; ABH, EBH, admin and land get 403', async () => {
  for (const f of [otherSite, otherKommune]) {
    expect((await cm.get(`/api/cases/${f.caseId}/needs`)).status).toBe(404);
    expect((await cm.post(`/api/cases/${f.caseId}/goals`, { lifeArea: 'Arbeit', description: 'x' })).status).toBe(404);
  }
  const foreignGoal = await stack.db.goal.create({ data: { caseId: otherSite.caseId, lifeArea: 'Arbeit', description: 'x' } });
  expect((await cm.put(`/api/goals/${foreignGoal.id}`, { status: 'erreicht' })).status).toBe(404);
  expect((await cm.put('/api/goals/nicht-da', { status: 'erreicht' })).status).toBe(404);

  // Coordinators see a person's support plan only after stating why (audited), then read only.
  const koord = await login(stack.url, 'koord.duisburg');
  expect((await koord.get(`/api/cases/${otherSite.caseId}/goals`)).status).toBe(403);
  expect((await koord.post(`/api/cases/${otherSite.caseId}/access`, { reason: 'Fachaufsicht', note: 'Stichprobe der Förderpläne' })).status).toBe(201);
  expect((await koord.get(`/api/cases/${otherSite.caseId}/goals`)).status).toBe(200);
  expect((await koord.get(`/api/cases/${otherKommune.caseId}/goals`)).status).toBe(404);
  const w = await koord.post(`/api/cases/${own.caseId}/goals`, { lifeArea: 'Arbeit', description: 'x' });
  expect(w.status).toBe(403);
  expect((await koord.put(`/api/goals/${foreignGoal.id}`, { status: 'erreicht' })).status).toBe(403);

  for (const u of ['abh.duisburg', 'ebh.duisburg', 'admin.duisburg', 'land.nrw']) {
    const s = await login(stack.url, u);
    expect((await s.get(`/api/cases/${own.caseId}/needs`)).status).toBe(403);
    expect((await s.post(`/api/cases/${own.caseId}/needs`, { lifeArea: 'Arbeit', description: 'x' })).status).toBe(403);
  }
});

test('a closed case keeps its plan read-only', async () => {
  const g = await caseFixture(stack, 'duisburg-nord');
  const goal = await stack.db.goal.create({ data: { caseId: g.caseId, lifeArea: 'Arbeit', description: 'x' } });
  await stack.db.case.update({ where: { id: g.caseId }, data: { closedAt: new Date(), phase: 'Abschluss' } });
  expect((await cm.post(`/api/cases/${g.caseId}/needs`, { lifeArea: 'Arbeit', description: 'x' })).status).toBe(409);
  expect((await cm.put(`/api/goals/${goal.id}`, { status: 'erreicht' })).status).toBe(409);
  expect((await cm.get(`/api/cases/${g.caseId}/goals`)).status).toBe(200);
});
