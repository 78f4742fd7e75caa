import { Client } from 'pg';

/** Runs one statement on a fresh connection and returns its rows (for tests outside the app's Prisma). */
export async function rows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}
