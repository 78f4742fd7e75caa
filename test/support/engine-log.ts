/**
 * Proof that text never reached the engine: scans the raw files of the suite's engine (journal
 * segments, snapshots) for the bytes of a marker. Variables are stored as MessagePack, so a string
 * variable appears there byte for byte. A control marker sent to the engine in a message first
 * shows that the scan does see what the engine wrote.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Zeebe } from '../../server/camunda/client';
import { until } from './stack';

function engineDir(): string {
  const runDir = process.env.KIM_TEST_RUN_DIR;
  if (!runDir) throw new Error('KIM_TEST_RUN_DIR fehlt: der Test läuft nicht unter der globalen Test-Einrichtung.');
  return path.join(runDir, 'engine');
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

/** The markers found anywhere in the engine's files. */
export function foundInEngineFiles(markers: string[]): string[] {
  const wanted = markers.map((m) => ({ m, bytes: Buffer.from(m, 'utf8') }));
  const found = new Set<string>();
  for (const file of filesUnder(engineDir())) {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch {
      continue; // a segment deleted by compaction while we walked
    }
    for (const w of wanted) if (!found.has(w.m) && buf.includes(w.bytes)) found.add(w.m);
    if (found.size === wanted.length) break;
  }
  return [...found];
}

/**
 * Asserts that none of the markers is in the engine's files, after showing with a control marker
 * (published in a message variable) that the engine's writes are visible to the scan.
 */
export async function expectNotInEngine(zeebe: Zeebe, markers: string[]): Promise<void> {
  const control = `kim-kontrolle-${randomUUID()}`;
  await zeebe.publishMessage({ name: 'kim-test-engine-scan', correlationKey: control, variables: { kontrolle: control }, timeToLive: 0 });
  await until(async () => foundInEngineFiles([control]).length === 1, 'Kontrollwert in den Engine-Dateien');
  expect(foundInEngineFiles(markers)).toEqual([]);
}
