/**
 * POST /api/einbuergerung/vorpruefung through HTTP with sign-in: the quick check of the web app on the
 * real engine. Roles, validation with German field messages, CSRF, and an audit entry without inputs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DMN_FILE } from '../../processes/kim-einbuergerung/contract';
import { ROOT } from '../../server/config';
import { AUDIT_ACTION, todayInBerlin } from '../../server/domain/einbuergerung.service';
import type { Stack } from '../../server/stack';
import { login, Session, startTestStack } from '../support/stack';

const URL_PATH = '/api/einbuergerung/vorpruefung';

let stack: Stack;
let dir: string;
const sessions = new Map<string, Session>();
const as = async (username: string) => {
  if (!sessions.has(username)) sessions.set(username, await login(stack.url, username));
  return sessions.get(username)!;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-einbuergerung-api-'));
  fs.copyFileSync(path.join(ROOT, 'processes', 'kim-einbuergerung', DMN_FILE), path.join(dir, DMN_FILE));
  stack = await startTestStack({ processesDir: dir, workers: false });
});
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const ALL_MET = {
  stichtag: '2025-06-30',
  aufenthaltSeit: '2020-06-30',
  aufenthaltstitelGeeignet: true,
  sprachniveau: 'B1',
  einbuergerungstestBestanden: true,
  bezugSgb2oder12: true,
  vollzeitMonateLetzte24: 20,
  bewaehrungsstrafeMonate: 3,
  verurteilungTagessaetze: 0,
  bekenntnisAbgegeben: true,
};

interface Problem {
  type: string;
  title: string;
  status: number;
  errors?: Record<string, string>;
}

test.each(['cm.duisburg', 'ebh.duisburg', 'koord.duisburg'])('%s gets the result of the engine decision', async (username) => {
  const s = await as(username);
  const ok = await s.post(URL_PATH, ALL_MET);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ eligible: true, fehlendeVoraussetzungen: [], fruehesterAntragstermin: '2025-06-30', stichtag: '2025-06-30' });

  const short = await s.post(URL_PATH, { ...ALL_MET, stichtag: '2025-06-29', vollzeitMonateLetzte24: 19, sprachniveau: 'A2' });
  expect(short.status).toBe(200);
  expect(await short.json()).toEqual({
    eligible: false,
    fehlendeVoraussetzungen: ['AUFENTHALTSDAUER', 'SPRACHE', 'LEBENSUNTERHALT'],
    fruehesterAntragstermin: '2025-06-30',
    stichtag: '2025-06-29',
  });
});

test('an empty body is a valid question: missing inputs count as false / 0 / null, the reference date is today in Berlin', async () => {
  const s = await as('cm.duisburg');
  const res = await s.post(URL_PATH, {});
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    eligible: false,
    fehlendeVoraussetzungen: ['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'BEKENNTNIS'],
    fruehesterAntragstermin: null,
    stichtag: todayInBerlin(),
  });
});

test('without stichtag the residence is measured up to today (Europe/Berlin)', async () => {
  const s = await as('ebh.duisburg');
  const { stichtag: _omit, ...rest } = ALL_MET;
  void _omit;
  const res = await s.post(URL_PATH, { ...rest, aufenthaltSeit: '2010-01-01' });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ eligible: true, fruehesterAntragstermin: '2015-01-01', stichtag: todayInBerlin() });
});

test.each(['land.nrw', 'admin.duisburg'])('%s may not run the pre-check (403)', async (username) => {
  const s = await as(username);
  const res = await s.post(URL_PATH, ALL_MET);
  expect(res.status).toBe(403);
  const body = (await res.json()) as Problem;
  expect(body.type).toBe('urn:kim:problem:forbidden');
  expect(body.title).toMatch(/Einbürgerungs-Vorprüfung/);
});

test('without sign-in: 401', async () => {
  const res = await fetch(`${stack.url}${URL_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ALL_MET) });
  expect(res.status).toBe(401);
  expect(((await res.json()) as Problem).title).toBe('Bitte melden Sie sich an.');
});

test('with a session but without the CSRF header: 403', async () => {
  const s = await as('cm.duisburg');
  const res = await fetch(`${stack.url}${URL_PATH}`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/json' }, body: JSON.stringify(ALL_MET) });
  expect(res.status).toBe(403);
  expect(((await res.json()) as Problem).type).toBe('urn:kim:problem:csrf');
  const wrong = await fetch(`${stack.url}${URL_PATH}`, {
    method: 'POST',
    headers: { cookie: s.cookie, 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(s.csrf.length) },
    body: JSON.stringify(ALL_MET),
  });
  expect(wrong.status).toBe(403);
});

describe('validation: 400 with German messages per field', () => {
  const bad = async (body: unknown) => {
    const s = await as('cm.duisburg');
    const res = await s.post(URL_PATH, body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.type).toBe('urn:kim:problem:validation');
    expect(problem.title).toBe('Die Eingaben sind unvollständig oder ungültig. Bitte prüfen Sie die markierten Felder.');
    return problem.errors ?? {};
  };

  test.each([
    ['aufenthaltSeit', '2023-02-29'],
    ['aufenthaltSeit', '2023-13-01'],
    ['aufenthaltSeit', '01.02.2020'],
    ['aufenthaltSeit', '2020-02-29T00:00:00Z'],
    ['stichtag', 'heute'],
    ['stichtag', 20250630],
  ])('%s = %p is not a date', async (field, value) => {
    const errors = await bad({ ...ALL_MET, [field]: value });
    expect(errors[field]).toBe('Bitte ein gültiges Datum im Format JJJJ-MM-TT angeben, z. B. 2020-02-29.');
  });

  test('negative and fractional counts', async () => {
    const errors = await bad({ ...ALL_MET, vollzeitMonateLetzte24: -1, bewaehrungsstrafeMonate: 1.5, verurteilungTagessaetze: -30 });
    expect(errors).toEqual({
      vollzeitMonateLetzte24: 'Vollzeitmonate in den letzten 24 Monaten darf nicht negativ sein.',
      bewaehrungsstrafeMonate: 'Bewährungsstrafe in Monaten: bitte eine ganze Zahl angeben.',
      verurteilungTagessaetze: 'Tagessätze darf nicht negativ sein.',
    });
  });

  test('more full-time months than the 24 asked about', async () => {
    expect((await bad({ ...ALL_MET, vollzeitMonateLetzte24: 25 })).vollzeitMonateLetzte24).toBe('Vollzeitmonate in den letzten 24 Monaten: höchstens 24.');
  });

  test.each(['B3', 'b1', 'A0', 'Muttersprache'])('unknown language level %p', async (level) => {
    expect((await bad({ ...ALL_MET, sprachniveau: level })).sprachniveau).toBe('Sprachniveau muss A1, A2, B1, B2, C1 oder C2 sein (oder leer bleiben).');
  });

  test('yes/no fields take booleans only', async () => {
    expect((await bad({ ...ALL_MET, bekenntnisAbgegeben: 'ja' })).bekenntnisAbgegeben).toBe('Bitte ja oder nein angeben (true/false).');
  });

  test('personal data is refused: only the decision inputs are accepted', async () => {
    const errors = await bad({ ...ALL_MET, name: 'Erika Mustermann', geburtsdatum: '1970-01-01' });
    expect(errors._).toMatch(/^Nur die Angaben der Vorprüfung sind erlaubt, keine personenbezogenen Daten\. Unbekannt: name, geburtsdatum\./);
  });
});

test('every pre-check is audit-logged without its inputs', async () => {
  const s = await as('ebh.duisburg');
  const before = await stack.db.auditLog.count({ where: { action: AUDIT_ACTION } });
  const res = await s.post(URL_PATH, { ...ALL_MET, aufenthaltSeit: '2017-03-14' });
  expect(res.status).toBe(200);
  const rows = await stack.db.auditLog.findMany({ where: { action: AUDIT_ACTION }, orderBy: { id: 'asc' } });
  expect(rows.length).toBe(before + 1);
  const row = rows[rows.length - 1];
  expect(row).toMatchObject({ username: 'ebh.duisburg', role: 'ebh', entity: 'Entscheidung', entityId: 'kim-einbuergerung-vorpruefung', fields: [], reason: null });
  expect(row.requestId).toBe(res.headers.get('x-request-id'));
  expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('2017-03-14');
  // Rejected requests (403, 400) write nothing.
  await (await as('land.nrw')).post(URL_PATH, ALL_MET);
  await s.post(URL_PATH, { ...ALL_MET, sprachniveau: 'X' });
  expect(await stack.db.auditLog.count({ where: { action: AUDIT_ACTION } })).toBe(before + 1);
});
