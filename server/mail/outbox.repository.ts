/** The MailOutbox table: queue, claim for sending, record the result, read for the Postausgang. */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

/** An attachment as queued: inline text (an .ics) or a document resolved when sending (a PDF). */
export interface AttachmentRef {
  filename: string;
  contentType: string;
  text?: string;
  documentId?: string;
}

export interface QueuedMail {
  /** The domain row it belongs to, e.g. "ReferralOutbox:<id>": the same key is queued once. */
  key: string;
  kommuneId: string | null;
  caseId: string | null;
  kind: string;
  recipient: string;
  subject: string;
  body: string;
  attachments?: AttachmentRef[];
}

export type MailRow = Awaited<ReturnType<Db['mailOutbox']['findFirstOrThrow']>>;
type Tx = Prisma.TransactionClient;

export interface OutboxListParams {
  offset: number;
  limit: number;
  status?: string;
  sort: 'createdAt' | 'recipient' | 'subject' | 'status';
  order: 'asc' | 'desc';
}

export class MailOutboxRepository {
  constructor(private readonly db: Db) {}

  /** In the caller's transaction; a key queued before is left as it is. */
  async enqueue(tx: Tx, m: QueuedMail): Promise<void> {
    await tx.mailOutbox.createMany({
      data: [{ ...m, attachments: (m.attachments ?? []) as unknown as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
  }

  /**
   * Runs `fn` on the oldest due pending row, locked for this transaction (a second dispatcher skips
   * it rather than sending it again). Null when nothing is due.
   */
  async withDueRow<T>(fn: (row: MailRow, tx: Tx) => Promise<T>): Promise<{ value: T } | null> {
    return this.db.$transaction(
      async (tx) => {
        const ids = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT "id" FROM "MailOutbox" WHERE "status" = 'pending' AND "nextAttemptAt" <= now()
          ORDER BY "nextAttemptAt", "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED`;
        if (!ids.length) return null;
        const row = await tx.mailOutbox.findUniqueOrThrow({ where: { id: ids[0].id } });
        return { value: await fn(row, tx) };
      },
      { timeout: 90_000, maxWait: 30_000 },
    );
  }

  markSent(tx: Tx, id: string, messageId: string | undefined) {
    return tx.mailOutbox.update({ where: { id }, data: { status: 'sent', sentAt: new Date(), attempts: { increment: 1 }, messageId: messageId ?? null, lastError: null } });
  }

  markFailed(tx: Tx, id: string, error: string, next: Date | null) {
    return tx.mailOutbox.update({
      where: { id },
      data: { attempts: { increment: 1 }, lastError: error, ...(next ? { nextAttemptAt: next } : { status: 'failed' }) },
    });
  }

  /** When the next pending row falls due (for the dispatcher's timer). */
  async nextDue(): Promise<Date | null> {
    const r = await this.db.mailOutbox.findFirst({ where: { status: 'pending' }, orderBy: { nextAttemptAt: 'asc' }, select: { nextAttemptAt: true } });
    return r?.nextAttemptAt ?? null;
  }

  async document(id: string) {
    return this.db.document.findUnique({ where: { id }, select: { content: true } });
  }

  async list(kommuneId: string, p: OutboxListParams) {
    const where = { kommuneId, ...(p.status ? { status: p.status } : {}) };
    const [rows, total] = await Promise.all([
      this.db.mailOutbox.findMany({ where, orderBy: [{ [p.sort]: p.order }, { id: 'asc' }], skip: p.offset, take: p.limit, omit: { body: true } }),
      this.db.mailOutbox.count({ where }),
    ]);
    return { rows, total };
  }

  get(kommuneId: string, id: string) {
    return this.db.mailOutbox.findFirst({ where: { id, kommuneId } });
  }

  /** Mails of a case not yet delivered (pending or given up). */
  undelivered(caseId: string) {
    return this.db.mailOutbox.findMany({ where: { caseId, status: { in: ['pending', 'failed'] } }, orderBy: { createdAt: 'asc' }, omit: { body: true, attachments: true } });
  }
}
