/**
 * Inbox benchmark (`npm run bench:inbox`): 100k open tasks over two communes in its own database
 * (kim_bench_inbox_<pid>, dropped afterwards); the real express app and domain services against it.
 * The engine is replaced by a stub that acknowledges completions at once, so the numbers are the
 * API and database part. Measures for a case manager p50/p95 of GET /api/tasks page 1 and a deep
 * page (reached by paging, i.e. keyset; and by a cold jump, i.e. OFFSET), with and without filters,
 * next to PostgreSQL's execution time of the same query (EXPLAIN ANALYZE), and the time from
 * completing a task to its absence from the list. Prints ratios against the targets; no assertions.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { seed } from '../prisma/seed';
import { createApp } from '../server/app';
import type { Zeebe } from '../server/camunda/client';
import { loadConfig, ROOT } from '../server/config';
import { createPrisma } from '../server/data/prisma';
import { migrate } from '../server/db/migrate';
import { dropDatabase, ensureDatabase, resolvePostgres } from '../server/db/postgres';
import { AuditService } from '../server/domain/audit.service';
import { AuthService } from '../server/domain/auth.service';
import { InboxService } from '../server/domain/inbox.service';
import { createLogger } from '../server/util/log';
import { login } from '../test/support/stack';

const TASKS = Number(process.env.KIM_BENCH_TASKS ?? 100_000);
const N = Number(process.env.KIM_BENCH_N ?? 100);
const PAGE = 25;
const DEEP = Number(process.env.KIM_BENCH_DEEP ?? 10_000);
const TARGET = { p95Ms: 50, deepRatio: 1.2, overheadMs: 20, removalMs: 200 };
const say = (m: string) => console.log(`[bench:inbox] ${m}`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

async function main() {
  const cfg = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const pg = await resolvePostgres({ databaseUrl: process.env.KIM_BENCH_DATABASE_URL, dataDir: path.join(ROOT, '.data', 'bench') });
  const dbName = `kim_bench_inbox_${process.pid}`;
  await ensureDatabase(pg.baseUrl, dbName);
  const url = pg.urlFor(dbName);
  const db = createPrisma(url);
  const sql = new Client({ connectionString: url });
  let server: import('node:http').Server | undefined;
  try {
    await migrate(url, {});
    await seed(db, cfg.KIM_DEMO_PASSWORD);
    await sql.connect();
    say(`seeding ${TASKS} open tasks over two communes …`);
    const t0 = Date.now();
    // Tasks spread over the demo cases of each commune; a quarter overdue, a third assigned.
    await sql.query(`
      with c as (select id, "kommuneId", row_number() over (partition by "kommuneId" order by id) - 1 as n, count(*) over (partition by "kommuneId") as cnt from "Case")
      insert into "Task" (id, "processInstanceKey", "processDefinitionKey", "processDefinitionId", "processVersion", "elementId", name, "formKey",
                          "candidateGroups", "candidateUsers", assignee, "dueDate", priority, "caseId", "kommuneId", state, "createdAt", "updatedAt")
      select (9000000000000 + g)::text, (8000000000000 + g / 3)::text, '1',
             (array['kim-intake','kim-case','kim-referral','kim-fallkonferenz'])[1 + g % 4], 1, 'Task_X',
             (array['Erstkontakt dokumentieren','Hilfeplan erstellen','Vermittlung freigeben','Fall bewerten','Einwilligung erfassen'])[1 + g % 5], null,
             array['case-manager:' || k.kommune], '{}',
             case when g % 3 = 0 then (case when k.kommune = 'duisburg' then 'cm.duisburg' else 'cm.mettmann' end) else null end,
             case when g % 4 = 0 then now() - interval '3 days' else now() + ((g % 60) || ' days')::interval end,
             50, c.id::text, k.kommune, 'CREATED', now() - (g || ' seconds')::interval, now()
      from generate_series(1, $1::int) g
      cross join lateral (select case when g % 2 = 0 then 'duisburg' else 'mettmann' end as kommune) k
      join c on c."kommuneId" = k.kommune and c.n = g % c.cnt`, [TASKS]);
    await sql.query('vacuum analyze "Task"');
    await sql.query('analyze "Case"');
    say(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const log = createLogger('silent');
    const zeebe = { completeJob: async () => ({}) } as unknown as Zeebe;
    const audit = new AuditService(db);
    const auth = new AuthService(db, audit, cfg.KIM_SESSION_MINUTES);
    const inbox = new InboxService(db, zeebe, audit);
    const app = createApp({ config: cfg, db, zeebe, log, auth, audit, inbox, workerStatus: () => [], uiDir: '/nonexistent' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const me = await login(base, 'cm.duisburg');
    const groups = me.user.username === 'cm.duisburg' ? ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-nord'] : [];

    const get = async (filter: Record<string, unknown>, from: number) => {
      const t = performance.now();
      const res = await me.get(`/api/tasks?filter=${enc(filter)}&range=${enc([from, from + PAGE - 1])}&sort=${enc(['createdAt', 'DESC'])}`);
      const rows = (await res.json()) as Array<{ id: string; createdAt: string }>;
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return { ms: performance.now() - t, rows, range: res.headers.get('content-range') };
    };
    /** Pages from 0 to `to` once (as a user clicking "next"), so the deep page is served by keyset. */
    const walkTo = async (filter: Record<string, unknown>, to: number) => {
      for (let o = 0; o < to; o += PAGE) await get(filter, o);
    };
    const measure = async (filter: Record<string, unknown>, from: number, warm: boolean) => {
      const xs: number[] = [];
      for (let i = 0; i < N; i++) {
        if (warm && from > 0 && i % 20 === 0) await get(filter, 0); // keep the cached total fresh like a user would
        xs.push((await get(filter, from)).ms);
      }
      return xs;
    };
    const explain = async (q: string, params: unknown[]) => {
      const xs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await sql.query(`explain (analyze, format json) ${q}`, params);
        const plan = (r.rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number; 'Planning Time': number }>)[0];
        xs.push(plan['Execution Time'] + plan['Planning Time']);
      }
      return pct(xs, 50);
    };

    const vis = `t.state = 'CREATED' and t."kommuneId" = $1 and t.assignee is null and t."candidateGroups" && $2::text[]`;
    const filt = ` and t."processDefinitionId" = 'kim-intake' and t."dueDate" < now()`;
    const scenarios = [
      { name: 'Gruppenaufgaben', filter: { view: 'group' }, where: vis },
      { name: 'Gruppenaufgaben + Prozess + überfällig', filter: { view: 'group', processDefinitionId: 'kim-intake', overdue: true }, where: vis + filt },
    ];
    const results: string[] = [];
    for (const s of scenarios) {
      const total = Number((await get(s.filter, 0)).range?.split('/')[1]);
      const deep = Math.min(DEEP, Math.max(0, Math.floor((total - PAGE) / PAGE) * PAGE));
      const p1 = await measure(s.filter, 0, false);
      await walkTo(s.filter, deep);
      const pd = await measure(s.filter, deep, true);
      // Cold jump to the deep page (no cursor yet): a fresh filter key with the same meaning.
      const cold: number[] = [];
      for (let i = 0; i < Math.min(N, 20); i++) cold.push((await get({ ...s.filter, q: '' + ' '.repeat(i + 1) }, deep)).ms);
      // PostgreSQL's own time for the same queries: rows of page 1 + count; keyset rows of the deep page.
      const params = ['duisburg', groups];
      const pgRows1 = await explain(`select * from "Task" t where ${s.where} order by t."createdAt" desc, t.id asc limit ${PAGE}`, params);
      const pgCount = await explain(`select count(*) from "Task" t where ${s.where}`, params);
      const cursor = (await sql.query(`select "createdAt", id from "Task" t where ${s.where} order by t."createdAt" desc, t.id asc offset ${deep - 1} limit 1`, params)).rows[0];
      const pgDeep = cursor
        ? await explain(`select * from "Task" t where ${s.where} and (t."createdAt" < $3 or (t."createdAt" = $3 and t.id > $4)) order by t."createdAt" desc, t.id asc limit ${PAGE}`, [...params, cursor.createdAt, cursor.id])
        : 0;
      const pgOffset = await explain(`select * from "Task" t where ${s.where} order by t."createdAt" desc, t.id asc offset ${deep} limit ${PAGE}`, params);
      const p1_95 = pct(p1, 95);
      const pd_95 = pct(pd, 95);
      const pg1 = pgRows1 + pgCount;
      results.push(
        [
          `${s.name} (${total} Treffer, tiefe Seite ab ${deep}):`,
          `  Seite 1:        p50 ${pct(p1, 50).toFixed(1)} ms  p95 ${p1_95.toFixed(1)} ms  | PostgreSQL ${pg1.toFixed(1)} ms (Zeilen ${pgRows1.toFixed(1)} + Zählung ${pgCount.toFixed(1)})  | Ziel p95 ≤ ${TARGET.p95Ms} ms: ${(p1_95 / TARGET.p95Ms).toFixed(2)}×  | Overhead ${(p1_95 - pg1).toFixed(1)} ms (Ziel ≤ ${TARGET.overheadMs} ms)`,
          `  tiefe Seite:    p50 ${pct(pd, 50).toFixed(1)} ms  p95 ${pd_95.toFixed(1)} ms  | PostgreSQL (Keyset) ${pgDeep.toFixed(1)} ms  | Verhältnis zu Seite 1: ${(pd_95 / p1_95).toFixed(2)} (Ziel ≤ ${TARGET.deepRatio})  | Overhead ${(pd_95 - pgDeep).toFixed(1)} ms`,
          `  Sprung (OFFSET): p50 ${pct(cold, 50).toFixed(1)} ms  p95 ${pct(cold, 95).toFixed(1)} ms  | PostgreSQL OFFSET ${pgOffset.toFixed(1)} ms (+ Zählung)`,
        ].join('\n'),
      );
    }

    // Completion → removal from the list (the user's own tasks, "Meine Aufgaben").
    const removal: number[] = [];
    const mine = (await db.task.findMany({ where: { state: 'CREATED', kommuneId: 'duisburg', assignee: 'cm.duisburg' }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: Math.min(N, 50), select: { id: true } })).map((r) => r.id);
    for (const id of mine) {
      const t = performance.now();
      const res = await me.post(`/api/tasks/${id}/complete?next=false`, { variables: {} });
      if (res.status !== 200) throw new Error(`complete HTTP ${res.status}`);
      for (;;) {
        const page = await get({ view: 'mine' }, 0);
        if (!page.rows.some((r) => r.id === id)) break;
      }
      removal.push(performance.now() - t);
    }

    console.log('');
    console.log(`Aufgabeneingang bei ${TASKS} offenen Aufgaben (2 Kommunen), ${N} Messungen je Fall, Benutzer cm.duisburg:`);
    for (const r of results) console.log(r);
    const r95 = pct(removal, 95);
    console.log(`Abschließen → aus der Liste verschwunden: p50 ${pct(removal, 50).toFixed(1)} ms  p95 ${r95.toFixed(1)} ms  | Ziel p95 ≤ ${TARGET.removalMs} ms: ${(r95 / TARGET.removalMs).toFixed(2)}×`);
  } finally {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await sql.end().catch(() => undefined);
    await db.$disconnect();
    await dropDatabase(pg.baseUrl, dbName).catch((e) => say(`Datenbank ${dbName} nicht entfernt: ${(e as Error).message}`));
    await pg.stop?.();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
