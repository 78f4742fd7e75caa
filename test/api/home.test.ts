/**
 * GET /api/home on real PostgreSQL: each role gets its own work overview, bounded by its commune,
 * with display names instead of ids, pseudonyms for coordinators, nothing of the client for ABH/EBH
 * and the land, and the system status for administrators only.
 */
import type { Stack } from '../../server/stack';
import { endOfWeek } from '../../server/home/home.service';
import { caseFixture, CaseFixture, taskFor } from './fixtures';
import { login, Session, startTestStack } from '../support/stack';

let stack: Stack;
const s: Record<string, Session> = {};
let du: CaseFixture;
let me: CaseFixture;
let client: { firstName: string; lastName: string; pseudonym: string };
const ids: Record<string, string> = {};
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  for (const u of ['cm.duisburg', 'cm2.duisburg', 'koord.duisburg', 'abh.duisburg', 'ebh.duisburg', 'cm.mettmann', 'koord.mettmann', 'land.nrw', 'admin.duisburg']) s[u] = await login(stack.url, u);
  du = await caseFixture(stack, 'duisburg-nord');
  me = await caseFixture(stack, 'mettmann-ratingen');
  // The fixture's pseudonym equals its case reference; a distinct one tells them apart here.
  client = await stack.db.client.update({ where: { id: du.clientId }, data: { pseudonym: `P-${du.caseId.slice(0, 8)}` }, select: { firstName: true, lastName: true, pseudonym: true } });
  const now = Date.now();
  const task = async (key: string, caseId: string, group: string, data: Record<string, unknown>, kommuneId = 'duisburg') => {
    const t = await taskFor(stack, caseId, group, kommuneId);
    await stack.db.task.update({ where: { id: t.id }, data: { name: `Aufgabe ${key}`, ...data } });
    ids[key] = t.id;
  };
  await task('overdue', du.caseId, 'case-manager:duisburg', { assignee: 'cm.duisburg', dueDate: new Date(now - 2 * DAY) });
  await task('upcoming', du.caseId, 'case-manager:duisburg', { assignee: 'cm.duisburg', dueDate: new Date(now + 3 * DAY) });
  // Unassigned, of the case cm.duisburg manages, with a follow-up date this week.
  await task('followUp', du.caseId, 'case-manager:duisburg', { followUpDate: new Date(Math.min(now + DAY, endOfWeek(new Date()).getTime())) });
  await task('later', du.caseId, 'case-manager:duisburg', { followUpDate: new Date(now + 30 * DAY) });
  await task('abh', du.caseId, 'abh:duisburg', { dueDate: new Date(now - DAY) });
  await task('ebh', du.caseId, 'ebh:duisburg', {});
  await task('mettmann', me.caseId, 'case-manager:mettmann', { assignee: 'cm.mettmann', dueDate: new Date(now - DAY) }, 'mettmann');
  // Partners answered: the referral was accepted, an invited agency declined the conference.
  await stack.db.referral.update({ where: { id: du.referralId }, data: { status: 'angenommen', answeredAt: new Date() } });
  await stack.db.conferenceParticipant.create({ data: { conferenceId: du.conferenceId, organisationId: du.organisationId, name: 'Frau Beispiel', response: 'abgesagt', respondedAt: new Date() } });
  await stack.db.referral.update({ where: { id: me.referralId }, data: { status: 'abgelehnt', answeredAt: new Date() } });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

type Task = { id: string; name: string; caseId: string | null; caseReference: string | null; pseudonym?: string | null; overdue: boolean };
type Home = {
  displayName: string;
  role: string;
  kommune: string | null;
  site: string | null;
  systemStatus: boolean;
  tasks?: { scope: string; open: number; overdue: number; unassignedInGroups?: number; overdueTasks: Task[]; upcomingTasks: Task[] };
  followUps?: Task[];
  cases?: { scope: string; total: number; byPhase: Array<{ phase: string; count: number }> };
  partnerAnswers?: Array<{ kind: string; answer: string; organisation: string; caseId: string; caseReference: string }>;
  statistics?: { minCount: number; communes: Array<{ name: string; openCases: number | null }> };
};

async function home(who: string): Promise<{ body: Home; text: string }> {
  const res = await s[who].get('/api/home');
  expect(res.status).toBe(200);
  const text = await res.text();
  return { body: JSON.parse(text) as Home, text };
}
const taskIds = (h: Home) => [...(h.tasks?.overdueTasks ?? []), ...(h.tasks?.upcomingTasks ?? [])].map((t) => t.id);
/** Open cases by the database (the demo data has some too), per phase. */
async function openCases(where: { kommuneId: string; caseManagerId?: string }) {
  const rows = await stack.db.case.groupBy({ by: ['phase'], where: { ...where, closedAt: null }, _count: true });
  return { total: rows.reduce((n, r) => n + r._count, 0), umsetzung: rows.find((r) => r.phase === 'Umsetzung')?._count ?? 0 };
}
const userId = async (username: string) => (await stack.db.user.findUniqueOrThrow({ where: { username } })).id;
const reference = async (f: CaseFixture) => (await stack.db.case.findUniqueOrThrow({ where: { id: f.caseId } })).reference;

test('case manager: own open and overdue tasks, follow-ups of the week, own cases by phase, partners\' answers – display names, no client names', async () => {
  const { body: h, text } = await home('cm.duisburg');
  expect(h).toMatchObject({ displayName: 'Aylin Demir', role: 'case_manager', kommune: 'Stadt Duisburg', site: 'Regional Support Center Nord (Hamborn)', systemStatus: false });
  expect(h.tasks).toMatchObject({ scope: 'mine', open: 2, overdue: 1 });
  expect(h.tasks!.overdueTasks.map((t) => t.id)).toEqual([ids.overdue]);
  expect(h.tasks!.overdueTasks[0]).toMatchObject({ name: 'Aufgabe overdue', caseId: du.caseId, caseReference: await reference(du), overdue: true });
  expect(h.tasks!.upcomingTasks.map((t) => t.id)).toEqual([ids.upcoming]);
  // Group tasks (unassigned, case manager's groups): followUp and later.
  expect(h.tasks!.unassignedInGroups).toBe(2);
  expect(h.followUps!.map((t) => t.id)).toEqual([ids.followUp]);
  const mine = await openCases({ kommuneId: 'duisburg', caseManagerId: await userId('cm.duisburg') });
  expect(mine.umsetzung).toBeGreaterThan(0);
  expect(h.cases).toMatchObject({ scope: 'mine', total: mine.total });
  expect(h.cases!.byPhase.find((p) => p.phase === 'Umsetzung')?.count).toBe(mine.umsetzung);
  expect(h.partnerAnswers!.map((x) => [x.kind, x.answer, x.organisation, x.caseId]).sort()).toEqual(
    [
      ['conference', 'abgesagt', 'Jobcenter Duisburg', du.caseId],
      ['referral', 'angenommen', 'Jobcenter Duisburg', du.caseId],
    ].sort(),
  );
  for (const secret of [client.lastName, client.pseudonym, 'Frau Beispiel', 'duisburg-nord', '"duisburg"']) expect(text).not.toContain(secret);
  expect(h.statistics).toBeUndefined();
});

test('a case manager of another site sees none of the colleague\'s tasks, cases or answers', async () => {
  const { body: h } = await home('cm2.duisburg');
  expect(h.site).toBe('Regional Support Center Süd (Rheinhausen)');
  expect(taskIds(h)).toEqual([]);
  expect(h.followUps).toEqual([]);
  expect(h.cases!.total).toBe((await openCases({ kommuneId: 'duisburg', caseManagerId: await userId('cm2.duisburg') })).total);
  expect(h.partnerAnswers).toEqual([]);
});

test('a case manager of Mettmann sees nothing of Duisburg', async () => {
  const { body: h, text } = await home('cm.mettmann');
  expect(h).toMatchObject({ kommune: 'Kreis Mettmann', site: 'KIM Ratingen' });
  expect(taskIds(h)).toEqual([ids.mettmann]);
  expect(h.partnerAnswers!.map((x) => x.caseId)).toEqual([me.caseId]);
  for (const secret of [...Object.entries(ids).filter(([k]) => k !== 'mettmann').map(([, v]) => v), du.caseId, await reference(du), 'Duisburg']) expect(text).not.toContain(secret);
});

test('coordinator: the commune\'s tasks and cases, clients by pseudonym only', async () => {
  const { body: h, text } = await home('koord.duisburg');
  expect(h).toMatchObject({ role: 'coordinator', kommune: 'Stadt Duisburg', site: null, systemStatus: false });
  expect(h.tasks).toMatchObject({ scope: 'commune', open: 6, overdue: 2 });
  expect(h.tasks!.overdueTasks.map((t) => t.id).sort()).toEqual([ids.overdue, ids.abh].sort());
  expect(h.tasks!.overdueTasks.every((t) => t.pseudonym === client.pseudonym)).toBe(true);
  const all = await openCases({ kommuneId: 'duisburg' });
  expect(all.total).toBeGreaterThan((await openCases({ kommuneId: 'duisburg', caseManagerId: await userId('cm.duisburg') })).total);
  expect(h.cases).toMatchObject({ scope: 'commune', total: all.total });
  expect(h.followUps).toBeUndefined();
  expect(h.partnerAnswers).toBeUndefined();
  expect(text).not.toContain(client.lastName);
  expect(text).not.toContain(ids.mettmann);
  const other = await home('koord.mettmann');
  expect(taskIds(other.body)).toEqual([ids.mettmann]);
  expect(other.text).not.toContain(client.pseudonym);
});

test('ABH and EBH: their group\'s tasks only, with the case reference and nothing of the client', async () => {
  const abh = await home('abh.duisburg');
  expect(abh.body.tasks).toMatchObject({ scope: 'group', open: 1, overdue: 1 });
  expect(abh.body.tasks!.overdueTasks).toEqual([expect.objectContaining({ id: ids.abh, caseId: null, caseReference: await reference(du) })]);
  const ebh = await home('ebh.duisburg');
  expect(ebh.body.tasks).toMatchObject({ scope: 'group', open: 1, overdue: 0 });
  expect(ebh.body.tasks!.upcomingTasks.map((t) => t.id)).toEqual([ids.ebh]);
  for (const { body, text } of [abh, ebh]) {
    expect(body.cases).toBeUndefined();
    expect(body.partnerAnswers).toBeUndefined();
    expect(body.systemStatus).toBe(false);
    for (const secret of [client.firstName + ' ', client.lastName, client.pseudonym, du.caseId, du.clientId]) expect(text).not.toContain(secret);
  }
});

test('land: anonymised counts per commune only; administrator: system status only', async () => {
  const land = await home('land.nrw');
  expect(land.body).toMatchObject({ role: 'land', kommune: null, systemStatus: false });
  expect(land.body.statistics!.communes.map((c) => c.name)).toEqual(['Kreis Mettmann', 'Stadt Duisburg']);
  // Counts below the minimum are suppressed.
  const expected = await Promise.all(['mettmann', 'duisburg'].map(async (k) => (await openCases({ kommuneId: k })).total));
  expect(land.body.statistics!.communes.map((c) => c.openCases)).toEqual(expected.map((n) => (n >= land.body.statistics!.minCount ? n : null)));
  expect(land.body.tasks).toBeUndefined();
  for (const secret of [await reference(du), await reference(me), client.pseudonym]) expect(land.text).not.toContain(secret);
  const admin = await home('admin.duisburg');
  expect(admin.body).toMatchObject({ role: 'admin', kommune: 'Stadt Duisburg', systemStatus: true });
  expect(admin.body.tasks).toBeUndefined();
  expect(admin.body.cases).toBeUndefined();
});

test('without a session the start page data is refused', async () => {
  const res = await fetch(`${stack.url}/api/home`);
  expect(res.status).toBe(401);
});

test('"this week" ends before the next Monday', () => {
  // Wednesday 2 Dec 2026 → Sunday 6 Dec 23:59:59.999 (UTC); a Sunday counts its own day only.
  expect(endOfWeek(new Date('2026-12-02T10:00:00Z')).toISOString()).toBe('2026-12-06T23:59:59.999Z');
  expect(endOfWeek(new Date('2026-12-06T10:00:00Z')).toISOString()).toBe('2026-12-06T23:59:59.999Z');
  expect(endOfWeek(new Date('2026-12-07T00:00:00Z')).toISOString()).toBe('2026-12-13T23:59:59.999Z');
});
