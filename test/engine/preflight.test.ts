/**
 * The engine's preflight names cause and fix before anything starts: Java too old, port in use,
 * disk below the watermark, a version Maven Central does not have.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { engineConfigYaml, EngineError, ensureDistribution, LocalEngine, resolveJavaHome } from '../../engine/engine';
import { freePort } from '../../server/util/ports';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kim-engine-'));

async function engineOn(overrides: Partial<ConstructorParameters<typeof LocalEngine>[0]> = {}) {
  return new LocalEngine({
    version: '8.6.0',
    cacheDir: path.join(os.homedir(), '.cache', 'kim'),
    dataDir: tmp(),
    restPort: await freePort(),
    grpcPort: await freePort(),
    commandPort: await freePort(),
    internalPort: await freePort(),
    managementPort: await freePort(),
    heap: '512m',
    diskWatermark: '512MB',
    ...overrides,
  });
}

test('a JAVA_HOME older than 21 is skipped; with no JDK ≥ 21 at all the error names what to install', async () => {
  const fakeJdk = tmp();
  fs.mkdirSync(path.join(fakeJdk, 'bin'));
  fs.writeFileSync(path.join(fakeJdk, 'bin', 'java'), '#!/bin/sh\necho \'openjdk version "17.0.15" 2025-04-15\' >&2\n', { mode: 0o755 });
  const emptyJvmDir = tmp();
  await expect(resolveJavaHome({ JAVA_HOME: fakeJdk }, emptyJvmDir)).rejects.toThrow(/Java 21 oder neuer.*\n.*Java 17[\s\S]*apt-get install/);
  // The machine's JVM directory has a newer JDK: it is chosen over the old JAVA_HOME.
  const chosen = await resolveJavaHome({ JAVA_HOME: fakeJdk });
  expect(chosen).not.toBe(fakeJdk);
});

test('a port in use is reported with the variable that moves it', async () => {
  const blocker = net.createServer();
  const port = await freePort();
  await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
  try {
    const engine = await engineOn({ restPort: port });
    await expect(engine.preflight()).rejects.toThrow(new RegExp(`Port ${port} ist bereits belegt[\\s\\S]*KIM_ENGINE_REST_PORT`));
  } finally {
    blocker.close();
  }
});

test('too little free disk for the watermark is refused before start with the fix', async () => {
  const engine = await engineOn({ diskWatermark: '999999GB' });
  const err = await engine.preflight().catch((e) => e);
  expect(err).toBeInstanceOf(EngineError);
  expect(err.message).toMatch(/Zu wenig freier Speicher[\s\S]*KIM_ENGINE_DISK_WATERMARK/);
});

test('a version that Maven Central does not publish is named as such', async () => {
  const err = await ensureDistribution({ version: '8.9.11', cacheDir: tmp() }).catch((e) => e);
  expect(err).toBeInstanceOf(EngineError);
  expect(err.message).toMatch(/8\.9\.11.*gibt es auf Maven Central nicht|Maven Central ist nicht erreichbar/);
});

test('the generated engine configuration binds loopback only and uses the given ports and data folder', () => {
  const yaml = engineConfigYaml({ version: '8.6.0', cacheDir: '/c', dataDir: '/d', restPort: 1111, grpcPort: 2222, managementPort: 3333, heap: '1g', diskWatermark: '1GB' });
  expect(yaml).toContain('port: 2222');
  expect(yaml).toContain('port: 1111');
  expect(yaml).toContain('port: 3333');
  expect(yaml).toContain('directory: "/d/data"');
  expect(yaml.match(/host: 127\.0\.0\.1/g)?.length).toBe(2);
  expect(yaml).toContain('address: 127.0.0.1');
  expect(yaml).not.toContain('0.0.0.0');
  expect(yaml).toContain('processing: 1GB');
});
