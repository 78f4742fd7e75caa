/**
 * Sign-in and sessions on the real server and database: argon2id hashes, a server-side session behind
 * an httpOnly SameSite=Strict cookie (only its hash stored), CSRF on state changes, a temporary lock
 * after repeated failures, a per-address limit, logout, security headers.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loginLimiter } from '../../server/auth/auth.routes';
import { LOCK_MINUTES, MAX_FAILED_LOGINS } from '../../server/auth/auth.service';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import { login, startTestStack } from '../support/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startTestStack({ workers: false });
});
afterAll(async () => {
  await stack?.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

test('passwords are stored as argon2id hashes, never in clear', async () => {
  const u = await stack.db.user.findUniqueOrThrow({ where: { username: 'cm.duisburg' } });
  expect(u.passwordHash).toMatch(/^\$argon2id\$/);
  expect(u.passwordHash).not.toContain('kim-demo');
});

test('login sets an httpOnly SameSite=Strict cookie; only the token hash is stored; logout ends the session', async () => {
  const res = await post('/api/auth/login', { username: 'cm2.duisburg', password: 'kim-demo' });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^kim_session=/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  const token = decodeURIComponent(cookie.split(';')[0].split('=')[1]);
  const body = (await res.json()) as { user: { username: string; role: string }; csrfToken: string };
  expect(body.user).toMatchObject({ username: 'cm2.duisburg', role: 'case_manager' });
  expect(await stack.db.session.findUnique({ where: { id: token } })).toBeNull();
  const hashed = crypto.createHash('sha256').update(token).digest('hex');
  expect(await stack.db.session.findUnique({ where: { id: hashed } })).not.toBeNull();

  const me = await fetch(`${stack.url}/api/auth/me`, { headers: { cookie: cookie.split(';')[0] } });
  expect(me.status).toBe(200);
  const out = await post('/api/auth/logout', {}, { cookie: cookie.split(';')[0], 'x-csrf-token': body.csrfToken });
  expect(out.status).toBe(204);
  expect((await fetch(`${stack.url}/api/auth/me`, { headers: { cookie: cookie.split(';')[0] } })).status).toBe(401);
});

test('signing in while the browser still holds a session needs no CSRF token and ends the old session', async () => {
  const old = await login(stack.url, 'cm2.duisburg');
  const res = await post('/api/auth/login', { username: 'cm2.duisburg', password: 'kim-demo' }, { cookie: old.cookie });
  expect(res.status).toBe(200);
  expect((await fetch(`${stack.url}/api/auth/me`, { headers: { cookie: old.cookie } })).status).toBe(401);
  const fresh = (res.headers.get('set-cookie') ?? '').split(';')[0];
  expect((await fetch(`${stack.url}/api/auth/me`, { headers: { cookie: fresh } })).status).toBe(200);
});

test('a session carries its user as stored; an expired session or a deactivated user ends it; use refreshes lastSeenAt', async () => {
  const me = (cookie: string) => fetch(`${stack.url}/api/auth/me`, { headers: { cookie } });
  const idOf = (cookie: string) => crypto.createHash('sha256').update(decodeURIComponent(cookie.split('=')[1])).digest('hex');
  const u = await stack.db.user.findUniqueOrThrow({ where: { username: 'koord.duisburg' } });
  const s = await login(stack.url, 'koord.duisburg');
  const body = (await (await me(s.cookie)).json()) as { user: Record<string, unknown>; csrfToken: string };
  expect(body).toEqual({
    user: { id: u.id, username: u.username, displayName: u.displayName, role: u.role, kommuneId: u.kommuneId, siteId: u.siteId, groups: u.groups, mustChangePassword: false },
    csrfToken: s.csrf,
  });

  // Seen more than a minute ago: the next request records it.
  const id = idOf(s.cookie);
  const longAgo = new Date(Date.now() - 5 * 60_000);
  await stack.db.session.update({ where: { id }, data: { lastSeenAt: longAgo } });
  expect((await me(s.cookie)).status).toBe(200);
  expect((await stack.db.session.findUniqueOrThrow({ where: { id } })).lastSeenAt.getTime()).toBeGreaterThan(longAgo.getTime() + 60_000);

  await stack.db.session.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  expect((await me(s.cookie)).status).toBe(401);
  expect(await stack.db.session.findUnique({ where: { id } })).toBeNull();

  const other = await login(stack.url, 'cm2.duisburg');
  await stack.db.user.update({ where: { username: 'cm2.duisburg' }, data: { active: false } });
  try {
    expect((await me(other.cookie)).status).toBe(401);
    expect(await stack.db.session.findUnique({ where: { id: idOf(other.cookie) } })).toBeNull();
  } finally {
    await stack.db.user.update({ where: { username: 'cm2.duisburg' }, data: { active: true } });
  }
});

test('state-changing requests of a session need its CSRF token', async () => {
  const s = await login(stack.url, 'cm.duisburg');
  const without = await fetch(`${stack.url}/api/tasks/1/claim`, { method: 'POST', headers: { cookie: s.cookie } });
  expect(without.status).toBe(403);
  expect(((await without.json()) as { title: string }).title).toMatch(/Sicherheits-Token/);
  const wrong = await fetch(`${stack.url}/api/tasks/1/claim`, { method: 'POST', headers: { cookie: s.cookie, 'x-csrf-token': 'falsch' } });
  expect(wrong.status).toBe(403);
  const right = await s.post('/api/tasks/1/claim');
  expect(right.status).toBe(404);
});

test('five wrong passwords are allowed, the sixth locks the account (message says until when and how to get unlocked), even against the right password', async () => {
  await stack.db.user.update({ where: { username: 'abh.duisburg' }, data: { failedLogins: 0, lockedUntil: null } });
  for (let i = 1; i <= MAX_FAILED_LOGINS; i++) expect((await post('/api/auth/login', { username: 'abh.duisburg', password: `falsch-${i}` })).status).toBe(401);
  const before = Date.now();
  const sixth = await post('/api/auth/login', { username: 'abh.duisburg', password: 'falsch-6' });
  expect(sixth.status).toBe(423);
  const { lockedUntil } = await stack.db.user.findUniqueOrThrow({ where: { username: 'abh.duisburg' } });
  expect(lockedUntil!.getTime()).toBeGreaterThanOrEqual(before + LOCK_MINUTES * 60_000);
  const berlin = lockedUntil!.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
  const title = ((await sixth.json()) as { title: string }).title;
  expect(title).toContain(`${berlin} Uhr gesperrt`);
  expect(title).toMatch(/Administration Ihrer Kommune hebt die Sperre/);
  const right = await post('/api/auth/login', { username: 'abh.duisburg', password: 'kim-demo' });
  expect(right.status).toBe(423);
  expect(((await right.json()) as { title: string }).title).toBe(title);
  // The sign-in page states the same rule the server applies (the rule's text names the numbers).
  expect(MAX_FAILED_LOGINS).toBe(5);
  expect(fs.readFileSync(path.join(ROOT, 'admin-ui/src/i18n/de.ts'), 'utf8')).toContain(`lockRule: 'Fünf falsche Passwörter hintereinander sind erlaubt; beim sechsten wird das Konto für ${LOCK_MINUTES} Minuten gesperrt.'`);
  const audit = await stack.db.auditLog.count({ where: { action: 'auth.locked' } });
  expect(audit).toBeGreaterThan(0);
  await stack.db.user.update({ where: { username: 'abh.duisburg' }, data: { failedLogins: 0, lockedUntil: null } });
  expect((await post('/api/auth/login', { username: 'abh.duisburg', password: 'kim-demo' })).status).toBe(200);
});

test('an unknown user gets the same answer as a wrong password; bad input gets German field messages', async () => {
  const unknown = await post('/api/auth/login', { username: 'niemand', password: 'x' });
  expect(unknown.status).toBe(401);
  expect(((await unknown.json()) as { title: string }).title).toBe('Benutzername oder Passwort ist falsch.');
  const empty = await post('/api/auth/login', { username: '', password: '' });
  expect(empty.status).toBe(400);
  const body = (await empty.json()) as { errors: Record<string, string> };
  expect(Object.keys(body.errors).sort()).toEqual(['password', 'username']);
});

test('the per-address limiter refuses attempts beyond its window budget with 429 in German', () => {
  const limit = loginLimiter(3, 60_000);
  for (let i = 0; i < 3; i++) expect(() => limit('10.0.0.1')).not.toThrow();
  expect(() => limit('10.0.0.1')).toThrow(/Zu viele Anmeldeversuche/);
  expect(() => limit('10.0.0.2')).not.toThrow();
});

test('security headers are set', async () => {
  const res = await fetch(`${stack.url}/api/health`);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('x-powered-by')).toBeNull();
});
