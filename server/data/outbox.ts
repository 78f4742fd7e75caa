/**
 * Sending an outbox row at most once, for every outbox table of the product (referrals and
 * conferences): the row is locked (SELECT … FOR UPDATE) while `send` runs, so a job delivered twice
 * waits and then finds it sent. When `send` throws, the row stays pending with the attempt counted
 * and the error kept for the operators, and the error is rethrown for a retry.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from './prisma';

export type OutboxTable = 'ReferralOutbox' | 'ConferenceOutbox';

export async function sendOutboxOnce(
  db: Db,
  table: OutboxTable,
  outboxId: string,
  send: () => Promise<{ messageId?: string }>,
  after?: (tx: Prisma.TransactionClient) => Promise<void>,
): Promise<{ sent: boolean }> {
  // The table name is one of two constants (never input); the values are parameters.
  const t = table === 'ReferralOutbox' ? '"ReferralOutbox"' : '"ConferenceOutbox"';
  let failure: Error | undefined;
  const result = await db.$transaction(
    async (tx) => {
      const rows = await tx.$queryRawUnsafe<Array<{ status: string }>>(`SELECT "status" FROM ${t} WHERE "id" = $1::uuid FOR UPDATE`, outboxId);
      if (rows[0]?.status === 'sent') return { sent: false };
      let info: { messageId?: string };
      try {
        info = await send();
      } catch (e) {
        failure = e as Error;
        await tx.$executeRawUnsafe(`UPDATE ${t} SET "attempts" = "attempts" + 1, "lastError" = $2 WHERE "id" = $1::uuid`, outboxId, String(failure.message).slice(0, 500));
        return { sent: false };
      }
      await tx.$executeRawUnsafe(
        `UPDATE ${t} SET "status" = 'sent', "sentAt" = $2, "attempts" = "attempts" + 1, "messageId" = $3, "lastError" = NULL WHERE "id" = $1::uuid`,
        outboxId,
        new Date(),
        info.messageId ?? null,
      );
      if (after) await after(tx);
      return { sent: true };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
  if (failure) throw failure;
  return result;
}
