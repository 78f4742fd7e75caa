import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';

export type Db = PrismaClient;

/** One client per process (or per test); short idle timeout so CLI processes exit promptly. */
export function createPrisma(url: string): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: 10, idleTimeoutMillis: 1000 });
  return new PrismaClient({ adapter });
}
