/**
 * Error texts never carry personal data. Errors that quote a person are raised on the real parts –
 * PostgreSQL errors repeating a person's name (a unique-constraint violation in its detail, a
 * malformed id in its message; at the HTTP edge and in a worker), a worker handler throwing an error with a name in its message, a domain error quoting
 * a typed-in name inside a worker, and a mail server refusing with the recipient's address in its
 * reply – and then the captured logs, the engine's incidents and external tasks (message and
 * error details through the engine's REST API), every table of the engine's schema (incidents,
 * external tasks, byte arrays, history …), the outbox row and the case's mail status are searched
 * for the name and the address. What remains is a kind and a correlation id, and the controls show
 * the id leads from the incident and the answer to the log line.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { Client } from 'pg';
import { badRequest } from '../../server/errors';
import type { Stack } from '../../server/stack';
import { createLogger } from '../../server/util/log';
import type { WorkerDeps } from '../../workers/deps';
import { run } from '../../workers/process-support';
import type { WorkerDefinition } from '../../workers/runtime';
import { engineHits, expectNotInEngine } from '../support/engine-log';
import { processesDirWith } from '../support/processes';
import { type MailCatcher, startMailCatcher } from '../support/smtp';
import { FIXTURES, login, startTestStack, testConfig, until } from '../support/stack';
import { caseFixture, TENANCY_PID } from './fixtures';

const t = crypto.randomBytes(3).toString('hex');
/** The person the errors quote. */
const NAME = `Erika Mustermann-${t}`;
const EMAIL = `erika.mustermann.${t}@example.org`;
const PERSONAL = [NAME, EMAIL, `Mustermann-${t}`];

let stack: Stack;
let dir: string;
let smtp: MailCatcher;
const lines: string[] = [];
/** Every error the faults raised, to show that they did quote the person. */
const raised: unknown[] = [];
let caseId: string;
let siteId: string;

/**
 * A real error of PostgreSQL that quotes the person: a unique-constraint violation repeats the
 * pseudonym in its detail; a malformed id repeats the value in its message.
 */
async function databaseError(kind: 'unique' | 'syntax' = 'unique'): Promise<Error> {
  const c = new Client({ connectionString: stack.databaseUrl });
  await c.connect();
  try {
    if (kind === 'syntax') await c.query('select id from "Client" where id = $1::uuid', [NAME]);
    else
      await c.query(
        `insert into "Client" (id, "kommuneId", "siteId", pseudonym, "firstName", "lastName", languages, "createdAt", "updatedAt") values (gen_random_uuid(), 'duisburg', $1, $2, 'Erika', 'Mustermann', '{}', now(), now())`,
        [siteId, NAME],
      );
  } catch (e) {
    return e as Error;
  } finally {
    await c.end();
  }
  throw new Error('PostgreSQL hat die Anfrage nicht abgelehnt.');
}

/** The failing step of the tenancy test process, one fault per instance (chosen by the process variable fehlerArt). */
const faultyWorker: WorkerDefinition<WorkerDeps> = {
  type: 'kim.test-tenancy-fail',
  fetchVariables: ['fehlerArt'],
  handler: async (job) => {
    switch (job.variables.fehlerArt) {
      case 'datenbank': {
        const e = await databaseError('unique');
        raised.push(e);
        throw e;
      }
      case 'wurf': {
        const e = new Error(`Konnte die Akte von ${NAME} (${EMAIL}) nicht lesen`);
        raised.push(e);
        throw e;
      }
      default:
        // A domain error quoting what a person typed into a field, through the workers' run().
        return run(async () => {
          const e = badRequest(`Ungültiger Wert „${NAME}“ für die Hilfeart.`, { hilfeart: 'ungültig' });
          raised.push(e);
          throw e;
        });
    }
  },
};

beforeAll(async () => {
  // A mail server that refuses the recipient, repeating the address in its reply.
  smtp = await startMailCatcher({ mode: 'refuse' });

  dir = processesDirWith([]);
  fs.cpSync(path.join(FIXTURES, 'engine-tenancy'), dir, { recursive: true });
  const log = createLogger('debug', { write: (s: string) => void lines.push(s) });
  stack = await startTestStack({ config: testConfig({ KIM_SMTP_URL: smtp.url, KIM_MAIL_RETRY_MS: '600000' }), processesDir: dir, workerDefs: [faultyWorker], log });
  const fx = await caseFixture(stack, 'duisburg-nord');
  caseId = fx.caseId;
  siteId = fx.siteId;
  await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId, pseudonym: NAME, firstName: 'Erika', lastName: `Mustermann-${t}`, languages: [] } });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const logText = () => lines.join('');
const quoted = (x: unknown) => inspect(x, { depth: 6 }) + String((x as Error)?.stack ?? '');

test('database errors at the HTTP edge: the answer and the log carry a kind and the request id, not the name', async () => {
  const cm = await login(stack.url, 'cm.duisburg');
  const inbox = stack.services.inbox;
  const list = inbox.list.bind(inbox);
  for (const [kind, errorKind] of [
    ['syntax', 'DatabaseError 22P02'],
    ['unique', 'DatabaseError 23505'],
  ] as const) {
    inbox.list = async () => {
      const e = await databaseError(kind);
      raised.push(e);
      throw e;
    };
    let res: Response;
    try {
      res = await cm.get('/api/tasks');
    } finally {
      inbox.list = list;
    }
    // The fault does quote the person (in the message itself for a malformed id).
    expect(quoted(raised.at(-1))).toContain(NAME);
    if (kind === 'syntax') expect((raised.at(-1) as Error).message).toContain(NAME);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { title: string; requestId: string };
    expect(JSON.stringify(body)).not.toContain('Mustermann');
    expect(body.title).toMatch(/Anfrage-ID/);
    // The request id the person can name leads to the log line with the kind of error.
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === body.requestId && l.msg === 'unhandled error');
    expect(line).toMatchObject({ errorKind, path: '/api/tasks' });
    expect((line!.frames as string[]).length).toBeGreaterThan(0);
  }
  for (const p of PERSONAL) expect(logText()).not.toContain(p);
});

test('the logger reduces any error it is given to its kind (a second line of defence)', () => {
  const out: string[] = [];
  const log = createLogger('debug', { write: (s: string) => void out.push(s) });
  const e = Object.assign(new Error(`Konnte ${NAME} nicht speichern`), { code: '23505', detail: `Key (pseudonym)=(${NAME}) already exists.` });
  log.error({ err: e }, 'object');
  log.error(e, 'first argument');
  log.warn({ err: e.message }, 'message as string');
  log.warn({ err: 'PrismaClientKnownRequestError P2002', error: 'SMTP 550' }, 'kinds stay');
  const text = out.join('');
  for (const p of PERSONAL) expect(text).not.toContain(p);
  const [a, b, c, d] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(a.err).toEqual({ kind: 'Error 23505' });
  expect(b.err).toEqual({ kind: 'Error 23505' });
  expect(c.err).toBe('[Fehlertext entfernt]');
  expect(d).toMatchObject({ err: 'PrismaClientKnownRequestError P2002', error: 'SMTP 550' });
});

test('a mail server refusing with the address in its reply: outbox, case and log keep the error class only', async () => {
  const key = `fehlertest:${t}`;
  await stack.db.$transaction((tx) => stack.services.mail.enqueue(tx, { key, kommuneId: 'duisburg', caseId, kind: 'referral', recipient: EMAIL, subject: 'Vermittlung', body: 'Guten Tag' }));
  await stack.services.mail.drain();
  const row = await stack.db.mailOutbox.findUniqueOrThrow({ where: { key } });
  expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'SMTP 451' });
  // The server's reply did name the address.
  expect(smtp.stats.refusals.map((r) => r.to)).toContain(EMAIL);
  const cm = await login(stack.url, 'cm.duisburg');
  const status = (await (await cm.get(`/api/cases/${caseId}/mail-status`)).json()) as Array<{ recipient: string; error: string; state: string }>;
  const mine = status.find((m) => m.recipient === EMAIL)!;
  expect(mine.error).toBe('Der Mailserver hat vorübergehend abgelehnt (Code 451).');
  expect(JSON.stringify({ error: mine.error, state: mine.state })).not.toContain('Mustermann');
  expect(lines.some((l) => l.includes(row.id) && l.includes('SMTP 451'))).toBe(true);
  for (const p of PERSONAL) expect(logText()).not.toContain(p);
});

test('worker errors quoting a person (database, thrown, domain): incidents, external tasks, engine tables and logs hold a kind and a correlation id', async () => {
  const kinds = ['datenbank', 'wurf', 'fachlich'] as const;
  const instances: Record<string, string> = {};
  for (const k of kinds) instances[k] = (await stack.engine.runtime.start(TENANCY_PID, 'duisburg', { kommuneId: 'duisburg', caseId, fehlerArt: k })).processInstanceKey;
  // Thrown errors are retried with backoff (1 s, 2 s, 4 s) before the engine raises the incident.
  const incidents = await until(
    async () => {
      const all = await stack.engine.watch.incidents({ tenantId: 'duisburg' });
      const mine = kinds.map((k) => all.find((i) => i.processInstanceKey === instances[k]));
      return mine.every(Boolean) ? mine.map((i) => i!) : null;
    },
    'drei Vorfälle',
    90_000,
  );
  // The faults did quote the person.
  expect(raised.filter((e) => quoted(e).includes(NAME)).length).toBeGreaterThanOrEqual(3);

  const engineUrl = stack.config.KIM_ENGINE_URL!;
  const get = async (p: string) => {
    const r = await fetch(`${engineUrl}${p}`);
    // 204: nothing stored (the error details of a failure without any).
    expect([200, 204]).toContain(r.status);
    return r.text();
  };
  const ids: string[] = [];
  for (const k of kinds) {
    const pi = instances[k];
    const incident = incidents[kinds.indexOf(k)];
    // The incident says what kind of fault and which correlation id (or the domain message without the quote).
    const id = /Fehler-ID ([0-9a-f-]{36})/.exec(incident.message ?? '')?.[1];
    expect({ k, id: !!id }).toEqual({ k, id: true });
    ids.push(id!);
    const texts = [
      await get(`/incident?processInstanceId=${pi}`),
      await get(`/history/incident?processInstanceId=${pi}`),
      await get(`/external-task?processInstanceId=${pi}`),
    ];
    const [task] = JSON.parse(texts[2]) as Array<{ id: string; errorMessage: string | null }>;
    texts.push(await get(`/external-task/${task.id}/errorDetails`));
    for (const text of texts) for (const p of PERSONAL) expect({ k, leaked: text.includes(p) }).toEqual({ k, leaked: false });
    // The correlation id leads from the incident to the log line with the kind of error.
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.correlationId === id);
    expect(logged).toMatchObject({ processInstanceKey: pi, errorKind: k === 'datenbank' ? 'DatabaseError 23505' : k === 'wurf' ? 'Error' : 'DomainError validation' });
  }
  expect(incidents[2].message).toMatch(/^Ungültiger Wert „…“ für die Hilfeart\. \(Felder: hilfeart\) Fehler-ID /);
  // The scan of the engine's tables sees where the messages are (incident, external task) …
  const hits = await engineHits(stack.databaseUrl, [ids[0]]);
  expect(hits.map((h) => h.table)).toEqual(expect.arrayContaining(['act_ru_incident', 'act_ru_ext_task']));
  // … and nowhere in them is the person.
  await expectNotInEngine(stack, PERSONAL);
  for (const p of PERSONAL) expect(logText()).not.toContain(p);
  for (const pi of Object.values(instances)) await stack.engine.runtime.cancel(pi).catch(() => undefined);
}, 180_000);
