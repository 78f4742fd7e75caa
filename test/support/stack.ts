/** Test helpers: a product stack on the suite's engine and database, sign-in, and waiting for conditions. */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../server/db/postgres';
import { loadConfig, ROOT } from '../../server/config';
import { startStack, Stack, StackOptions } from '../../server/stack';
import { createLogger } from '../../server/util/log';
import { waitFor } from '../../server/util/ports';
import { openTestEngine } from './test-engines';

export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export function testConfig(extra: Record<string, string> = {}) {
  const need = ['KIM_TEST_DATABASE_URL', 'KIM_TEST_ENGINE_URL'];
  for (const n of need) if (!process.env[n]) throw new Error(`${n} fehlt – Tests bitte mit "npm test" starten (global-setup startet Engine und Datenbank).`);
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: process.env.KIM_TEST_DATABASE_URL,
    KIM_ENGINE_URL: process.env.KIM_TEST_ENGINE_URL,
    PORT: '0',
    LOG_LEVEL: process.env.KIM_TEST_LOG_LEVEL ?? 'silent',
    ...extra,
  });
}

function fileDatabaseName(): string {
  const testPath = expect.getState().testPath ?? 'unknown';
  return `${process.env.KIM_TEST_DB_NAME!}_${crypto.createHash('sha1').update(testPath).digest('hex').slice(0, 10)}`;
}

/**
 * This test file's own database: a copy of the suite's migrated template (app schema and engine
 * tables), created on first use and named after the file, so rows one file leaves behind never show
 * up in another.
 */
export async function fileDatabaseUrl(): Promise<string> {
  const base = process.env.KIM_TEST_DB_NAME!;
  const name = fileDatabaseName();
  const c = new Client({ connectionString: withDatabase(process.env.KIM_TEST_PG_BASE_URL!, 'postgres') });
  await c.connect();
  try {
    const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await c.query(`create database "${name}" template "${base}_tpl"`);
  } finally {
    await c.end();
  }
  return withDatabase(process.env.KIM_TEST_PG_BASE_URL!, name);
}

/** This test file's engine: runs on the file's database (so its inbox projection writes there). */
export async function fileEngineUrl(): Promise<string> {
  const url = await fileDatabaseUrl();
  return openTestEngine(process.env.KIM_TEST_ENGINE_ROOT!, fileDatabaseName().replace(/^kim_test_/, 'f'), url, { exclusive: true });
}

export async function startTestStack(opts: Partial<StackOptions> = {}): Promise<Stack> {
  let config = opts.config ?? testConfig();
  if (config.DATABASE_URL === process.env.KIM_TEST_DATABASE_URL) config = { ...config, DATABASE_URL: await fileDatabaseUrl(), KIM_ENGINE_URL: await fileEngineUrl() };
  return startStack({ processesDir: path.join(FIXTURES, 'none'), ...opts, config, log: opts.log ?? createLogger(config.LOG_LEVEL) });
}

export interface Session {
  user: { username: string; role: string; kommuneId: string | null };
  cookie: string;
  csrf: string;
  get(p: string): Promise<Response>;
  post(p: string, body?: unknown): Promise<Response>;
  put(p: string, body?: unknown): Promise<Response>;
  del(p: string): Promise<Response>;
}

export async function login(baseUrl: string, username: string, password = process.env.KIM_DEMO_PASSWORD || 'kim-demo'): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`Anmeldung ${username} fehlgeschlagen: ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const body = (await res.json()) as { user: Session['user']; csrfToken: string };
  const call = (method: string) => (p: string, b?: unknown) =>
    fetch(`${baseUrl}${p}`, {
      method,
      headers: { cookie, 'x-csrf-token': body.csrfToken, ...(b !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: b !== undefined ? JSON.stringify(b) : undefined,
    });
  return { user: body.user, cookie, csrf: body.csrfToken, get: call('GET'), post: call('POST'), put: call('PUT'), del: call('DELETE') };
}

export const until = <T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 30_000) => waitFor(check, { timeoutMs, intervalMs: 100, what });

/** Removes rows the tests create (the audit log is append-only and stays). */
export async function resetData(stack: Stack) {
  await stack.db.$executeRawUnsafe('truncate "Task", "Session" cascade');
}
