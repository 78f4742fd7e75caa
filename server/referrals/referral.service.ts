/**
 * Vermittlung (kim-referral): the rules behind the process's workers and the partner page.
 *
 * - consent gate: with data only when a valid consent (not revoked, validFrom ≤ today ≤ validUntil)
 *   names the partner organisation among its recipients and covers the referral's purpose;
 * - send: one outbox row per referral and one e-mail (idempotent), a signed, expiring link; the
 *   e-mail itself carries no personal data, the partner page shows only what the consent covers;
 * - partner answers (accept / decline with reason / outcome) become facts and engine messages;
 * - outcomes are recorded on the Referral row (status, outcome text), which the case shows;
 * - no reachable partner → a SystemGap row for the coordinators.
 */
import { appendAudit } from '../audit/audit.repository';
import type { ReferralRepository, ReferralStatusName } from './referral.repository';
import type { ProcessRuntime, Variables } from '../engine/port';
import { starterVariables } from '../engine/starter';
import type { MailQueue } from '../mail/mail.service';
import { CORRELATION, MSG, PROCESS_ID, RESULT, ReferralMessage, ReferralResult, ReferralStartVariables } from '../../processes/kim-referral/contract';
import { badRequest, conflict, notFound } from '../errors';
import type { MessageService } from '../messages/messages.service';
import { Actor, assertCan, caseScope, caseWhere } from '../auth/policy';
import { signReferralLink, verifyReferralLink } from './referral-link';


export interface ReferralConfig {
  linkSecret: string;
  linkTtlDays: number;
  publicUrl: string;
  reminderAfter: string;
}

export const LIFE_AREA_DE: Record<string, string> = {
  Aufenthalt: 'Aufenthalt',
  Sprache: 'Sprache',
  Bildung: 'Bildung',
  Arbeit: 'Arbeit',
  Wohnen: 'Wohnen',
  Gesundheit: 'Gesundheit',
  FamilieKitaSchule: 'Familie, Kita und Schule',
  Finanzen: 'Finanzen',
  Sonstiges: 'Sonstiges',
};
export const LIFE_AREAS = Object.keys(LIFE_AREA_DE);

/** A consent purpose that covers every referral (besides the referral's own purpose). */
export const GENERIC_REFERRAL_PURPOSE = 'Vermittlung';

/** Partner answers: fact kind and engine message. */
export const PARTNER_ACTIONS = {
  accept: { kind: 'accepted', message: MSG.accepted },
  decline: { kind: 'declined', message: MSG.declined },
  outcome: { kind: 'outcome-reported', message: MSG.outcomeReported },
} as const satisfies Record<string, { kind: string; message: ReferralMessage }>;
export type PartnerAction = keyof typeof PARTNER_ACTIONS;

export interface StartReferralInput {
  caseId: string;
  organisationId: string;
  lifeArea: string;
  purpose: string;
  dueDate?: string | null;
  /** Override of KIM_REFERRAL_REMINDER_AFTER for this referral (tests, tooling); not exposed by the API. */
  reminderAfter?: string;
}

interface ConsentLike {
  id: string;
  recipients: string[];
  purposes: string[];
  validFrom: Date;
  validUntil: Date | null;
  revokedAt: Date | null;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Valid today (not revoked, validFrom ≤ today ≤ validUntil) and covering partner and purpose. */
export function consentCovers(c: ConsentLike, organisationId: string, purpose: string, today = new Date()): boolean {
  if (c.revokedAt) return false;
  const t = dayOf(today);
  if (dayOf(c.validFrom) > t) return false;
  if (c.validUntil && dayOf(c.validUntil) < t) return false;
  if (!c.recipients.includes(organisationId)) return false;
  const norm = (s: string) => s.trim().toLowerCase();
  return c.purposes.some((p) => norm(p) === norm(purpose) || norm(p) === norm(GENERIC_REFERRAL_PURPOSE));
}

/** Short, non-speaking referral number shown to partner and client. */
export const referralNumber = (id: string) => `V-${id.replace(/-/g, '').slice(0, 8).toUpperCase()}`;

/** Data categories of a consent → client fields the partner page may show. */
const CATEGORY_FIELDS: Array<{ match: RegExp; fields: string[] }> = [
  { match: /^(stammdaten|name|personalien)$/i, fields: ['name', 'birthDate'] },
  { match: /^(kontaktdaten|kontakt)$/i, fields: ['phone', 'email'] },
  { match: /^(sprache|sprachkenntnisse|sprachen)$/i, fields: ['languages', 'interpreterNeeded'] },
];

export function fieldsCoveredBy(categories: string[]): string[] {
  const out = new Set<string>();
  for (const c of categories) for (const m of CATEGORY_FIELDS) if (m.match.test(c.trim())) m.fields.forEach((f) => out.add(f));
  return [...out];
}

export type PartnerView = Awaited<ReturnType<ReferralService['partnerView']>>;

export class ReferralService {
  constructor(
    private readonly repo: ReferralRepository,
    private readonly runtime: Pick<ProcessRuntime, 'start'>,
    private readonly messages: Pick<MessageService, 'send'>,
    private readonly mail: MailQueue,
    private readonly cfg: ReferralConfig,
  ) {}

  // --- entry for the web app / API ---------------------------------------------------------

  /** Creates the referral for a case of the actor and starts kim-referral for it. */
  async startReferral(a: Actor, input: StartReferralInput, requestId?: string) {
    assertCan(a, 'referrals', 'create');
    const errors: Record<string, string> = {};
    if (!input.caseId) errors.caseId = 'Pflichtfeld';
    if (!input.organisationId) errors.organisationId = 'Pflichtfeld';
    if (!LIFE_AREAS.includes(input.lifeArea)) errors.lifeArea = `Erlaubt: ${LIFE_AREAS.join(', ')}`;
    if (!input.purpose?.trim()) errors.purpose = 'Pflichtfeld';
    if (Object.keys(errors).length) throw badRequest('Die Vermittlung ist unvollständig.', errors);
    const c = await this.repo.findCase({ id: input.caseId, ...caseWhere(caseScope(a)) });
    if (!c) throw notFound('Der Fall');
    if (c.closedAt) throw conflict('Der Fall ist abgeschlossen; eine Vermittlung ist nicht mehr möglich.');
    const org = await this.repo.findOrganisation(input.organisationId);
    if (!org || org.kommuneId !== c.kommuneId) throw notFound('Das Angebot (Organisation)');
    const referral = await this.repo.createReferral(
      a,
      {
        caseId: c.id,
        organisationId: org.id,
        lifeArea: input.lifeArea as never,
        purpose: input.purpose.trim(),
        dueDate: input.dueDate ? new Date(input.dueDate) : null,
      },
      { action: 'referrals.create', entity: 'Referral', caseId: c.id, fields: ['organisationId', 'lifeArea', 'purpose'], requestId },
    );
    const variables = {
      caseId: c.id,
      referralId: referral.id,
      organisationId: org.id,
      kommuneId: c.kommuneId,
      reminderAfter: input.reminderAfter ?? this.cfg.reminderAfter,
      // The referral's first task goes to the person who started it.
      ...starterVariables(a),
    } satisfies ReferralStartVariables & Variables;
    // The case's commune is the engine tenant.
    const pi = await this.runtime.start(PROCESS_ID, c.kommuneId, variables);
    return this.repo.update(referral.id, { processInstanceKey: pi.processInstanceKey });
  }

  // --- worker steps --------------------------------------------------------------------------

  private async load(referralId: string) {
    const r = await this.repo.findWithContext(referralId);
    if (!r) throw new Error(`Vermittlung ${referralId} nicht gefunden`);
    return r;
  }

  /** The configured reminder duration (for instances started as called process without it). */
  get defaultReminderAfter(): string {
    return this.cfg.reminderAfter;
  }

  /**
   * kim.check-referral-partner: reachable = active and with an e-mail address. Also links the
   * referral to its instance when it was started elsewhere (called from kim-case).
   */
  async checkPartner(referralId: string, processInstanceKey?: string): Promise<{ reachable: true } | { reachable: false; reason: string }> {
    const r = await this.load(referralId);
    if (processInstanceKey && !r.processInstanceKey) await this.repo.update(r.id, { processInstanceKey });
    if (!r.organisation.active) return { reachable: false, reason: 'Das Angebot ist als nicht erreichbar markiert.' };
    if (!r.organisation.email?.trim()) return { reachable: false, reason: 'Für das Angebot ist keine E-Mail-Adresse hinterlegt.' };
    return { reachable: true };
  }

  /** kim.check-referral-consent: picks a valid consent covering partner and purpose, records the gate's result. */
  async checkConsent(referralId: string, today = new Date()): Promise<{ withData: boolean; consentId: string | null }> {
    const r = await this.load(referralId);
    const consents = await this.repo.consentsOfCase(r.caseId);
    const c = consents.find((x) => consentCovers(x, r.organisationId, r.purpose, today));
    await this.repo.update(r.id, { withData: Boolean(c), consentId: c?.id ?? null });
    return { withData: Boolean(c), consentId: c?.id ?? null };
  }

  /**
   * kim.send-referral: re-checks the consent of a referral with data (revoked meanwhile → stopped,
   * nothing is sent), then sends the e-mail once through the outbox.
   */
  async sendReferral(referralId: string, today = new Date()): Promise<{ result: 'sent' | 'already-sent' } | { result: 'consent-revoked'; reason: string }> {
    const r = await this.load(referralId);
    if (r.consentId) {
      const c = await this.repo.findConsent(r.consentId);
      if (!r.withData || !c || !consentCovers(c, r.organisationId, r.purpose, today)) {
        const when = c?.revokedAt ? ` am ${c.revokedAt.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' })}` : '';
        const reason = c?.revokedAt
          ? `Nicht gesendet: Die Einwilligung wurde vor dem Versand widerrufen${when}.`
          : 'Nicht gesendet: Die Einwilligung ist vor dem Versand ungültig geworden.';
        await this.repo.addEvent(r.id, 'stopped', reason);
        return { result: 'consent-revoked', reason };
      }
    }
    const expiresAt = new Date(Date.now() + this.cfg.linkTtlDays * 86_400_000);
    const link = this.partnerUrl(r.id, expiresAt);
    const nr = referralNumber(r.id);
    const kommune = r.case.kommune.name;
    const subject = `Vermittlung ${nr} aus dem Kommunalen Integrationsmanagement ${kommune}`;
    const body = [
      `Guten Tag,`,
      ``,
      `das Kommunale Integrationsmanagement (KIM) ${kommune} vermittelt eine Person an Ihr Angebot.`,
      `Vermittlungsnummer: ${nr}`,
      `Lebensbereich: ${LIFE_AREA_DE[r.lifeArea] ?? r.lifeArea}`,
      ``,
      r.withData
        ? `Die Person hat in die Weitergabe ihrer Daten an Sie eingewilligt. Die Angaben sehen Sie ausschließlich über den folgenden gesicherten Link.`
        : `Es liegt keine Einwilligung zur Datenweitergabe vor: Die Person hat Ihre Kontaktdaten erhalten und meldet sich mit der Vermittlungsnummer bei Ihnen.`,
      ``,
      `Bitte teilen Sie uns über diesen Link mit, ob Sie die Vermittlung annehmen, und später, wie sie ausgegangen ist:`,
      link,
      ``,
      `Der Link ist bis ${expiresAt.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' })} gültig. Bitte leiten Sie diese E-Mail nicht weiter.`,
      ``,
      `Mit freundlichen Grüßen`,
      `Ihr KIM-Team ${kommune}`,
    ].join('\n');
    const outbox = await this.repo.ensureOutbox({ referralId: r.id, kind: 'referral', recipient: r.organisation.email!, subject, body });
    // Queued with the referral's state in one transaction; the dispatcher delivers (with retries).
    const { sent } = await this.repo.queueOnce(
      outbox.id,
      (tx) => this.mail.enqueue(tx, { key: `ReferralOutbox:${outbox.id}`, kommuneId: r.case.kommuneId, caseId: r.caseId, kind: 'referral', recipient: outbox.recipient, subject: outbox.subject, body: outbox.body }),
      async (tx) => {
        await tx.referral.update({ where: { id: r.id }, data: { status: 'gesendet', sentAt: new Date() } });
        await appendAudit(tx, {
            action: r.withData ? 'referrals.shared_with_data' : 'referrals.sent_without_data',
            entity: 'Referral',
            entityId: r.id,
            caseId: r.caseId,
            kommuneId: r.case.kommuneId,
            fields: r.withData ? fieldsCoveredBy(r.consent?.dataCategories ?? []) : [],
            reason: `an Organisation ${r.organisationId}${r.consentId ? `, Einwilligung ${r.consentId}` : ''}`,
        });
      },
    );
    this.mail.kick();
    return { result: sent ? 'sent' : 'already-sent' };
  }

  /** kim.record-referral-outcome: writes the result of a step on the Referral row (idempotent). */
  async recordOutcome(referralId: string, result: ReferralResult): Promise<void> {
    const r = await this.load(referralId);
    const events = await this.repo.events(r.id);
    const reasonOf = (kind: string) => events.find((e) => e.kind === kind)?.reason ?? null;
    const answeredAt = (kind: string) => events.find((e) => e.kind === kind)?.createdAt ?? new Date();
    let data: { status: ReferralStatusName; outcome?: string | null; answeredAt?: Date };
    switch (result) {
      case RESULT.accepted:
        data = { status: 'angenommen', answeredAt: answeredAt('accepted'), outcome: null };
        break;
      case RESULT.declined:
        data = { status: 'abgelehnt', answeredAt: answeredAt('declined'), outcome: `Vom Angebot abgelehnt: ${reasonOf('declined') ?? 'ohne Begründung'}` };
        break;
      case RESULT.completed:
        data = { status: 'abgeschlossen', outcome: `Ergebnis laut Angebot: ${reasonOf('outcome-reported') ?? 'ohne Angabe'}` };
        break;
      case RESULT.withdrawn:
        data = { status: 'abgebrochen', outcome: 'Zurückgezogen: Das Angebot hat nach Fristablauf und Nachfassen nicht geantwortet.' };
        break;
      case RESULT.stopped:
        data = { status: 'abgebrochen', outcome: reasonOf('stopped') ?? 'Nicht gesendet: Die Einwilligung wurde vor dem Versand widerrufen.' };
        break;
      default:
        throw new Error(`Unbekanntes Ergebnis "${String(result)}"`);
    }
    if (r.status === data.status && r.outcome === (data.outcome ?? r.outcome)) return;
    await this.repo.update(r.id, data);
    await this.repo.writeAudit(null, { action: `referrals.${result}`, entity: 'Referral', entityId: r.id, caseId: r.caseId, fields: ['status', 'outcome'] });
  }

  /** kim.report-system-gap: a SystemGap (no personal data) once per referral; the referral is cancelled. */
  async reportSystemGap(referralId: string): Promise<{ systemGapId: string; created: boolean }> {
    const r = await this.load(referralId);
    const reach = await this.checkPartner(referralId);
    const why = reach.reachable ? 'Das Angebot war nicht erreichbar.' : reach.reason;
    const area = LIFE_AREA_DE[r.lifeArea] ?? r.lifeArea;
    return this.repo.reportSystemGapOnce(
      r.id,
      {
        kommuneId: r.case.kommuneId,
        lifeArea: r.lifeArea,
        title: `Kein erreichbares Angebot: ${r.organisation.name} (${area})`,
        description: `Eine Vermittlung im Lebensbereich „${area}“ an „${r.organisation.name}“ war nicht möglich. ${why} Gemeldet aus einer Vermittlung (${referralNumber(r.id)}).`,
      },
      { status: 'abgebrochen', outcome: `Nicht gesendet: kein erreichbares Angebot. ${why} Als Systemlücke an die Koordination gemeldet.` },
      { action: 'system-gaps.reported', entity: 'Referral', entityId: r.id, caseId: r.caseId, fields: ['status', 'outcome'], reason: why },
    );
  }

  // --- partner page --------------------------------------------------------------------------

  partnerUrl(referralId: string, expiresAt: Date): string {
    return `${this.cfg.publicUrl.replace(/\/+$/, '')}/partner/referrals/${signReferralLink(this.cfg.linkSecret, referralId, expiresAt)}`;
  }

  signLink(referralId: string, expiresAt: Date): string {
    return signReferralLink(this.cfg.linkSecret, referralId, expiresAt);
  }

  /** What the partner may see: the referral and, with a valid consent, the fields it covers. */
  async partnerView(token: string) {
    const check = verifyReferralLink(this.cfg.linkSecret, token);
    if (!check.ok) return { ok: false as const, reason: check.reason };
    const r = await this.repo.findWithContext(check.referralId);
    if (!r) return { ok: false as const, reason: 'gone' as const };
    const events = await this.repo.events(r.id);
    const has = (k: string) => events.some((e) => e.kind === k);
    const covered = r.withData && r.consent && consentCovers(r.consent, r.organisationId, r.purpose) ? fieldsCoveredBy(r.consent.dataCategories) : [];
    const cl = r.case.client;
    const person: Array<{ label: string; value: string }> = [];
    if (covered.includes('name')) person.push({ label: 'Name', value: `${cl.firstName} ${cl.lastName}` });
    if (covered.includes('birthDate') && cl.birthDate) person.push({ label: 'Geburtsdatum', value: cl.birthDate.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }) });
    if (covered.includes('phone') && cl.phone) person.push({ label: 'Telefon', value: cl.phone });
    if (covered.includes('email') && cl.email) person.push({ label: 'E-Mail', value: cl.email });
    if (covered.includes('languages') && cl.languages.length) person.push({ label: 'Sprachen', value: cl.languages.join(', ') });
    if (covered.includes('interpreterNeeded')) person.push({ label: 'Dolmetschbedarf', value: cl.interpreterNeeded ? 'ja' : 'nein' });
    const closed = r.status === 'abgebrochen' || r.status === 'abgeschlossen';
    if (person.length) {
      await this.repo.writeAudit(null, { action: 'referrals.partner_view', entity: 'Referral', entityId: r.id, caseId: r.caseId, fields: covered, reason: `Angebot ${r.organisationId} über signierten Link` });
    }
    return {
      ok: true as const,
      referralId: r.id,
      number: referralNumber(r.id),
      kommune: r.case.kommune.name,
      site: r.case.site.name,
      organisation: r.organisation.name,
      lifeArea: LIFE_AREA_DE[r.lifeArea] ?? r.lifeArea,
      purpose: r.withData ? r.purpose : null,
      withData: person.length > 0,
      person,
      canAnswer: !closed && r.status !== 'angelegt' && !has('accepted') && !has('declined'),
      canReportOutcome: !closed && has('accepted') && !has('outcome-reported'),
      answered: has('accepted') ? ('accepted' as const) : has('declined') ? ('declined' as const) : null,
      outcomeReported: has('outcome-reported'),
      closed,
    };
  }

  /**
   * The partner's answer through the link: recorded once as a fact, then sent to the engine as a
   * message correlated by the referral id (the message id deduplicates; an answer that arrives
   * before the instance waits for it is kept and delivered when it does). Free text never enters
   * the engine.
   */
  async partnerAnswer(token: string, action: PartnerAction, text: string | undefined) {
    const view = await this.partnerView(token);
    if (!view.ok) return view;
    const a = PARTNER_ACTIONS[action];
    if (action === 'outcome' ? !view.canReportOutcome : !view.canAnswer) throw conflict('Diese Vermittlung wurde bereits beantwortet oder ist nicht mehr offen.');
    const clean = text?.trim().slice(0, 2000) || null;
    if ((action === 'decline' || action === 'outcome') && (!clean || clean.length < 3)) {
      throw badRequest(action === 'decline' ? 'Bitte geben Sie einen Grund für die Ablehnung an.' : 'Bitte beschreiben Sie das Ergebnis.', { text: 'Pflichtfeld (mindestens 3 Zeichen)' });
    }
    if (action !== 'outcome') {
      // accept and decline exclude each other: the first one wins
      const other = action === 'accept' ? 'declined' : 'accepted';
      if (await this.repo.findEvent(view.referralId, other)) throw conflict('Diese Vermittlung wurde bereits beantwortet.');
    }
    const r = await this.load(view.referralId);
    const created = await this.repo.addEvent(view.referralId, a.kind, action === 'accept' ? null : clean);
    if (!created) throw conflict('Diese Vermittlung wurde bereits beantwortet.');
    try {
      // 'no-instance' (the referral's process has ended meanwhile) keeps the recorded answer, as a
      // message published into an ended instance did before.
      await this.messages.send({
        messageId: `${view.referralId}:${a.kind}`,
        name: a.message,
        tenantId: r.case.kommuneId,
        correlation: { ...CORRELATION[a.message], value: view.referralId },
      });
    } catch (e) {
      await this.repo.deleteEvent(view.referralId, a.kind);
      throw e;
    }
    return { ok: true as const, action };
  }
}
