/** The demo data: a few dozen cases per commune in every phase, partner organisations, consents; a second run adds nothing. */
import { DEMO_USERS, seed } from '../../prisma/seed';
import type { Stack } from '../../server/stack';
import { startTestStack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

test('seeding again changes nothing', async () => {
  const before = await Promise.all([stack.db.client.count(), stack.db.case.count(), stack.db.organisation.count(), stack.db.consent.count(), stack.db.user.count()]);
  expect(await seed(stack.db)).toEqual({ users: 0, organisations: 0, cases: 0 });
  expect(await Promise.all([stack.db.client.count(), stack.db.case.count(), stack.db.organisation.count(), stack.db.consent.count(), stack.db.user.count()])).toEqual(before);
});

test('each commune has a few dozen demo cases in every phase, its partner organisations and the demo users', async () => {
  for (const k of ['duisburg', 'mettmann']) {
    const seeded = { kommuneId: k, reference: { startsWith: k === 'duisburg' ? 'DU-2026-' : 'ME-2026-' } };
    expect(await stack.db.case.count({ where: seeded })).toBeGreaterThanOrEqual(24);
    const phases = await stack.db.case.groupBy({ by: ['phase'], where: seeded, _count: true });
    expect(phases.map((p) => p.phase).sort()).toEqual(['Abschluss', 'Clearing', 'Foerderplanung', 'Umsetzung', 'Zugang']);
    expect(await stack.db.consent.count({ where: { case: seeded } })).toBeGreaterThan(5);
  }
  const names = (await stack.db.organisation.findMany({ select: { name: true } })).map((o) => o.name);
  expect(names).toEqual(expect.arrayContaining(['Jobcenter Duisburg', 'Ausländerbehörde Duisburg', 'Einbürgerungsbehörde Duisburg', 'MBE Caritas Duisburg', 'JMD Diakonie Duisburg', 'Jobcenter Kreis Mettmann']));
  const users = await stack.db.user.findMany({ where: { username: { in: DEMO_USERS.map((u) => u.username) } } });
  expect(users).toHaveLength(DEMO_USERS.length);
});
