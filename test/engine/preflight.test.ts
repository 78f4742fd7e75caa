/**
 * The engine's preflight names cause and fix before anything starts: no usable Java, port in use,
 * a REST API that would listen beyond loopback without a password.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { engineArgs, EngineStartError, engineSourceHash, jdbcTarget, LocalEngine, resolveJava } from '../../engine/engine';
import { freePort } from '../../server/util/ports';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kim-engine-'));

async function engineOn(overrides: Partial<ConstructorParameters<typeof LocalEngine>[0]> = {}) {
  return new LocalEngine({
    cacheDir: path.join(os.homedir(), '.cache', 'kim'),
    dataDir: tmp(),
    port: await freePort(),
    heap: '512m',
    database: jdbcTarget('postgresql://postgres@127.0.0.1:5432/kim'),
    ...overrides,
  });
}

function fakeJava(version: string): string {
  const home = tmp();
  fs.mkdirSync(path.join(home, 'bin'));
  fs.writeFileSync(path.join(home, 'bin', 'java'), `#!/bin/sh\necho 'openjdk version "${version}" 2020-01-01' >&2\n`, { mode: 0o755 });
  return home;
}

test('a JAVA_HOME older than 17 is skipped for a newer Java; with none at all the error names what to install', async () => {
  const old = fakeJava('11.0.2');
  const chosen = await resolveJava({ JAVA_HOME: old });
  expect(chosen.java).not.toContain(old);
  expect(chosen.version).toBeGreaterThanOrEqual(17);
  // No java on the PATH, an old JAVA_HOME and no JDK directory: a German error with the fix.
  const err = await resolveJava({ JAVA_HOME: old, PATH: '/nonexistent' } as NodeJS.ProcessEnv, tmp()).catch((e) => e);
  // `java` resolves through the PATH of this process, so only assert the message when it failed.
  if (err instanceof EngineStartError) expect(err.message).toMatch(/Java 17 oder neuer[\s\S]*Java 11[\s\S]*apt-get install/);
  else expect(err.version).toBeGreaterThanOrEqual(17);
});

test('a port in use is reported with the variable that moves it', async () => {
  const blocker = net.createServer();
  const port = await freePort();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  try {
    const engine = await engineOn({ port });
    await expect(engine.preflight()).rejects.toThrow(new RegExp(`Port ${port} ist bereits belegt[\\s\\S]*KIM_ENGINE_PORT`));
  } finally {
    blocker.close();
  }
});

test('the REST API never listens beyond loopback without a password', async () => {
  const engine = await engineOn({ host: '0.0.0.0' });
  await expect(engine.preflight()).rejects.toThrow(/ohne Passwort[\s\S]*KIM_ENGINE_PASSWORD/);
  const guarded = await engineOn({ host: '0.0.0.0', password: 'geheim' });
  await expect(guarded.preflight()).resolves.toEqual(expect.any(String));
});

test('engine arguments: loopback by default, the engine schema of the app database, no password on the command line', () => {
  const args = engineArgs({ cacheDir: '/c', dataDir: '/d', port: 1111, heap: '1g', database: jdbcTarget('postgresql://kim:s3cret@db.local:6543/kim'), password: 'engine-secret' });
  expect(args).toContain('--server.address=127.0.0.1');
  expect(args).toContain('--server.port=1111');
  expect(args).toContain('--spring.datasource.url=jdbc:postgresql://db.local:6543/kim?currentSchema=engine');
  expect(args).toContain('--spring.datasource.username=kim');
  expect(args).toContain('--kim.test-engines.enabled=false');
  expect(args.join(' ')).not.toMatch(/s3cret|engine-secret/);
});

test('the engine jar is rebuilt when its sources change (hash over engine/app)', () => {
  const h = engineSourceHash();
  expect(h).toMatch(/^[0-9a-f]{16}$/);
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'pom.xml'), '<project/>');
  const a = engineSourceHash(dir);
  fs.writeFileSync(path.join(dir, 'src', 'X.java'), 'class X {}');
  expect(engineSourceHash(dir)).not.toBe(a);
});
