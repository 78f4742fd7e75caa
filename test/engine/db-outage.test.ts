/**
 * PostgreSQL restarts while people work: meanwhile the API answers 503 with a German message (no 500,
 * no stack, no driver text, no personal data), afterwards it works again without a restart of the
 * server, and no request half-wrote: every note that exists has its audit row and vice versa, every
 * 201 names a stored note. Runs on a PostgreSQL server of its own (test/support/private-postgres.ts),
 * so stopping it disturbs no other test file; afterAll removes it even when the test fails.
 */
import pino from 'pino';
import type { Stack } from '../../server/stack';
import type { Logger } from '../../server/util/log';
import { caseFixture, taskFor } from '../api/fixtures';
import { openTaskEvents } from '../support/events';
import { startPrivatePostgres, PrivatePostgres } from '../support/private-postgres';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';

let pg: PrivatePostgres;
let stack: Stack | undefined;
const logLines: string[] = [];

beforeAll(async () => {
  pg = await startPrivatePostgres();
  // The suite's engine only answers pings here (nothing is deployed); the database is the private one.
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }) as unknown as Logger;
  stack = await startTestStack({ config: testConfig({ DATABASE_URL: pg.urlFor('kim'), KIM_ENGINE_URL: process.env.KIM_TEST_ENGINE_URL! }), workers: false, log });
}, 300_000);

afterAll(async () => {
  try {
    await stack?.stop();
  } finally {
    await pg?.dispose();
  }
}, 120_000);

interface Outcome {
  text: string;
  status: number;
  body: Record<string, unknown>;
}

/** German 503 problem without internals: no stack, no driver text, no host, not the text sent. */
function expectOutage(status: number, body: Record<string, unknown>, sent?: string) {
  expect(status).toBe(503);
  expect(body.type).toBe('urn:kim:problem:database_unavailable');
  expect(body.title).toMatch(/^Die Datenbank ist gerade nicht erreichbar\./);
  const raw = JSON.stringify(body);
  for (const leak of ['stack', 'Prisma', 'ECONN', '127.0.0.1', String(pg.port), 'invocation', 'postgres']) expect(raw).not.toContain(leak);
  if (sent) expect(raw).not.toContain(sent);
}

const json = async (res: Response) => ((await res.text().then((t) => (t ? JSON.parse(t) : {}))) as Record<string, unknown>);

test('PostgreSQL restarts: 503 in German meanwhile, reconnects by itself, no half-written request', async () => {
  const s = stack!;
  const cm: Session = await login(s.url, 'cm.duisburg');
  const f = await caseFixture(s, 'duisburg-nord');
  const first = await cm.post('/api/notes', { caseId: f.caseId, text: 'Vor dem Ausfall' });
  expect(first.status).toBe(201);

  // Writers keep adding notes (note row + audit row in one transaction) across the restart.
  const outcomes: Outcome[] = [];
  let writing = true;
  const writer = async (w: number) => {
    // Bounded in count; paced so a refused connection does not turn into a busy loop.
    for (let i = 0; writing && i < 400; i++) {
      const text = `Ausfall-Notiz ${w}-${i} Familie Yılmaz`;
      const res = await cm.post('/api/notes', { caseId: f.caseId, text }).catch(() => null);
      if (res) outcomes.push({ text, status: res.status, body: await json(res) });
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const writers = [0, 1, 2].map(writer);
  try {
    await until(async () => outcomes.filter((o) => o.status === 201).length >= 6, 'Schreiben vor dem Ausfall');

    await pg.stop();
    // While it is down: writes, reads, sign-in and health answer 503, in German, without internals.
    await until(async () => outcomes.some((o) => o.status === 503), 'eine Schreibanfrage bekommt 503');
    const during = await cm.post('/api/notes', { caseId: f.caseId, text: 'Während des Ausfalls Familie Yılmaz' });
    expectOutage(during.status, await json(during), 'Yılmaz');
    expect(during.headers.get('retry-after')).toBe('5');
    expect(during.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const read = await cm.get(`/api/notes?filter=${encodeURIComponent(JSON.stringify({ caseId: f.caseId }))}`);
    expectOutage(read.status, await json(read));
    const signIn = await fetch(`${s.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cm2.duisburg', password: 'kim-demo' }) });
    expectOutage(signIn.status, await json(signIn));
    const health = await fetch(`${s.url}/api/health`);
    expect(health.status).toBe(503);
    const h = (await health.json()) as { database: { status: string; error: string } };
    expect(h.database).toEqual({ status: 'DOWN', error: 'nicht erreichbar' });

    // Back: the same server process (its pool, its session) works again without being restarted.
    await pg.start();
    await until(async () => (await cm.get(`/api/notes?filter=${encodeURIComponent(JSON.stringify({ caseId: f.caseId }))}`)).status === 200, 'Lesen nach dem Neustart', 60_000);
    const after = await cm.post('/api/notes', { caseId: f.caseId, text: 'Nach dem Ausfall' });
    expect(after.status).toBe(201);
    const countBefore = outcomes.length;
    await until(async () => outcomes.slice(countBefore).filter((o) => o.status === 201).length >= 3, 'Schreiben nach dem Neustart');
  } finally {
    writing = false;
    await Promise.all(writers);
  }

  // Every answer was a success or the German 503 – never a 500.
  const statuses = new Set(outcomes.map((o) => o.status));
  expect([...statuses].sort()).toEqual([201, 503]);
  for (const o of outcomes.filter((x) => x.status === 503)) expectOutage(o.status, o.body, 'Yılmaz');

  // Nothing half-written: notes and their audit rows come in pairs; each 201 names a stored note.
  const notes = await s.db.note.findMany({ where: { caseId: f.caseId, text: { startsWith: 'Ausfall-Notiz' } }, select: { id: true, text: true } });
  const audits = await s.db.auditLog.findMany({ where: { action: 'notes.create', caseId: f.caseId }, select: { entityId: true } });
  const auditIds = new Set(audits.map((a) => a.entityId));
  const noteIds = new Set((await s.db.note.findMany({ where: { caseId: f.caseId }, select: { id: true } })).map((n) => n.id));
  for (const n of notes) expect(auditIds.has(n.id)).toBe(true);
  for (const id of auditIds) expect(noteIds.has(id!)).toBe(true);
  const created = outcomes.filter((o) => o.status === 201);
  const stored = new Set(notes.map((n) => n.text));
  for (const o of created) {
    expect(stored.has(o.text)).toBe(true);
    expect(noteIds.has(String(o.body.id))).toBe(true);
  }
  // A request refused during the outage left nothing behind, except one whose commit the server
  // saw go through an instant before the connection dropped (then it is complete, see above).
  const refusedStored = outcomes.filter((o) => o.status === 503 && stored.has(o.text)).length;
  expect(refusedStored).toBeLessThanOrEqual(3);
  expect(notes.length).toBe(created.length + refusedStored);

  // The live inbox's LISTEN connection came back too: a new task reaches an open stream.
  const events = await openTaskEvents(s.url, cm.cookie);
  try {
    expect(events.status).toBe(200);
    await events.waitFor((e) => e.type === 'ready', { what: 'Live-Strom bereit' });
    await until(async () => {
      const from = events.events.length;
      await taskFor(s, f.caseId, 'case-manager:duisburg-nord');
      return events.waitFor((e) => e.type === 'tasks', { from, timeoutMs: 3000, what: 'Live-Ereignis nach dem Neustart' }).then(() => true, () => false);
    }, 'Live-Aktualisierung nach dem Neustart', 60_000);
  } finally {
    events.close();
  }

  // The log names the failure by kind: no unhandled errors, no stack, nothing the user typed.
  const log = logLines.join('');
  expect(log).toContain('database unavailable');
  expect(log).not.toContain('unhandled error');
  expect(log).not.toContain('Yılmaz');
}, 300_000);
