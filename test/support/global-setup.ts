/**
 * Starts what the whole suite shares: its own PostgreSQL databases (kim_test_<pid>) on the same
 * server the product would use, and its own engine (fresh data folder, free ports). A running
 * `npm start` is never touched: other database, other ports, other engine data.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LocalEngine } from '../../engine/engine';
import { jdbcFromUrl } from '../../engine/exporter';
import { loadConfig, ROOT } from '../../server/config';
import { migrate } from '../../server/db/migrate';
import { ensureDatabase, resolvePostgres } from '../../server/db/postgres';
import { Client } from 'pg';
import { freePort } from '../../server/util/ports';
import { Progress } from '../../server/util/progress';

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
  // Every test file gets its own copy of the migrated database (see test/support/stack.ts), so no
  // file sees rows another file left behind. Nobody connects to the template itself.
  const c = new Client({ connectionString: pg.urlFor('postgres') });
  await c.connect();
  await c.query(`create database "${dbName}_tpl" template "${dbName}"`);
  await c.end();
  // The engine is shared by the whole run, so its history (KIM exporter, process view) lives in one
  // run-wide database next to the per-file app databases; element keys are unique per engine.
  const engineDbName = `kim_engine_${process.pid}`;
  await ensureDatabase(pg.baseUrl, engineDbName);
  const engineDatabaseUrl = pg.urlFor(engineDbName);
  const grpc = await freePort();
  const engine = new LocalEngine({
    version: cfg.KIM_CAMUNDA_VERSION,
    cacheDir: cfg.KIM_CACHE_DIR,
    dataDir: path.join(runDir, 'engine'),
    restPort: await freePort(),
    grpcPort: grpc,
    commandPort: await freePort(),
    internalPort: await freePort(),
    managementPort: await freePort(),
    heap: '768m',
    diskWatermark: '512MB',
    progress,
    exporter: { ...jdbcFromUrl(engineDatabaseUrl), flushIntervalMs: 100 },
  });
  const ep = await engine.start();
  Object.assign(process.env, {
    KIM_TEST_DATABASE_URL: databaseUrl,
    KIM_TEST_DB_NAME: dbName,
    KIM_TEST_ENGINE_DATABASE_URL: engineDatabaseUrl,
    KIM_TEST_PG_BASE_URL: pg.baseUrl,
    KIM_TEST_GRPC: ep.grpcAddress,
    KIM_TEST_REST: ep.restAddress,
    KIM_TEST_RUN_DIR: runDir,
  });
  (globalThis as Record<string, unknown>).__kimTest = { engine, pg, dbName, engineDbName, runDir };
}
