/** GET /api/health answers 200 only when database, engine and workers are up, and says what is down. */
import type { Stack } from '../../server/stack';
import { startTestStack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

test('all up → 200 with database, engine, workers and version', async () => {
  const res = await fetch(`${stack.url}/api/health`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, any>;
  expect(body.status).toBe('UP');
  expect(body.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(body.database.status).toBe('UP');
  expect(body.engine).toMatchObject({ status: 'UP', kind: 'Operaton' });
  expect(body.workers.workers.map((w: { type: string }) => w.type)).toContain('kim.record-first-contact');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
});

test('workers stopped → 503 naming the workers as down', async () => {
  await stack.stopWorkers();
  const res = await fetch(`${stack.url}/api/health`);
  expect(res.status).toBe(503);
  const body = (await res.json()) as Record<string, any>;
  expect(body.status).toBe('DOWN');
  expect(body.workers.status).toBe('DOWN');
  expect(body.database.status).toBe('UP');
  stack.startWorkers();
  expect((await fetch(`${stack.url}/api/health`)).status).toBe(200);
});

test('unknown API paths and broken JSON get German problem bodies, not stack traces', async () => {
  const unknown = await fetch(`${stack.url}/api/gibt-es-nicht`);
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(((await unknown.json()) as { title: string }).title).toMatch(/Unbekannte Adresse/);
  const broken = await fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
  expect(broken.status).toBe(400);
  const body = (await broken.json()) as { title: string; stack?: string };
  expect(body.title).toBe('Der Inhalt der Anfrage ist kein gültiges JSON.');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
});
