/**
 * Applies the committed SQL migrations in prisma/migrations in name order, each in its own
 * transaction, recorded in Prisma's own bookkeeping table (_prisma_migrations) with a checksum.
 * Works offline: no Prisma schema engine involved. Concurrent runners serialise on an advisory lock.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ROOT } from '../config';
import type { Progress } from '../util/progress';

export const MIGRATIONS_DIR = path.join(ROOT, 'prisma', 'migrations');
const LOCK_ID = 4_711_2026;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

export class MigrationError extends Error {}

export async function migrate(url: string, opts: { progress?: Progress; dir?: string } = {}): Promise<string[]> {
  const migrations = readMigrations(opts.dir);
  const step = opts.progress?.step(`Datenbank-Migrationen (${migrations.length})`);
  const c = new Client({ connectionString: url });
  await c.connect();
  const applied: string[] = [];
  try {
    await c.query('select pg_advisory_lock($1)', [LOCK_ID]);
    await c.query(`create table if not exists "_prisma_migrations" (
      "id" varchar(36) primary key, "checksum" varchar(64) not null, "finished_at" timestamptz,
      "migration_name" varchar(255) not null, "logs" text, "rolled_back_at" timestamptz,
      "started_at" timestamptz not null default now(), "applied_steps_count" integer not null default 0)`);
    const done = new Map<string, string>(
      (await c.query('select migration_name, checksum from "_prisma_migrations" where finished_at is not null and rolled_back_at is null')).rows.map(
        (r: { migration_name: string; checksum: string }) => [r.migration_name, r.checksum],
      ),
    );
    let i = 0;
    for (const m of migrations) {
      i++;
      const known = done.get(m.name);
      if (known) {
        if (known !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.name} wurde nach dem Anwenden verändert (Prüfsumme weicht ab). ` +
              `Bereits angewandte Migrationen dürfen nicht geändert werden – legen Sie eine neue an.`,
          );
        }
        continue;
      }
      step?.update(`${i}/${migrations.length}: ${m.name}`);
      await c.query('begin');
      try {
        await c.query(m.sql);
        await c.query(
          `insert into "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) values ($1, $2, now(), $3, 1)`,
          [crypto.randomUUID(), m.checksum, m.name],
        );
        await c.query('commit');
      } catch (e) {
        await c.query('rollback');
        throw new MigrationError(`Migration ${m.name} fehlgeschlagen: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    step?.done(applied.length ? `${applied.length} neu angewandt` : 'aktuell');
    return applied;
  } catch (e) {
    step?.fail();
    throw e;
  } finally {
    await c.query('select pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await c.end();
  }
}

if (require.main === module) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL fehlt. Beispiel: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kim npm run db:migrate');
    process.exit(2);
  }
  migrate(url)
    .then((a) => console.log(a.length ? `Angewandt: ${a.join(', ')}` : 'Keine neuen Migrationen.'))
    .catch((e) => {
      console.error((e as Error).message);
      process.exit(1);
    });
}
