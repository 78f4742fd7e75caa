/**
 * kim-fallkonferenz on the real engine, started through POST /api/conferences/start: consent per
 * agency (present / missing → task → joins without data), planning, invitations with a parsed .ics,
 * confirm and decline through the signed link, the reminder timer before the date (only to agencies
 * that did not decline), the protocol with agreements (KIM staff task, external agency link, overdue
 * → escalation for KIM and external), system gaps → coordinators' task + SystemGap rows, protocol PDF
 * stored as a document of the case and mailed only to the agency covered by consent.
 */
import path from 'node:path';
import { ELEMENT } from '../../processes/kim-fallkonferenz/contract';
import { ROOT } from '../../server/config';
import { NO_CONSENT_NOTE } from '../../server/conferences/conference.service';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { expectNotInEngine } from '../support/engine-log';
import { Mail, MailCatcher, startMailCatcher } from '../support/smtp';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';

let catcher: MailCatcher;
let mails: Mail[];
let stack: Stack;
let cm: Session;

beforeAll(async () => {
  catcher = await startMailCatcher();
  mails = catcher.mails;
  stack = await startTestStack({
    // the conference is planned one hour ahead; the reminder is due 3 s after planning
    config: testConfig({ KIM_SMTP_URL: catcher.url, KIM_CONFERENCE_REMINDER_BEFORE: 'PT59M57S', KIM_LINK_SECRET: 'test-secret-test-secret-test-secret-0123' }),
    processesDir: path.join(ROOT, 'processes', 'kim-fallkonferenz'),
    workerDefs: registry,
  });
  cm = await login(stack.url, 'cm.duisburg');
});
afterAll(async () => {
  await stack?.stop();
  await catcher?.close();
});

const openTask = (pik: string, elementId: string, not: string[] = []) =>
  until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, elementId, state: 'CREATED', id: { notIn: not } } }), `Aufgabe ${elementId}`, 60_000);
async function complete(s: Session, taskId: string, variables: Record<string, unknown>) {
  const res = await s.post(`/api/tasks/${taskId}/complete`, { variables });
  expect(res.status).toBe(200);
}
const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address));
const mailTo = (address: string, text: RegExp) => until(async () => mailsTo(address).find((m) => text.test(m.text)), `E-Mail an ${address} (${text})`, 60_000);
const linkOf = (m: Mail, kind: 'conferences' | 'agreements') => {
  const match = new RegExp(`/partner/${kind}/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`).exec(m.text);
  expect(match).not.toBeNull();
  return match![0];
};
const post = (p: string, form: Record<string, string>) =>
  fetch(`${stack.url}${p}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('every path: consent present / missing, invitation with .ics, confirm and decline, reminder, agreements (KIM, agency link, overdue), system gap, protocol PDF only to the covered agency', async () => {
  const tag = `${Date.now()}`;
  const jc = await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Jobcenter ${tag}`, type: 'Jobcenter', email: `jc-${tag}@partner.test` } });
  const ja = await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Jugendamt ${tag}`, type: 'Jugendamt', email: `ja-${tag}@partner.test` } });
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-FK-${tag}`, firstName: 'Leyla', lastName: `Demir${tag}` } });
  const kase = await stack.db.case.create({ data: { reference: `KIM-FK-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const consent = await stack.db.consent.create({
    data: { caseId: kase.id, recipients: [jc.id], dataCategories: ['Stammdaten'], purposes: ['Fallkonferenz'], validFrom: new Date(Date.now() - 86_400_000) },
  });

  // started through the API
  const bad = await cm.post('/api/conferences/start', { caseId: kase.id, anlass: '', agencies: [] });
  expect(bad.status).toBe(400);
  const res = await cm.post('/api/conferences/start', { caseId: kase.id, anlass: 'Drohender Wohnungsverlust und Schulabsentismus', agencies: [jc.id, ja.id] });
  expect(res.status).toBe(201);
  const started = (await res.json()) as { id: string; processInstanceKey: string; participants: Array<{ id: string; organisationId: string }> };
  const pik = started.processInstanceKey;
  const pJc = started.participants.find((p) => p.organisationId === jc.id)!;
  const pJa = started.participants.find((p) => p.organisationId === ja.id)!;

  // consent: Jobcenter covered, Jugendamt missing → one task to obtain it
  const obtain = await openTask(pik, ELEMENT.obtainConsent);
  expect(obtain.candidateGroups).toEqual(['case-manager:duisburg']);
  expect(obtain.caseId).toBe(kase.id);
  await until(async () => (await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: pJc.id } })).withData, 'Jobcenter mit Daten');
  await complete(cm, obtain.id, { einwilligungErgebnis: 'verweigert' });
  const jaRow = await until(async () => {
    const p = await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: pJa.id } });
    return p.consentNote ? p : null;
  }, 'Jugendamt ohne Daten vermerkt');
  expect(jaRow).toMatchObject({ withData: false, consentNote: NO_CONSENT_NOTE });
  expect(await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: pJc.id } })).toMatchObject({ withData: true, consentId: consent.id, consentNote: null });

  // planning; free text stays out of the engine
  const plan = await openTask(pik, ELEMENT.planConference);
  const at = new Date(Math.ceil((Date.now() + 3600_000) / 60000) * 60000);
  await complete(cm, plan.id, { termin: at.toISOString(), dauerMinuten: 60, ort: `Rathaus Hamborn, Raum ${tag}`, videoLink: 'https://video.example/fk', tagesordnung: `Wohnsituation; Schule ${tag}`, dolmetschBedarf: true, dolmetschSprache: 'Türkisch' });

  // invitations with .ics
  const invJc = await mailTo(jc.email!, /Bitte sagen Sie über diesen Link zu oder ab/);
  const invJa = await mailTo(ja.email!, /Bitte sagen Sie über diesen Link zu oder ab/);
  expect(invJc.raw).not.toContain(client.lastName);
  expect(invJa.text).toContain('ohne Daten');
  const icsPart = invJc.parts.find((p) => /text\/calendar/i.test(p.headers));
  expect(icsPart).toBeDefined();
  expect(icsPart!.headers).toMatch(/fallkonferenz\.ics/);
  const ics = icsPart!.body.toString('utf8');
  expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
  expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
  const unfolded = ics.replace(/\r\n /g, '');
  const field = (name: string) => new RegExp(`^${name}[;:](.*)$`, 'm').exec(unfolded.replace(/\r\n/g, '\n'))?.[1];
  const utc = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  expect(field('VERSION')).toBe('2.0');
  expect(field('METHOD')).toBe('REQUEST');
  expect(field('DTSTART')).toBe(utc(at));
  expect(field('DTEND')).toBe(utc(new Date(at.getTime() + 3600_000)));
  expect(field('UID')).toContain(started.id);
  expect(field('SUMMARY')).toMatch(/^Fallkonferenz FK-/);
  expect(field('LOCATION')).toContain('Rathaus Hamborn');
  expect(field('ATTENDEE')).toContain(`mailto:${jc.email}`);
  expect(field('DTSTAMP')).toMatch(/^\d{8}T\d{6}Z$/);

  // confirm / decline through the signed link (German page)
  const jcLink = linkOf(invJc, 'conferences');
  const page = await (await fetch(`${stack.url}${jcLink}`)).text();
  expect(page).toContain('<html lang="de">');
  expect(page).toContain('Nehmen Sie an der Fallkonferenz teil?');
  expect(page).not.toContain(client.lastName);
  expect((await post(jcLink, { action: 'confirm' })).status).toBe(303);
  expect((await post(linkOf(invJa, 'conferences'), { action: 'decline', text: 'Termin kollidiert' })).status).toBe(303);
  expect((await post(jcLink, { action: 'decline' })).status).toBe(409);
  expect((await fetch(`${stack.url}${jcLink.slice(0, -3)}abc`)).status).toBe(400);
  expect(await stack.db.conferenceParticipant.findUniqueOrThrow({ where: { id: pJa.id } })).toMatchObject({ response: 'abgesagt', responseReason: 'Termin kollidiert' });

  // reminder (timer relative to the date) only to the agency that did not decline
  await mailTo(jc.email!, /wir erinnern an die Fallkonferenz/);
  const record = await openTask(pik, ELEMENT.recordConference, []);
  expect(mailsTo(ja.email!).filter((m) => /wir erinnern an die Fallkonferenz/.test(m.text))).toHaveLength(0);
  expect((await stack.db.conference.findUniqueOrThrow({ where: { id: started.id } })).reminderSentAt).not.toBeNull();

  // conduct and record
  await complete(cm, record.id, {
    anwesend: [pJc.id],
    lage: `Familie ${client.lastName} droht der Wohnungsverlust.`,
    vereinbarungen: [
      { zustaendig: 'kim', massnahme: 'Termin bei der Wohnungsnotfallhilfe vereinbaren', faelligAm: day(14) },
      { zustaendig: pJc.id, massnahme: `Mietübernahme prüfen (${tag})`, faelligAm: day(14) },
      { zustaendig: pJa.id, massnahme: 'Schulgespräch führen', faelligAm: day(-2) },
      { zustaendig: 'kim', massnahme: 'Dolmetschung für Folgetermin organisieren', faelligAm: day(-1) },
    ],
    systemluecken: [{ lebensbereich: 'Wohnen', beschreibung: 'Keine Notunterkunft für Familien im Stadtteil' }],
  });

  // system gap → a SystemGap row for the steering (kim-steuerung asks the coordination once; the conference has no task of its own for it)
  const gaps = await until(async () => {
    const rows = await stack.db.systemGap.findMany({ where: { title: { contains: 'Fallkonferenz' }, description: 'Keine Notunterkunft für Familien im Stadtteil' } });
    return rows.length ? rows : null;
  }, 'Systemlücke gespeichert');
  expect(gaps).toHaveLength(1);
  expect(gaps[0]).toMatchObject({ kommuneId: 'duisburg', lifeArea: 'Wohnen', status: 'gemeldet' });

  // protocol PDF in the case file, mailed only to the covered agency
  const conf = await until(async () => {
    const c = await stack.db.conference.findUniqueOrThrow({ where: { id: started.id } });
    return c.protocolDocumentId ? c : null;
  }, 'Protokoll-PDF');
  expect(conf.status).toBe('durchgefuehrt');
  const doc = await stack.db.document.findUniqueOrThrow({ where: { id: conf.protocolDocumentId! } });
  expect(doc).toMatchObject({ caseId: kase.id, mimeType: 'application/pdf', kind: 'Protokoll' });
  const pdf = Buffer.from(doc.content!);
  expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
  const xrefAt = Number(/startxref\n(\d+)/.exec(pdf.toString('latin1'))![1]);
  expect(pdf.subarray(xrefAt, xrefAt + 4).toString('latin1')).toBe('xref');
  const protocolMail = await mailTo(jc.email!, /im Anhang erhalten Sie das Protokoll/);
  const pdfPart = protocolMail.parts.find((p) => /application\/pdf/i.test(p.headers));
  expect(pdfPart!.body.equals(pdf)).toBe(true);
  expect(await stack.db.conferenceOutbox.count({ where: { conferenceId: started.id, kind: 'protocol' } })).toBe(1);
  expect(mailsTo(ja.email!).some((m) => /im Anhang erhalten Sie das Protokoll/.test(m.text))).toBe(false);

  const agreements = await stack.db.agreement.findMany({ where: { conferenceId: started.id }, orderBy: { position: 'asc' } });
  // The plan's and the protocol's texts are in the app database only: never in the engine's tables.
  expect(await stack.db.taskSubmission.count({ where: { processInstanceKey: pik, elementId: { in: [ELEMENT.planConference, ELEMENT.recordConference] } } })).toBe(2);
  await expectNotInEngine(stack, [`Raum ${tag}`, `Schule ${tag}`, `Demir${tag}`, `Mietübernahme prüfen (${tag})`]);
  expect(agreements.map((a) => a.responsible)).toEqual(['kim', 'extern', 'extern', 'kim']);

  // overdue (external and KIM) → escalation tasks for the case manager
  const esc1 = await openTask(pik, ELEMENT.escalateAgreement);
  const esc2 = await openTask(pik, ELEMENT.escalateAgreement, [esc1.id]);
  expect(esc1.candidateGroups).toEqual(['case-manager:duisburg']);
  const overdue = await stack.db.agreement.findMany({ where: { id: { in: [agreements[2].id, agreements[3].id] } } });
  expect(overdue.every((a) => a.status === 'ueberfaellig' && a.overdueAt)).toBe(true);
  await complete(cm, esc1.id, { eskalationErgebnis: 'erledigt' });
  await complete(cm, esc2.id, { eskalationErgebnis: 'entfallen' });
  // KIM staff: confirmation task
  // the overdue KIM agreement's confirmation task was cancelled by its timer and left the inbox with it
  const confirm = await openTask(pik, ELEMENT.confirmAgreement);
  expect(await stack.db.task.count({ where: { processInstanceKey: pik, elementId: ELEMENT.confirmAgreement, state: 'CREATED' } })).toBe(1);
  await complete(cm, confirm.id, { vereinbarungErledigt: true });
  await until(async () => (await stack.db.agreement.findUniqueOrThrow({ where: { id: agreements[0].id } })).status === 'erledigt', 'Vereinbarung 1 erledigt');

  // external agency: signed link
  const agreeMail = await mailTo(jc.email!, /Bitte bestätigen Sie die Erledigung/);
  const agreeLink = linkOf(agreeMail, 'agreements');
  expect(await (await fetch(`${stack.url}${agreeLink}`)).text()).toContain('Mietübernahme prüfen');
  expect((await post(agreeLink, { action: 'done', confirm: 'ja' })).status).toBe(303);
  expect((await post(agreeLink, { action: 'done', confirm: 'ja' })).status).toBe(409);
  await until(async () => (await stack.db.agreement.findUniqueOrThrow({ where: { id: agreements[1].id } })).doneBy?.startsWith('Stelle'), 'Vereinbarung 2 von der Stelle erledigt');

  await until(async () => (await stack.db.agreement.count({ where: { conferenceId: started.id, status: 'erledigt' } })) === 3, 'drei Vereinbarungen erledigt');
  expect(await stack.db.agreement.count({ where: { conferenceId: started.id, status: 'ueberfaellig' } })).toBe(1);

  const audit = await stack.db.auditLog.findMany({ where: { caseId: kase.id } });
  expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['conferences.create', 'conferences.consent_covers', 'conferences.without_data', 'conferences.protocol_recorded', 'conferences.protocol_shared']));
});
