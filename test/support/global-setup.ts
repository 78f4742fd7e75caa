/**
 * Starts what the whole suite shares: its own PostgreSQL databases (kim_test_<pid>) on the same
 * server the product would use, and one engine JVM (Operaton) on a free port. Every test file then
 * gets its own database – a copy of a template that already holds the app schema and the engine's
 * tables – and its own engine in that JVM (see test/support/stack.ts): the engine's task listener
 * writes the inbox of the database it runs on. A running `npm start` is never touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { jdbcTarget, LocalEngine } from '../../engine/engine';
import { loadConfig, ROOT } from '../../server/config';
import { migrate } from '../../server/db/migrate';
import { ensureDatabase, resolvePostgres } from '../../server/db/postgres';
import { freePort } from '../../server/util/ports';
import { Progress } from '../../server/util/progress';
import { closeTestEngine, openTestEngine } from './test-engines';

export default async function globalSetup() {
  const cfg = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const runDir = path.join(ROOT, '.data', 'test', `run-${process.pid}`);
  fs.mkdirSync(runDir, { recursive: true });
  const progress = new Progress(5);
  const pg = await resolvePostgres({ databaseUrl: process.env.KIM_TEST_DATABASE_ADMIN_URL, dataDir: path.join(ROOT, '.data', 'test'), progress, embeddedPort: 54339 });
  const dbName = `kim_test_${process.pid}`;
  await ensureDatabase(pg.baseUrl, dbName);
  const databaseUrl = pg.urlFor(dbName);
  await migrate(databaseUrl, { progress });
  // The template every test file copies. Nobody but the setup connects to it.
  const tpl = `${dbName}_tpl`;
  const c = new Client({ connectionString: pg.urlFor('postgres') });
  await c.connect();
  await c.query(`create database "${tpl}" template "${dbName}"`);
  await c.end();

  const engine = new LocalEngine({
    cacheDir: cfg.KIM_CACHE_DIR,
    dataDir: path.join(runDir, 'engine'),
    port: await freePort(),
    heap: '1g',
    database: jdbcTarget(databaseUrl),
    testEngines: true,
    jobMaxWaitMs: 500,
    progress,
  });
  const engineUrl = await engine.start();
  const engineRoot = engineUrl.replace(/\/engine-rest$/, '');
  // The engine's tables go into the template once, so each file's engine starts without creating them.
  const step = progress.step('Engine-Tabellen in die Test-Vorlage');
  await openTestEngine(engineRoot, 'template', pg.urlFor(tpl));
  await closeTestEngine(engineRoot, 'template');
  step.done();
  Object.assign(process.env, {
    KIM_TEST_DATABASE_URL: databaseUrl,
    KIM_TEST_DB_NAME: dbName,
    KIM_TEST_PG_BASE_URL: pg.baseUrl,
    KIM_TEST_ENGINE_ROOT: engineRoot,
    KIM_TEST_ENGINE_URL: engineUrl,
    KIM_TEST_RUN_DIR: runDir,
    // The dashboards' demo history (prisma/seed-history.ts) stays out of the tests' databases: tests
    // that need it seed it themselves.
    KIM_DEMO_HISTORY: 'false',
  });
  (globalThis as Record<string, unknown>).__kimTest = { engine, pg, dbName, runDir };
}
