/**
 * Dashboard benchmark (`npm run bench:dashboards`): the commune dashboard (coordination) and the
 * state's dashboard (land) through the real express app and services, in a database of its own
 * (kim_bench_dash_<pid>, dropped afterwards), first on the demo data `npm start` seeds (demo cases
 * and a year of history), then with ~100k cases (KIM_BENCH_CASES) spread over further communes.
 * Every figure is printed next to its target (p95 ≤ 300 ms on the demo data, ≤ 1 s at 100k cases) and
 * as a ratio against the plain SQL of the same aggregations (the repository's statements, sent
 * over a pg pool as many at a time as the service sends them) measured in the same run. No engine runs (the
 * dashboards never call it). No assertions: it prints.
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Pool } from 'pg';
import { seed, ORGANISATIONS } from '../prisma/seed';
import { seedHistory, type HistoryCommune } from '../prisma/seed-history';
import { createApp } from '../server/app';
import { buildHttpServices } from '../server/services';
import { loadConfig, ROOT } from '../server/config';
import { createPrisma } from '../server/db/prisma';
import { migrate } from '../server/db/migrate';
import { dropDatabase, ensureDatabase, resolvePostgres } from '../server/db/postgres';
import { EngineUnavailable, type Engine } from '../server/engine';
import { AuditService } from '../server/audit/audit.service';
import { AuthService, hashPassword } from '../server/auth/auth.service';
import { InboxService } from '../server/inbox/inbox.service';
import { aggregateScope, DashboardRepository, type AggregateScope } from '../server/dashboards/dashboard.repository';
import { INDICATOR_IDS } from '../server/dashboards/indicators';
import { QUERY_CONCURRENCY } from '../server/dashboards/dashboard.service';
import { defaultPeriod } from '../server/dashboards/period';
import { createLogger } from '../server/util/log';
import { login, type Session } from '../test/support/stack';

const N = Number(process.env.KIM_BENCH_N ?? 30);
const CASES = Number(process.env.KIM_BENCH_CASES ?? 100_000);
const COMMUNES = Number(process.env.KIM_BENCH_COMMUNES ?? 38);
const TARGET = { seededP95Ms: 300, largeP95Ms: 1000 };
const SITE_RATE = [22, 15, 18];
const say = (m: string) => console.log(`[bench:dashboards] ${m}`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** The engine port nobody may call here: any use fails loudly. */
const noEngine = new Proxy({} as Engine, {
  get: (_t, part) =>
    part === 'then'
      ? undefined
      : new Proxy({}, { get: (_u, op) => (op === 'then' ? undefined : async () => Promise.reject(new EngineUnavailable(`bench:dashboards läuft ohne Engine (${String(part)}.${String(op)})`, 0))) }),
});

interface Case {
  name: string;
  session: Session;
  path: string;
  scope: AggregateScope;
}

async function main() {
  const cfg = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const pg = await resolvePostgres({ databaseUrl: process.env.KIM_BENCH_DATABASE_URL, dataDir: path.join(ROOT, '.data', 'bench') });
  const dbName = `kim_bench_dash_${process.pid}`;
  await ensureDatabase(pg.baseUrl, dbName);
  const url = pg.urlFor(dbName);
  const db = createPrisma(url);
  // The plain statements run with the settings the repository gives them.
  const pool = new Pool({ connectionString: url, max: 10, options: DashboardRepository.SETTINGS });
  let server: import('node:http').Server | undefined;
  try {
    await migrate(url, {});
    delete process.env.KIM_DEMO_HISTORY;
    let t0 = Date.now();
    await seed(db, cfg.KIM_DEMO_PASSWORD);
    await pool.query('analyze');
    say(`Demo-Daten (wie npm start): ${await db.case.count()} Fälle in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const log = createLogger('silent');
    const audit = new AuditService(db);
    const auth = new AuthService(db, audit, cfg.KIM_SESSION_MINUTES);
    const inbox = new InboxService(db, noEngine.tasks, audit);
    const services = buildHttpServices({ config: cfg, db, engine: noEngine, audit, inbox });
    const app = createApp({ config: cfg, db, engine: noEngine, log, auth, audit, inbox, services, workerStatus: () => [], uiDir: '/nonexistent' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const repo = new DashboardRepository(db);
    const now = new Date();
    const period = defaultPeriod(now);
    const scope = (view: 'kommune' | 'land', kommuneId?: string): AggregateScope => aggregateScope({ view, kommuneId, ...period, now });

    /** p50/p95 of the API and of the plain statements, interleaved so both see the same machine. */
    const measure = async (c: Case) => {
      const api: number[] = [];
      const sql: number[] = [];
      // The same batches the service sends: one connection each, side by side.
      const batches = repo.batches([...INDICATOR_IDS], c.scope, QUERY_CONCURRENCY);
      for (let i = 0; i < N + 3; i++) {
        let t = performance.now();
        const res = await c.session.get(c.path);
        if (res.status !== 200) throw new Error(`${c.path}: HTTP ${res.status} ${await res.text()}`);
        await res.json();
        const a = performance.now() - t;
        t = performance.now();
        await Promise.all(
          batches.map(async (b) => {
            for (const q of b) await pool.query(q.text, q.values);
          }),
        );
        const b = performance.now() - t;
        // The first rounds warm caches and plans.
        if (i >= 3) {
          api.push(a);
          sql.push(b);
        }
      }
      return { api, sql };
    };
    const report = (target: number, c: Case, r: { api: number[]; sql: number[] }) => {
      const a95 = pct(r.api, 95);
      const s95 = pct(r.sql, 95);
      console.log(
        `  ${c.name.padEnd(44)} API p50 ${pct(r.api, 50).toFixed(1)} ms  p95 ${a95.toFixed(1)} ms  | reines SQL p50 ${pct(r.sql, 50).toFixed(1)} ms  p95 ${s95.toFixed(1)} ms  | API/SQL ${(a95 / s95).toFixed(2)}×  | Ziel p95 ≤ ${target} ms: ${(a95 / target).toFixed(2)}× ${a95 <= target ? 'erfüllt' : 'VERFEHLT'}`,
      );
    };
    const koord = await login(base, 'koord.duisburg');
    const land = await login(base, 'land.nrw');
    const seeded: Case[] = [
      { name: 'Kommune Duisburg (Koordination)', session: koord, path: '/api/dashboards/kommune', scope: scope('kommune', 'duisburg') },
      { name: 'Land (alle Kommunen)', session: land, path: '/api/dashboards/land', scope: scope('land') },
    ];
    const first: Array<[Case, { api: number[]; sql: number[] }]> = [];
    for (const c of seeded) first.push([c, await measure(c)]);

    // ~100k cases: further communes with three sites and the demo partner organisations each.
    t0 = Date.now();
    const have = await db.case.count();
    const perCommune = Math.max(1, Math.round((CASES - have) / COMMUNES));
    // Demand grows over the year and dips in August and December: ~0.96 of the monthly rate on average.
    const scale = perCommune / (SITE_RATE.reduce((a, b) => a + b, 0) * 12 * 0.96);
    say(`lege ${COMMUNES} weitere Kommunen mit je ~${perCommune} Fällen an (Skala ${scale.toFixed(2)}) …`);
    const hash = await hashPassword(cfg.KIM_DEMO_PASSWORD);
    const communes: HistoryCommune[] = [];
    for (let k = 1; k <= COMMUNES; k++) {
      const id = `bench-${String(k).padStart(2, '0')}`;
      await db.kommune.upsert({ where: { id }, create: { id, name: `Benchkommune ${k}` }, update: {} });
      const sites = SITE_RATE.map((_, j) => ({ id: `${id}-${j + 1}`, kommuneId: id, name: `Standort ${j + 1}` }));
      await db.site.createMany({ data: sites, skipDuplicates: true });
      await db.organisation.createMany({ data: ORGANISATIONS.duisburg.map((o) => ({ kommuneId: id, name: `${o.name} (${k})`, type: o.type })), skipDuplicates: true });
      communes.push({ kommuneId: id, prefix: `B${k}`, perMonth: Object.fromEntries(sites.map((s, j) => [s.id, SITE_RATE[j]])) });
    }
    await db.user.upsert({ where: { username: 'koord.bench-01' }, create: { username: 'koord.bench-01', displayName: 'Koordination Benchkommune 1', role: 'coordinator', kommuneId: 'bench-01', groups: ['coordinator'], passwordHash: hash }, update: {} });
    await seedHistory(db, { communes, scale, now });
    await pool.query('analyze');
    const total = await db.case.count();
    say(`${total} Fälle in ${((Date.now() - t0) / 1000).toFixed(1)} s angelegt`);
    const big: Case[] = [
      { name: `Kommune Duisburg (bei ${Math.round(total / 1000)}k Fällen gesamt)`, session: koord, path: '/api/dashboards/kommune', scope: scope('kommune', 'duisburg') },
      { name: `Benchkommune 1 (~${perCommune} Fälle)`, session: await login(base, 'koord.bench-01'), path: '/api/dashboards/kommune', scope: scope('kommune', 'bench-01') },
      { name: `Land (${COMMUNES + 2} Kommunen, ${total} Fälle)`, session: land, path: '/api/dashboards/land', scope: scope('land') },
    ];
    const second: Array<[Case, { api: number[]; sql: number[] }]> = [];
    for (const c of big) second.push([c, await measure(c)]);

    console.log('');
    console.log(`Dashboards (${INDICATOR_IDS.length} Kennzahlen je Aufruf, Zeitraum ${period.from} bis ${period.to}), ${N} Messungen je Fall:`);
    console.log(' Demo-Daten von npm start:');
    for (const [c, r] of first) report(TARGET.seededP95Ms, c, r);
    console.log(` ~${Math.round(total / 1000)}k Fälle:`);
    for (const [c, r] of second) report(TARGET.largeP95Ms, c, r);
  } finally {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await pool.end().catch(() => undefined);
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
