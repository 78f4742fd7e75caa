import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';

export type Db = PrismaClient;

/**
 * One client per process (or per test); short idle timeout so CLI processes exit promptly. A bounded
 * wait for a connection: when PostgreSQL is unreachable (not just refusing) a request gets its 503
 * after 10 s instead of hanging (see server/db/availability.ts).
 *
 * The waits are sized for a busy server, not an idle one: under a peak the time between a
 * transaction's statements is mostly waiting for the event loop and a CPU core, and Prisma's
 * defaults (2 s to start, 5 s to finish) turned such a peak into 503s for requests that would have
 * succeeded a moment later (seen in `npm run bench:load`). A transaction that hangs still ends: it
 * is rolled back after 20 s.
 */
export const POOL = { max: 10, connectionTimeoutMs: 10_000 } as const;
export const TRANSACTION = { maxWait: 10_000, timeout: 20_000 } as const;

/**
 * errorFormat 'minimal': Prisma otherwise captures a stack trace at every call (to point at the
 * calling line in its error messages) – CPU on every query for a message the product never shows.
 */
export function createPrisma(url: string): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: POOL.max, idleTimeoutMillis: 1000, connectionTimeoutMillis: POOL.connectionTimeoutMs });
  return new PrismaClient({ adapter, transactionOptions: TRANSACTION, errorFormat: 'minimal' });
}
