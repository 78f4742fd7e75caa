/**
 * The README's start command end to end: it brings up database, engine, workers and API on its own
 * ports, prints the URL and the demo logins, serves /api/health green, stops everything on SIGTERM
 * (no JVM left behind) and reuses its data on the next start.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { Client } from 'pg';
import { dropDatabase, withDatabase } from '../../server/db/postgres';
import { freePort } from '../../server/util/ports';
import { until } from '../support/stack';

const runDir = path.join(process.env.KIM_TEST_RUN_DIR ?? path.join(ROOT, '.data', 'test'), 'start-command');
const dbName = `kim_test_start_${process.pid}`;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  env = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(await freePort()),
    KIM_DATA_DIR: runDir,
    KIM_DB_NAME: dbName,
    KIM_ENGINE_PORT: String(await freePort()),
    KIM_ENGINE_HEAP: '512m',
    KIM_READY_FILE: path.join(runDir, 'ready'),
  };
  // The test suite's own engine must not be picked up as "external".
  delete env.KIM_ENGINE_URL;
  delete env.DATABASE_URL;
});

afterAll(async () => {
  if (process.env.KIM_TEST_PG_BASE_URL) await dropDatabase(process.env.KIM_TEST_PG_BASE_URL, dbName).catch(() => undefined);
});

function startProduct(): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  fs.rmSync(env.KIM_READY_FILE!, { force: true });
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function runOnce(expectSeed: RegExp) {
  const p = startProduct();
  const url = await until(async () => (fs.existsSync(env.KIM_READY_FILE!) ? fs.readFileSync(env.KIM_READY_FILE!, 'utf8') : p.child.exitCode !== null ? Promise.reject(new Error(p.output())) : undefined), 'Produkt bereit', 180_000);
  expect(url).toBe(`http://localhost:${env.PORT}`);
  const out = p.output();
  expect(out).toContain(`KIM Prozessplattform läuft`);
  expect(out).toContain(url);
  for (const u of ['cm.duisburg', 'cm2.duisburg', 'koord.duisburg', 'koord2.duisburg', 'abh.duisburg', 'ebh.duisburg', 'admin.duisburg', 'cm.mettmann', 'koord.mettmann', 'land.nrw']) expect(out).toContain(u);
  expect(out).toMatch(expectSeed);
  const health = await fetch(`${url}/api/health`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as { status: string; database: { status: string }; engine: { status: string }; workers: { status: string } };
  expect(body).toMatchObject({ status: 'UP', database: { status: 'UP' }, engine: { status: 'UP' }, workers: { status: 'UP' } });
  const enginePid = Number(fs.readFileSync(path.join(runDir, 'engine', 'engine.pid'), 'utf8'));
  expect(alive(enginePid)).toBe(true);
  // The engine keeps runtime and history in schema "engine" of the app database, with the KIM
  // history level (no variable history).
  const c = new Client({ connectionString: withDatabase(process.env.KIM_TEST_PG_BASE_URL!, dbName) });
  await c.connect();
  try {
    const level = await c.query("select value_ from engine.act_ge_property where name_ = 'historyLevel'");
    expect(level.rows[0]?.value_).toBe('101');
    const deployed = await c.query('select count(*)::int as n from engine.act_re_procdef');
    expect(deployed.rows[0].n).toBeGreaterThan(0);
  } finally {
    await c.end();
  }
  // The REST API answers on loopback only.
  const engineUrl = `http://127.0.0.1:${env.KIM_ENGINE_PORT}/engine-rest/engine`;
  expect((await fetch(engineUrl)).status).toBe(200);

  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
  expect(alive(enginePid)).toBe(false);
  expect(p.output()).toContain('Beendet.');
}

test('npm start brings everything up, stops cleanly on SIGTERM and reuses its data on the next start', async () => {
  await runOnce(/Demo-Daten anlegen ✓ 10 Benutzer angelegt/);
  await runOnce(/Demo-Daten anlegen ✓ bereits vorhanden/);
}, 400_000);
