/**
 * Handing a domain outbox row (referrals, conferences) to the mail outbox at most once: the row is
 * locked (SELECT … FOR UPDATE) while `queue` writes the mail in the same transaction, so a job
 * delivered twice waits and then finds it done. "sent" on a domain row means "handed to the mail
 * outbox"; the delivery itself – with retries and backoff – is the mail dispatcher's (server/mail), so
 * an unreachable mail server never fails the process step. `after` runs in the same transaction.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from './prisma';

export type OutboxTable = 'ReferralOutbox' | 'ConferenceOutbox';

export async function queueOutboxOnce(
  db: Db,
  table: OutboxTable,
  outboxId: string,
  queue: (tx: Prisma.TransactionClient) => Promise<void>,
  after?: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<{ sent: boolean }> {
  // The table name is one of two constants (never input); the values are parameters.
  const t = table === 'ReferralOutbox' ? '"ReferralOutbox"' : '"ConferenceOutbox"';
  return db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRawUnsafe<Array<{ status: string }>>(`SELECT "status" FROM ${t} WHERE "id" = $1::uuid FOR UPDATE`, outboxId);
      if (rows[0]?.status === 'sent') return { sent: false };
      await queue(tx);
      await tx.$executeRawUnsafe(`UPDATE ${t} SET "status" = 'sent', "sentAt" = $2, "attempts" = "attempts" + 1, "lastError" = NULL WHERE "id" = $1::uuid`, outboxId, new Date());
      if (after) await after(tx);
      return { sent: true };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}
