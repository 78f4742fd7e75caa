/**
 * The inbox list on real PostgreSQL: the life-area filter (needs and goals of the task's
 * case), the client column per role (name / pseudonym / nothing), the capped count ("mehr als …")
 * and that OpenAPI and docs/api.md describe them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import { caseFixture, CaseFixture, q, taskFor } from './fixtures';
import { login, Session, startTestStack } from '../support/stack';

let stack: Stack;
const s: Record<string, Session> = {};
let nord: CaseFixture; // duisburg-nord: need Wohnen, goal Arbeit
let nord2: CaseFixture; // duisburg-nord: need Sprache
let sued: CaseFixture; // duisburg-sued: need Wohnen
const taskOf: Record<string, string> = {};

const qa = (v: unknown) => encodeURIComponent(JSON.stringify(v));

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  for (const u of ['cm.duisburg', 'cm2.duisburg', 'koord.duisburg', 'abh.duisburg', 'ebh.duisburg', 'cm.mettmann', 'koord.mettmann']) s[u] = await login(stack.url, u);
  [nord, nord2, sued] = [await caseFixture(stack, 'duisburg-nord'), await caseFixture(stack, 'duisburg-nord'), await caseFixture(stack, 'duisburg-sued')];
  await stack.db.need.create({ data: { caseId: nord.caseId, lifeArea: 'Wohnen', description: 'Wohnung zu klein' } });
  await stack.db.goal.create({ data: { caseId: nord.caseId, lifeArea: 'Arbeit', description: 'Ausbildungsplatz' } });
  await stack.db.need.create({ data: { caseId: nord2.caseId, lifeArea: 'Sprache', description: 'B1 fehlt' } });
  await stack.db.need.create({ data: { caseId: sued.caseId, lifeArea: 'Wohnen', description: 'Schimmel' } });
  for (const [k, f] of [['nord', nord], ['nord2', nord2], ['sued', sued]] as const) taskOf[k] = (await taskFor(stack, f.caseId, 'case-manager:duisburg')).id;
  taskOf.abh = (await taskFor(stack, nord.caseId, 'abh:duisburg')).id;
  taskOf.ebh = (await taskFor(stack, sued.caseId, 'ebh:duisburg')).id;
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

type Row = Record<string, unknown> & { id: string; caseId: string | null; client?: string | null; clientIsPseudonym?: boolean };

async function list(who: string, filter: Record<string, unknown>, range = [0, 99]) {
  const res = await s[who].get(`/api/tasks?filter=${q({ view: 'all', ...filter })}&range=${qa(range)}&sort=${qa(['createdAt', 'DESC'])}`);
  const body = (await res.json()) as Row[] & { title?: string };
  const m = /^tasks (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
  return { status: res.status, body, rows: res.status === 200 ? body : [], total: m ? Number(m[3]) : NaN, capped: res.headers.get('x-total-capped') };
}
const ids = (rows: Row[]) => rows.map((r) => r.id).sort();
const mine = (rows: Row[]) => ids(rows.filter((r) => Object.values(taskOf).includes(r.id)));

describe('life-area filter', () => {
  test('coordinator: tasks whose case has a need or a goal in the life area, one or several areas', async () => {
    // The coordinator sees the whole commune: the ABH task hangs on the nord case, the EBH task on the sued case.
    const sorted = (...xs: string[]) => xs.sort();
    expect(mine((await list('koord.duisburg', { lifeArea: 'Wohnen' })).rows)).toEqual(sorted(taskOf.nord, taskOf.abh, taskOf.sued, taskOf.ebh));
    // A goal alone counts (Arbeit is only a goal of the nord case).
    expect(mine((await list('koord.duisburg', { lifeArea: 'Arbeit' })).rows)).toEqual(sorted(taskOf.nord, taskOf.abh));
    expect(mine((await list('koord.duisburg', { lifeArea: 'Sprache' })).rows)).toEqual([taskOf.nord2]);
    const both = await list('koord.duisburg', { lifeArea: ['Sprache', 'Arbeit'] });
    expect(mine(both.rows)).toEqual(sorted(taskOf.nord, taskOf.abh, taskOf.nord2));
    expect(both.total).toBe(both.rows.length);
    expect(mine((await list('koord.duisburg', { lifeArea: 'Gesundheit' })).rows)).toEqual([]);
    // Combined with the other filters (site and life area on the same case).
    expect(mine((await list('koord.duisburg', { lifeArea: 'Wohnen', siteId: 'duisburg-sued' })).rows)).toEqual(sorted(taskOf.sued, taskOf.ebh));
    expect(mine((await list('koord.duisburg', { lifeArea: 'Wohnen', view: 'all', processDefinitionId: 'kim-anders' })).rows)).toEqual([]);
  });

  test('a case manager filters over the own site only (other sites\' Förderplan stays hidden)', async () => {
    expect(mine((await list('cm.duisburg', { lifeArea: 'Wohnen' })).rows)).toEqual([taskOf.nord]);
    expect(mine((await list('cm2.duisburg', { lifeArea: 'Wohnen' })).rows)).toEqual([taskOf.sued]);
    // Without the filter both see all three group tasks.
    expect(mine((await list('cm.duisburg', {})).rows)).toEqual([taskOf.nord, taskOf.nord2, taskOf.sued].sort());
  });

  test('ABH/EBH may not filter by life area; unknown areas are a 400 with a German message', async () => {
    for (const u of ['abh.duisburg', 'ebh.duisburg']) {
      const r = await list(u, { lifeArea: 'Wohnen' });
      expect(r.status).toBe(403);
      expect(r.body.title).toMatch(/Lebensbereich/);
    }
    const bad = await list('koord.duisburg', { lifeArea: 'Mond' });
    expect(bad.status).toBe(400);
    expect(bad.body.title).toBe('Unbekannter Lebensbereich im Filter.');
  });

  test('another commune sees none of them with or without the filter', async () => {
    expect(mine((await list('koord.mettmann', { lifeArea: 'Wohnen' })).rows)).toEqual([]);
    expect(mine((await list('cm.mettmann', {})).rows)).toEqual([]);
  });
});

describe('client column', () => {
  test('case manager: the name for cases of the own site, the pseudonym for other sites; names are audit-logged', async () => {
    const before = new Date();
    const rows = (await list('cm.duisburg', {})).rows;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const nordClient = await stack.db.client.findUniqueOrThrow({ where: { id: nord.clientId } });
    const suedClient = await stack.db.client.findUniqueOrThrow({ where: { id: sued.clientId } });
    expect(byId.get(taskOf.nord)).toMatchObject({ client: `${nordClient.firstName} ${nordClient.lastName}`, clientIsPseudonym: false });
    expect(byId.get(taskOf.sued)).toMatchObject({ client: suedClient.pseudonym, clientIsPseudonym: true });
    const audit = await stack.db.auditLog.findMany({ where: { username: 'cm.duisburg', action: 'clients.list', at: { gte: before } } });
    expect(audit.map((x) => x.entityId)).toContain(nord.clientId);
    expect(audit.map((x) => x.entityId)).not.toContain(sued.clientId);
    // One row per client shown on the page, with who, why, which fields and the case.
    expect(new Set(audit.map((x) => x.entityId)).size).toBe(audit.length);
    const cm = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
    expect(audit.find((x) => x.entityId === nord.clientId)).toMatchObject({
      userId: cm.id, role: 'case_manager', kommuneId: 'duisburg', entity: 'Client', caseId: nord.caseId, fields: ['firstName', 'lastName'], reason: 'Aufgabeneingang',
    });
  });

  test('coordinator: the pseudonym only', async () => {
    const rows = (await list('koord.duisburg', {})).rows.filter((r) => Object.values(taskOf).includes(r.id));
    expect(rows.length).toBe(5);
    const pseudonyms = new Map<string, string>();
    for (const f of [nord, nord2, sued]) pseudonyms.set(f.caseId, (await stack.db.client.findUniqueOrThrow({ where: { id: f.clientId } })).pseudonym);
    for (const r of rows) {
      expect(r.client).toBe(pseudonyms.get(r.caseId!));
      expect(r.clientIsPseudonym).toBe(true);
    }
  });

  test('ABH/EBH: their task and the case\'s Aktenzeichen, nothing beyond it – no client column', async () => {
    for (const [u, id, f] of [['abh.duisburg', taskOf.abh, nord], ['ebh.duisburg', taskOf.ebh, sued]] as const) {
      const rows = (await list(u, {})).rows;
      expect(ids(rows)).toEqual([id]);
      const task = await stack.db.task.findUniqueOrThrow({ where: { id } });
      expect(Object.keys(rows[0]).sort()).toEqual([...Object.keys(task), 'caseReference', 'assigneeName'].sort());
      // A readable reference instead of the case's id in the "Fall" column.
      expect(rows[0].caseReference).toBe((await stack.db.case.findUniqueOrThrow({ where: { id: f.caseId } })).reference);
      const { caseReference: _ref, assigneeName: _name, ...rest } = rows[0];
      expect(JSON.stringify(rest)).not.toMatch(/Test|Person|T-/);
    }
  });
});

describe('assignee column', () => {
  test("the assignee's display name comes from the users of the task's commune, not from a namesake elsewhere", async () => {
    const cm2 = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm2.duisburg' } });
    await stack.db.task.update({ where: { id: taskOf.nord2 }, data: { assignee: 'cm2.duisburg' } });
    // A name that exists only in another commune shows no name (the raw name stays in assignee).
    await stack.db.task.update({ where: { id: taskOf.sued }, data: { assignee: 'cm.mettmann' } });
    try {
      const byId = new Map((await list('koord.duisburg', {})).rows.map((r) => [r.id, r]));
      expect(byId.get(taskOf.nord2)).toMatchObject({ assignee: 'cm2.duisburg', assigneeName: cm2.displayName });
      expect(byId.get(taskOf.sued)).toMatchObject({ assignee: 'cm.mettmann', assigneeName: null });
      expect(byId.get(taskOf.nord)).toMatchObject({ assignee: null, assigneeName: null });
      // ABH staff see the name of the colleague who has their step, too.
      await stack.db.task.update({ where: { id: taskOf.abh }, data: { assignee: 'abh.duisburg' } });
      const abh = await stack.db.user.findUniqueOrThrow({ where: { username: 'abh.duisburg' } });
      expect((await list('abh.duisburg', {})).rows).toEqual([expect.objectContaining({ id: taskOf.abh, assigneeName: abh.displayName })]);
    } finally {
      await stack.db.task.updateMany({ where: { id: { in: [taskOf.nord2, taskOf.sued, taskOf.abh] } }, data: { assignee: null } });
    }
  });
});

describe('capped count', () => {
  const N = 1030;
  beforeAll(async () => {
    const base = Date.UTC(2026, 1, 1);
    await stack.db.task.createMany({
      data: Array.from({ length: N }, (_, i) => ({
        id: `cap-${String(i).padStart(5, '0')}`,
        processInstanceKey: `cap-${i}`,
        processDefinitionKey: '1',
        processDefinitionId: 'kim-test-cap',
        processVersion: 1,
        elementId: 'Task_Cap',
        name: 'Viele Aufgaben',
        candidateGroups: ['case-manager:mettmann'],
        kommuneId: 'mettmann',
        createdAt: new Date(base + i * 1000),
      })),
    });
  });

  test('page 1 counts at most 1000 rows and says so; deeper pages count from their start; the end is exact', async () => {
    const filter = { view: 'group', processDefinitionId: 'kim-test-cap' };
    const p1 = await list('cm.mettmann', filter, [0, 24]);
    expect(p1.rows).toHaveLength(25);
    expect(p1.total).toBe(1000);
    expect(p1.capped).toBe('true');
    // The next page (keyset after page 1) still cannot see the end within 1000 rows.
    const p2 = await list('cm.mettmann', filter, [25, 49]);
    expect(p2.rows[0].id).not.toBe(p1.rows[24].id);
    expect(p2.total).toBe(1025);
    expect(p2.capped).toBe('true');
    // From offset 1000 on the end is in reach: exact.
    const deep = await list('cm.mettmann', filter, [1000, 1024]);
    expect(deep.rows).toHaveLength(25);
    expect(deep.total).toBe(N);
    expect(deep.capped).toBe('false');
    const last = await list('cm.mettmann', filter, [1025, 1049]);
    expect(last.rows).toHaveLength(5);
    expect(last.total).toBe(N);
    // Newest first, and the very last row is the oldest task.
    expect(last.rows[4].id).toBe('cap-00000');
    // A smaller list is counted exactly.
    const few = await list('cm.mettmann', { view: 'group', processDefinitionId: 'kim-test-cap', q: 'nichts davon' }, [0, 24]);
    expect(few.total).toBe(0);
    expect(few.capped).toBe('false');
  });

  test('the capped count can be answered from the covering partial index alone (no heap)', async () => {
    // The test table is small, so the planner would rather scan it; without that choice the index
    // must answer the filtered count by itself: index-only, the filter columns are in the index.
    await stack.db.$executeRawUnsafe('vacuum analyze "Task"');
    const c = new Client({ connectionString: stack.databaseUrl });
    await c.connect();
    try {
      await c.query('set enable_seqscan = off; set enable_bitmapscan = off');
      const plan = await c.query(
        `explain select count(*) from (select 1 from "Task" t where t.state = 'CREATED' and t."kommuneId" = 'mettmann' and t.assignee is null
           and t."candidateGroups" && array['case-manager:mettmann'] and t."processDefinitionId" = 'kim-test-cap' and t."dueDate" is null limit 1001) x`,
      );
      expect(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')).toMatch(/Index Only Scan using "Task_open_kommuneId_createdAt_id_idx"/);
    } finally {
      await c.end();
    }
  });
});

test('OpenAPI and docs/api.md describe the life-area filter, the capped count and the event stream', async () => {
  const doc = (await (await fetch(`${stack.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { description?: string; summary?: string }>> };
  const tasks = doc.paths['/api/tasks'].get;
  expect(tasks.description).toMatch(/lifeArea/);
  expect(tasks.description).toMatch(/X-Total-Capped/);
  expect(doc.paths['/api/tasks/events'].get.summary).toMatch(/Live/);
  const md = fs.readFileSync(path.join(ROOT, 'docs', 'api.md'), 'utf8');
  for (const word of ['lifeArea', 'X-Total-Capped', '/api/tasks/events']) expect(md).toContain(word);
});
