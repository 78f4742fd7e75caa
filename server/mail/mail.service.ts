/**
 * The product's one way to send e-mail: domain code queues a mail in its own transaction
 * ({@link MailService.enqueue}) and kicks the dispatcher after commit; administrators read what was
 * sent as "Postausgang"; a case shows its mails still waiting to go out.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { AuditService } from '../audit/audit.service';
import { assertCanReadOutbox, can, caseScope, caseWhere, type Actor } from '../auth/policy';
import type { Db } from '../db/prisma';
import { forbidden, notFound } from '../errors';
import { mailErrorDe } from '../util/mailer';
import type { MailDispatcher } from './dispatcher';
import type { AttachmentRef, MailOutboxRepository, MailRow, OutboxListParams, QueuedMail } from './outbox.repository';

export const MAIL_KIND_DE: Record<string, string> = {
  referral: 'Vermittlung',
  invitation: 'Einladung zur Fallkonferenz',
  reminder: 'Erinnerung an die Fallkonferenz',
  protocol: 'Protokoll der Fallkonferenz',
  agreement: 'Vereinbarung aus der Fallkonferenz',
};

const berlinTime = (d: Date) => d.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
const berlinDateTime = (d: Date) => `${d.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' })}, ${berlinTime(d)} Uhr`;

/** The state of a mail in German, as the Postausgang and the case file show it. */
export function mailStateDe(r: Pick<MailRow, 'status' | 'nextAttemptAt' | 'sentAt' | 'attempts'>, viaCatcher: boolean): string {
  if (r.status === 'sent') return viaCatcher ? 'versendet (lokaler Mail-Catcher, keine echte Zustellung)' : 'versendet';
  if (r.status === 'failed') return `Versand aufgegeben nach ${r.attempts} Versuchen`;
  if (r.attempts === 0) return 'in Warteschlange';
  const sameDay = r.nextAttemptAt.toDateString() === new Date().toDateString();
  return `Versand ausstehend, nächster Versuch um ${sameDay ? `${berlinTime(r.nextAttemptAt)} Uhr` : berlinDateTime(r.nextAttemptAt)}`;
}

/** What domain services need of the mail outbox. */
export type MailQueue = Pick<MailService, 'enqueue' | 'kick'>;

export class MailService {
  constructor(
    private readonly db: Db,
    private readonly repo: MailOutboxRepository,
    private readonly dispatcher: MailDispatcher,
    private readonly audit: AuditService,
    /** True when mail goes to the embedded catcher (no mail server configured). */
    readonly viaCatcher: boolean,
  ) {}

  /** Queue a mail in the caller's transaction; call {@link kick} after it committed. */
  enqueue(tx: Prisma.TransactionClient, m: QueuedMail): Promise<void> {
    return this.repo.enqueue(tx, m);
  }

  kick(): void {
    this.dispatcher.kick();
  }

  /** Sends what is due now and waits for it (tests, shutdown). */
  drain(): Promise<void> {
    return this.dispatcher.drain();
  }

  // --- Postausgang (administrators of the commune) --------------------------------------------

  async list(a: Actor, p: OutboxListParams) {
    const kommuneId = assertCanReadOutbox(a);
    const { rows, total } = await this.repo.list(kommuneId, p);
    return { rows: rows.map((r) => this.view(r)), total };
  }

  /** One mail with its text: the recipient's data may be in it, so reading it is audit-logged. */
  async get(a: Actor, id: string, requestId?: string) {
    const kommuneId = assertCanReadOutbox(a);
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('Die E-Mail');
    const r = await this.repo.get(kommuneId, id);
    if (!r) throw notFound('Die E-Mail');
    await this.audit.write(a, { action: 'outbox.read', entity: 'MailOutbox', entityId: r.id, caseId: r.caseId ?? undefined, fields: ['body'], requestId });
    return { ...this.view(r), body: r.body };
  }

  /** Mails of a case that did not go out yet, for whoever may read the case's referrals. */
  async undeliveredOfCase(a: Actor, caseId: string) {
    if (!can(a, 'referrals', 'read')) throw forbidden('Ihre Rolle sieht den Versandstand von E-Mails nicht.');
    if (!/^[0-9a-f-]{36}$/i.test(caseId)) throw notFound('Der Fall');
    const c = await this.db.case.findFirst({ where: { id: caseId, ...caseWhere(caseScope(a)) }, select: { id: true } });
    if (!c) throw notFound('Der Fall');
    const rows = await this.repo.undelivered(c.id);
    return rows.map((r) => ({ id: r.id, kind: MAIL_KIND_DE[r.kind] ?? 'E-Mail', recipient: r.recipient, createdAt: r.createdAt, state: mailStateDe(r, this.viaCatcher), error: mailErrorDe(r.lastError) }));
  }

  private view(r: Omit<MailRow, 'body'>) {
    const attachments = ((r.attachments ?? []) as unknown as AttachmentRef[]).map((x) => x.filename);
    return {
      id: r.id,
      kind: MAIL_KIND_DE[r.kind] ?? 'E-Mail',
      recipient: r.recipient,
      subject: r.subject,
      createdAt: r.createdAt,
      sentAt: r.sentAt,
      status: r.status,
      state: mailStateDe(r, this.viaCatcher),
      attempts: r.attempts,
      error: mailErrorDe(r.lastError),
      attachments,
    };
  }
}
