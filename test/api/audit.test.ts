/**
 * The audit log: every read (one and list) and write of personal data leaves a row with who, role,
 * action, entity, id, changed fields (never values) and request id; coordinators read their
 * commune's log, a case shows its trail, and the database refuses to change the log.
 */
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';
import { CaseFixture, caseFixture, q } from './fixtures';

let stack: Stack;
let cm: Session;
let f: CaseFixture;

beforeAll(async () => {
  stack = await startTestStack({ workers: false });
  cm = await login(stack.url, 'cm.duisburg');
  f = await caseFixture(stack, 'duisburg-nord');
});
afterAll(async () => {
  await stack?.stop();
});

const rowsFor = (requestId: string) => stack.db.auditLog.findMany({ where: { requestId }, orderBy: { id: 'asc' } });

test('reading one client writes who, role, action, entity, id and request id', async () => {
  const res = await cm.get(`/api/clients/${f.clientId}`);
  expect(res.status).toBe(200);
  const rows = await rowsFor(res.headers.get('x-request-id')!);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ username: 'cm.duisburg', role: 'case_manager', kommuneId: 'duisburg', action: 'clients.read', entity: 'Client', entityId: f.clientId });
});

test('a list writes one row per person shown', async () => {
  const res = await cm.get(`/api/clients?range=[0,9]`);
  const shown = ((await res.json()) as Array<{ id: string }>).map((c) => c.id);
  expect(shown.length).toBeGreaterThan(0);
  const rows = await rowsFor(res.headers.get('x-request-id')!);
  expect(rows.map((r) => r.entityId).sort()).toEqual([...shown].sort());
  expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['clients.list']));
});

test('a write records the changed fields, never their values', async () => {
  const res = await cm.put(`/api/clients/${f.clientId}`, { lastName: 'Geheimname', phone: '0203 999' });
  expect(res.status).toBe(200);
  const [row] = await rowsFor(res.headers.get('x-request-id')!);
  expect(row).toMatchObject({ action: 'clients.update', entity: 'Client', entityId: f.clientId });
  expect(row.fields.sort()).toEqual(['lastName', 'phone']);
  expect(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toMatch(/Geheimname|0203 999/);
});

test('the case trail shows reads and writes of the case and what hangs off it', async () => {
  await cm.get(`/api/cases/${f.caseId}`);
  const note = await cm.post('/api/notes', { caseId: f.caseId, text: 'Termin beim Jobcenter vereinbart' });
  const noteId = ((await note.json()) as { id: string }).id;
  await cm.get(`/api/notes?filter=${q({ caseId: f.caseId })}`);
  // The history shows what changed; pure reads only when asked for (reads=true).
  const trail = await cm.get(`/api/cases/${f.caseId}/audit?range=[0,99]`);
  expect(trail.status).toBe(200);
  expect(trail.headers.get('content-range')).toMatch(/^audit-log 0-\d+\/\d+$/);
  const entries = (await trail.json()) as Array<{ action: string; entityId: string }>;
  expect(entries.map((e) => e.action)).toContain('notes.create');
  expect(entries.map((e) => e.action)).not.toContain('notes.list');
  expect(entries.find((e) => e.action === 'notes.create')?.entityId).toBe(noteId);
  const withReads = (await (await cm.get(`/api/cases/${f.caseId}/audit?range=[0,99]&reads=true`)).json()) as Array<{ action: string }>;
  expect(withReads.map((e) => e.action)).toEqual(expect.arrayContaining(['cases.read', 'notes.create', 'notes.list']));
  // Someone at another site does not get the trail.
  const cm2 = await login(stack.url, 'cm2.duisburg');
  expect((await cm2.get(`/api/cases/${f.caseId}/audit`)).status).toBe(404);
});

test("coordinators read their commune's audit log; others may not", async () => {
  const koord = await login(stack.url, 'koord.duisburg');
  const res = await koord.get('/api/audit-log?range=[0,199]');
  expect(res.status).toBe(200);
  const rows = (await res.json()) as Array<{ kommuneId: string; id: string }>;
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.every((r) => r.kommuneId === 'duisburg')).toBe(true);
  expect(typeof rows[0].id).toBe('string');
  const byCase = await koord.get(`/api/audit-log?filter=${q({ caseId: f.caseId })}`);
  expect(((await byCase.json()) as Array<{ caseId: string }>).every((r) => r.caseId === f.caseId)).toBe(true);
  for (const u of ['cm.duisburg', 'admin.duisburg', 'land.nrw', 'abh.duisburg']) expect((await (await login(stack.url, u)).get('/api/audit-log')).status).toBe(403);
  const other = await login(stack.url, 'koord.mettmann');
  const theirs = (await (await other.get('/api/audit-log?range=[0,199]')).json()) as Array<{ kommuneId: string }>;
  expect(theirs.every((r) => r.kommuneId === 'mettmann')).toBe(true);
});

test('reading the audit log leaves no rows of its own, but reading organisations is not audited either', async () => {
  const koord = await login(stack.url, 'koord.duisburg');
  const res = await koord.get('/api/organisations');
  expect(await rowsFor(res.headers.get('x-request-id')!)).toHaveLength(0);
});

test('the database refuses to change or delete audit rows', async () => {
  await expect(stack.db.$executeRawUnsafe(`update "AuditLog" set "action" = 'manipuliert'`)).rejects.toThrow(/unveränderlich/);
  await expect(stack.db.$executeRawUnsafe(`delete from "AuditLog"`)).rejects.toThrow(/unveränderlich/);
  await expect(stack.db.$executeRawUnsafe(`truncate "AuditLog"`)).rejects.toThrow(/unveränderlich/);
  expect(await stack.db.auditLog.count({ where: { action: 'manipuliert' } })).toBe(0);
});

test('downloading a document returns its content to who may read it, and is logged', async () => {
  const res = await cm.get(`/api/documents/${f.documentId}/content`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  expect(res.headers.get('content-disposition')).toMatch(/attachment; filename\*=UTF-8''pass\.pdf/);
  expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF');
  const [row] = await rowsFor(res.headers.get('x-request-id')!);
  expect(row).toMatchObject({ action: 'documents.download', entity: 'Document', entityId: f.documentId, caseId: f.caseId });
  expect((await (await login(stack.url, 'cm2.duisburg')).get(`/api/documents/${f.documentId}/content`)).status).toBe(404);
  expect((await (await login(stack.url, 'admin.duisburg')).get(`/api/documents/${f.documentId}/content`)).status).toBe(403);
});
