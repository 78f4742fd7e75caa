/**
 * Rechtskreisübergreifende Fallkonferenz (kim-fallkonferenz): the rules behind the process's
 * workers, the start from a case and the partner pages.
 *
 * - consent per agency: a valid consent (not revoked, in its validity) naming the agency among its
 *   recipients with the purpose "Fallkonferenz"; without one the agency joins without the client's
 *   data and the participant row says so (consentNote);
 * - invitations / reminders / protocol / agreement links are outbox rows with a unique key (one
 *   e-mail each, idempotent); e-mails carry no personal data – invitations bring an .ics file;
 * - the protocol's free text lives only here (Conference, Agreement, SystemGap rows); the worker
 *   clears it in the engine; the protocol PDF is a Document of the case and is mailed only to
 *   participants whose consent covers them;
 * - partner agencies answer the invitation and confirm agreements through signed, expiring links.
 */
import type { ConferenceRepository, Tx } from './conference.repository';
import type { ProcessRuntime, Variables } from '../engine/port';
import { starterVariables } from '../engine/starter';
import { buildIcs } from '../util/ics';
import type { MailQueue } from '../mail/mail.service';
import type { AttachmentRef } from '../mail/outbox.repository';
import { buildPdf, PdfLine } from '../util/pdf';
import { AGREEMENT_STATUS, ConferenceStartVariables, CORRELATION, MSG, PLAN_TEXT_FIELDS, PROCESS_ID, PROTOCOL_TEXT_FIELDS, RESPONSIBLE, Responsible } from '../../processes/kim-fallkonferenz/contract';
import { signConferenceLink, verifyConferenceLink, ConferenceLinkKind } from './conference-link';
import { badRequest, conflict, notFound } from '../errors';
import type { MessageService } from '../messages/messages.service';
import { Actor, assertCan, caseScope, caseWhere } from '../auth/policy';
import { LIFE_AREA_DE, LIFE_AREAS } from '../referrals/referral.service';

export interface ConferenceConfig {
  linkSecret: string;
  linkTtlDays: number;
  publicUrl: string;
  /** ISO 8601 duration: the reminder goes out this long before the date. */
  reminderBefore: string;
  mailFrom: string;
}

export interface StartConferenceInput {
  caseId: string;
  anlass: string;
  agencies: string[];
  /** Override of KIM_CONFERENCE_REMINDER_BEFORE for this conference (tests, tooling); not exposed by the API. */
  reminderBefore?: string;
}

/** The consent purpose that covers a case conference. */
export const CONFERENCE_PURPOSE = 'Fallkonferenz';
export const NO_CONSENT_NOTE = 'Keine Einwilligung: Die Stelle nimmt ohne Daten der Klientin / des Klienten teil und erhält das Protokoll nicht.';

interface ConsentLike {
  recipients: string[];
  purposes: string[];
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
}
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Valid today and covering the agency with the purpose "Fallkonferenz". */
export function consentCoversConference(c: ConsentLike, organisationId: string, today = new Date()): boolean {
  if (c.revokedAt) return false;
  const t = dayOf(today);
  if (dayOf(c.validFrom) > t) return false;
  if (c.validUntil && dayOf(c.validUntil) < t) return false;
  if (!c.recipients.includes(organisationId)) return false;
  return c.purposes.some((p) => p.trim().toLowerCase() === CONFERENCE_PURPOSE.toLowerCase());
}

/** Short, non-speaking conference number shown to agencies. */
export const conferenceNumber = (id: string) => `FK-${id.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

const berlin = (d: Date) => d.toLocaleString('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'full', timeStyle: 'short' });
const berlinDate = (d: Date) => d.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' });
/** 2026-11-21T10:00:00Z (no milliseconds: what FEEL's date and time() reads). */
const isoUtc = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Offset of Europe/Berlin at `d` in minutes (60 or 120). */
function berlinOffsetMinutes(d: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(d);
  const v = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Math.round((Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute')) - Math.floor(d.getTime() / 60000) * 60000) / 60000);
}

/** A form date-time: with offset / Z as given, without one as local time in Europe/Berlin. */
export function parseLocalDateTime(s: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return null;
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const asUtc = new Date(`${s.length === 16 ? `${s}:00` : s}Z`);
  if (Number.isNaN(asUtc.getTime())) return null;
  return new Date(asUtc.getTime() - berlinOffsetMinutes(asUtc) * 60000);
}

/** An agreement is overdue at the end of its due day (midnight Europe/Berlin). */
export function overdueAt(dueDate: Date): Date {
  const next = new Date(`${dayOf(dueDate)}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return new Date(next.getTime() - berlinOffsetMinutes(next) * 60000);
}

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const nulls = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, null]));

export class ConferenceService {
  constructor(
    private readonly repo: ConferenceRepository,
    private readonly runtime: Pick<ProcessRuntime, 'start'>,
    private readonly messages: Pick<MessageService, 'send'>,
    private readonly mail: MailQueue,
    private readonly cfg: ConferenceConfig,
  ) {}

  // --- entry for the web app / API ---------------------------------------------------------

  /** Creates the conference for a case of the actor (occasion, agencies) and starts kim-fallkonferenz. */
  async startConference(a: Actor, input: StartConferenceInput, requestId?: string) {
    assertCan(a, 'conferences', 'create');
    const errors: Record<string, string> = {};
    if (!input.caseId) errors.caseId = 'Pflichtfeld';
    if (!str(input.anlass)) errors.anlass = 'Pflichtfeld';
    const agencies = [...new Set((input.agencies ?? []).filter((x) => typeof x === 'string' && x))];
    if (!agencies.length) errors.agencies = 'Mindestens eine Stelle auswählen';
    if (Object.keys(errors).length) throw badRequest('Die Fallkonferenz ist unvollständig.', errors);
    const c = await this.repo.findCase({ id: input.caseId, ...caseWhere(caseScope(a)) });
    if (!c) throw notFound('Der Fall');
    if (c.closedAt) throw conflict('Der Fall ist abgeschlossen; eine Fallkonferenz ist nicht mehr möglich.');
    const orgs = await this.repo.organisations(agencies);
    const foreign = agencies.filter((id) => !orgs.some((o) => o.id === id && o.kommuneId === c.kommuneId));
    if (foreign.length) throw badRequest('Nicht alle Stellen gehören zur Kommune des Falls.', { agencies: `Unbekannt: ${foreign.length}` });
    const conf = await this.repo.createConference(
      a,
      { caseId: c.id, title: 'Fallkonferenz', occasion: str(input.anlass).slice(0, 2000), status: 'geplant' },
      orgs.map((o) => ({ organisationId: o.id, name: o.name, email: o.email })),
      { action: 'conferences.create', entity: 'Conference', caseId: c.id, fields: ['occasion', 'participants'], requestId },
    );
    const variables = {
      caseId: c.id,
      conferenceId: conf.id,
      kommuneId: c.kommuneId,
      // The consent multi-instance runs over this list; the engine takes it as a comma-separated string.
      participantIds: conf.participants.map((p) => p.id).join(','),
      reminderBefore: input.reminderBefore ?? this.cfg.reminderBefore,
      // Consents and planning go to the person who started the conference.
      ...starterVariables(a),
    } satisfies ConferenceStartVariables & Variables;
    // The case's commune is the engine tenant.
    const pi = await this.runtime.start(PROCESS_ID, c.kommuneId, variables);
    await this.repo.updateConference(conf.id, { processInstanceKey: pi.processInstanceKey });
    return { ...conf, processInstanceKey: pi.processInstanceKey };
  }

  // --- worker steps --------------------------------------------------------------------------

  private async load(conferenceId: string) {
    const c = await this.repo.findWithContext(conferenceId);
    if (!c) throw notFound(`Die Fallkonferenz ${conferenceId}`);
    return c;
  }

  /**
   * kim.check-conference-consent: records for one agency whether a consent covers it. On the final
   * check (after the task to obtain it) a missing consent is written down: no data for this agency.
   */
  async checkConsent(participantId: string, final: boolean, today = new Date()): Promise<{ consentCovers: boolean }> {
    const p = await this.repo.findParticipant(participantId);
    if (!p) throw notFound(`Die Teilnahme ${participantId}`);
    const consents = p.organisationId ? await this.repo.consentsOfCase(p.conference.caseId) : [];
    const c = consents.find((x) => consentCoversConference(x, p.organisationId!, today));
    const note = c ? null : final ? NO_CONSENT_NOTE : p.consentNote;
    if (p.withData !== Boolean(c) || p.consentId !== (c?.id ?? null) || p.consentNote !== note || !p.consentCheckedAt) {
      // compare-and-set on consentCheckedAt: of two concurrent deliveries only one writes (and audits)
      await this.repo.updateParticipantChecked(p.id, p.consentCheckedAt, { withData: Boolean(c), consentId: c?.id ?? null, consentNote: note, consentCheckedAt: new Date() }, {
        action: c ? 'conferences.consent_covers' : final ? 'conferences.without_data' : 'conferences.consent_missing',
        entity: 'ConferenceParticipant',
        entityId: p.id,
        caseId: p.conference.caseId,
        reason: `Stelle ${p.organisationId}${c ? `, Einwilligung ${c.id}` : ''}`,
      });
    }
    return { consentCovers: Boolean(c) };
  }

  /** kim.save-conference-plan: saves the plan, clears its text in the engine, returns the date for the reminder timer. */
  async savePlan(conferenceId: string, v: Record<string, unknown>) {
    const c = await this.load(conferenceId);
    const errors: Record<string, string> = {};
    const at = parseLocalDateTime(str(v.termin));
    if (!at) errors.termin = 'Datum und Uhrzeit erforderlich';
    const ort = str(v.ort);
    const videoLink = str(v.videoLink);
    if (!ort && !videoLink) errors.ort = 'Ort oder Videolink angeben';
    if (videoLink && !/^https:\/\/\S+$/.test(videoLink)) errors.videoLink = 'Der Videolink muss mit https:// beginnen';
    const agenda = str(v.tagesordnung);
    if (!agenda) errors.tagesordnung = 'Pflichtfeld';
    const minutes = Number(v.dauerMinuten ?? 90);
    if (!Number.isInteger(minutes) || minutes < 15 || minutes > 480) errors.dauerMinuten = '15 bis 480 Minuten';
    if (Object.keys(errors).length) throw badRequest('Die Planung der Fallkonferenz ist unvollständig.', errors);
    const interpreter = v.dolmetschBedarf === true ? str(v.dolmetschSprache) || 'Sprache nicht angegeben' : null;
    await this.repo.updateConference(c.id, { scheduledAt: at, durationMinutes: minutes, location: ort || null, videoLink: videoLink || null, agenda, interpreter });
    return { conferenceAt: isoUtc(at!), ...nulls(PLAN_TEXT_FIELDS) };
  }

  invitationUrl(participantId: string, expiresAt: Date) {
    return this.partnerUrl('invitation', participantId, expiresAt);
  }

  private partnerUrl(kind: ConferenceLinkKind, id: string, expiresAt: Date) {
    const seg = kind === 'invitation' ? 'conferences' : 'agreements';
    return `${this.cfg.publicUrl.replace(/\/+$/, '')}/partner/${seg}/${signConferenceLink(this.cfg.linkSecret, kind, id, expiresAt)}`;
  }

  private linkExpiry(min?: Date | null) {
    const ttl = new Date(Date.now() + this.cfg.linkTtlDays * 86_400_000);
    return min && min.getTime() + 7 * 86_400_000 > ttl.getTime() ? new Date(min.getTime() + 7 * 86_400_000) : ttl;
  }

  private placeLines(c: { location: string | null; videoLink: string | null }) {
    return [...(c.location ? [`Ort: ${c.location}`] : []), ...(c.videoLink ? [`Videokonferenz: ${c.videoLink}`] : [])];
  }

  /** kim.send-conference-invitations: one e-mail with .ics and answer link per agency (idempotent). */
  async sendInvitations(conferenceId: string): Promise<{ sent: number }> {
    const c = await this.load(conferenceId);
    if (!c.scheduledAt) throw badRequest('Die Fallkonferenz hat noch keinen Termin.');
    const nr = conferenceNumber(c.id);
    const kommune = c.case.kommune.name;
    const start = c.scheduledAt;
    const end = new Date(start.getTime() + c.durationMinutes * 60000);
    let sent = 0;
    for (const p of c.participants) {
      if (!p.email) continue;
      const link = this.invitationUrl(p.id, this.linkExpiry(end));
      const subject = `Einladung zur Fallkonferenz ${nr} am ${berlinDate(start)} – KIM ${kommune}`;
      const body = [
        'Guten Tag,',
        '',
        `das Kommunale Integrationsmanagement (KIM) ${kommune} lädt Sie zu einer rechtskreisübergreifenden Fallkonferenz ein.`,
        `Konferenznummer: ${nr}`,
        `Termin: ${berlin(start)} Uhr (${c.durationMinutes} Minuten)`,
        ...this.placeLines(c),
        ...(c.interpreter ? [`Eine Dolmetschung (${c.interpreter}) ist vorgesehen.`] : []),
        '',
        p.withData
          ? 'Die Klientin / der Klient hat in die Weitergabe ihrer / seiner Daten an Ihre Stelle für diese Fallkonferenz eingewilligt. Die Angaben erhalten Sie in der Konferenz und mit dem Protokoll.'
          : 'Für Ihre Stelle liegt keine Einwilligung zur Datenweitergabe vor: Sie nehmen ohne Daten der Klientin / des Klienten teil und erhalten das Protokoll nicht.',
        '',
        'Bitte sagen Sie über diesen Link zu oder ab:',
        link,
        '',
        'Im Anhang finden Sie den Termin als Kalenderdatei (.ics). Bitte leiten Sie diese E-Mail nicht weiter.',
        '',
        'Mit freundlichen Grüßen',
        `Ihr KIM-Team ${kommune}`,
      ].join('\n');
      const ics = buildIcs({
        uid: `${c.id}-${p.id}@kim-prozessplattform`,
        start,
        end,
        summary: `Fallkonferenz ${nr} (KIM ${kommune})`,
        description: `Rechtskreisübergreifende Fallkonferenz ${nr}. Zu- oder Absage: ${link}`,
        location: [c.location, c.videoLink].filter(Boolean).join(' / ') || undefined,
        url: c.videoLink ?? undefined,
        organizer: { name: `KIM ${kommune}`, email: this.fromAddress() },
        attendee: { name: p.name, email: p.email },
      });
      const row = await this.repo.ensureOutbox({ conferenceId: c.id, key: `invitation:${p.id}`, kind: 'invitation', recipient: p.email, subject, body, ics });
      const r = await this.repo.queueOnce(row.id, (tx) =>
        this.queueMail(tx, c, row, [{ filename: 'fallkonferenz.ics', text: row.ics!, contentType: 'text/calendar; charset=utf-8; method=REQUEST' }]),
      );
      if (r.sent) sent++;
    }
    this.mail.kick();
    if (c.status === 'geplant') await this.repo.updateConference(c.id, { status: 'eingeladen' });
    return { sent };
  }

  /** Queues an outbox row's mail in the mail outbox (in the row's transaction); the dispatcher delivers it. */
  private queueMail(tx: Tx, c: { caseId: string; case: { kommuneId: string } }, row: { id: string; kind: string; recipient: string; subject: string; body: string }, attachments: AttachmentRef[] = []) {
    return this.mail.enqueue(tx, { key: `ConferenceOutbox:${row.id}`, kommuneId: c.case.kommuneId, caseId: c.caseId, kind: row.kind, recipient: row.recipient, subject: row.subject, body: row.body, attachments });
  }

  private fromAddress() {
    return /<([^>]+)>/.exec(this.cfg.mailFrom)?.[1] ?? this.cfg.mailFrom;
  }

  /** kim.send-conference-reminder: one reminder per agency that has not declined (idempotent). */
  async sendReminder(conferenceId: string): Promise<{ sent: number }> {
    const c = await this.load(conferenceId);
    const nr = conferenceNumber(c.id);
    const kommune = c.case.kommune.name;
    let sent = 0;
    for (const p of c.participants) {
      if (!p.email || p.response === 'abgesagt') continue;
      const body = [
        'Guten Tag,',
        '',
        `wir erinnern an die Fallkonferenz ${nr} des KIM ${kommune}:`,
        `Termin: ${c.scheduledAt ? berlin(c.scheduledAt) : 'noch offen'} Uhr`,
        ...this.placeLines(c),
        '',
        p.response === 'zugesagt' ? 'Vielen Dank für Ihre Zusage.' : `Bitte sagen Sie noch zu oder ab: ${this.invitationUrl(p.id, this.linkExpiry(c.scheduledAt))}`,
        '',
        'Mit freundlichen Grüßen',
        `Ihr KIM-Team ${kommune}`,
      ].join('\n');
      const row = await this.repo.ensureOutbox({ conferenceId: c.id, key: `reminder:${p.id}`, kind: 'reminder', recipient: p.email, subject: `Erinnerung: Fallkonferenz ${nr}`, body });
      const r = await this.repo.queueOnce(row.id, (tx) => this.queueMail(tx, c, row));
      if (r.sent) sent++;
    }
    this.mail.kick();
    if (!c.reminderSentAt) await this.repo.updateConference(c.id, { reminderSentAt: new Date() });
    return { sent };
  }

  /**
   * kim.record-conference-protocol: attendance, situation, agreements and system gaps into the app
   * database once (conference row locked; a second delivery finds recordedAt and returns the same
   * ids), then the text is cleared in the engine.
   */
  async recordProtocol(conferenceId: string, v: Record<string, unknown>) {
    const c = await this.load(conferenceId);
    const lage = str(v.lage);
    const errors: Record<string, string> = {};
    if (!lage) errors.lage = 'Pflichtfeld';
    const present = new Set(Array.isArray(v.anwesend) ? v.anwesend.map(String) : []);
    const rawAgreements = Array.isArray(v.vereinbarungen) ? (v.vereinbarungen as Array<Record<string, unknown>>) : [];
    const agreements = rawAgreements
      .filter((x) => x && (str(x.massnahme) || str(x.zustaendig)))
      .map((x, i) => {
        const who = str(x.zustaendig);
        const participant = c.participants.find((p) => p.id === who);
        const due = /^\d{4}-\d{2}-\d{2}/.test(str(x.faelligAm)) ? new Date(`${str(x.faelligAm).slice(0, 10)}T00:00:00Z`) : null;
        if (!str(x.massnahme)) errors[`vereinbarungen.${i}.massnahme`] = 'Pflichtfeld';
        if (who !== RESPONSIBLE.kim && !participant) errors[`vereinbarungen.${i}.zustaendig`] = 'KIM oder eine eingeladene Stelle';
        if (!due || Number.isNaN(due.getTime())) errors[`vereinbarungen.${i}.faelligAm`] = 'Datum erforderlich';
        return { position: i + 1, description: str(x.massnahme).slice(0, 2000), dueDate: due, responsible: (participant ? RESPONSIBLE.extern : RESPONSIBLE.kim) as Responsible, organisationId: participant?.organisationId ?? null };
      });
    const gaps = (Array.isArray(v.systemluecken) ? (v.systemluecken as Array<Record<string, unknown>>) : [])
      .filter((x) => x && str(x.beschreibung))
      .map((x, i) => ({ position: i + 1, lifeArea: LIFE_AREAS.includes(str(x.lebensbereich)) ? str(x.lebensbereich) : 'Sonstiges', description: str(x.beschreibung).slice(0, 2000) }));
    if (Object.keys(errors).length) throw badRequest('Das Protokoll ist unvollständig.', errors);
    const out = await this.repo.recordProtocolOnce(c.id, {
      attendance: c.participants.map((p) => ({ id: p.id, attended: present.has(p.id) })),
      agreements,
      gaps: gaps.map((g) => ({
        position: g.position,
        gap: {
          kommuneId: c.case.kommuneId,
          lifeArea: g.lifeArea as never,
          title: `Systemlücke aus Fallkonferenz ${conferenceNumber(c.id)} (${LIFE_AREA_DE[g.lifeArea] ?? g.lifeArea})`,
          description: g.description,
        },
      })),
      situation: lage.slice(0, 20000),
      audit: { action: 'conferences.protocol_recorded', entity: 'Conference', entityId: c.id, caseId: c.caseId, fields: ['situation', 'attendance', 'agreements', 'systemGaps'] },
    });
    return { ...out, ...nulls(PROTOCOL_TEXT_FIELDS) };
  }

  /** The protocol's lines (for the PDF in the case file). */
  private async protocolLines(conferenceId: string): Promise<{ title: string; lines: PdfLine[]; fileName: string }> {
    const c = await this.load(conferenceId);
    const nr = conferenceNumber(c.id);
    const gapRows = await this.repo.systemGapsOf(c.id);
    const cl = c.case.client;
    const orgName = (id: string | null) => c.participants.find((p) => p.organisationId === id)?.name ?? 'KIM (Case-Management)';
    const lines: PdfLine[] = [
      { text: `Protokoll der Fallkonferenz ${nr}`, bold: true, size: 16 },
      { text: `Kommunales Integrationsmanagement ${c.case.kommune.name}, ${c.case.site.name}`, gap: 4 },
      { text: `Fall ${c.case.reference} – ${cl.firstName} ${cl.lastName}` },
      { text: `Termin: ${c.scheduledAt ? berlin(c.scheduledAt) + ' Uhr' : 'nicht geplant'}` },
      ...this.placeLines(c).map((t) => ({ text: t })),
      ...(c.interpreter ? [{ text: `Dolmetschung: ${c.interpreter}` }] : []),
      { text: 'Anlass', bold: true, size: 12, gap: 10 },
      { text: c.occasion ?? '–' },
      { text: 'Teilnehmende Stellen', bold: true, size: 12, gap: 10 },
      ...c.participants.map((p) => ({
        text: `• ${p.name}: ${p.attended ? 'anwesend' : 'nicht anwesend'}${p.response ? `, Einladung ${p.response}` : ''} – ${p.withData ? 'mit Einwilligung (Daten geteilt)' : 'ohne Einwilligung: nahm ohne Daten der Klientin / des Klienten teil'}`,
      })),
      { text: 'Lage', bold: true, size: 12, gap: 10 },
      { text: c.situation ?? '–' },
      { text: 'Vereinbarungen', bold: true, size: 12, gap: 10 },
      ...(c.agreements.length
        ? c.agreements.map((a) => ({ text: `${a.position}. ${a.description} – zuständig: ${orgName(a.organisationId)} – bis ${a.dueDate ? berlinDate(a.dueDate) : 'offen'}` }))
        : [{ text: 'keine' }]),
      { text: 'Systemlücken (an die Koordination gemeldet)', bold: true, size: 12, gap: 10 },
      ...(gapRows.length ? gapRows.map((g, i) => ({ text: `${i + 1}. ${g.title}: ${g.description}` })) : [{ text: 'keine' }]),
      { text: 'Vertraulich: Dieses Protokoll darf nur an Stellen weitergegeben werden, die von der Einwilligung der Klientin / des Klienten gedeckt sind.', gap: 16, size: 9 },
    ];
    return { title: `Protokoll Fallkonferenz ${nr}`, lines, fileName: `protokoll-fallkonferenz-${nr.toLowerCase()}.pdf` };
  }

  /** kim.create-conference-protocol: the protocol PDF as a Document of the case, once. */
  async createProtocolPdf(conferenceId: string): Promise<{ documentId: string; created: boolean }> {
    const c = await this.load(conferenceId);
    if (c.protocolDocumentId) return { documentId: c.protocolDocumentId, created: false };
    const { title, lines, fileName } = await this.protocolLines(c.id);
    const pdf = buildPdf(lines, { title, footer: `${title} – vertraulich` });
    return this.repo.createProtocolDocumentOnce(
      c.id,
      { caseId: c.caseId, title, kind: 'Protokoll', fileName, mimeType: 'application/pdf', size: pdf.length, content: new Uint8Array(pdf) },
      `Protokoll als PDF in der Fallakte (${fileName})`,
      { action: 'documents.create', entity: 'Document', caseId: c.caseId, reason: `Protokoll der Fallkonferenz ${conferenceNumber(c.id)}` },
    );
  }

  /** kim.send-conference-protocol: the PDF only to agencies a valid consent covers (re-checked now). */
  async sendProtocol(conferenceId: string, today = new Date()): Promise<{ sent: number; withheld: number }> {
    const c = await this.load(conferenceId);
    if (!c.protocolDocumentId) throw conflict('Das Protokoll-PDF fehlt noch.');
    const doc = await this.repo.findDocument(c.protocolDocumentId);
    if (!doc?.content) throw conflict('Das Protokoll-PDF fehlt noch.');
    const nr = conferenceNumber(c.id);
    const kommune = c.case.kommune.name;
    let sent = 0;
    let withheld = 0;
    for (const p of c.participants) {
      const consent = p.consentId ? await this.repo.findConsent(p.consentId) : null;
      const covered = p.withData && p.organisationId && consent && consentCoversConference(consent, p.organisationId, today);
      if (!covered || !p.email) {
        withheld++;
        continue;
      }
      const body = ['Guten Tag,', '', `im Anhang erhalten Sie das Protokoll der Fallkonferenz ${nr} des KIM ${kommune}.`, 'Es ist vertraulich und darf nur im Rahmen der Einwilligung der Klientin / des Klienten verwendet werden.', '', 'Mit freundlichen Grüßen', `Ihr KIM-Team ${kommune}`].join('\n');
      const row = await this.repo.ensureOutbox({ conferenceId: c.id, key: `protocol:${p.id}`, kind: 'protocol', recipient: p.email, subject: `Protokoll der Fallkonferenz ${nr}`, body, documentId: doc.id });
      const r = await this.repo.queueOnce(
        row.id,
        (tx) => this.queueMail(tx, c, row, [{ filename: doc.fileName, documentId: doc.id, contentType: 'application/pdf' }]),
        async (tx) => {
          await this.repo.writeAudit(null, { action: 'conferences.protocol_shared', entity: 'Conference', entityId: c.id, caseId: c.caseId, fields: ['protocol'], reason: `an Stelle ${p.organisationId}, Einwilligung ${p.consentId}` }, tx);
        },
      );
      if (r.sent) sent++;
    }
    this.mail.kick();
    return { sent, withheld };
  }

  /**
   * kim.track-agreement: who confirms the agreement (KIM task or the agency's signed link, sent
   * once) and when it is overdue.
   */
  async trackAgreement(agreementId: string): Promise<{ responsible: Responsible; agreementDueAt: string }> {
    const a = await this.repo.findAgreement(agreementId);
    if (!a) throw notFound(`Die Vereinbarung ${agreementId}`);
    const dueAt = overdueAt(a.dueDate ?? new Date());
    const responsible = (a.responsible === RESPONSIBLE.extern ? RESPONSIBLE.extern : RESPONSIBLE.kim) as Responsible;
    if (responsible === RESPONSIBLE.extern) {
      const org = a.organisationId ? await this.repo.organisation(a.organisationId) : null;
      if (!org?.email) throw conflict('Für die zuständige Stelle ist keine E-Mail-Adresse hinterlegt.');
      const c = a.conference;
      const nr = conferenceNumber(c.id);
      const kommune = c.case.kommune.name;
      const link = this.partnerUrl('agreement', a.id, this.linkExpiry(dueAt));
      const body = [
        'Guten Tag,',
        '',
        `in der Fallkonferenz ${nr} des KIM ${kommune} wurde vereinbart, dass Ihre Stelle folgende Maßnahme übernimmt:`,
        a.description,
        `Zu erledigen bis: ${a.dueDate ? berlinDate(a.dueDate) : 'offen'}`,
        '',
        'Bitte bestätigen Sie die Erledigung über diesen Link:',
        link,
        '',
        'Mit freundlichen Grüßen',
        `Ihr KIM-Team ${kommune}`,
      ].join('\n');
      const row = await this.repo.ensureOutbox({ conferenceId: c.id, key: `agreement:${a.id}`, kind: 'agreement', recipient: org.email, subject: `Vereinbarung aus der Fallkonferenz ${nr}`, body });
      await this.repo.queueOnce(row.id, (tx) => this.queueMail(tx, c, row));
      this.mail.kick();
    }
    return { responsible, agreementDueAt: isoUtc(dueAt) };
  }

  /** kim.record-agreement-status: erledigt (confirmed by KIM / the agency / after escalation) or ueberfaellig. */
  async recordAgreementStatus(agreementId: string, status: string): Promise<void> {
    const a = await this.repo.findAgreement(agreementId);
    if (!a) throw notFound(`Die Vereinbarung ${agreementId}`);
    const audit = { action: `agreements.${status}`, entity: 'Agreement', entityId: a.id, caseId: a.conference.caseId, fields: ['status'] };
    // conditional on the status still being the old one: a job delivered twice (also concurrently) writes once
    if (status === AGREEMENT_STATUS.done) {
      if (a.status === 'erledigt') return;
      await this.repo.setAgreementStatusOnce(a.id, ['offen', 'ueberfaellig'], { status: 'erledigt', doneAt: new Date(), doneBy: 'KIM (Case-Management)' }, audit);
    } else if (status === AGREEMENT_STATUS.overdue) {
      if (a.status !== 'offen') return;
      await this.repo.setAgreementStatusOnce(a.id, ['offen'], { status: 'ueberfaellig', overdueAt: new Date() }, audit);
    } else throw badRequest(`Unbekannter Status „${status}“`);
  }

  // --- partner pages -------------------------------------------------------------------------

  /** What an invited agency sees: the conference's date and place, its own consent situation. */
  async invitationView(token: string) {
    const check = verifyConferenceLink(this.cfg.linkSecret, token, 'invitation');
    if (!check.ok) return { ok: false as const, reason: check.reason };
    const p = await this.repo.findParticipant(check.id);
    if (!p) return { ok: false as const, reason: 'gone' as const };
    const c = p.conference;
    return {
      ok: true as const,
      participantId: p.id,
      number: conferenceNumber(c.id),
      kommune: c.case.kommune.name,
      site: c.case.site.name,
      agency: p.name,
      when: c.scheduledAt ? `${berlin(c.scheduledAt)} Uhr (${c.durationMinutes} Minuten)` : 'noch nicht festgelegt',
      place: this.placeLines(c),
      withData: p.withData,
      response: p.response as 'zugesagt' | 'abgesagt' | null,
      closed: c.status === 'durchgefuehrt' || c.status === 'abgesagt',
    };
  }

  /** Confirm or decline through the link: recorded once (the first answer wins). */
  async answerInvitation(token: string, action: 'confirm' | 'decline', reason?: string) {
    const v = await this.invitationView(token);
    if (!v.ok) return v;
    if (v.closed) throw conflict('Diese Fallkonferenz hat bereits stattgefunden.');
    const response = action === 'confirm' ? 'zugesagt' : 'abgesagt';
    const ok = await this.repo.answerParticipant(v.participantId, { response, responseReason: action === 'decline' ? str(reason).slice(0, 1000) || null : null });
    if (!ok) throw conflict('Sie haben diese Einladung bereits beantwortet.');
    const p = await this.repo.findParticipant(v.participantId);
    await this.repo.writeAudit(null, { action: `conferences.invitation_${response}`, entity: 'ConferenceParticipant', entityId: v.participantId, caseId: p?.conference.caseId, reason: 'über signierten Link' });
    return { ok: true as const, response };
  }

  /** What the responsible agency sees of an agreement: the action and due date, nothing about the person. */
  async agreementView(token: string) {
    const check = verifyConferenceLink(this.cfg.linkSecret, token, 'agreement');
    if (!check.ok) return { ok: false as const, reason: check.reason };
    const a = await this.repo.findAgreement(check.id);
    if (!a) return { ok: false as const, reason: 'gone' as const };
    return {
      ok: true as const,
      agreementId: a.id,
      number: conferenceNumber(a.conferenceId),
      kommune: a.conference.case.kommune.name,
      action: a.description,
      due: a.dueDate ? berlinDate(a.dueDate) : 'offen',
      done: a.status === 'erledigt',
    };
  }

  /**
   * The agency confirms completion: recorded once, then Msg_AgreementFulfilled, correlated by the
   * agreement id (the agreement's own multi-instance variable); kept until the instance waits.
   */
  async confirmAgreement(token: string) {
    const v = await this.agreementView(token);
    if (!v.ok) return v;
    if (v.done) throw conflict('Die Erledigung wurde bereits gemeldet.');
    const a = await this.repo.findAgreement(v.agreementId);
    const org = a?.organisationId ? await this.repo.organisation(a.organisationId) : null;
    if (!(await this.repo.markAgreementDone(v.agreementId, `Stelle: ${org?.name ?? 'extern'}`))) throw conflict('Die Erledigung wurde bereits gemeldet.');
    try {
      await this.messages.send({
        messageId: `${v.agreementId}:done`,
        name: MSG.agreementFulfilled,
        tenantId: a!.conference.case.kommuneId,
        correlation: { ...CORRELATION[MSG.agreementFulfilled], value: v.agreementId },
        // agreementId is local to the waiting execution: the conference's instance holds it.
        instance: a!.conference.processInstanceKey ? { processInstanceKey: a!.conference.processInstanceKey } : { variable: 'conferenceId', value: a!.conference.id },
      });
    } catch (e) {
      await this.repo.updateAgreement(v.agreementId, { status: a?.status ?? 'offen', doneAt: null, doneBy: null });
      throw e;
    }
    await this.repo.writeAudit(null, { action: 'agreements.confirmed_by_agency', entity: 'Agreement', entityId: v.agreementId, caseId: a?.conference.caseId, reason: 'über signierten Link' });
    return { ok: true as const };
  }
}
