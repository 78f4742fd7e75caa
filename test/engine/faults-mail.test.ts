/**
 * Fault: the mail server hangs, then refuses, then comes back. On the real database, the product's
 * mail dispatcher and a real SMTP server on loopback (test/support/smtp.ts, switched between hang,
 * refuse and accept): the referral steps complete at once (no engine incident), every case shows its
 * mail as pending with a German reason while the server is away, the dispatcher retries with growing
 * gaps, and when the server is back every message arrives exactly once – also when the step runs
 * again and another dispatch round follows. Nothing lost, nothing doubled.
 * (The single-refusal path and the Postausgang are in test/api/mail-outbox.test.ts.)
 */
import type { Stack } from '../../server/stack';
import type { WorkerDeps } from '../../workers/deps';
import { checkReferralConsent } from '../../workers/kim.check-referral-consent';
import { sendReferral } from '../../workers/kim.send-referral';
import type { Job } from '../../workers/runtime';
import { MailCatcher, startMailCatcher } from '../support/smtp';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';

let smtp: MailCatcher;
let stack: Stack;
let deps: WorkerDeps;
let cm: Session;

beforeAll(async () => {
  smtp = await startMailCatcher({ mode: 'hang' });
  stack = await startTestStack({
    workers: false,
    config: testConfig({ KIM_SMTP_URL: smtp.url, KIM_MAIL_RETRY_MS: '300', KIM_MAIL_MAX_ATTEMPTS: '30', KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123', KIM_PUBLIC_URL: 'https://kim.example' }),
  });
  deps = { inbox: stack.services.inbox, log: stack.log, referrals: stack.services.referrals };
  cm = await login(stack.url, 'cm.duisburg');
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await smtp?.close();
});

let n = 0;
const job = (referralId: string): Job => ({
  key: `${process.pid}-${++n}`,
  type: sendReferral.type,
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

/** A consented referral of its own case to a partner with its own address. */
async function referral() {
  const tag = `fm-${process.pid}-${++n}`;
  const org = await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Beratungsstelle ${tag}`, type: 'JMD', email: `${tag}@partner.test` } });
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${tag}`, firstName: 'Lea', lastName: `Störung-${tag}` } });
  const c = await stack.db.case.create({ data: { reference: `R-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const r = await stack.db.referral.create({ data: { caseId: c.id, organisationId: org.id, lifeArea: 'Bildung', purpose: 'Sprachkurs' } });
  expect(await checkReferralConsent.handler(job(r.id), deps)).toMatchObject({ kind: 'complete' });
  return { email: org.email!, caseId: c.id, referralId: r.id };
}

const mailStatus = async (caseId: string) => {
  const res = await cm.get(`/api/cases/${caseId}/mail-status`);
  expect(res.status).toBe(200);
  return (await res.json()) as Array<{ kind: string; state: string; error: string | null }>;
};

test('mail server hangs, then refuses, then is back: steps complete at once, the case shows pending, retries back off, each mail arrives exactly once', async () => {
  const refs = [await referral(), await referral(), await referral()];
  const caseIds = refs.map((r) => r.caseId);

  // 1. The server hangs (never greets): the steps still complete – the mail only waits in the outbox.
  for (const r of refs) expect(await sendReferral.handler(job(r.referralId), deps)).toEqual({ kind: 'complete' });
  for (const r of refs) expect((await stack.db.referral.findUniqueOrThrow({ where: { id: r.referralId } })).status).toBe('gesendet');
  const timedOut = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId: { in: caseIds }, attempts: { gte: 1 } } }), 'erster Versuch läuft in die Zeitüberschreitung', 60_000);
  expect(timedOut).toMatchObject({ status: 'pending', lastError: 'ETIMEDOUT' });
  const hungCase = await mailStatus(timedOut.caseId!);
  expect(hungCase).toHaveLength(1);
  expect(hungCase[0]).toMatchObject({ kind: 'Vermittlung', error: 'Der Mailserver hat nicht rechtzeitig geantwortet.' });
  expect(hungCase[0].state).toMatch(/^Versand ausstehend, nächster Versuch um \d{2}:\d{2} Uhr$/);
  expect(smtp.mails).toHaveLength(0);

  // 2. It refuses every recipient (451): each mail is tried again, the gaps between tries grow.
  smtp.setMode('refuse');
  await until(async () => (await stack.db.mailOutbox.count({ where: { caseId: { in: caseIds }, attempts: { gte: 5 } } })) === refs.length, 'jede Mail mehrfach abgewiesen', 60_000);
  for (const caseId of caseIds) {
    const pending = await mailStatus(caseId);
    expect(pending).toHaveLength(1);
    expect(pending[0].state).toMatch(/^Versand ausstehend, nächster Versuch um \d{2}:\d{2} Uhr$/);
    expect(pending[0].error).toBe('Der Mailserver hat vorübergehend abgelehnt (Code 451).');
  }
  for (const r of refs) {
    const at = smtp.stats.refusals.filter((x) => x.to === r.email).map((x) => x.at);
    expect(at.length).toBeGreaterThanOrEqual(3);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    // Exponential backoff from 300 ms: the k-th retry waits at least 300 ms · 2^k (more when the mail
    // also timed out before), and the gaps grow beyond the time a send itself takes.
    gaps.forEach((g, k) => expect(g).toBeGreaterThanOrEqual(300 * 2 ** k - 25));
    expect(gaps[gaps.length - 1]).toBeGreaterThan(gaps[0] * 1.5);
  }
  expect(smtp.mails).toHaveLength(0);

  // 3. Back: every mail goes out, exactly once, with the outbox id as Message-ID.
  smtp.setMode('accept');
  await until(async () => (await stack.db.mailOutbox.count({ where: { caseId: { in: caseIds }, status: 'sent' } })) === refs.length, 'alle Mails zugestellt', 60_000);
  // The step delivered again (a redelivered job) and further dispatch rounds add nothing.
  for (const r of refs) expect(await sendReferral.handler(job(r.referralId), deps)).toEqual({ kind: 'complete' });
  await stack.services.mail.drain();
  await stack.services.mail.drain();

  // Nothing lost, nothing doubled: one outbox row and one delivered mail per referral, none pending.
  for (const r of refs) {
    const rows = await stack.db.mailOutbox.findMany({ where: { caseId: r.caseId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', lastError: null });
    const got = smtp.mails.filter((m) => m.to.includes(r.email));
    expect(got).toHaveLength(1);
    expect(got[0].raw).toContain(`Message-ID: <${rows[0].id}@kim.example>`);
    expect(await mailStatus(r.caseId)).toEqual([]);
  }
  expect(smtp.mails).toHaveLength(refs.length);
}, 240_000);
