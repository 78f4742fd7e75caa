/**
 * User management by the commune's administrator on the real server and database: create with a
 * one-time password (task groups derived from role and site), the new person must choose their own
 * password before anything else, role change brings its groups, lock → unlock, one-time password
 * reset; everything audited. Another commune's administrator neither sees nor changes the account
 * (404), other roles get 403, and the administrator reads no case content.
 */
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';

let stack: Stack;
let admin: Session;
const tag = `${process.pid}`.slice(-5);
const username = `neu.fm${tag}`;

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  admin = await login(stack.url, 'admin.duisburg');
  const model = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin.duisburg' } });
  await stack.db.user.upsert({
    where: { username: 'admin.mettmann' },
    create: { username: 'admin.mettmann', displayName: 'Admin Mettmann', passwordHash: model.passwordHash, role: 'admin', kommuneId: 'mettmann', groups: [] },
    update: {},
  });
});
afterAll(async () => {
  await stack?.stop();
});

const json = async <T>(res: Response, status: number): Promise<T> => {
  const body = await res.text();
  expect([res.status, body]).toEqual([status, expect.anything()]);
  return JSON.parse(body) as T;
};
const signIn = (u: string, password: string) => fetch(`${stack.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u, password }) });

test('the administrator creates a case manager; the person signs in with the one-time password, must set an own one, then works', async () => {
  const created = await json<{ id: string; groups: string[]; mustChangePassword: boolean; kommuneId: string }>(
    await admin.post('/api/users', { username, displayName: 'Nora Feld', role: 'case_manager', siteId: 'duisburg-mitte', password: 'Einmal-Start-2026' }),
    201,
  );
  expect(created).toMatchObject({ kommuneId: 'duisburg', mustChangePassword: true, groups: ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-mitte'] });
  expect(await stack.db.auditLog.count({ where: { action: 'users.create', entityId: created.id } })).toBe(1);

  const first = await login(stack.url, username, 'Einmal-Start-2026');
  expect(first.user).toMatchObject({ username, mustChangePassword: true });
  const blocked = await first.get('/api/tasks');
  expect(blocked.status).toBe(403);
  expect(((await blocked.json()) as { title: string }).title).toBe('Bitte legen Sie zuerst ein eigenes Passwort fest.');
  const wrong = await first.post('/api/auth/password', { currentPassword: 'falsch', newPassword: 'Mein-eigenes-Passwort' });
  expect(((await json<{ errors: Record<string, string> }>(wrong, 400)).errors)).toEqual({ currentPassword: 'Das bisherige Passwort stimmt nicht.' });
  const same = await first.post('/api/auth/password', { currentPassword: 'Einmal-Start-2026', newPassword: 'Einmal-Start-2026' });
  expect(same.status).toBe(400);
  await json(await first.post('/api/auth/password', { currentPassword: 'Einmal-Start-2026', newPassword: 'Mein-eigenes-Passwort' }), 200);
  expect((await first.get('/api/tasks')).status).toBe(200);
  expect(await stack.db.auditLog.count({ where: { action: 'auth.password_changed', entityId: created.id } })).toBe(1);
  expect((await signIn(username, 'Einmal-Start-2026')).status).toBe(401);
  const again = await login(stack.url, username, 'Mein-eigenes-Passwort');
  expect(again.user).toMatchObject({ mustChangePassword: false, role: 'case_manager', siteId: 'duisburg-mitte' });

  // A new role brings its groups.
  const moved = await json<{ groups: string[] }>(await admin.put(`/api/users/${created.id}`, { role: 'coordinator', siteId: null }), 200);
  expect(moved.groups).toEqual(['coordinator', 'coordinator:duisburg']);
});

test('lock → the administrator lifts it; one-time password reset ends open sessions; all audited', async () => {
  const u = await stack.db.user.findUniqueOrThrow({ where: { username } });
  await stack.db.user.update({ where: { id: u.id }, data: { lockedUntil: new Date(Date.now() + 15 * 60_000) } });
  expect((await signIn(username, 'Mein-eigenes-Passwort')).status).toBe(423);
  const listed = await json<Array<{ id: string; lockedUntil: string | null }>>(await admin.get(`/api/users?filter=${encodeURIComponent(JSON.stringify({ q: username }))}`), 200);
  expect(listed.find((x) => x.id === u.id)?.lockedUntil).toBeTruthy();
  await json(await admin.post(`/api/users/${u.id}/unlock`), 200);
  const s = await login(stack.url, username, 'Mein-eigenes-Passwort');
  expect(await stack.db.auditLog.count({ where: { action: 'users.unlock', entityId: u.id } })).toBe(1);

  await json(await admin.post(`/api/users/${u.id}/password`, { password: 'Neues-Einmal-2026' }), 200);
  expect((await s.get('/api/tasks')).status).toBe(401); // the old session ended
  const reset = await login(stack.url, username, 'Neues-Einmal-2026');
  expect(reset.user).toMatchObject({ mustChangePassword: true });
  expect(await stack.db.auditLog.count({ where: { action: 'users.password_reset', entityId: u.id } })).toBe(1);
  const short = await admin.post(`/api/users/${u.id}/password`, { password: 'kurz' });
  expect(((await json<{ errors: Record<string, string> }>(short, 400)).errors)).toEqual({ password: 'Das Einmalpasswort muss mindestens 10 Zeichen haben.' });
  const self = await stack.db.user.findUniqueOrThrow({ where: { username: 'admin.duisburg' } });
  expect((await admin.post(`/api/users/${self.id}/password`, { password: 'Neues-Einmal-2026' })).status).toBe(409);

  // Deactivated: no sign-in any more.
  await json(await admin.put(`/api/users/${u.id}`, { active: false }), 200);
  expect((await signIn(username, 'Neues-Einmal-2026')).status).toBe(401);
});

test('another commune’s administrator neither sees nor changes the account; other roles get 403; the administrator reads no case content', async () => {
  const u = await stack.db.user.findUniqueOrThrow({ where: { username } });
  const other = await login(stack.url, 'admin.mettmann');
  expect((await other.get(`/api/users/${u.id}`)).status).toBe(404);
  expect((await other.put(`/api/users/${u.id}`, { displayName: 'Übernommen' })).status).toBe(404);
  expect((await other.post(`/api/users/${u.id}/unlock`)).status).toBe(404);
  expect((await other.post(`/api/users/${u.id}/password`, { password: 'Fremdes-Passwort-1' })).status).toBe(404);
  const theirs = await json<Array<{ username: string }>>(await other.get('/api/users?range=[0,199]'), 200);
  expect(theirs.some((x) => x.username === username)).toBe(false);
  expect(theirs.length).toBeGreaterThan(0);
  expect((await stack.db.user.findUniqueOrThrow({ where: { id: u.id } })).displayName).toBe('Nora Feld');

  for (const name of ['cm.duisburg', 'koord.duisburg']) {
    const s = await login(stack.url, name);
    expect((await s.post(`/api/users/${u.id}/unlock`)).status).toBe(403);
    expect((await s.post(`/api/users/${u.id}/password`, { password: 'Fremdes-Passwort-1' })).status).toBe(403);
    expect((await s.post('/api/users', { username: `x${tag}`, displayName: 'X', role: 'admin', password: 'Fremdes-Passwort-1' })).status).toBe(403);
  }
  for (const path of ['/api/cases', '/api/clients', '/api/notes', '/api/documents']) expect([path, (await admin.get(path)).status]).toEqual([path, 403]);
});
