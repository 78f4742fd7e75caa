/**
 * The kim-referral workers against the real test database with the real mail outbox and dispatcher
 * in front of a counting fake SMTP transport (no engine): each handler's outcome, and the same job
 * delivered twice (also concurrently) → one e-mail, one outbox row, one system gap.
 */
import { ERR } from '../../../processes/kim-referral/contract';
import { createPrisma, Db } from '../../../server/db/prisma';
import { ReferralRepository } from '../../../server/referrals/referral.repository';
import { consentCovers, ReferralService } from '../../../server/referrals/referral.service';
import { createLogger } from '../../../server/util/log';
import { waitFor } from '../../../server/util/ports';
import type { MailMessage } from '../../../server/util/mailer';
import { AuditService } from '../../../server/audit/audit.service';
import { MailDispatcher } from '../../../server/mail/dispatcher';
import { MailService } from '../../../server/mail/mail.service';
import { MailOutboxRepository } from '../../../server/mail/outbox.repository';
import { until } from '../../support/stack';
import { seed } from '../../../prisma/seed';
import type { WorkerDeps } from '../../../workers/deps';
import { checkReferralConsent } from '../../../workers/kim.check-referral-consent';
import { checkReferralPartner } from '../../../workers/kim.check-referral-partner';
import { recordReferralOutcome } from '../../../workers/kim.record-referral-outcome';
import { reportSystemGap } from '../../../workers/kim.report-system-gap';
import { sendReferral } from '../../../workers/kim.send-referral';
import type { Job } from '../../../workers/runtime';

let db: Db;
let deps: WorkerDeps;
const sent: MailMessage[] = [];
/** While true the fake SMTP transport refuses every mail. */
let failing = false;
/**
 * Set by a test: queueing a mail (inside the outbox row's lock) waits until this resolves. Only the
 * queueing step: holding the SMTP send too let the dispatcher (kicked by the first job's commit) wait
 * for a lock that was already released, fail the attempt on the timeout and send after the test's
 * drain – the mail then counted in the next test.
 */
let holdQueue: (() => Promise<unknown>) | null = null;
let mail: MailService;
let dispatcher: MailDispatcher;

beforeAll(async () => {
  db = createPrisma(process.env.KIM_TEST_DATABASE_URL!);
  await seed(db);
  const mailer = {
    async send(m: MailMessage) {
      if (failing) throw new Error('SMTP nicht erreichbar');
      sent.push(m);
      return { messageId: `<${sent.length}@test>` };
    },
    close() {},
  };
  // No engine: the workers never start instances or send messages.
  const noEngine = {
    start: () => Promise.reject(new Error('keine Engine im Worker-Test')),
  };
  const noMessages = { send: () => Promise.reject(new Error('keine Engine im Worker-Test')) };
  const repo = new MailOutboxRepository(db);
  dispatcher = new MailDispatcher(repo, mailer, createLogger('silent'), { retryBaseMs: 50, maxDelayMs: 50, maxAttempts: 5, messageIdDomain: 'kim.example' });
  mail = new MailService(db, repo, dispatcher, new AuditService(db), false);
  // Holding the queueing step (inside the outbox row's lock) forces the race of two deliveries.
  const queue = {
    async enqueue(...args: Parameters<MailService['enqueue']>) {
      if (holdQueue) await holdQueue();
      return mail.enqueue(...args);
    },
    kick: () => mail.kick(),
  };
  const referrals = new ReferralService(new ReferralRepository(db), noEngine, noMessages, queue, { linkSecret: 'x'.repeat(32), linkTtlDays: 30, publicUrl: 'https://kim.example', reminderAfter: 'PT1H' });
  deps = { inbox: undefined as never, log: createLogger('silent'), referrals };
});
afterAll(async () => {
  await dispatcher?.stop();
  await db?.$disconnect();
});

let n = 0;
async function referral(opts: { email?: string | null; active?: boolean; consent?: boolean } = {}) {
  n++;
  const tag = `uw-${process.pid}-${n}`;
  const org = await db.organisation.create({ data: { kommuneId: 'duisburg', name: `JMD ${tag}`, type: 'JMD', email: opts.email === undefined ? `${tag}@partner.test` : opts.email, active: opts.active ?? true } });
  const client = await db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${tag}`, firstName: 'Unit', lastName: `Kundin-${tag}` } });
  const c = await db.case.create({ data: { reference: `R-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  if (opts.consent) {
    await db.consent.create({ data: { caseId: c.id, recipients: [org.id], dataCategories: ['Stammdaten'], purposes: ['Vermittlung'], validFrom: new Date(Date.now() - 86_400_000) } });
  }
  return db.referral.create({ data: { caseId: c.id, organisationId: org.id, lifeArea: 'Bildung', purpose: 'Beratung Schulanerkennung' } });
}
const job = (referralId: string, properties: Record<string, string> = {}): Job => ({
  key: String(Math.random()),
  type: 't',
  processInstanceKey: '1',
  processDefinitionKey: '1',
  bpmnProcessId: 'kim-referral',
  elementId: 'Task_X',
  activityInstanceId: 'Task_X:1',
  tenantId: null,
  retries: null,
  lockExpiresAt: 0,
  properties,
  variables: { referralId },
});

test('kim.check-referral-partner: reachable completes; no e-mail or inactive → Err_PartnerUnreachable', async () => {
  expect(await checkReferralPartner.handler(job((await referral()).id), deps)).toEqual({ kind: 'complete', variables: { reminderAfter: 'PT1H' } });
  expect(await checkReferralPartner.handler({ ...job((await referral()).id), variables: { referralId: (await referral()).id, reminderAfter: 'P3D' } }, deps)).toEqual({ kind: 'complete', variables: undefined });
  expect(await checkReferralPartner.handler(job((await referral({ email: null })).id), deps)).toMatchObject({ kind: 'error', code: ERR.partnerUnreachable });
  expect(await checkReferralPartner.handler(job((await referral({ active: false })).id), deps)).toMatchObject({ kind: 'error', code: ERR.partnerUnreachable });
  expect(await checkReferralPartner.handler({ ...job('x'), variables: {} }, deps)).toMatchObject({ kind: 'fail' });
  expect(await checkReferralPartner.handler(job('x'), { ...deps, referrals: undefined })).toMatchObject({ kind: 'fail' });
});

test('kim.check-referral-consent: the gate both ways, twice gives the same answer', async () => {
  const withC = await referral({ consent: true });
  const out = await checkReferralConsent.handler(job(withC.id), deps);
  expect(out).toMatchObject({ kind: 'complete', variables: { withData: true } });
  expect(await checkReferralConsent.handler(job(withC.id), deps)).toEqual(out);
  const without = await referral();
  expect(await checkReferralConsent.handler(job(without.id), deps)).toEqual({ kind: 'complete', variables: { withData: false, consentId: null } });
});

test('consentCovers: revoked, not yet valid, expired, other recipient, other purpose', () => {
  const today = new Date('2026-05-10T10:00:00Z');
  const base = { id: 'c', recipients: ['org'], purposes: ['Sprachkurs'], validFrom: new Date('2026-05-01'), validUntil: new Date('2026-05-10'), revokedAt: null };
  expect(consentCovers(base, 'org', 'sprachkurs', today)).toBe(true);
  expect(consentCovers({ ...base, purposes: ['Vermittlung'] }, 'org', 'Wohnungssuche', today)).toBe(true);
  expect(consentCovers({ ...base, revokedAt: new Date('2026-05-09') }, 'org', 'Sprachkurs', today)).toBe(false);
  expect(consentCovers({ ...base, validFrom: new Date('2026-05-11') }, 'org', 'Sprachkurs', today)).toBe(false);
  expect(consentCovers({ ...base, validUntil: new Date('2026-05-09') }, 'org', 'Sprachkurs', today)).toBe(false);
  expect(consentCovers(base, 'other', 'Sprachkurs', today)).toBe(false);
  expect(consentCovers(base, 'org', 'Fallkonferenz', today)).toBe(false);
});

test('kim.send-referral: the same job twice (also at the same time) → one e-mail and one outbox row', async () => {
  const r = await referral();
  await checkReferralConsent.handler(job(r.id), deps);
  const before = sent.length;
  // The mail of whichever job holds the outbox row is queued only once the other job demonstrably
  // waits for that row's lock: the race is forced, not left to timing.
  holdQueue = () =>
    waitFor(
      async () => (await db.$queryRaw<Array<{ n: number }>>`select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database()`)[0].n > 0,
      { timeoutMs: 10_000, intervalMs: 10, what: 'zweiter Job wartet auf die Sperre der Outbox-Zeile' },
    );
  const [a, b] = await Promise.all([sendReferral.handler(job(r.id), deps), sendReferral.handler(job(r.id), deps)]).finally(() => (holdQueue = null));
  expect(a).toMatchObject({ kind: 'complete' });
  expect(b).toMatchObject({ kind: 'complete' });
  expect(await sendReferral.handler(job(r.id), deps)).toMatchObject({ kind: 'complete' });
  await mail.drain();
  expect(sent.length - before).toBe(1);
  expect(await db.referralOutbox.count({ where: { referralId: r.id } })).toBe(1);
  expect(await db.mailOutbox.findMany({ where: { caseId: r.caseId }, select: { status: true, attempts: true, kind: true } })).toEqual([{ status: 'sent', attempts: 1, kind: 'referral' }]);
  const row = await db.referral.findUniqueOrThrow({ where: { id: r.id } });
  expect(row.status).toBe('gesendet');
  expect(sent[sent.length - 1].text).toContain('https://kim.example/partner/referrals/');
});

test('kim.send-referral: an SMTP failure does not fail the step; the mail outbox retries with backoff and sends once', async () => {
  const r = await referral();
  await checkReferralConsent.handler(job(r.id), deps);
  await mail.drain();
  const before = sent.length;
  failing = true;
  expect(await sendReferral.handler(job(r.id), deps)).toMatchObject({ kind: 'complete' }); // queued: the step is done
  const failed = await until(() => db.mailOutbox.findFirst({ where: { caseId: r.caseId, attempts: { gte: 2 } } }), 'zwei Versuche gezählt');
  failing = false;
  expect(failed).toMatchObject({ status: 'pending', lastError: 'UNKNOWN' }); // the error class, never the server's text
  expect(failed!.nextAttemptAt.getTime()).toBeGreaterThan(failed!.createdAt.getTime());
  const done = await until(() => db.mailOutbox.findFirst({ where: { caseId: r.caseId, status: 'sent' } }), 'nach der Störung zugestellt');
  await mail.drain();
  expect(sent.length - before).toBe(1);
  expect(done.attempts).toBeGreaterThanOrEqual(3);
  expect(done.lastError).toBeNull();
  expect(await sendReferral.handler(job(r.id), deps)).toMatchObject({ kind: 'complete' });
  await mail.drain();
  expect(sent.length - before).toBe(1);
});

test('kim.send-referral: consent revoked after the gate → Err_ConsentRevoked, nothing sent', async () => {
  const r = await referral({ consent: true });
  await checkReferralConsent.handler(job(r.id), deps);
  const { consentId } = await db.referral.findUniqueOrThrow({ where: { id: r.id } });
  await db.consent.update({ where: { id: consentId! }, data: { revokedAt: new Date() } });
  const before = sent.length;
  expect(await sendReferral.handler(job(r.id), deps)).toMatchObject({ kind: 'error', code: ERR.consentRevoked });
  expect(await sendReferral.handler(job(r.id), deps)).toMatchObject({ kind: 'error', code: ERR.consentRevoked });
  expect(sent.length).toBe(before);
  expect(await db.referralEvent.count({ where: { referralId: r.id, kind: 'stopped' } })).toBe(1);
  expect(await recordReferralOutcome.handler(job(r.id, { result: 'gestoppt' }), deps)).toMatchObject({ kind: 'complete' });
  expect((await db.referral.findUniqueOrThrow({ where: { id: r.id } })).outcome).toContain('widerrufen');
});

test('kim.record-referral-outcome: the property decides, twice → one audit row; unknown property → fail', async () => {
  const r = await referral();
  await db.referralEvent.create({ data: { referralId: r.id, kind: 'declined', reason: 'keine Plätze' } });
  expect(await recordReferralOutcome.handler(job(r.id, { result: 'abgelehnt' }), deps)).toMatchObject({ kind: 'complete' });
  expect(await recordReferralOutcome.handler(job(r.id, { result: 'abgelehnt' }), deps)).toMatchObject({ kind: 'complete' });
  expect(await db.referral.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ status: 'abgelehnt', outcome: 'Vom Angebot abgelehnt: keine Plätze' });
  expect(await db.auditLog.count({ where: { entityId: r.id, action: 'referrals.abgelehnt' } })).toBe(1);
  expect(await recordReferralOutcome.handler(job(r.id, { result: 'irgendwas' }), deps)).toMatchObject({ kind: 'fail' });
});

test('kim.report-system-gap: twice (also at the same time) → one SystemGap', async () => {
  const r = await referral({ email: null });
  const [a, b] = await Promise.all([reportSystemGap.handler(job(r.id), deps), reportSystemGap.handler(job(r.id), deps)]);
  expect(a).toMatchObject({ kind: 'complete' });
  expect(b).toEqual(a);
  expect(await reportSystemGap.handler(job(r.id), deps)).toEqual(a);
  const gapId = (a as unknown as { variables: { systemGapId: string } }).variables.systemGapId;
  const gap = await db.systemGap.findUniqueOrThrow({ where: { id: gapId } });
  expect(gap).toMatchObject({ kommuneId: 'duisburg', lifeArea: 'Bildung', status: 'gemeldet' });
  expect(gap.description).not.toContain('Kundin-'); // no client name
  expect(await db.referral.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ status: 'abgebrochen' });
});
