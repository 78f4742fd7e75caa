import fs from 'node:fs';
import { Client } from 'pg';
import type { LocalEngine } from '../../engine/engine';
import { dropDatabase, PostgresHandle } from '../../server/db/postgres';

export default async function globalTeardown() {
  const t = (globalThis as Record<string, unknown>).__kimTest as { engine: LocalEngine; pg: PostgresHandle; dbName: string; runDir: string } | undefined;
  if (!t) return;
  await t.engine.stop();
  await dropDatabase(t.pg.baseUrl, t.dbName).catch(() => undefined);
  const c = new Client({ connectionString: t.pg.urlFor('postgres') });
  await c.connect();
  const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${t.dbName}\\_%`]);
  await c.end();
  for (const r of rows) await dropDatabase(t.pg.baseUrl, r.datname).catch(() => undefined);
  await t.pg.stop();
  if (!process.env.KIM_TEST_KEEP) fs.rmSync(t.runDir, { recursive: true, force: true });
}
