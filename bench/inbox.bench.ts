/**
 * Inbox benchmark (`npm run bench:inbox`): 100k open tasks over two communes in its own database
 * (kim_bench_inbox_<pid>, dropped afterwards); the real express app and domain services against it.
 * No engine runs: the port's UserTasks is a fake that does at once what the engine's inbox projection
 * does in the engine's transaction (claim/assign set the assignee, complete closes the row, which
 * fires the live-inbox trigger), so the numbers are the API and database part. Measures for a case
 * manager p50/p95 of GET /api/tasks page 1 and a deep page (reached by paging, i.e. keyset; and by a
 * cold jump, i.e. OFFSET), with and without filters (process + overdue, life area), next to
 * PostgreSQL's execution time of the very statement the API runs (EXPLAIN ANALYZE of
 * TaskListRepository.pageSql: rows, join, capped count and the audit rows of the names shown), and the time from completing a task to
 * its absence from the list as the web app sees it: the event on the live stream
 * (GET /api/tasks/events), then the list reloaded. Prints ratios against the targets; no assertions.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { seed } from '../prisma/seed';
import { createApp } from '../server/app';
import { buildHttpServices } from '../server/services';
import { loadConfig, ROOT } from '../server/config';
import { createPrisma } from '../server/db/prisma';
import { migrate } from '../server/db/migrate';
import { dropDatabase, ensureDatabase, resolvePostgres } from '../server/db/postgres';
import { EngineUnavailable, type Engine, type UserTasks } from '../server/engine';
import { AuditService } from '../server/audit/audit.service';
import { AuthService, toActor } from '../server/auth/auth.service';
import { InboxService, TaskListQuery } from '../server/inbox/inbox.service';
import { TaskEvents } from '../server/inbox/task-events';
import { TaskListRepository } from '../server/inbox/task-list.repository';
import { createLogger } from '../server/util/log';
import { openTaskEvents } from '../test/support/events';
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
  let events: TaskEvents | undefined;
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
    // The engine's side of a user task as its inbox projection writes it (see engine/app InboxProjection).
    const open = (id: string) => ({ id, state: 'CREATED' as const });
    const tasks: UserTasks = {
      claim: async (id, userId) => void (await db.task.updateMany({ where: open(id), data: { assignee: userId } })),
      unclaim: async (id) => void (await db.task.updateMany({ where: open(id), data: { assignee: null } })),
      assign: async (id, userId) => void (await db.task.updateMany({ where: open(id), data: { assignee: userId } })),
      complete: async (id) => void (await db.task.updateMany({ where: open(id), data: { state: 'COMPLETED', completedAt: new Date() } })),
      deployedForm: async () => null,
      idVariable: async () => null,
      openTaskIds: async () => [],
    };
    // Everything else of the port is not used by the inbox; a call would fail loudly.
    const none = <T extends object>(part: string) =>
      new Proxy({} as T, {
        get: (_t, prop) =>
          prop === 'then'
            ? undefined
            : async () => {
                throw new EngineUnavailable(`bench:inbox läuft ohne Engine (${part}.${String(prop)})`, 0);
              },
      });
    const engine: Engine = { runtime: none('runtime'), tasks, work: none('work'), deployer: none('deployer'), watch: none('watch'), url: 'bench:ohne-engine', ping: async () => false };
    const audit = new AuditService(db);
    const auth = new AuthService(db, audit, cfg.KIM_SESSION_MINUTES);
    const inbox = new InboxService(db, tasks, audit);
    events = new TaskEvents(url, log);
    await events.start();
    const services = buildHttpServices({ config: cfg, db, engine, audit, inbox });
    const app = createApp({ config: cfg, db, engine, log, auth, audit, inbox, taskEvents: events, services, workerStatus: () => [], uiDir: '/nonexistent' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const me = await login(base, 'cm.duisburg');
    const actor = toActor(await db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } }));
    const lists = new TaskListRepository(db);

    const get = async (filter: Record<string, unknown>, from: number) => {
      const t = performance.now();
      const res = await me.get(`/api/tasks?filter=${enc(filter)}&range=${enc([from, from + PAGE - 1])}&sort=${enc(['createdAt', 'DESC'])}`);
      const rows = (await res.json()) as Array<{ id: string; createdAt: string }>;
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return { ms: performance.now() - t, rows, range: res.headers.get('content-range'), capped: res.headers.get('x-total-capped') === 'true' };
    };
    /**
     * Pages from 0 towards `to` once (as a user clicking "next"), so the deep page is served by
     * keyset; stops at the list's last full page. Returns the deep page's offset and the cursor
     * (last row before it) for EXPLAIN.
     */
    const walkTo = async (filter: Record<string, unknown>, to: number) => {
      let prev: { createdAt: string; id: string } | undefined;
      let o = 0;
      for (; o < to; o += PAGE) {
        const { rows } = await get(filter, o);
        if (rows.length < PAGE) break;
        const next = await get(filter, o + PAGE);
        if (next.rows.length < PAGE) break;
        prev = rows[rows.length - 1];
      }
      return { deep: o, after: prev ? { value: new Date(prev.createdAt), id: prev.id } : undefined };
    };
    const measure = async (filter: Record<string, unknown>, from: number, warm: boolean) => {
      const xs: number[] = [];
      for (let i = 0; i < N; i++) {
        if (warm && from > 0 && i % 20 === 0) await get(filter, 0); // keep the cached total fresh like a user would
        xs.push((await get(filter, from)).ms);
      }
      return xs;
    };
    const explain = async (q: { text: string; values: unknown[] }) => {
      const xs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await sql.query(`explain (analyze, format json) ${q.text}`, q.values);
        const plan = (r.rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number; 'Planning Time': number }>)[0];
        xs.push(plan['Execution Time'] + plan['Planning Time']);
      }
      return pct(xs, 50);
    };

    // The life area with the most of cm.duisburg's group tasks (own site's cases; the demo cases
    // are random, so it is looked up rather than fixed).
    const LIFE_AREA: string =
      process.env.KIM_BENCH_LIFE_AREA ??
      (
        await sql.query(`select n."lifeArea"::text as area, count(*) as n from "Task" t join "Case" c on c.id::text = t."caseId" join "Need" n on n."caseId" = c.id
          where t."kommuneId" = 'duisburg' and c."siteId" = 'duisburg-nord' and t.assignee is null group by 1 order by 2 desc limit 1`)
      ).rows[0]?.area ??
      'Sprache';
    const scenarios = [
      { name: 'Gruppenaufgaben', filter: { view: 'group' } },
      { name: 'Gruppenaufgaben + Prozess + überfällig', filter: { view: 'group', processDefinitionId: 'kim-intake', overdue: true } },
      { name: `Gruppenaufgaben + Lebensbereich ${LIFE_AREA}`, filter: { view: 'group', lifeArea: LIFE_AREA } },
    ];
    /** The statement the API runs for this filter and page (same spec as InboxService.list). */
    const statement = (filter: Record<string, unknown>, offset: number, after?: { value: unknown; id: string }) => {
      const q: TaskListQuery = {
        view: filter.view as TaskListQuery['view'],
        processDefinitionId: filter.processDefinitionId as string | undefined,
        overdue: filter.overdue === true,
        lifeAreas: filter.lifeArea ? [filter.lifeArea as string] : undefined,
        offset,
        limit: PAGE,
        sort: { field: 'createdAt', order: 'desc' },
      };
      return lists.pageSql({ ...inbox.listSpec(actor, q), after });
    };
    const results: string[] = [];
    for (const s of scenarios) {
      const first = await get(s.filter, 0);
      const p1 = await measure(s.filter, 0, false);
      const { deep, after } = await walkTo(s.filter, DEEP);
      const pd = await measure(s.filter, deep, true);
      // Cold jump to the deep page (no cursor yet): a fresh filter key with the same meaning.
      const cold: number[] = [];
      for (let i = 0; i < Math.min(N, 20); i++) cold.push((await get({ ...s.filter, q: '' + ' '.repeat(i + 1) }, deep)).ms);
      // PostgreSQL's own time for the same statements: page 1, the deep page by keyset, by OFFSET.
      const pg1 = await explain(statement(s.filter, 0));
      if (process.env.KIM_BENCH_PLANS) {
        for (const [what, st] of [['Seite 1', statement(s.filter, 0)], ['tiefe Seite (Keyset)', statement(s.filter, deep, after)]] as const) {
          const plan = await sql.query(`explain (analyze, buffers) ${st.text}`, st.values);
          say(`Plan ${s.name}, ${what}:\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
        }
      }
      const pgDeep = after ? await explain(statement(s.filter, deep, after)) : 0;
      const pgOffset = await explain(statement(s.filter, deep));
      const p1_95 = pct(p1, 95);
      const pd_95 = pct(pd, 95);
      const range = first.range?.split('/')[1] ?? '?';
      results.push(
        [
          `${s.name} (Anzeige ${first.capped ? `mehr als ${range}` : range} Treffer, tiefe Seite ab ${deep}):`,
          `  Seite 1:        p50 ${pct(p1, 50).toFixed(1)} ms  p95 ${p1_95.toFixed(1)} ms  | PostgreSQL ${pg1.toFixed(1)} ms (Zeilen + gedeckelte Zählung)  | Ziel p95 ≤ ${TARGET.p95Ms} ms: ${(p1_95 / TARGET.p95Ms).toFixed(2)}×  | Overhead ${(p1_95 - pg1).toFixed(1)} ms (Ziel ≤ ${TARGET.overheadMs} ms)`,
          `  tiefe Seite:    p50 ${pct(pd, 50).toFixed(1)} ms  p95 ${pd_95.toFixed(1)} ms  | PostgreSQL (Keyset) ${pgDeep.toFixed(1)} ms  | Verhältnis zu Seite 1: ${(pd_95 / p1_95).toFixed(2)} (Ziel ≤ ${TARGET.deepRatio})  | Overhead ${(pd_95 - pgDeep).toFixed(1)} ms`,
          `  Sprung (OFFSET): p50 ${pct(cold, 50).toFixed(1)} ms  p95 ${pct(cold, 95).toFixed(1)} ms  | PostgreSQL OFFSET ${pgOffset.toFixed(1)} ms`,
        ].join('\n'),
      );
    }

    // Completion → removal from the list as the web app sees it ("Meine Aufgaben"): the change
    // arrives on the live stream, the list is reloaded, the task is gone. Each completion is seen
    // on a stream of its own, opened (and `ready`) before it – like independent users, whose
    // streams each have their own throttle, so one completion's event never delays the next.
    const removal: number[] = [];
    const eventAfter: number[] = [];
    const mine = (await db.task.findMany({ where: { state: 'CREATED', kommuneId: 'duisburg', assignee: 'cm.duisburg' }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: Math.min(N, 50), select: { id: true } })).map((r) => r.id);
    for (const id of mine) {
      const stream = await openTaskEvents(base, me.cookie);
      if (stream.status !== 200) throw new Error(`Aufgaben-Ereignisse: HTTP ${stream.status}`);
      const t = performance.now();
      let from = stream.events.length;
      const res = await me.post(`/api/tasks/${id}/complete?next=false`, { variables: {} });
      if (res.status !== 200) throw new Error(`complete HTTP ${res.status}`);
      for (;;) {
        const e = await stream.waitFor((x) => x.type === 'tasks', { from, timeoutMs: 5000, what: 'tasks-Ereignis' });
        from = stream.events.indexOf(e) + 1;
        if (eventAfter.length < removal.length + 1) eventAfter.push(e.at - t);
        const page = await get({ view: 'mine' }, 0);
        if (!page.rows.some((r) => r.id === id)) break;
      }
      removal.push(performance.now() - t);
      stream.close();
    }

    console.log('');
    console.log(`Aufgabeneingang bei ${TASKS} offenen Aufgaben (2 Kommunen), ${N} Messungen je Fall, Benutzer cm.duisburg:`);
    for (const r of results) console.log(r);
    const r95 = pct(removal, 95);
    console.log(
      `Abschließen → aus der Liste verschwunden (Live-Ereignis + Neuladen): p50 ${pct(removal, 50).toFixed(1)} ms  p95 ${r95.toFixed(1)} ms  | Ereignis da nach p50 ${pct(eventAfter, 50).toFixed(1)} ms  p95 ${pct(eventAfter, 95).toFixed(1)} ms  | Ziel p95 ≤ ${TARGET.removalMs} ms: ${(r95 / TARGET.removalMs).toFixed(2)}×`,
    );
  } finally {
    await events?.stop();
    server?.closeAllConnections();
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
