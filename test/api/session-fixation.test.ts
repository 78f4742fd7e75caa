/**
 * Session fixation on the real server and database: signing in always issues a new session id
 * (and CSRF token) made by the server – never one the browser brought along, whether planted by
 * someone else or left from an earlier sign-in – and the cookie from before the sign-in is dead
 * afterwards. Signing out ends the session for every tab of the browser (they share the cookie;
 * the web app's tabs follow through SignOutSync, see test/e2e/account-mail.e2e.test.ts).
 */
import crypto from 'node:crypto';
import type { Stack } from '../../server/stack';
import { login, startTestStack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');
const tokenOf = (cookie: string) => decodeURIComponent(cookie.split(';')[0].split('=')[1] ?? '');

async function signIn(username: string, cookie?: string) {
  const res = await fetch(`${stack.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password: 'kim-demo' }),
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(';')[0], token: tokenOf(setCookie), csrf: body.csrfToken };
}
const me = (cookie: string) => fetch(`${stack.url}/api/auth/me`, { headers: { cookie } });

test('a session id someone planted before the sign-in is never adopted: the server issues its own', async () => {
  const planted = crypto.randomBytes(32).toString('base64url');
  const before = await stack.db.session.count();
  const s = await signIn('cm.duisburg', `kim_session=${planted}`);
  expect(s.token).not.toBe(planted);
  expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // Neither the planted id nor its hash names a session; the new one does.
  expect(await stack.db.session.findUnique({ where: { id: hash(planted) } })).toBeNull();
  expect(await stack.db.session.findUnique({ where: { id: hash(s.token) } })).not.toBeNull();
  expect(await stack.db.session.count()).toBe(before + 1);
  expect((await me(`kim_session=${planted}`)).status).toBe(401);
  expect((await me(s.cookie)).status).toBe(200);
});

test('signing in again (same or another person) gives a new session id and CSRF token; the cookie from before is dead', async () => {
  const first = await login(stack.url, 'cm2.duisburg');
  expect((await me(first.cookie)).status).toBe(200);
  for (const username of ['cm2.duisburg', 'koord.duisburg']) {
    const pre = username === 'cm2.duisburg' ? first : await login(stack.url, 'cm2.duisburg');
    const post = await signIn(username, pre.cookie);
    expect(post.cookie).not.toBe(pre.cookie);
    expect(post.csrf).not.toBe(pre.csrf);
    expect((await me(pre.cookie)).status).toBe(401);
    expect(await stack.db.session.findUnique({ where: { id: hash(tokenOf(pre.cookie)) } })).toBeNull();
    const who = (await (await me(post.cookie)).json()) as { user: { username: string } };
    expect(who.user.username).toBe(username);
    // The old CSRF token does not open the new session either.
    const stale = await fetch(`${stack.url}/api/me/preferences`, { method: 'PUT', headers: { cookie: post.cookie, 'x-csrf-token': pre.csrf, 'content-type': 'application/json' }, body: '{}' });
    expect(stale.status).toBe(403);
  }
});

test('signing out in one tab ends the session for every tab of the browser (one cookie)', async () => {
  const s = await login(stack.url, 'cm.duisburg');
  // Two tabs: the same cookie, each with the CSRF token it loaded.
  const tabs = [s.cookie, s.cookie];
  for (const c of tabs) expect((await me(c)).status).toBe(200);
  const out = await s.post('/api/auth/logout');
  expect(out.status).toBe(204);
  expect(out.headers.get('set-cookie')).toMatch(/kim_session=;/);
  for (const c of tabs) expect((await me(c)).status).toBe(401);
  expect(await stack.db.session.findUnique({ where: { id: hash(tokenOf(s.cookie)) } })).toBeNull();
});
