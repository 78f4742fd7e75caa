/**
 * The mail outbox on the real database and a real SMTP server on loopback: a referral whose mail
 * server refuses is not an engine failure – the step completes, the case shows "Versand ausstehend,
 * nächster Versuch um …", the dispatcher retries with backoff and delivers exactly once. The
 * Postausgang is for the commune's administrators only (403 for every other role, 404 across
 * communes); opening a mail is audit-logged; logs carry no recipient, subject or text.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import type { Stack } from '../../server/stack';
import type { Logger } from '../../server/util/log';
import { freePort } from '../../server/util/ports';
import type { WorkerDeps } from '../../workers/deps';
import { checkReferralConsent } from '../../workers/kim.check-referral-consent';
import { sendReferral } from '../../workers/kim.send-referral';
import type { Job } from '../../workers/runtime';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';

const logLines: string[] = [];
const received: Array<{ to: string[]; raw: string }> = [];
/** While true the SMTP server answers every recipient with a temporary refusal (451). */
let refusing = false;
let smtp: SMTPServer;
let stack: Stack;
let deps: WorkerDeps;
let admin: Session;

beforeAll(async () => {
  const port = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      // The refusal names the address, as real servers do: it must not reach the logs.
      if (refusing) return cb(Object.assign(new Error(`Postfach ${address.address} voruebergehend nicht erreichbar`), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, '') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  stack = await startTestStack({
    workers: false,
    log: pino({ level: 'debug', base: { app: 'kim' } }, sink) as unknown as Logger,
    config: testConfig({ KIM_SMTP_URL: `smtp://127.0.0.1:${port}`, KIM_MAIL_RETRY_MS: '300', KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123', KIM_PUBLIC_URL: 'https://kim.example' }),
  });
  deps = { inbox: stack.services.inbox, log: stack.log, referrals: stack.services.referrals };
  admin = await login(stack.url, 'admin.duisburg');
});
afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

let n = 0;
const job = (referralId: string): Job => ({
  key: `${process.pid}-${++n}`,
  type: 't',
  processInstanceKey: '1',
  processDefinitionKey: '1',
  bpmnProcessId: 'kim-referral',
  elementId: 'Task_Send',
  activityInstanceId: 'Task_Send:1',
  tenantId: 'duisburg',
  retries: null,
  lockExpiresAt: 0,
  properties: {},
  variables: { referralId },
});

async function referral() {
  const tag = `mo-${process.pid}-${++n}`;
  const org = await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Beratungsstelle ${tag}`, type: 'JMD', email: `${tag}@partner.test` } });
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${tag}`, firstName: 'Mira', lastName: `Postfach-${tag}` } });
  const c = await stack.db.case.create({ data: { reference: `R-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const r = await stack.db.referral.create({ data: { caseId: c.id, organisationId: org.id, lifeArea: 'Bildung', purpose: 'Anerkennung des Schulabschlusses' } });
  expect(await checkReferralConsent.handler(job(r.id), deps)).toMatchObject({ kind: 'complete' });
  return { org, client, caseId: c.id, referral: r };
}

const to = (address: string) => received.filter((m) => m.to.includes(address));

test('mail server refuses → the step completes, the case shows the pending send, retry with backoff delivers exactly once', async () => {
  const { org, client, caseId, referral: r } = await referral();
  const cm = await login(stack.url, 'cm.duisburg');
  refusing = true;
  // No engine incident: the worker completes as soon as the mail is queued.
  expect(await sendReferral.handler(job(r.id), deps)).toEqual({ kind: 'complete' });
  const failed = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId, attempts: { gte: 1 } } }), 'erster Versuch abgewiesen');
  expect(failed).toMatchObject({ status: 'pending', lastError: 'SMTP 451', kind: 'referral' });

  const pending = (await (await cm.get(`/api/cases/${caseId}/mail-status`)).json()) as Array<{ kind: string; state: string; error: string }>;
  expect(pending).toHaveLength(1);
  expect(pending[0].kind).toBe('Vermittlung');
  expect(pending[0].state).toMatch(/^Versand ausstehend, nächster Versuch um \d{2}:\d{2} Uhr$/);
  expect(pending[0].error).toBe('Der Mailserver hat vorübergehend abgelehnt (Code 451).');
  // The referral step itself is done (the process goes on).
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('gesendet');

  // Backoff: the next attempts come later and later.
  const second = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId, attempts: { gte: 2 } } }), 'zweiter Versuch');
  expect(second.nextAttemptAt.getTime() - Date.now()).toBeGreaterThan(0);
  refusing = false;
  const sent = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId, status: 'sent' } }), 'nach der Störung zugestellt', 15_000);
  expect(sent.lastError).toBeNull();
  expect(sent.attempts).toBeGreaterThanOrEqual(3);
  expect(to(org.email!)).toHaveLength(1);
  expect(to(org.email!)[0].raw).toContain(`Message-ID: <${sent.id}@kim.example>`);

  // Exactly once: the step delivered again and another dispatch round send nothing more.
  expect(await sendReferral.handler(job(r.id), deps)).toEqual({ kind: 'complete' });
  await stack.services.mail.drain();
  expect(to(org.email!)).toHaveLength(1);
  expect(await stack.db.mailOutbox.count({ where: { caseId } })).toBe(1);
  expect(await (await cm.get(`/api/cases/${caseId}/mail-status`)).json()).toEqual([]);

  // Logs: ids, kinds and error classes – never the address, the subject, the text or the client.
  const logs = logLines.join('');
  expect(logs).toContain('"error":"SMTP 451"');
  expect(logs).toContain(sent.id);
  for (const secret of [org.email!, sent.subject, 'Vermittlungsnummer', '/partner/referrals/', client.lastName, 'voruebergehend']) expect(logs).not.toContain(secret);
});

test('Postausgang: the administrator lists and opens the commune’s mails (audited); every other role gets 403, another commune 404', async () => {
  const { org, caseId, referral: r } = await referral();
  expect(await sendReferral.handler(job(r.id), deps)).toEqual({ kind: 'complete' });
  const row = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId, status: 'sent' } }), 'zugestellt');

  const list = await admin.get(`/api/outbox?sort=${encodeURIComponent('["createdAt","DESC"]')}&range=[0,49]`);
  expect(list.status).toBe(200);
  expect(list.headers.get('content-range')).toMatch(/^outbox 0-\d+\/\d+$/);
  const rows = (await list.json()) as Array<Record<string, unknown>>;
  const item = rows.find((x) => x.id === row.id)!;
  expect(item).toMatchObject({ kind: 'Vermittlung', recipient: org.email, subject: row.subject, status: 'sent', state: 'versendet', attachments: [] });
  expect(item).not.toHaveProperty('body');
  const pendingOnly = (await (await admin.get(`/api/outbox?filter=${encodeURIComponent('{"status":"pending"}')}`)).json()) as Array<{ id: string }>;
  expect(pendingOnly.some((x) => x.id === row.id)).toBe(false);

  const one = await admin.get(`/api/outbox/${row.id}`);
  expect(one.status).toBe(200);
  expect(((await one.json()) as { body: string }).body).toContain('https://kim.example/partner/referrals/');
  expect(await stack.db.auditLog.count({ where: { action: 'outbox.read', entityId: row.id } })).toBe(1);

  for (const username of ['cm.duisburg', 'koord.duisburg', 'abh.duisburg', 'ebh.duisburg', 'land.nrw']) {
    const s = await login(stack.url, username);
    for (const path of ['/api/outbox', `/api/outbox/${row.id}`]) {
      const res = await s.get(path);
      expect([username, path, res.status]).toEqual([username, path, 403]);
      expect(((await res.json()) as { title: string }).title).toBe('Den Postausgang sieht nur die Administration.');
    }
  }

  const model = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin.duisburg' } });
  await stack.db.user.upsert({
    where: { username: 'admin.mettmann-mo' },
    create: { username: 'admin.mettmann-mo', displayName: 'Admin Mettmann', passwordHash: model.passwordHash, role: 'admin', kommuneId: 'mettmann', groups: [] },
    update: {},
  });
  const other = await login(stack.url, 'admin.mettmann-mo');
  expect((await other.get(`/api/outbox/${row.id}`)).status).toBe(404);
  expect(((await (await other.get('/api/outbox')).json()) as Array<{ id: string }>).some((x) => x.id === row.id)).toBe(false);
  // The case's mail state is case content: not for administrators.
  expect((await admin.get(`/api/cases/${caseId}/mail-status`)).status).toBe(403);
});
