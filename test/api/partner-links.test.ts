/**
 * The partner links (tokenised pages partners open without an account) are rate limited on the
 * real server: per link and per address, across referral, conference and agreement links, with a
 * German 429 page and Retry-After; other links and other addresses go on meanwhile. The window
 * itself (counting, waiting time, bounded memory) is checked without a server.
 */
import { SlidingWindow } from '../../server/http/rate-limit';
import type { Stack } from '../../server/stack';
import { startTestStack, testConfig } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ workers: false, config: testConfig({ KIM_PARTNER_LIMIT_PER_ADDRESS: '8', KIM_PARTNER_LIMIT_PER_LINK: '3' }) });
});
afterAll(async () => {
  await stack?.stop();
});

/** A request from `address` (the server trusts X-Forwarded-For from loopback, as behind a local proxy). */
const open = (path: string, address: string, method = 'GET') =>
  fetch(`${stack.url}${path}`, { method, headers: { 'x-forwarded-for': address, 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'POST' ? 'action=accept' : undefined, redirect: 'manual' });

test('a link opened too often in a minute gets a German 429 page with Retry-After; other links are not held up', async () => {
  const link = '/partner/referrals/aaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  // Three uses of the link, from different places (a forwarded mail): each gets the link's own answer.
  for (const [i, address] of ['10.1.0.1', '10.1.0.2', '10.1.0.3'].entries()) {
    const res = await open(link, address, i === 2 ? 'POST' : 'GET');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Link ungültig');
  }
  const limited = await open(link, '10.1.0.4');
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  expect(limited.headers.get('content-type')).toMatch(/text\/html/);
  const page = await limited.text();
  expect(page).toContain('<html lang="de">');
  expect(page).toContain('Dieser Link wurde in kurzer Zeit zu oft aufgerufen. Bitte warten Sie eine Minute');
  // Another link from the same place still answers.
  expect((await open('/partner/referrals/cccccccccccc.ddddddddddddddddddddddddddddddddddddddddddd', '10.1.0.4')).status).toBe(400);
});

test('one address opening many links is stopped across referral, conference and agreement links; other addresses go on', async () => {
  const address = '10.2.0.1';
  const links = ['/partner/referrals/x1x1x1x1x1x1.y', '/partner/conferences/x2x2x2x2x2x2.y', '/partner/agreements/x3x3x3x3x3x3.y'];
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await open(`${links[i % 3]}${i}`, address)).status);
  expect(statuses.every((s) => s === 400)).toBe(true);
  const limited = await open('/partner/conferences/neu.neu', address);
  expect(limited.status).toBe(429);
  expect(await limited.text()).toContain('Von Ihrer Adresse kamen in kurzer Zeit zu viele Aufrufe.');
  expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  expect((await open('/partner/conferences/neu.neu', '10.2.0.2')).status).toBe(400);
});

test('the window: counts per key, says how long to wait, and keeps at most its number of keys', () => {
  const w = new SlidingWindow({ max: 2, windowMs: 10_000 }, 3);
  expect(w.hit('a', 1_000)).toBe(0);
  expect(w.hit('a', 2_000)).toBe(0);
  // The third in the window: wait until the first leaves it (at 11 s).
  expect(w.hit('a', 4_000)).toBe(7);
  expect(w.hit('b', 4_000)).toBe(0);
  // After the window the key is free again.
  expect(w.hit('a', 20_000)).toBe(0);
  // Many new keys: keys without a request in the window go first, then the least recently used.
  for (const k of ['c', 'd', 'e', 'f']) w.hit(k, 20_500);
  expect((w as unknown as { hits: Map<string, number[]> }).hits.size).toBeLessThanOrEqual(3);
});
