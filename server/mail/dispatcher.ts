/**
 * Sends the mail outbox: due rows one at a time, each locked while it is sent (FOR UPDATE SKIP LOCKED,
 * so two server nodes never send the same row), marked sent in the same transaction. A failure is
 * counted, its error class kept and the row retried with exponential backoff; after `maxAttempts` it
 * is given up ("failed") for an administrator to see. Logs carry ids, kinds and error classes only –
 * never a recipient, subject or body.
 */
import type { Logger } from '../util/log';
import { mailErrorClass, type Mailer } from '../util/mailer';
import type { MailOutboxRepository, MailRow, AttachmentRef } from './outbox.repository';

export interface DispatcherOptions {
  /** First retry after this many ms; each further one doubles it, up to maxDelayMs. */
  retryBaseMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** Host part of the Message-ID header. */
  messageIdDomain: string;
}

export class MailDispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly repo: MailOutboxRepository,
    private readonly mailer: Mailer,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {}

  /** Backoff before attempt n+1 after n failed attempts; null = give up. */
  delayAfter(attempts: number): number | null {
    if (attempts >= this.opts.maxAttempts) return null;
    return Math.min(this.opts.retryBaseMs * 2 ** Math.max(0, attempts - 1), this.opts.maxDelayMs);
  }

  /** Start working (rows queued before this start, e.g. while the server was down, go out now). */
  start(): void {
    this.kick();
  }

  /** Something was queued (after its transaction committed): send what is due soon. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Sends every row that is due now and resolves when done (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    this.kick();
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.repo.withDueRow((row, tx) => this.sendRow(row, tx)))) {
        // one row per transaction, until nothing is due
      }
      await this.schedule();
    } catch (e) {
      // The database is away: try again later rather than stop sending for good.
      this.log.warn({ err: (e as Error).name }, 'mail dispatch failed');
      this.arm(Date.now() + this.opts.retryBaseMs);
    }
  }

  private async sendRow(row: MailRow, tx: Parameters<Parameters<MailOutboxRepository['withDueRow']>[0]>[1]): Promise<void> {
    let info: { messageId?: string };
    try {
      const attachments = await this.attachments(row);
      info = await this.mailer.send({ to: row.recipient, subject: row.subject, text: row.body, attachments, messageId: `<${row.id}@${this.opts.messageIdDomain}>` });
    } catch (e) {
      const error = mailErrorClass(e);
      const attempts = row.attempts + 1;
      const delay = this.delayAfter(attempts);
      const next = delay === null ? null : new Date(Date.now() + delay);
      await this.repo.markFailed(tx, row.id, error, next);
      this.log.warn({ mailId: row.id, kind: row.kind, attempts, error, nextAttemptAt: next?.toISOString() ?? null }, next ? 'mail send failed, will retry' : 'mail send failed, given up');
      return;
    }
    await this.repo.markSent(tx, row.id, info.messageId);
    this.log.info({ mailId: row.id, kind: row.kind, attempts: row.attempts + 1 }, 'mail sent');
  }

  private async attachments(row: MailRow) {
    const refs = (row.attachments ?? []) as unknown as AttachmentRef[];
    const out: Array<{ filename: string; content: Buffer | string; contentType: string }> = [];
    for (const a of refs) {
      if (a.documentId) {
        const doc = await this.repo.document(a.documentId);
        if (!doc?.content) throw Object.assign(new Error('attachment missing'), { code: 'ATTACHMENT_MISSING' });
        out.push({ filename: a.filename, contentType: a.contentType, content: Buffer.from(doc.content) });
      } else out.push({ filename: a.filename, contentType: a.contentType, content: a.text ?? '' });
    }
    return out;
  }

  /** Wake up when the next pending row falls due (at most a minute ahead: other nodes may queue too). */
  private async schedule(): Promise<void> {
    const due = await this.repo.nextDue();
    this.arm(due ? due.getTime() : Date.now() + 60_000);
  }

  private arm(at: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), Math.min(Math.max(at - Date.now(), 10), 60_000));
    this.timer.unref();
  }
}
