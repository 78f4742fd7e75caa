/**
 * The suite's engine JVM serves one engine per test database (kim.test-engines.enabled): opening one
 * for a file's database closes the previous file's engine, so only one job executor polls at a time.
 */
import { jdbcTarget } from '../../engine/engine';

export async function openTestEngine(engineRoot: string, name: string, databaseUrl: string, opts: { exclusive?: boolean } = {}): Promise<string> {
  const db = jdbcTarget(databaseUrl);
  const res = await fetch(`${engineRoot}/kim-admin/engines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, jdbcUrl: `${db.jdbcUrl}?currentSchema=engine`, username: db.username, password: db.password, maxWaitMs: 500, exclusive: opts.exclusive ?? false }),
  });
  if (res.status !== 201) throw new Error(`Test-Engine ${name} konnte nicht angelegt werden: ${res.status} ${await res.text()}`);
  return `${engineRoot}/engine-rest/engine/${name}`;
}

export async function closeTestEngine(engineRoot: string, name: string): Promise<void> {
  const res = await fetch(`${engineRoot}/kim-admin/engines/${name}`, { method: 'DELETE' });
  if (res.status !== 204 && res.status !== 404) throw new Error(`Test-Engine ${name} konnte nicht geschlossen werden: ${res.status}`);
}
