import fs from 'node:fs';
import type { LocalEngine } from '../../engine/engine';
import { dropDatabase, PostgresHandle } from '../../server/db/postgres';

export default async function globalTeardown() {
  const t = (globalThis as Record<string, unknown>).__kimTest as { engine: LocalEngine; pg: PostgresHandle; dbName: string; runDir: string } | undefined;
  if (!t) return;
  await t.engine.stop();
  await dropDatabase(t.pg.baseUrl, t.dbName).catch(() => undefined);
  await t.pg.stop();
  if (!process.env.KIM_TEST_KEEP) fs.rmSync(t.runDir, { recursive: true, force: true });
}
