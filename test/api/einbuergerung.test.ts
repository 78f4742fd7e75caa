/**
 * POST /api/einbuergerung/vorpruefung through HTTP with sign-in: the quick check of the web app on the
 * real engine. Roles, validation with German field messages, CSRF, and an audit entry without inputs.
 */
import { DMN_FILE, INPUT_NAMES } from '../../processes/kim-einbuergerung/contract';
import { AUDIT_ACTION, todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import { decisionApiUnderTest, quickCheckContractTests, refusedBy } from '../support/decision';

const URL_PATH = '/api/einbuergerung/vorpruefung';

const api = decisionApiUnderTest('kim-einbuergerung', DMN_FILE, URL_PATH);
const { as } = api;

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

quickCheckContractTests(api, {
  allMet: ALL_MET,
  inputNames: INPUT_NAMES,
  forbidden: { users: ['land.nrw', 'admin.duisburg'], title: 'Ihre Rolle darf keine Einbürgerungs-Vorprüfung durchführen.' },
  notDates: [['aufenthaltSeit', '2023-02-29'], ['aufenthaltSeit', '2023-13-01'], ['aufenthaltSeit', '01.02.2020'], ['aufenthaltSeit', '2020-02-29T00:00:00Z'], ['stichtag', 'heute'], ['stichtag', 20250630]],
  dateExample: '2020-02-29',
  level: { field: 'sprachniveau', refused: ['B3', 'b1', 'A0', 'Muttersprache'] },
  notYesNo: { bekenntnisAbgegeben: 'ja' },
  personal: { name: 'Erika Mustermann', geburtsdatum: '1970-01-01' },
  audit: { user: 'ebh.duisburg', role: 'ebh', action: AUDIT_ACTION, decisionId: 'kim-einbuergerung-vorpruefung', field: 'aufenthaltSeit', value: '2017-03-14' },
});

describe('counts: German messages per field', () => {
  const bad = refusedBy({ url: URL_PATH, as });

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
});
