/**
 * GET /api/statistics: anonymised aggregates per commune and month – land across all communes,
 * coordinators their own – with counts below 5 suppressed and never a person or case id.
 */
import type { Stack } from '../../server/stack';
import { login, startTestStack } from '../support/stack';

let stack: Stack;
// A month no other test writes to.
const MONTH = '1999-03';

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  const ev = (kommuneId: string, lifeArea: 'Arbeit' | 'Wohnen', n: number) => Array.from({ length: n }, () => ({ kommuneId, kind: 'case_closed', lifeArea, month: MONTH }));
  await stack.db.statisticsEvent.createMany({ data: [...ev('duisburg', 'Arbeit', 7), ...ev('duisburg', 'Wohnen', 2), ...ev('mettmann', 'Arbeit', 5)] });
});
afterAll(async () => {
  await stack?.stop();
});

interface Counted {
  kommuneId: string;
  month: string;
  kind?: string;
  lifeArea?: string | null;
  phase?: string;
  kindOfHelp?: string;
  count: number | null;
  unterdrückt: boolean;
}
interface Stats {
  scope: { kommuneId: string | null };
  minCount: number;
  events: Counted[];
  cases: Counted[];
}
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

test('land sees all communes; counts below 5 are suppressed (null, "unterdrückt")', async () => {
  const land = await login(stack.url, 'land.nrw');
  const res = await land.get(`/api/statistics?from=${MONTH}&to=${MONTH}`);
  expect(res.status).toBe(200);
  const raw = await res.text();
  expect(raw).not.toMatch(UUID);
  const s = JSON.parse(raw) as Stats;
  expect(s.minCount).toBe(5);
  const pick = (k: string, area: string) => s.events.find((e) => e.kommuneId === k && e.lifeArea === area && e.kind === 'case_closed');
  expect(pick('duisburg', 'Arbeit')).toEqual({ kommuneId: 'duisburg', month: MONTH, kind: 'case_closed', lifeArea: 'Arbeit', count: 7, unterdrückt: false });
  expect(pick('duisburg', 'Wohnen')).toEqual({ kommuneId: 'duisburg', month: MONTH, kind: 'case_closed', lifeArea: 'Wohnen', count: null, unterdrückt: true });
  expect(pick('mettmann', 'Arbeit')).toMatchObject({ count: 5, unterdrückt: false });
  expect(s.events.every((e) => e.month === MONTH)).toBe(true);
});

test('case counts by phase and kind of help per commune and month, suppressed below 5', async () => {
  const land = await login(stack.url, 'land.nrw');
  const s = (await (await land.get('/api/statistics')).json()) as Stats;
  expect(s.cases.length).toBeGreaterThan(0);
  for (const c of s.cases) {
    expect(Object.keys(c).sort()).toEqual(['count', 'kindOfHelp', 'kommuneId', 'month', 'phase', 'unterdrückt']);
    expect(c.month).toMatch(/^\d{4}-\d{2}$/);
    if (c.unterdrückt) expect(c.count).toBeNull();
    else expect(c.count).toBeGreaterThanOrEqual(5);
  }
  // The sum of the visible counts never exceeds the real number of cases.
  const visible = s.cases.reduce((n, c) => n + (c.count ?? 0), 0);
  expect(visible).toBeLessThanOrEqual(await stack.db.case.count());
  expect(new Set(s.cases.map((c) => c.kommuneId))).toEqual(new Set(['duisburg', 'mettmann']));
});

test('coordinators see only their commune; other roles get 403; bad months 400', async () => {
  const koord = await login(stack.url, 'koord.duisburg');
  const s = (await (await koord.get(`/api/statistics?from=${MONTH}&to=${MONTH}`)).json()) as Stats;
  expect(s.scope.kommuneId).toBe('duisburg');
  expect(s.events.length).toBeGreaterThan(0);
  expect(s.events.every((e) => e.kommuneId === 'duisburg')).toBe(true);
  expect((await koord.get('/api/statistics?kommuneId=mettmann')).status).toBe(403);
  for (const u of ['cm.duisburg', 'abh.duisburg', 'admin.duisburg']) {
    expect((await (await login(stack.url, u)).get('/api/statistics')).status).toBe(403);
  }
  const bad = await koord.get('/api/statistics?from=2026-13');
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { errors: Record<string, string> }).errors.from).toMatch(/JJJJ-MM/);
  expect((await fetch(`${stack.url}/api/statistics`)).status).toBe(401);
});
