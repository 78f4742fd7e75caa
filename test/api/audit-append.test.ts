/**
 * The audit log's one writer (appendAudit) on real PostgreSQL: every column arrives as given (nulls,
 * field lists of any length, text that looks like SQL or JSON), rows keep their order, the time is
 * now in UTC, and inside a transaction the rows share its fate. (The log is append-only: the rows
 * stay, told apart by a request id of their own.)
 */
import { appendAudit, type AuditRow } from '../../server/audit/audit.repository';
import { createPrisma, Db } from '../../server/db/prisma';

let db: Db;
const requestId = `audit-append-${process.pid}-${Date.now()}`;

beforeAll(() => {
  if (!process.env.KIM_TEST_DATABASE_URL) throw new Error('KIM_TEST_DATABASE_URL fehlt – Tests bitte mit "npm test" starten.');
  db = createPrisma(process.env.KIM_TEST_DATABASE_URL);
});

afterAll(async () => {
  await db?.$disconnect();
});

const written = (rid: string) =>
  db.auditLog.findMany({ where: { requestId: rid }, orderBy: { id: 'asc' }, select: { userId: true, username: true, role: true, kommuneId: true, action: true, entity: true, entityId: true, fields: true, reason: true, requestId: true, caseId: true, at: true } });

test('writes many rows in their order with every column as given', async () => {
  const rid = `${requestId}-many`;
  const rows: AuditRow[] = [
    { userId: 'u1', username: 'cm.duisburg', role: 'case_manager', kommuneId: 'duisburg', action: 'clients.list', entity: 'Client', entityId: 'c1', fields: ['firstName', 'lastName'], reason: 'Aufgabeneingang', requestId: rid, caseId: 'case-1' },
    { action: 'cases.delete', entity: 'Case', requestId: rid },
    { username: 'system', action: 'x', entity: 'Referral', fields: ['a,b', '"quoted"', "it's", '{}', 'Ümlaut ß'], reason: "'); drop table \"AuditLog\"; --", requestId: rid },
    { action: 'y', entity: 'Case', fields: [], requestId: rid },
  ];
  const before = Date.now();
  await appendAudit(db, rows);
  const after = Date.now();
  const got = await written(rid);
  expect(got.map(({ at: _at, ...r }) => r)).toEqual([
    { ...rows[0] },
    { userId: null, username: null, role: null, kommuneId: null, action: 'cases.delete', entity: 'Case', entityId: null, fields: [], reason: null, requestId: rid, caseId: null },
    { userId: null, username: 'system', role: null, kommuneId: null, action: 'x', entity: 'Referral', entityId: null, fields: ['a,b', '"quoted"', "it's", '{}', 'Ümlaut ß'], reason: "'); drop table \"AuditLog\"; --", requestId: rid, caseId: null },
    { userId: null, username: null, role: null, kommuneId: null, action: 'y', entity: 'Case', entityId: null, fields: [], reason: null, requestId: rid, caseId: null },
  ]);
  // Stored as UTC like every timestamp Prisma writes: read back, it is the moment of writing.
  for (const r of got) {
    expect(r.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(r.at.getTime()).toBeLessThanOrEqual(after + 1000);
  }
});

test('a single row and an empty list', async () => {
  const rid = `${requestId}-one`;
  await appendAudit(db, []);
  await appendAudit(db, { action: 'one', entity: 'Case', requestId: rid });
  expect((await written(rid)).map((r) => r.action)).toEqual(['one']);
});

test('inside a transaction the rows are rolled back with it', async () => {
  const rid = `${requestId}-tx`;
  await expect(
    db.$transaction(async (tx) => {
      await appendAudit(tx, [{ action: 'in-tx', entity: 'Case', requestId: rid }]);
      expect(await tx.auditLog.count({ where: { requestId: rid } })).toBe(1);
      throw new Error('abbrechen');
    }),
  ).rejects.toThrow('abbrechen');
  expect(await written(rid)).toEqual([]);
});
