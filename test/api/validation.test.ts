/**
 * Validation at the edge (400 with German messages per field), body size limit (413), unknown ids
 * (404), and the rules behind the explicit verbs: closing a case, revoking a consent, the consent
 * gate for referrals with data, and no partial writes.
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

interface Problem {
  type: string;
  title: string;
  status: number;
  errors?: Record<string, string>;
}
const ENGLISH = /\b(invalid|expected|required|received|must|string|too (big|small))\b/i;

test('missing and malformed fields give 400 with a German message per field', async () => {
  const res = await cm.post('/api/clients', { firstName: '', email: 'kein-mail', birthDate: '31.12.1990', languages: 'Arabisch' });
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const p = (await res.json()) as Problem;
  expect(p.title).toMatch(/unvollständig oder ungültig/);
  expect(Object.keys(p.errors ?? {}).sort()).toEqual(['birthDate', 'email', 'firstName', 'languages', 'lastName']);
  expect(p.errors!.lastName).toBe('Pflichtfeld – bitte ausfüllen.');
  expect(p.errors!.languages).toBe('Bitte eine Liste angeben.');
  expect(p.errors!.firstName).toBe('Bitte den Vornamen angeben.');
  expect(p.errors!.email).toBe('Keine gültige E-Mail-Adresse.');
  expect(p.errors!.birthDate).toBe('Datum im Format JJJJ-MM-TT angeben.');
  for (const m of Object.values(p.errors!)) expect(m).not.toMatch(ENGLISH);
});

test('cross-field rules and enums are explained in German', async () => {
  const res = await cm.post('/api/consents', {
    caseId: f.caseId,
    recipients: [f.organisationId],
    dataCategories: ['Stammdaten'],
    purposes: ['Vermittlung'],
    validFrom: '2026-05-01',
    validUntil: '2026-04-01',
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as Problem).errors).toEqual({ validUntil: '„Gültig bis“ darf nicht vor „Gültig ab“ liegen.' });

  const bad = await cm.post('/api/referrals', { caseId: f.caseId, organisationId: f.organisationId, lifeArea: 'Freizeit', purpose: 'x' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as Problem).errors?.lifeArea).toMatch(/^Lebensbereich: Aufenthalt, Sprache/);

  const id = await cm.post('/api/notes', { caseId: 'nicht-da', text: 'x' });
  expect(((await id.json()) as Problem).errors?.caseId).toBe('Keine gültige Kennung (UUID).');
});

test('invalid JSON is 400, a body over the limit is 413', async () => {
  const raw = await fetch(`${stack.url}/api/notes`, { method: 'POST', headers: { cookie: cm.cookie, 'x-csrf-token': cm.csrf, 'content-type': 'application/json' }, body: '{"caseId":' });
  expect(raw.status).toBe(400);
  expect(((await raw.json()) as Problem).title).toMatch(/kein gültiges JSON/);
  const big = await cm.post('/api/notes', { caseId: f.caseId, text: 'x'.repeat(300 * 1024) });
  expect(big.status).toBe(413);
  expect(((await big.json()) as Problem).title).toMatch(/zu groß/);
});

test('unknown ids are 404, unknown sort fields and filters 400', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'gibt-es-nicht']) {
    const r = await cm.get(`/api/cases/${id}`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as Problem).title).toBe('Der Fall wurde nicht gefunden.');
  }
  expect((await cm.put('/api/notes/00000000-0000-4000-8000-000000000000', { text: 'x' })).status).toBe(404);
  const sort = await cm.get(`/api/cases?sort=${q(['passwort', 'ASC'] as unknown as Record<string, unknown>)}`);
  expect(sort.status).toBe(400);
  expect((await cm.get(`/api/cases?filter=${q({ geheim: 1 })}`)).status).toBe(400);
  expect((await cm.get(`/api/cases?filter=${q({ phase: 'Unsinn' })}`)).status).toBe(400);
  // ra-data-simple-rest getManyReference: filter by the parent.
  const byCase = await cm.get(`/api/notes?filter=${q({ caseId: f.caseId })}`);
  expect(((await byCase.json()) as Array<{ caseId: string }>).every((n) => n.caseId === f.caseId)).toBe(true);
});

test('a referral with data needs a valid consent that covers the recipient', async () => {
  // POST /api/referrals starts kim-referral, whose consent gate decides; changing a referral to
  // "with data" by hand is held to the same rule.
  const other = await stack.db.organisation.findFirstOrThrow({ where: { kommuneId: 'duisburg', type: 'MBE' } });
  const r = await stack.db.referral.create({ data: { caseId: f.caseId, organisationId: other.id, lifeArea: 'Arbeit', purpose: 'Beratung' } });
  const res = await cm.put(`/api/referrals/${r.id}`, { withData: true, consentId: f.consentId });
  expect(res.status).toBe(409);
  expect(((await res.json()) as Problem).title).toMatch(/Ohne gültige Einwilligung/);
  const ok = await cm.put(`/api/referrals/${r.id}`, { organisationId: f.organisationId, withData: true, consentId: f.consentId });
  expect(ok.status).toBe(200);
});

test('revoking a consent needs a reason and stops pending shares', async () => {
  const pending = await stack.db.referral.create({ data: { caseId: f.caseId, organisationId: f.organisationId, lifeArea: 'Arbeit', purpose: 'x', withData: true, consentId: f.consentId } });
  const noReason = await cm.post(`/api/consents/${f.consentId}/revoke`, {});
  expect(noReason.status).toBe(400);
  expect(((await noReason.json()) as Problem).errors?.reason).toBeTruthy();
  const res = await cm.post(`/api/consents/${f.consentId}/revoke`, { reason: 'Klientin widerruft mündlich' });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { revokedAt: string; revokeReason: string };
  expect(body.revokeReason).toBe('Klientin widerruft mündlich');
  expect(body.revokedAt).toBeTruthy();
  expect((await stack.db.referral.findUniqueOrThrow({ where: { id: pending.id } })).withData).toBe(false);
  expect((await cm.post(`/api/consents/${f.consentId}/revoke`, { reason: 'nochmal' })).status).toBe(409);
  const koord = await login(stack.url, 'koord.duisburg');
  expect((await koord.post(`/api/consents/${f.consentId}/revoke`, { reason: 'x' })).status).toBe(403);
});

test('no partial writes: an intake with an invalid new person creates neither person nor case', async () => {
  const before = await stack.db.case.count();
  const clients = await stack.db.client.count();
  const res = await cm.post('/api/cases', { client: { firstName: 'Amal', lastName: '', email: 'kaputt' } });
  expect(res.status).toBe(400);
  expect(((await res.json()) as Problem).errors).toEqual({ 'client.lastName': 'Bitte den Nachnamen angeben.', 'client.email': 'Keine gültige E-Mail-Adresse.' });
  const both = await cm.post('/api/cases', { clientId: f.clientId, client: { firstName: 'A', lastName: 'B' } });
  expect(((await both.json()) as Problem).errors?.clientId).toMatch(/entweder eine bestehende Person/);
  expect(await stack.db.client.count()).toBe(clients);
  const conf = await cm.post('/api/conferences', { caseId: f.caseId, title: 'K', scheduledAt: '2030-01-01T10:00:00Z', participants: [{ name: 'A', organisationId: '00000000-0000-4000-8000-000000000000' }] });
  expect(conf.status).toBe(400);
  expect(await stack.db.case.count()).toBe(before);
  expect(await stack.db.conference.count({ where: { caseId: f.caseId, title: 'K' } })).toBe(0);
});

test('closing a case sets phase, deletion date and anonymised statistics; a closed case is read-only', async () => {
  const g = await caseFixture(stack, 'duisburg-nord');
  await stack.db.need.create({ data: { caseId: g.caseId, lifeArea: 'Wohnen', description: 'Wohnung gesucht' } });
  const statsBefore = await stack.db.statisticsEvent.count({ where: { kommuneId: 'duisburg', kind: 'case_closed' } });
  expect((await cm.post(`/api/cases/${g.caseId}/close`, {})).status).toBe(400);
  const res = await cm.post(`/api/cases/${g.caseId}/close`, { outcome: 'Ziele erreicht' });
  expect(res.status).toBe(200);
  const c = (await res.json()) as { phase: string; closedAt: string; deletionDate: string };
  expect(c.phase).toBe('Abschluss');
  expect(new Date(c.deletionDate).getUTCFullYear()).toBe(new Date(c.closedAt).getUTCFullYear() + 3);
  const events = await stack.db.statisticsEvent.findMany({ where: { kommuneId: 'duisburg', kind: 'case_closed' } });
  expect(events.length).toBe(statsBefore + 1);
  expect(events.at(-1)).toMatchObject({ lifeArea: 'Wohnen' });
  expect(Object.keys(events.at(-1)!)).not.toEqual(expect.arrayContaining(['caseId', 'clientId']));
  expect((await cm.post(`/api/cases/${g.caseId}/close`, { outcome: 'x' })).status).toBe(409);
  expect((await cm.put(`/api/cases/${g.caseId}`, { kindOfHelp: 'Kurzberatung' })).status).toBe(409);
  expect((await cm.post('/api/notes', { caseId: g.caseId, text: 'zu spät' })).status).toBe(409);
});
