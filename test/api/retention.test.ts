/**
 * The retention job's restraint, on real PostgreSQL and the real engine: open cases and cases
 * before their date are never touched, and an engine that cannot remove an instance keeps the whole
 * case for the next run. The stack's own timer is set to an hour so only this file's runs act.
 */
import { RetentionRepository } from '../../server/cases/retention.repository';
import { RetentionService, type RetentionEngine } from '../../server/cases/retention.service';
import { EngineUnavailable } from '../../server/engine/port';
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
const realEngine = (): RetentionEngine => stack.engine.watch;

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

test('an engine that cannot remove the instances keeps the whole case for the next run, with a German reason', async () => {
  const { client, cases } = await clientWithCases(1);
  const key = 'a2b1c3d4-0000-4000-8000-000000000001';
  await stack.db.case.update({ where: { id: cases[0].id }, data: { processInstanceKey: key } });
  await close(cases[0].id, new Date(Date.now() - day));
  const unreachable = () => Promise.reject(new EngineUnavailable('Engine-Anfrage: nicht erreichbar', 0));
  const failing: RetentionEngine = { calledInstances: unreachable, forgetInstances: unreachable, existingInstances: unreachable };
  const out = await service(failing).run();
  expect(out.deleted).toBe(0);
  expect(out.failed).toEqual([{ caseId: cases[0].id, reason: 'Fall konnte nicht gelöscht werden, nächster Versuch beim nächsten Lauf: Engine-Anfrage: nicht erreichbar' }]);
  expect(await stack.db.case.findUnique({ where: { id: cases[0].id } })).not.toBeNull();
  expect(await stack.db.client.findUnique({ where: { id: client.id } })).not.toBeNull();
  // An engine that says it removed them but still holds one: the case stays, too.
  const holding: RetentionEngine = { ...realEngine(), calledInstances: async () => [], forgetInstances: async () => undefined, existingInstances: async (keys) => keys };
  const held = await service(holding).run();
  expect(held.deleted).toBe(0);
  expect(held.failed[0].reason).toMatch(/hält noch 1 Prozessinstanz/);
  // With the engine back (the instance is unknown to it: counts as gone) it is deleted.
  expect(await service(realEngine()).run()).toEqual({ deleted: 1, failed: [] });
  expect(await stack.db.deletionRecord.findUnique({ where: { caseId: cases[0].id } })).toMatchObject({ clientDeleted: true, processInstanceKeys: [key] });
  expect(await stack.db.client.findUnique({ where: { id: client.id } })).toBeNull();
});
