/**
 * Which errors count as "database not there right now" (503) and which stay internal errors (500):
 * the shapes Prisma, its pg adapter and pg itself produce, also when wrapped as a cause.
 */
import { isDatabaseUnavailable, unavailabilityKind } from '../../server/db/availability';

const prisma = (code: string) => Object.assign(new Error('Prisma says something about Erika Mustermann'), { code });

test.each(['P1001', 'P1017', 'P2024', 'P2028'])('Prisma %s is unavailability', (code) => {
  expect(isDatabaseUnavailable(prisma(code))).toBe(true);
});

test('socket codes, SQLSTATE class 08 and wrapped causes are unavailability', () => {
  expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
  expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '08006' }))).toBe(true);
  expect(isDatabaseUnavailable(new Error('outer', { cause: Object.assign(new Error('inner'), { code: '57P01' }) }))).toBe(true);
  expect(isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } } })).toBe(true);
});

test('constraint violations and plain bugs stay internal errors', () => {
  expect(isDatabaseUnavailable(prisma('P2002'))).toBe(false);
  expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
  expect(isDatabaseUnavailable(new TypeError('undefined is not a function'))).toBe(false);
  expect(isDatabaseUnavailable(null)).toBe(false);
});

test('the log kind names the code, never the message', () => {
  const kind = unavailabilityKind(prisma('P2028'));
  expect(kind).toBe('P2028');
  expect(kind).not.toContain('Mustermann');
});
