/**
 * Data access of the kept messages (PendingMessage): a message for the engine is recorded once per
 * messageId (unique), then delivered, kept or dropped. Every delivery attempt runs while holding the
 * row's lock (SELECT … FOR UPDATE in a transaction), so that two server nodes, or a send and a
 * delivery triggered by the instance's wait, never correlate the same message twice.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

export type PendingMessageState = 'PENDING' | 'DELIVERED' | 'DROPPED';

/** Plain variable values as they are stored (Dates as {"$date": iso}). */
export type StoredVariables = Record<string, string | number | boolean | null | Date>;

export interface PendingMessageRow {
  id: string;
  messageId: string;
  name: string;
  tenantId: string;
  correlationVariable: string;
  correlationValue: string;
  local: boolean;
  variables: StoredVariables;
  state: PendingMessageState;
  attempts: number;
  processInstanceKey: string | null;
  createdAt: Date;
  expiresAt: Date;
  deliveredAt: Date | null;
}

export interface NewPendingMessage {
  messageId: string;
  name: string;
  tenantId: string;
  correlationVariable: string;
  correlationValue: string;
  local: boolean;
  variables: StoredVariables;
  processInstanceKey: string | null;
  expiresAt: Date;
}

/** What a delivery attempt may do with the row it holds locked. */
export interface LockedPendingMessage {
  delivered(processInstanceKey: string): Promise<void>;
  dropped(): Promise<void>;
  /** Stays PENDING; records the attempt and, when known, the instance it waits for. */
  kept(processInstanceKey: string | null): Promise<void>;
  /** Forgets the row (the send failed before anything was delivered; the caller may send again). */
  remove(): Promise<void>;
}

/** How long one locked delivery attempt may take (a few engine calls, each with its own timeout). */
const ATTEMPT_TIMEOUT_MS = 120_000;

function encodeVariables(v: StoredVariables): Prisma.InputJsonValue {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x instanceof Date ? { $date: x.toISOString() } : x;
  return out as Prisma.InputJsonValue;
}

function decodeVariables(v: unknown): StoredVariables {
  const out: StoredVariables = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x && typeof x === 'object' && typeof (x as { $date?: unknown }).$date === 'string') out[k] = new Date((x as { $date: string }).$date);
    else if (x === null || typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
  }
  return out;
}

type RawRow = Omit<PendingMessageRow, 'variables' | 'state'> & { variables: unknown; state: string };

function toRow(r: RawRow): PendingMessageRow {
  return { ...r, state: r.state as PendingMessageState, variables: decodeVariables(r.variables) };
}

export class PendingMessageRepository {
  constructor(private readonly db: Db) {}

  /** Records a new message as PENDING; null when a message with this messageId was recorded before. */
  async insert(m: NewPendingMessage): Promise<PendingMessageRow | null> {
    try {
      const r = await this.db.pendingMessage.create({ data: { ...m, variables: encodeVariables(m.variables), state: 'PENDING' } });
      return toRow(r);
    } catch (e) {
      if ((e as { code?: string }).code === 'P2002') return null;
      throw e;
    }
  }

  async byMessageId(messageId: string): Promise<PendingMessageRow | null> {
    const r = await this.db.pendingMessage.findUnique({ where: { messageId } });
    return r ? toRow(r) : null;
  }

  /**
   * Ids of PENDING rows that may be for this instance: those kept for it, and those whose instance
   * is not known (yet) – a send still in flight, or a correlation that matched several instances.
   */
  async pendingFor(processInstanceKey: string): Promise<string[]> {
    const rows = await this.db.pendingMessage.findMany({
      where: { state: 'PENDING', OR: [{ processInstanceKey }, { processInstanceKey: null }] },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => r.id);
  }

  /** Ids of all PENDING rows, oldest first. */
  async pending(limit = 1000): Promise<string[]> {
    const rows = await this.db.pendingMessage.findMany({ where: { state: 'PENDING' }, select: { id: true }, orderBy: { createdAt: 'asc' }, take: limit });
    return rows.map((r) => r.id);
  }

  /** PENDING rows past their expiry become DROPPED; returns how many. */
  async dropExpired(now: Date): Promise<number> {
    const r = await this.db.pendingMessage.updateMany({ where: { state: 'PENDING', expiresAt: { lte: now } }, data: { state: 'DROPPED' } });
    return r.count;
  }

  /**
   * Runs `work` while holding the row's lock. Waits for a concurrent attempt on the same row to end
   * and then hands over the row as that attempt left it (null when it is gone).
   */
  async locked<T>(id: string, work: (row: PendingMessageRow | null, ops: LockedPendingMessage) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<RawRow[]>`
          SELECT "id", "messageId", "name", "tenantId", "correlationVariable", "correlationValue", "local", "variables", "state",
                 "attempts", "processInstanceKey", "createdAt", "expiresAt", "deliveredAt"
            FROM "PendingMessage" WHERE "id" = ${id} FOR UPDATE`;
        const row = rows[0] ? toRow(rows[0]) : null;
        const ops: LockedPendingMessage = {
          delivered: async (processInstanceKey) => {
            await tx.pendingMessage.update({ where: { id }, data: { state: 'DELIVERED', processInstanceKey, deliveredAt: new Date(), attempts: { increment: 1 } } });
          },
          dropped: async () => {
            await tx.pendingMessage.update({ where: { id }, data: { state: 'DROPPED', attempts: { increment: 1 } } });
          },
          kept: async (processInstanceKey) => {
            await tx.pendingMessage.update({ where: { id }, data: { processInstanceKey, attempts: { increment: 1 } } });
          },
          remove: async () => {
            await tx.pendingMessage.delete({ where: { id } });
          },
        };
        return work(row, ops);
      },
      { timeout: ATTEMPT_TIMEOUT_MS, maxWait: 10_000 },
    );
  }
}
