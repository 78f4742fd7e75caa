import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';

export type Db = PrismaClient;

/**
 * One client per process (or per test); short idle timeout so CLI processes exit promptly. A bounded
 * connect time: when PostgreSQL is unreachable (not just refusing) a request gets its 503 after 5 s
 * instead of hanging (see server/db/availability.ts).
 */
export function createPrisma(url: string): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: 10, idleTimeoutMillis: 1000, connectionTimeoutMillis: 5000 });
  return new PrismaClient({ adapter });
}
