/**
 * kim-referral on the real engine: every path of the model – consent gate both ways, accepted with
 * outcome feedback, declined, reminder timer (weiter warten / zurückziehen), no reachable partner →
 * system gap, consent revoked before the send – with the e-mail received by a real SMTP server on
 * loopback and the partner answering through the signed link.
 */
import path from 'node:path';
import { ELEMENT, PROCESS_ID } from '../../processes/kim-referral/contract';
import { ROOT } from '../../server/config';
import { EngineConflict } from '../../server/engine/port';
import type { Actor } from '../../server/auth/policy';
import { referralNumber } from '../../server/referrals/referral.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { Mail, MailCatcher, startMailCatcher } from '../support/smtp';

let mailCatcher: MailCatcher;
let mails: Mail[];
let stack: Stack;
let cm: Session;
let actor: Actor;

beforeAll(async () => {
  mailCatcher = await startMailCatcher();
  mails = mailCatcher.mails;
  stack = await startTestStack({
    config: testConfig({ KIM_SMTP_URL: mailCatcher.url, KIM_REFERRAL_REMINDER_AFTER: 'PT2S', KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123' }),
    processesDir: path.join(ROOT, 'processes', 'kim-referral'),
    workerDefs: registry,
  });
  cm = await login(stack.url, 'cm.duisburg');
  const u = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
  actor = { id: u.id, username: u.username, displayName: u.displayName, role: u.role, kommuneId: u.kommuneId, siteId: u.siteId, groups: u.groups };
});
afterAll(async () => {
  await stack?.stop();
  await mailCatcher?.close();
});

let n = 0;
async function setup(opts: { email?: string | null; active?: boolean; consent?: 'covers' | 'none' | 'other-purpose' } = {}) {
  n++;
  const tag = `${Date.now()}-${n}`;
  const org = await stack.db.organisation.create({
    data: { kommuneId: 'duisburg', name: `Sprachkursträger ${tag}`, type: 'Sprachkurstraeger', email: opts.email === undefined ? `kurs-${tag}@partner.test` : opts.email, active: opts.active ?? true },
  });
  const client = await stack.db.client.create({
    data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${tag}`, firstName: 'Amina', lastName: `Yilmaz${n}`, languages: ['Arabisch', 'Deutsch A2'], phone: '0203 123456' },
  });
  const kase = await stack.db.case.create({ data: { reference: `KIM-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  let consentId: string | null = null;
  if (opts.consent && opts.consent !== 'none') {
    const c = await stack.db.consent.create({
      data: {
        caseId: kase.id,
        recipients: [org.id],
        dataCategories: ['Stammdaten', 'Sprachkenntnisse'],
        purposes: [opts.consent === 'covers' ? 'Vermittlung in einen Integrationskurs' : 'Fallkonferenz'],
        validFrom: new Date(Date.now() - 86_400_000),
        validUntil: new Date(Date.now() + 30 * 86_400_000),
      },
    });
    consentId = c.id;
  }
  return { org, client, kase, consentId };
}

async function start(s: Awaited<ReturnType<typeof setup>>, reminderAfter = 'PT1H') {
  const r = await stack.services.referrals.startReferral(actor, { caseId: s.kase.id, organisationId: s.org.id, lifeArea: 'Sprache', purpose: 'Vermittlung in einen Integrationskurs', reminderAfter });
  expect(r.processInstanceKey).toBeTruthy();
  return r;
}

/** Cancels an instance; a worker finishing a step at the same moment makes the engine refuse once (optimistic locking). */
const cancel = (pik: string) =>
  until(
    () =>
      stack.engine.runtime.cancel(pik).then(
        () => true,
        (e: unknown) => (e instanceof EngineConflict ? false : Promise.reject(e)),
      ),
    'Instanz abgebrochen',
  );
const openTask = (pik: string, elementId: string) => until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, elementId, state: 'CREATED' } }), `Aufgabe ${elementId}`);
async function complete(s: Session, taskId: string, variables: Record<string, unknown>) {
  const res = await s.post(`/api/tasks/${taskId}/complete`, { variables });
  expect(res.status).toBe(200);
}
const referralWith = (id: string, status: string) => until(async () => {
  const r = await stack.db.referral.findUniqueOrThrow({ where: { id } });
  return r.status === status ? r : null;
}, `Vermittlung im Status ${status}`);
const mailTo = (address: string) => until(async () => mails.find((m) => m.to.includes(address)), `E-Mail an ${address}`);
const linkOf = (m: Mail) => {
  const match = /\/partner\/referrals\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(m.text);
  expect(match).not.toBeNull();
  return match![0];
};
const page = (p: string) => fetch(`${stack.url}${p}`, { redirect: 'manual' });
const answer = (p: string, form: Record<string, string>) =>
  fetch(`${stack.url}${p}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

test('without a covering consent: contact handed over, anonymous referral sent, partner declines with a reason', async () => {
  const s = await setup({ consent: 'other-purpose' });
  const r = await start(s);
  const t = await openTask(r.processInstanceKey!, ELEMENT.handOverContact);
  expect(t.candidateGroups).toEqual(['case-manager:duisburg']);
  expect(t.name).toBe('Kontakt des Angebots an Klient*in geben');
  expect(t.dueDate).not.toBeNull();
  expect(await stack.db.referral.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ withData: false, consentId: null });
  await complete(cm, t.id, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });

  const mail = await mailTo(s.org.email!);
  expect(mail.text).toContain(referralNumber(r.id));
  expect(mail.text).toContain('keine Einwilligung zur Datenweitergabe');
  expect(mail.raw).not.toContain(s.client.lastName);
  await referralWith(r.id, 'gesendet');
  expect(await stack.db.referralOutbox.count({ where: { referralId: r.id } })).toBe(1);

  const link = linkOf(mail);
  const get = await page(link);
  expect(get.status).toBe(200);
  const html = await get.text();
  expect(html).toContain('<html lang="de">');
  expect(html).toContain('Nehmen Sie die Vermittlung an?');
  expect(html).not.toContain(s.client.lastName);

  const noReason = await answer(link, { action: 'decline', text: '' });
  expect(noReason.status).toBe(400);
  expect(await noReason.text()).toContain('Bitte geben Sie einen Grund für die Ablehnung an.');

  const declined = await answer(link, { action: 'decline', text: 'Kurs ist bis Juni ausgebucht' });
  expect(declined.status).toBe(303);
  const done = await referralWith(r.id, 'abgelehnt');
  expect(done.outcome).toBe('Vom Angebot abgelehnt: Kurs ist bis Juni ausgebucht');
  expect(done.answeredAt).not.toBeNull();
  // a second answer is refused, the page says it was answered
  const again = await answer(link, { action: 'accept' });
  expect(again.status).toBe(409);
});

test('with a covering consent: released, data shown on the partner page, accepted, then the outcome is reported', async () => {
  const s = await setup({ consent: 'covers' });
  const r = await start(s);
  const t = await openTask(r.processInstanceKey!, ELEMENT.releaseReferral);
  expect(await stack.db.referral.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ withData: true, consentId: s.consentId });
  await complete(cm, t.id, { freigegeben: true });

  const mail = await mailTo(s.org.email!);
  expect(mail.raw).not.toContain(s.client.lastName); // the e-mail itself never carries personal data
  const link = linkOf(mail);
  const html = await (await page(link)).text();
  expect(html).toContain(`Amina ${s.client.lastName}`);
  expect(html).toContain('Arabisch');
  expect(html).not.toContain('0203 123456'); // contact data are not covered by the consent

  expect((await answer(link, { action: 'accept' })).status).toBe(303);
  await referralWith(r.id, 'angenommen');
  const after = await (await page(`${link}?erledigt=accept`)).text();
  expect(after).toContain('Rückmeldung zum Ergebnis');

  expect((await answer(link, { action: 'outcome', text: 'Integrationskurs am 3. März begonnen' })).status).toBe(303);
  const done = await referralWith(r.id, 'abgeschlossen');
  expect(done.outcome).toBe('Ergebnis laut Angebot: Integrationskurs am 3. März begonnen');
  const audit = await stack.db.auditLog.findMany({ where: { entity: 'Referral', entityId: r.id } });
  expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['referrals.create', 'referrals.shared_with_data', 'referrals.partner_view', 'referrals.angenommen', 'referrals.abgeschlossen']));
});

test('no answer before the deadline: a reminder task; waiting on, then withdrawing', async () => {
  const s = await setup();
  const r = await start(s, 'PT2S');
  await complete(cm, (await openTask(r.processInstanceKey!, ELEMENT.handOverContact)).id, { kontaktUebergabe: 'telefonisch', kontaktUebergeben: true });
  await mailTo(s.org.email!);
  const first = await openTask(r.processInstanceKey!, ELEMENT.followUp);
  expect(first.name).toBe('Beim Angebot nachfassen');
  await complete(cm, first.id, { nachfassenErgebnis: 'weiter_warten' });
  const second = await until(
    () => stack.db.task.findFirst({ where: { processInstanceKey: r.processInstanceKey!, elementId: ELEMENT.followUp, state: 'CREATED', id: { not: first.id } } }),
    'zweite Erinnerung nach erneutem Fristablauf',
  );
  await complete(cm, second.id, { nachfassenErgebnis: 'zurueckziehen' });
  const done = await referralWith(r.id, 'abgebrochen');
  expect(done.outcome).toMatch(/^Zurückgezogen/);
  const html = await (await page(linkOf(mails.find((m) => m.to.includes(s.org.email!))!))).text();
  expect(html).toContain('Diese Vermittlung ist abgeschlossen.');
});

test('a partner answer while the reminder task is open is kept and correlated once the process waits again', async () => {
  const s = await setup();
  const r = await start(s, 'PT2S');
  await complete(cm, (await openTask(r.processInstanceKey!, ELEMENT.handOverContact)).id, { kontaktUebergabe: 'schriftlich', kontaktUebergeben: true });
  const link = linkOf(await mailTo(s.org.email!));
  const reminder = await openTask(r.processInstanceKey!, ELEMENT.followUp);
  expect((await answer(link, { action: 'accept' })).status).toBe(303);
  await complete(cm, reminder.id, { nachfassenErgebnis: 'weiter_warten' });
  await referralWith(r.id, 'angenommen');
});

test('an answer while the process waits is delivered at once; the same answer twice is refused', async () => {
  const s = await setup();
  const r = await start(s);
  await complete(cm, (await openTask(r.processInstanceKey!, ELEMENT.handOverContact)).id, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });
  const link = linkOf(await mailTo(s.org.email!));
  await referralWith(r.id, 'gesendet');
  expect((await answer(link, { action: 'accept' })).status).toBe(303);
  await referralWith(r.id, 'angenommen');
  expect(await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${r.id}:accepted` } })).toMatchObject({ state: 'DELIVERED', processInstanceKey: r.processInstanceKey });
  expect((await answer(link, { action: 'accept' })).status).toBe(409);
  expect(await stack.db.pendingMessage.count({ where: { correlationValue: r.id } })).toBe(1);
  await cancel(r.processInstanceKey!);
});

test('an answer after the process ended is recorded on the referral but nothing is kept for the engine', async () => {
  const s = await setup();
  const r = await start(s);
  await complete(cm, (await openTask(r.processInstanceKey!, ELEMENT.handOverContact)).id, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });
  const link = linkOf(await mailTo(s.org.email!));
  await referralWith(r.id, 'gesendet');
  await cancel(r.processInstanceKey!);
  expect((await answer(link, { action: 'decline', text: 'Kein Platz mehr frei' })).status).toBe(303);
  expect(await stack.db.referralEvent.count({ where: { referralId: r.id, kind: 'declined' } })).toBe(1);
  expect(await stack.db.pendingMessage.findUniqueOrThrow({ where: { messageId: `${r.id}:declined` } })).toMatchObject({ state: 'DROPPED' });
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('gesendet');
});

test('no reachable partner (no e-mail address): a system gap for the steering, no task of its own, nothing is sent', async () => {
  const s = await setup({ email: null });
  const r = await start(s);
  // The referral ends: the coordination is asked once, by the steering process that takes the gap in.
  await until(async () => !(await stack.engine.runtime.isRunning(r.processInstanceKey!)), 'Vermittlung beendet');
  expect(await stack.db.task.count({ where: { processInstanceKey: r.processInstanceKey! } })).toBe(0);
  const gaps = await stack.db.systemGap.findMany({ where: { kommuneId: 'duisburg', title: { contains: s.org.name } } });
  expect(gaps).toHaveLength(1);
  expect(gaps[0]).toMatchObject({ lifeArea: 'Sprache', status: 'gemeldet' });
  expect(gaps[0].description).not.toContain(s.client.lastName);
  const ref = await referralWith(r.id, 'abgebrochen');
  expect(ref.outcome).toContain('Systemlücke');
  expect(await stack.db.referralOutbox.count({ where: { referralId: r.id } })).toBe(0);
});

test('a partner marked as not reachable also leads to the system gap', async () => {
  const s = await setup({ active: false });
  const r = await start(s);
  await until(async () => !(await stack.engine.runtime.isRunning(r.processInstanceKey!)), 'Vermittlung beendet');
  expect(await stack.db.systemGap.count({ where: { kommuneId: 'duisburg', title: { contains: s.org.name } } })).toBe(1);
  expect((await referralWith(r.id, 'abgebrochen')).outcome).toContain('als nicht erreichbar markiert');
});

test('consent revoked while the referral waits to be sent: nothing is sent and the referral says why', async () => {
  const s = await setup({ consent: 'covers' });
  const r = await start(s);
  const t = await openTask(r.processInstanceKey!, ELEMENT.releaseReferral);
  await stack.db.consent.update({ where: { id: s.consentId! }, data: { revokedAt: new Date(), revokeReason: 'Klientin hat widerrufen' } });
  await complete(cm, t.id, { freigegeben: true });
  const done = await referralWith(r.id, 'abgebrochen');
  expect(done.outcome).toMatch(/^Nicht gesendet: Die Einwilligung wurde vor dem Versand widerrufen am \d{1,2}\.\d{1,2}\.\d{4}\.$/);
  expect(await stack.db.referralOutbox.count({ where: { referralId: r.id } })).toBe(0);
  expect(mails.some((m) => m.to.includes(s.org.email!))).toBe(false);
});

test('the signed link: tampered or garbage → 400, expired → 410, both as German pages', async () => {
  const s = await setup();
  const r = await start(s);
  const good = stack.services.referrals.signLink(r.id, new Date(Date.now() + 3600_000));
  const [payload, sig] = good.split('.');
  const tampered = `${payload}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
  for (const bad of [tampered, 'kaputt', `${Buffer.from(JSON.stringify({ r: r.id, e: 9999999999 })).toString('base64url')}.${sig}`]) {
    const res = await page(`/partner/referrals/${bad}`);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Link ungültig');
    expect(html).toContain('lang="de"');
    expect((await answer(`/partner/referrals/${bad}`, { action: 'accept' })).status).toBe(400);
  }
  const expired = stack.services.referrals.signLink(r.id, new Date(Date.now() - 1000));
  const res = await page(`/partner/referrals/${expired}`);
  expect(res.status).toBe(410);
  expect(await res.text()).toContain('Link abgelaufen');
  // the partner page needs no session and is not behind the API's CSRF check
  expect((await page(`/partner/referrals/${good}`)).status).toBe(200);
  await cancel(r.processInstanceKey!);
});

test('started as a called process (only ids, no reminderAfter): the configured reminder applies and the instance is linked', async () => {
  const s = await setup();
  const row = await stack.db.referral.create({ data: { caseId: s.kase.id, organisationId: s.org.id, lifeArea: 'Arbeit', purpose: 'Bewerbungstraining' } });
  const pik = (await stack.engine.runtime.start(PROCESS_ID, 'duisburg', { caseId: s.kase.id, kommuneId: 'duisburg', referralId: row.id })).processInstanceKey;
  await complete(cm, (await openTask(pik, ELEMENT.handOverContact)).id, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });
  await mailTo(s.org.email!);
  // KIM_REFERRAL_REMINDER_AFTER of this stack is PT2S
  await openTask(pik, ELEMENT.followUp);
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: row.id } })).processInstanceKey).toBe(pik);
  await cancel(pik);
});

test('the model is deployed under its process id', () => {
  expect(stack.deployment.deployed.map((d) => d.resourceId)).toContain(PROCESS_ID);
});
