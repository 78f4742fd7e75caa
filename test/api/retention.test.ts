/**
 * The retention job's restraint, on real PostgreSQL and the real engine: open cases and cases
 * before their date are never touched, and an engine that cannot cancel an instance keeps the whole
 * case for the next run. The stack's own timer is set to an hour so only this file's runs act.
 */
import { RetentionRepository } from '../../server/data/retention.repository';
import { RetentionService, type RetentionEngine } from '../../server/domain/retention.service';
import type { Stack } from '../../server/stack';
import { createLogger } from '../../server/util/log';
import { startTestStack, testConfig } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ config: testConfig({ KIM_RETENTION_INTERVAL_MS: '3600000' }), workers: false, http: false });
});
afterAll(() => stack?.stop());

let n = 0;
async function clientWithCases(count: number) {
  const tag = `${process.pid}-${++n}`;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-RETA-${tag}`, firstName: 'Frist', lastName: `Offen ${tag}` } });
  const cases = [];
  for (let i = 0; i < count; i++) cases.push(await stack.db.case.create({ data: { reference: `DU-RETA-${tag}-${i}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } }));
  return { client, cases };
}
const day = 86_400_000;
const close = (id: string, deletionDate: Date) => stack.db.case.update({ where: { id }, data: { closedAt: new Date(), phase: 'Abschluss', deletionDate } });
const service = (engine: RetentionEngine) => new RetentionService(new RetentionRepository(stack.db), engine, createLogger('silent'));
const realEngine = (): RetentionEngine => ({ cancelProcessInstance: (k) => stack.zeebe.cancelProcessInstance(k) });

test('an open case and a closed case before its date are never touched; a due one is', async () => {
  const { cases } = await clientWithCases(3);
  await close(cases[1].id, new Date(Date.now() + day));
  await close(cases[2].id, new Date(Date.now() - day));
  const out = await service(realEngine()).run();
  expect(out).toEqual({ deleted: 1, failed: [] });
  expect((await stack.db.case.findMany({ where: { id: { in: cases.map((c) => c.id) } }, select: { id: true } })).map((c) => c.id).sort()).toEqual([cases[0].id, cases[1].id].sort());
  expect(await stack.db.deletionRecord.findUnique({ where: { caseId: cases[2].id } })).toMatchObject({ clientDeleted: false, removed: { Case: 1 } });
  // A second run finds nothing more to do.
  expect(await service(realEngine()).run()).toEqual({ deleted: 0, failed: [] });
});

test('an engine that cannot cancel keeps the whole case for the next run, with a German reason', async () => {
  const { client, cases } = await clientWithCases(1);
  await stack.db.case.update({ where: { id: cases[0].id }, data: { processInstanceKey: '2251799813685249' } });
  await close(cases[0].id, new Date(Date.now() - day));
  const failing: RetentionEngine = { cancelProcessInstance: async () => Promise.reject(new Error('14 UNAVAILABLE: Verbindung abgelehnt')) };
  const out = await service(failing).run();
  expect(out.deleted).toBe(0);
  expect(out.failed).toEqual([{ caseId: cases[0].id, reason: 'Fall konnte nicht gelöscht werden, nächster Versuch beim nächsten Lauf: 14 UNAVAILABLE: Verbindung abgelehnt' }]);
  expect(await stack.db.case.findUnique({ where: { id: cases[0].id } })).not.toBeNull();
  expect(await stack.db.client.findUnique({ where: { id: client.id } })).not.toBeNull();
  // With the engine back (the instance is unknown to it: NOT_FOUND counts as gone) it is deleted.
  expect(await service(realEngine()).run()).toEqual({ deleted: 1, failed: [] });
  expect(await stack.db.deletionRecord.findUnique({ where: { caseId: cases[0].id } })).toMatchObject({ clientDeleted: true, processInstanceKeys: ['2251799813685249'] });
  expect(await stack.db.client.findUnique({ where: { id: client.id } })).toBeNull();
});
