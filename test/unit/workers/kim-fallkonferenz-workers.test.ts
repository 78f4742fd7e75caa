/**
 * The kim-fallkonferenz workers against the real test database and a loopback SMTP server (no
 * process instance involved): every handler with the same job delivered twice – one after the other
 * and concurrently – has one side effect (one e-mail / outbox row per recipient, one audit row, one
 * protocol with its agreements and SystemGap rows, one Document); invalid input fails without
 * retries with a German message and leaves nothing behind.
 */
import { SMTPServer } from 'smtp-server';
import { AGREEMENT_STATUS, FINAL_HEADER, PLAN_TEXT_FIELDS, PROTOCOL_TEXT_FIELDS, RESPONSIBLE, STATUS_HEADER } from '../../../processes/kim-fallkonferenz/contract';
import { NO_CONSENT_NOTE } from '../../../server/conferences/conference.service';
import type { Stack } from '../../../server/stack';
import { freePort } from '../../../server/util/ports';
import type { WorkerDeps } from '../../../workers/deps';
import { checkConferenceConsent } from '../../../workers/kim.check-conference-consent';
import { createConferenceProtocol } from '../../../workers/kim.create-conference-protocol';
import { recordAgreementStatus } from '../../../workers/kim.record-agreement-status';
import { recordConferenceProtocol } from '../../../workers/kim.record-conference-protocol';
import { saveConferencePlan } from '../../../workers/kim.save-conference-plan';
import { sendConferenceInvitations } from '../../../workers/kim.send-conference-invitations';
import { sendConferenceProtocol } from '../../../workers/kim.send-conference-protocol';
import { sendConferenceReminder } from '../../../workers/kim.send-conference-reminder';
import { trackAgreement } from '../../../workers/kim.track-agreement';
import type { Job, Outcome, WorkerDefinition } from '../../../workers/runtime';
import { startTestStack, testConfig, until } from '../../support/stack';

interface Mail {
  to: string[];
  /** The message as sent, soft line breaks of quoted-printable removed (links in one piece). */
  raw: string;
}
const mails: Mail[] = [];
/** Recipients the SMTP server rejects once (an unreachable mailbox). */
const rejectOnce = new Set<string>();
let smtp: SMTPServer;
let stack: Stack;
let deps: WorkerDeps;

beforeAll(async () => {
  const port = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (rejectOnce.delete(address.address)) return cb(new Error('Postfach nicht erreichbar'));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        // a slow SMTP server widens the window in which a second delivery could slip through
        setTimeout(() => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8').replace(/=\r?\n/g, '') });
          cb();
        }, 50);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  stack = await startTestStack({
    workers: false,
    http: false,
    config: testConfig({ KIM_SMTP_URL: `smtp://127.0.0.1:${port}`, KIM_MAIL_RETRY_MS: '100', KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123', KIM_PUBLIC_URL: 'https://kim.example' }),
  });
  deps = { inbox: stack.services.inbox, log: stack.log, conferences: stack.services.conferences };
});
afterAll(async () => {
  await stack?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

let n = 0;
let k = 0;
const tag = () => `fkw-${process.pid}-${++n}`;
const job = (variables: Record<string, unknown>, properties: Record<string, string> = {}): Job => ({
  key: `${process.pid}${++k}${Date.now()}`,
  type: 't',
  processInstanceKey: '1',
  processDefinitionKey: '1',
  bpmnProcessId: 'kim-fallkonferenz',
  elementId: 'Task_X',
  activityInstanceId: 'Task_X:1',
  tenantId: null,
  retries: null,
  lockExpiresAt: 0,
  properties,
  variables,
});
const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address));
const audits = (entityId: string, action: string) => stack.db.auditLog.count({ where: { entityId, action } });
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * A case with a conference and one participant per agency. `consent` lists the agencies (by index)
 * a consent with purpose Fallkonferenz covers; `email: null` leaves an agency without address.
 */
async function conference(agencies: Array<{ email?: string | null; consent?: boolean; withData?: boolean; response?: string }> = [{}], plan: { scheduledAt?: Date } = { scheduledAt: new Date(Date.now() + 3 * 86_400_000) }) {
  const t = tag();
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-${t}`, firstName: 'Unit', lastName: `Konferenz-${t}` } });
  const kase = await stack.db.case.create({ data: { reference: `FK-${t}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const orgs = [];
  for (const [i, a] of agencies.entries()) {
    orgs.push(await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Stelle ${i} ${t}`, type: 'Jobcenter', email: a.email === undefined ? `s${i}-${t}@partner.test` : a.email } }));
  }
  const covered = orgs.filter((_o, i) => agencies[i].consent).map((o) => o.id);
  const consent = covered.length
    ? await stack.db.consent.create({ data: { caseId: kase.id, recipients: covered, dataCategories: ['Stammdaten'], purposes: ['Fallkonferenz'], validFrom: new Date(Date.now() - 86_400_000) } })
    : null;
  const conf = await stack.db.conference.create({
    data: {
      caseId: kase.id,
      title: 'Fallkonferenz',
      occasion: 'Drohender Wohnungsverlust',
      status: 'geplant',
      scheduledAt: plan.scheduledAt ?? null,
      location: plan.scheduledAt ? 'Rathaus, Raum 101' : null,
      agenda: plan.scheduledAt ? 'Wohnen, Schule' : null,
    },
  });
  const participants = [];
  for (const [i, o] of orgs.entries()) {
    const a = agencies[i];
    participants.push(
      await stack.db.conferenceParticipant.create({
        data: { conferenceId: conf.id, organisationId: o.id, name: o.name, email: o.email, withData: a.withData ?? false, consentId: a.withData && consent ? consent.id : null, response: a.response ?? null },
      }),
    );
  }
  return { caseId: kase.id, conferenceId: conf.id, orgs, participants, consent };
}

/** The same job twice in a row, then a new job key delivered twice at the same time: every outcome equal. */
async function deliver(w: WorkerDefinition<WorkerDeps>, vars: Record<string, unknown>, properties: Record<string, string> = {}): Promise<Outcome> {
  const j = job(vars, properties);
  const first = await w.handler(j, deps);
  expect(await w.handler(j, deps)).toEqual(first);
  const j2 = job(vars, properties);
  const [a, b] = await Promise.all([w.handler(j2, deps), w.handler(j2, deps)]);
  expect(a).toEqual(first);
  expect(b).toEqual(first);
  await stack.services.mail.drain(); // what the steps queued has gone out
  return first;
}
/** Only concurrently (for steps whose first run must race). */
async function race(w: WorkerDefinition<WorkerDeps>, vars: Record<string, unknown>, properties: Record<string, string> = {}): Promise<Outcome> {
  const j = job(vars, properties);
  const [a, b, c] = await Promise.all([w.handler(j, deps), w.handler(j, deps), w.handler(j, deps)]);
  expect(b).toEqual(a);
  expect(c).toEqual(a);
  expect(await w.handler(j, deps)).toEqual(a);
  await stack.services.mail.drain();
  return a;
}

const plan = {
  termin: '2030-11-21T10:00',
  dauerMinuten: 60,
  ort: 'Rathaus, Raum 101',
  videoLink: '',
  tagesordnung: 'Wohnen, Schule',
  dolmetschBedarf: true,
  dolmetschSprache: 'Türkisch',
};

describe('kim.check-conference-consent', () => {
  test('covered agency: consentCovers true, the participant carries the consent, one audit row (twice and concurrently)', async () => {
    const { participants, consent } = await conference([{ consent: true }]);
    const p = participants[0];
    expect(await race(checkConferenceConsent, { participantId: p.id })).toEqual({ kind: 'complete', variables: { consentCovers: true } });
    expect(await deliver(checkConferenceConsent, { participantId: p.id })).toEqual({ kind: 'complete', variables: { consentCovers: true } });
    expect(await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ withData: true, consentId: consent!.id, consentNote: null });
    expect(await audits(p.id, 'conferences.consent_covers')).toBe(1);
  });

  test('missing consent: first check only notes it once; the final check (property final=true) records "ohne Daten" once', async () => {
    const { participants } = await conference([{}]);
    const p = participants[0];
    expect(await race(checkConferenceConsent, { participantId: p.id })).toEqual({ kind: 'complete', variables: { consentCovers: false } });
    expect(await deliver(checkConferenceConsent, { participantId: p.id })).toEqual({ kind: 'complete', variables: { consentCovers: false } });
    expect(await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ withData: false, consentId: null, consentNote: null });
    expect(await audits(p.id, 'conferences.consent_missing')).toBe(1);

    expect(await race(checkConferenceConsent, { participantId: p.id }, { [FINAL_HEADER]: 'true' })).toEqual({ kind: 'complete', variables: { consentCovers: false } });
    expect(await deliver(checkConferenceConsent, { participantId: p.id }, { [FINAL_HEADER]: 'true' })).toEqual({ kind: 'complete', variables: { consentCovers: false } });
    expect(await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ withData: false, consentNote: NO_CONSENT_NOTE });
    expect(await audits(p.id, 'conferences.without_data')).toBe(1);
  });

  test('a missing participantId fails without retries (German message); an unknown one is thrown for a retry', async () => {
    expect(await checkConferenceConsent.handler(job({}), deps)).toEqual({ kind: 'fail', message: 'Die Prozessvariable participantId fehlt.', retries: 0 });
    await expect(checkConferenceConsent.handler(job({ participantId: '00000000-0000-4000-8000-000000000000' }), deps)).rejects.toThrow('wurde nicht gefunden');
    expect(await checkConferenceConsent.handler(job({ participantId: 'x' }), { ...deps, conferences: undefined }).catch((e: Error) => e.message)).toContain('nicht verdrahtet');
  });
});

describe('kim.save-conference-plan', () => {
  test('the plan is stored once, its text cleared in the engine, conferenceAt in UTC (twice and concurrently)', async () => {
    const { conferenceId } = await conference([{}, {}], {});
    const out = await deliver(saveConferencePlan, { conferenceId, ...plan });
    // Only plain values go to the engine: the date and the cleared text fields.
    expect(out).toEqual({ kind: 'complete', variables: { conferenceAt: '2030-11-21T09:00:00Z', ...Object.fromEntries(PLAN_TEXT_FIELDS.map((f) => [f, null])) } });
    expect(await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).toMatchObject({
      scheduledAt: new Date('2030-11-21T09:00:00Z'),
      durationMinutes: 60,
      location: 'Rathaus, Raum 101',
      videoLink: null,
      agenda: 'Wohnen, Schule',
      interpreter: 'Türkisch',
    });
  });

  test('an incomplete plan fails without retries and stores nothing', async () => {
    const { conferenceId } = await conference([{}], {});
    expect(await saveConferencePlan.handler(job({ conferenceId, tagesordnung: 'x' }), deps)).toEqual({ kind: 'fail', message: 'Die Planung der Fallkonferenz ist unvollständig.', retries: 0 });
    expect(await saveConferencePlan.handler(job({ conferenceId, ...plan, ort: '', videoLink: 'http://video.example/raum' }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
    expect(await saveConferencePlan.handler(job({ conferenceId, ...plan, dauerMinuten: 5 }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
    expect(await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).toMatchObject({ scheduledAt: null, agenda: null });
    expect(await saveConferencePlan.handler(job({}), deps)).toEqual({ kind: 'fail', message: 'Die Prozessvariable conferenceId fehlt.', retries: 0 });
  });
});

describe('kim.send-conference-invitations', () => {
  test('one e-mail with .ics per agency with an address, one outbox row each (twice and concurrently)', async () => {
    const { conferenceId, orgs, participants } = await conference([{ withData: true, consent: true }, {}, { email: null }]);
    expect(await race(sendConferenceInvitations, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    expect(await deliver(sendConferenceInvitations, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    for (const o of orgs.slice(0, 2)) {
      const m = mailsTo(o.email!);
      expect(m).toHaveLength(1);
      expect(m[0].raw).toMatch(/text\/calendar/i);
      expect(m[0].raw).toMatch(/kim\.example\/partner\/conferences\//);
    }
    const rows = await stack.db.conferenceOutbox.findMany({ where: { conferenceId } });
    expect(rows.map((r) => r.key).sort()).toEqual(participants.slice(0, 2).map((p) => `invitation:${p.id}`).sort());
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.ics?.includes('BEGIN:VCALENDAR'))).toBe(true);
    expect((await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).status).toBe('eingeladen');
  });

  test('an SMTP rejection does not fail the step: the mail outbox retries with backoff and delivers once', async () => {
    const { conferenceId, orgs } = await conference([{}]);
    rejectOnce.add(orgs[0].email!);
    expect(await sendConferenceInvitations.handler(job({ conferenceId }), deps)).toEqual({ kind: 'complete', variables: undefined });
    // handed to the mail outbox once; the dispatcher owns delivery
    expect(await stack.db.conferenceOutbox.findFirstOrThrow({ where: { conferenceId } })).toMatchObject({ status: 'sent', attempts: 1 });
    const { caseId } = await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } });
    const row = await until(() => stack.db.mailOutbox.findFirst({ where: { caseId, status: 'sent' } }), 'Einladung nach Ablehnung zugestellt');
    expect(row).toMatchObject({ kind: 'invitation', attempts: 2, lastError: null });
    await deliver(sendConferenceInvitations, { conferenceId });
    expect(mailsTo(orgs[0].email!)).toHaveLength(1);
  });

  test('without a date: fail without retries, nothing sent', async () => {
    const { conferenceId, orgs } = await conference([{}], {});
    expect(await sendConferenceInvitations.handler(job({ conferenceId }), deps)).toEqual({ kind: 'fail', message: 'Die Fallkonferenz hat noch keinen Termin.', retries: 0 });
    expect(mailsTo(orgs[0].email!)).toHaveLength(0);
    expect(await stack.db.conferenceOutbox.count({ where: { conferenceId } })).toBe(0);
  });
});

describe('kim.send-conference-reminder', () => {
  test('one reminder per agency that has not declined (twice and concurrently)', async () => {
    const { conferenceId, orgs, participants } = await conference([{ response: 'zugesagt' }, { response: 'abgesagt' }, {}]);
    expect(await race(sendConferenceReminder, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    expect(await deliver(sendConferenceReminder, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    expect(mailsTo(orgs[0].email!)).toHaveLength(1);
    expect(mailsTo(orgs[1].email!)).toHaveLength(0);
    expect(mailsTo(orgs[2].email!)).toHaveLength(1);
    expect(mailsTo(orgs[2].email!)[0].raw).toMatch(/partner\/conferences\//); // no answer yet: the link again
    const rows = await stack.db.conferenceOutbox.findMany({ where: { conferenceId } });
    expect(rows.map((r) => r.key).sort()).toEqual([`reminder:${participants[0].id}`, `reminder:${participants[2].id}`].sort());
    expect((await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).reminderSentAt).not.toBeNull();
  });

  test('a missing conferenceId fails without retries', async () => {
    expect(await sendConferenceReminder.handler(job({}), deps)).toEqual({ kind: 'fail', message: 'Die Prozessvariable conferenceId fehlt.', retries: 0 });
  });
});

/** The protocol form's values for a conference with two agencies: one agreement for KIM, one for agency 0. */
const protocolOf = (participants: Array<{ id: string }>) => ({
  lage: 'Mietrückstände, Kündigung angedroht.',
  anwesend: [participants[0].id],
  vereinbarungen: [
    { massnahme: 'Antrag auf Mietschuldenübernahme stellen', zustaendig: RESPONSIBLE.kim, faelligAm: day(7) },
    { massnahme: 'Beratungstermin Jobcenter', zustaendig: participants[0].id, faelligAm: day(14) },
  ],
  systemluecken: [{ lebensbereich: 'Wohnen', beschreibung: 'Keine Notunterkunft für Familien im Stadtteil' }],
});

describe('kim.record-conference-protocol', () => {
  test('attendance, agreements, one SystemGap and one audit row, written once; same ids every time (twice and concurrently)', async () => {
    const { conferenceId, caseId, participants } = await conference([{}, {}]);
    const out = await race(recordConferenceProtocol, { conferenceId, ...protocolOf(participants) });
    expect(await deliver(recordConferenceProtocol, { conferenceId, ...protocolOf(participants) })).toEqual(out);
    const agreements = await stack.db.agreement.findMany({ where: { conferenceId }, orderBy: { position: 'asc' } });
    expect(agreements).toHaveLength(2);
    expect(agreements.map((a) => a.responsible)).toEqual([RESPONSIBLE.kim, RESPONSIBLE.extern]);
    expect(agreements[1].organisationId).toBe(participants[0].organisationId);
    expect(out).toEqual({
      kind: 'complete',
      // The agreements' multi-instance reads the ids as a comma-separated string.
      variables: { agreementIds: agreements.map((a) => a.id).join(','), hasSystemGaps: true, ...Object.fromEntries(PROTOCOL_TEXT_FIELDS.map((f) => [f, null])) },
    });
    const links = await stack.db.conferenceGap.findMany({ where: { conferenceId } });
    expect(links).toHaveLength(1);
    expect(await stack.db.systemGap.findUniqueOrThrow({ where: { id: links[0].systemGapId } })).toMatchObject({ kommuneId: 'duisburg', lifeArea: 'Wohnen', status: 'gemeldet' });
    expect(await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).toMatchObject({ status: 'durchgefuehrt', situation: 'Mietrückstände, Kündigung angedroht.' });
    expect((await stack.db.conferenceParticipant.findMany({ where: { conferenceId }, orderBy: { name: 'asc' } })).map((p) => p.attended)).toEqual([true, false]);
    expect(await stack.db.auditLog.count({ where: { caseId, action: 'conferences.protocol_recorded' } })).toBe(1);
  });

  test('without system gaps: hasSystemGaps false', async () => {
    const { conferenceId, participants } = await conference([{}]);
    const out = await deliver(recordConferenceProtocol, { conferenceId, ...protocolOf(participants), systemluecken: [] });
    expect(out).toMatchObject({ kind: 'complete', variables: { hasSystemGaps: false } });
    expect(await stack.db.conferenceGap.count({ where: { conferenceId } })).toBe(0);
  });

  test('an incomplete protocol fails without retries and writes nothing', async () => {
    const { conferenceId, participants } = await conference([{}]);
    const bad = [
      { ...protocolOf(participants), lage: ' ' },
      { ...protocolOf(participants), vereinbarungen: [{ massnahme: 'X', zustaendig: 'irgendwer', faelligAm: day(3) }] },
      { ...protocolOf(participants), vereinbarungen: [{ massnahme: 'X', zustaendig: RESPONSIBLE.kim, faelligAm: 'bald' }] },
    ];
    for (const v of bad) expect(await recordConferenceProtocol.handler(job({ conferenceId, ...v }), deps)).toEqual({ kind: 'fail', message: 'Das Protokoll ist unvollständig.', retries: 0 });
    expect(await stack.db.agreement.count({ where: { conferenceId } })).toBe(0);
    expect(await stack.db.conferenceGap.count({ where: { conferenceId } })).toBe(0);
    expect((await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).recordedAt).toBeNull();
  });
});

describe('kim.create-conference-protocol / kim.send-conference-protocol', () => {
  test('one protocol PDF as a Document of the case; mailed once, only to the agency a consent still covers', async () => {
    const { conferenceId, caseId, orgs, participants } = await conference([{ consent: true, withData: true }, {}, { consent: true, withData: true }]);
    await recordConferenceProtocol.handler(job({ conferenceId, ...protocolOf(participants) }), deps);

    // sending before the PDF exists: fail without retries, nothing sent
    expect(await sendConferenceProtocol.handler(job({ conferenceId }), deps)).toEqual({ kind: 'fail', message: 'Das Protokoll-PDF fehlt noch.', retries: 0 });

    expect(await race(createConferenceProtocol, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    expect(await deliver(createConferenceProtocol, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    const docs = await stack.db.document.findMany({ where: { caseId } });
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ kind: 'Protokoll', mimeType: 'application/pdf' });
    expect(Buffer.from(docs[0].content!).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await stack.db.conference.findUniqueOrThrow({ where: { id: conferenceId } })).protocolDocumentId).toBe(docs[0].id);
    expect(await audits(docs[0].id, 'documents.create')).toBe(1);

    // the consent no longer names agency 2 after the check: it does not get the protocol (agency 1 never had one)
    await stack.db.consent.update({ where: { id: participants[2].consentId! }, data: { recipients: [orgs[0].id] } });
    expect(await race(sendConferenceProtocol, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    expect(await deliver(sendConferenceProtocol, { conferenceId })).toEqual({ kind: 'complete', variables: undefined });
    expect(mailsTo(orgs[0].email!)).toHaveLength(1);
    expect(mailsTo(orgs[0].email!)[0].raw).toMatch(/application\/pdf/i);
    expect(mailsTo(orgs[1].email!)).toHaveLength(0);
    expect(mailsTo(orgs[2].email!)).toHaveLength(0);
    expect((await stack.db.conferenceOutbox.findMany({ where: { conferenceId } })).map((r) => r.key)).toEqual([`protocol:${participants[0].id}`]);
    expect(await audits(conferenceId, 'conferences.protocol_shared')).toBe(1);
  });
});

describe('kim.track-agreement', () => {
  async function agreements(agencyEmail?: string | null) {
    const c = await conference([{ email: agencyEmail }]);
    const out = await recordConferenceProtocol.handler(job({ conferenceId: c.conferenceId, ...protocolOf(c.participants) }), deps);
    const [kimId, externId] = (out as unknown as { variables: { agreementIds: string } }).variables.agreementIds.split(',');
    return { ...c, kimId, externId };
  }

  test('KIM: a task, no e-mail; due at the end of the due day (Europe/Berlin)', async () => {
    const { kimId, conferenceId } = await agreements();
    const out = await deliver(trackAgreement, { agreementId: kimId });
    expect(out).toMatchObject({ kind: 'complete', variables: { responsible: RESPONSIBLE.kim } });
    const dueAt = new Date((out as unknown as { variables: { agreementDueAt: string } }).variables.agreementDueAt);
    const d = new Date(`${day(7)}T00:00:00Z`);
    expect(dueAt.getTime() - d.getTime()).toBeGreaterThanOrEqual(22 * 3_600_000); // 24 h minus the Berlin offset
    expect(dueAt.getTime() - d.getTime()).toBeLessThanOrEqual(23 * 3_600_000);
    expect(await stack.db.conferenceOutbox.count({ where: { conferenceId } })).toBe(0);
  });

  test('external agency: one e-mail with the signed link, one outbox row (twice and concurrently)', async () => {
    const { externId, conferenceId, orgs } = await agreements();
    const out = await race(trackAgreement, { agreementId: externId });
    expect(out).toMatchObject({ kind: 'complete', variables: { responsible: RESPONSIBLE.extern } });
    expect(await deliver(trackAgreement, { agreementId: externId })).toEqual(out);
    const m = mailsTo(orgs[0].email!);
    expect(m).toHaveLength(1);
    expect(m[0].raw).toMatch(/kim\.example\/partner\/agreements\//);
    expect((await stack.db.conferenceOutbox.findMany({ where: { conferenceId } })).map((r) => [r.key, r.status])).toEqual([[`agreement:${externId}`, 'sent']]);
  });

  test('external agency without e-mail address: fail without retries, nothing sent', async () => {
    const { externId, conferenceId } = await agreements(null);
    expect(await trackAgreement.handler(job({ agreementId: externId }), deps)).toEqual({ kind: 'fail', message: 'Für die zuständige Stelle ist keine E-Mail-Adresse hinterlegt.', retries: 0 });
    expect(await stack.db.conferenceOutbox.count({ where: { conferenceId } })).toBe(0);
    expect(await trackAgreement.handler(job({}), deps)).toEqual({ kind: 'fail', message: 'Die Prozessvariable agreementId fehlt.', retries: 0 });
  });
});

describe('kim.record-agreement-status', () => {
  async function agreement() {
    const c = await conference([{}]);
    const out = await recordConferenceProtocol.handler(job({ conferenceId: c.conferenceId, ...protocolOf(c.participants) }), deps);
    return (out as unknown as { variables: { agreementIds: string } }).variables.agreementIds.split(',')[0];
  }

  test('ueberfaellig, then erledigt after the escalation: one status change and one audit row each (twice and concurrently)', async () => {
    const id = await agreement();
    const overdue = { [STATUS_HEADER]: AGREEMENT_STATUS.overdue };
    expect(await race(recordAgreementStatus, { agreementId: id }, overdue)).toEqual({ kind: 'complete', variables: undefined });
    expect(await deliver(recordAgreementStatus, { agreementId: id }, overdue)).toEqual({ kind: 'complete', variables: undefined });
    const o = await stack.db.agreement.findUniqueOrThrow({ where: { id } });
    expect(o.status).toBe('ueberfaellig');
    expect(o.overdueAt).not.toBeNull();
    expect(await audits(id, 'agreements.ueberfaellig')).toBe(1);

    const done = { [STATUS_HEADER]: AGREEMENT_STATUS.done };
    expect(await race(recordAgreementStatus, { agreementId: id }, done)).toEqual({ kind: 'complete', variables: undefined });
    expect(await deliver(recordAgreementStatus, { agreementId: id }, done)).toEqual({ kind: 'complete', variables: undefined });
    expect(await stack.db.agreement.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'erledigt', doneBy: 'KIM (Case-Management)' });
    expect(await audits(id, 'agreements.erledigt')).toBe(1);
    // a late overdue delivery does not turn a done agreement back
    expect(await recordAgreementStatus.handler(job({ agreementId: id }, overdue), deps)).toEqual({ kind: 'complete', variables: undefined });
    expect((await stack.db.agreement.findUniqueOrThrow({ where: { id } })).status).toBe('erledigt');
    expect(await audits(id, 'agreements.ueberfaellig')).toBe(1);
  });

  test('erledigt straight away (KIM confirmed): one audit row', async () => {
    const id = await agreement();
    await race(recordAgreementStatus, { agreementId: id }, { [STATUS_HEADER]: AGREEMENT_STATUS.done });
    await deliver(recordAgreementStatus, { agreementId: id }, { [STATUS_HEADER]: AGREEMENT_STATUS.done });
    expect((await stack.db.agreement.findUniqueOrThrow({ where: { id } })).status).toBe('erledigt');
    expect(await audits(id, 'agreements.erledigt')).toBe(1);
  });

  test('an unknown or missing status property fails without retries and changes nothing', async () => {
    const id = await agreement();
    expect(await recordAgreementStatus.handler(job({ agreementId: id }, { [STATUS_HEADER]: 'irgendwas' }), deps)).toMatchObject({ kind: 'fail', message: expect.stringMatching(/^Unbekannter Status „…“ Fehler-ID [0-9a-f-]{36}$/), retries: 0 });
    expect(await recordAgreementStatus.handler(job({ agreementId: id }), deps)).toMatchObject({ kind: 'fail', retries: 0 });
    expect((await stack.db.agreement.findUniqueOrThrow({ where: { id } })).status).toBe('offen');
    expect(await stack.db.auditLog.count({ where: { entityId: id } })).toBe(0);
  });
});
