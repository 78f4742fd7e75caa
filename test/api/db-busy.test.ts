/**
 * A busy server is not a database outage: the product's Prisma client lets a transaction run longer
 * and wait longer for a connection than Prisma's defaults (5 s to finish, 2 s to start) before it
 * gives up with P2028 – the 503 the load bench saw for requests that would have succeeded a moment
 * later. Real PostgreSQL (the test database); pg_sleep stands in for the waiting.
 */
import { createPrisma, Db, POOL, TRANSACTION } from '../../server/db/prisma';

let db: Db;

beforeAll(() => {
  if (!process.env.KIM_TEST_DATABASE_URL) throw new Error('KIM_TEST_DATABASE_URL fehlt – Tests bitte mit "npm test" starten.');
  db = createPrisma(process.env.KIM_TEST_DATABASE_URL);
});

afterAll(async () => {
  await db?.$disconnect();
});

test('a transaction that takes longer than 5 s still commits', async () => {
  expect(TRANSACTION.timeout).toBeGreaterThan(6_000);
  const result = await db.$transaction(async (tx) => {
    await tx.$queryRaw`select pg_sleep(5.5)::text`;
    const [{ n }] = await tx.$queryRaw<Array<{ n: number }>>`select 1::int as n`;
    return n;
  });
  expect(result).toBe(1);
}, 30_000);

test('a transaction that waits more than 2 s for a free connection still starts', async () => {
  expect(TRANSACTION.maxWait).toBeGreaterThan(3_000);
  // Every connection of the pool busy for 3 s, then one more transaction.
  const holders = Promise.allSettled(Array.from({ length: POOL.max }, () => db.$transaction(async (tx) => tx.$queryRaw`select pg_sleep(3)::text`)));
  await new Promise<void>((resolve) => setImmediate(resolve));
  const t = performance.now();
  const late = await db
    .$transaction(async (tx) => (await tx.$queryRaw<Array<{ ok: boolean }>>`select true as ok`)[0].ok)
    .catch((e: { code?: string }) => `abgebrochen (${e.code})`);
  const waitedMs = performance.now() - t;
  const held = await holders;
  expect(held.map((h) => h.status)).toEqual(Array(POOL.max).fill('fulfilled'));
  expect(late).toBe(true);
  // It did wait for a connection (longer than Prisma's default maxWait of 2 s) – otherwise the test
  // would not show anything.
  expect(waitedMs).toBeGreaterThan(2_000);
}, 30_000);
