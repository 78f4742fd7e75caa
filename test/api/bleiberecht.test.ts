/**
 * POST /api/bleiberecht/vorpruefung through HTTP with sign-in: the residence quick check on the real
 * engine. Roles, the exact answer shape, validation with German field messages, CSRF, and an audit
 * entry without inputs.
 */
import { DMN_FILE, INPUT_NAMES } from '../../processes/kim-bleiberecht/contract';
import { todayInBerlin } from '../../server/naturalisation/einbuergerung.service';
import { AUDIT_ACTION } from '../../server/residence/residence-check.service';
import { decisionApiUnderTest, quickCheckContractTests, refusedBy, RESIDENCE_ALL_MET } from '../support/decision';

const URL_PATH = '/api/bleiberecht/vorpruefung';

const api = decisionApiUnderTest('kim-bleiberecht', DMN_FILE, URL_PATH);
const { as } = api;

/** 20 years old on the reference date, tolerated since 2023, here since January 2019 (test/support/decision.ts). */
const ALL_MET = RESIDENCE_ALL_MET;

test.each(['cm.duisburg', 'abh.duisburg', 'koord.duisburg', 'cm.mettmann'])('%s gets exactly the answer of the engine decision', async (username) => {
  const s = await as(username);
  const ok = await s.post(URL_PATH, ALL_MET);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({
    paragraf25a: { erfuellt: true, fehlend: [], fruehestensAb: '2024-01-01', antragSpaetestensAm: '2032-05-09' },
    paragraf25b: { erfuellt: true, fehlend: [], fruehestensAb: '2025-01-15' },
    fristen: [{ code: 'ALTERSGRENZE_25A', datum: '2032-05-09' }],
  });

  const later = await s.post(URL_PATH, { ...ALL_MET, aufenthaltsstatus: 'AE_104C', stichtag: '2025-01-14', nichtAnrechenbareTage: 3, sprachniveauMuendlich: 'A1', bekenntnisFdgo: false });
  expect(later.status).toBe(200);
  expect(await later.json()).toEqual({
    paragraf25a: { erfuellt: true, fehlend: [], fruehestensAb: '2022-01-18', antragSpaetestensAm: '2032-05-09' },
    paragraf25b: { erfuellt: false, fehlend: ['AUFENTHALTSDAUER', 'BEKENNTNIS', 'SPRACHE'], fruehestensAb: '2025-01-18' },
    fristen: [
      { code: 'UEBERGANG_104C', datum: '2027-06-30' },
      { code: 'ALTERSGRENZE_25A', datum: '2032-05-09' },
    ],
  });
});

test('an empty body is a valid question: the reference date is today in Berlin, missing booleans count as false', async () => {
  const s = await as('cm.duisburg');
  const res = await s.post(URL_PATH, {});
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    paragraf25a: { erfuellt: false, fehlend: ['STATUS', 'AUFENTHALTSDAUER', 'SCHULE', 'ALTER'], fruehestensAb: null, antragSpaetestensAm: null },
    paragraf25b: { erfuellt: false, fehlend: ['STATUS', 'VOLLJAEHRIGKEIT', 'AUFENTHALTSDAUER', 'BEKENNTNIS', 'LEBENSUNTERHALT', 'SPRACHE'], fruehestensAb: null },
    fristen: [],
  });
});

test('without stichtag the dates are measured up to today (Europe/Berlin)', async () => {
  const s = await as('abh.duisburg');
  const { stichtag: _omit, ...rest } = ALL_MET;
  void _omit;
  // 14th birthday today: § 25a age met from today; 14th birthday tomorrow: not yet.
  const today = todayInBerlin();
  // On 29 February the birthday 14 years back does not exist; 28 February is then the 14th birthday.
  const monthDay = today.endsWith('-02-29') ? '-02-28' : today.slice(4);
  const birth14 = `${Number(today.slice(0, 4)) - 14}${monthDay}`;
  const res = await s.post(URL_PATH, { ...rest, geburtsdatum: birth14, aufenthaltSeit: '2010-01-01', duldungSeit: '2015-01-01' });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { paragraf25a: { fehlend: string[]; fruehestensAb: string } };
  expect(body.paragraf25a.fehlend).toEqual([]);
  expect(body.paragraf25a.fruehestensAb).toBe(`${today.slice(0, 4)}${monthDay}`);
  // One day younger: the 14th birthday is tomorrow, the age is not met yet.
  const next = new Date(Date.parse(`${birth14}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  // Born 29 Feb: the 14th birthday in a common year is 28 Feb (today) – so one more day.
  const tomorrow = next.endsWith('-02-29') ? `${next.slice(0, 4)}-03-01` : next;
  const younger = await s.post(URL_PATH, { ...rest, geburtsdatum: tomorrow, aufenthaltSeit: '2010-01-01', duldungSeit: '2015-01-01' });
  expect(((await younger.json()) as { paragraf25a: { fehlend: string[] } }).paragraf25a.fehlend).toEqual(['ALTER']);
});

quickCheckContractTests(api, {
  allMet: ALL_MET,
  inputNames: INPUT_NAMES,
  forbidden: { users: ['land.nrw', 'admin.duisburg', 'ebh.duisburg'], title: 'Ihre Rolle darf keine Bleiberechts-Vorprüfung durchführen.' },
  notDates: [['geburtsdatum', '2023-02-29'], ['geburtsdatum', '2005-13-01'], ['aufenthaltSeit', '01.02.2020'], ['duldungSeit', '2020-02-29T00:00:00Z'], ['stichtag', 'heute'], ['stichtag', 20250630]],
  dateExample: '2008-02-29',
  level: { field: 'sprachniveauMuendlich', refused: ['B3', 'a2', 'Muttersprache'] },
  notYesNo: { bekenntnisFdgo: 'ja', identitaetstaeuschung: 0 },
  personal: { name: 'Erika Mustermann', aktenzeichen: 'ABH-1' },
  audit: { user: 'abh.duisburg', role: 'abh', action: AUDIT_ACTION, decisionId: 'kim-bleiberecht-vorpruefung', field: 'geburtsdatum', value: '2003-03-14' },
});

describe('residence inputs: German messages per field', () => {
  const bad = refusedBy({ url: URL_PATH, as });

  test('29 February of a leap year is a date', async () => {
    expect((await (await as('cm.duisburg')).post(URL_PATH, { ...ALL_MET, geburtsdatum: '2008-02-29' })).status).toBe(200);
  });

  test('negative, fractional and text day counts', async () => {
    expect((await bad({ ...ALL_MET, nichtAnrechenbareTage: -1 })).nichtAnrechenbareTage).toBe('Nicht anrechenbare Tage dürfen nicht negativ sein.');
    expect((await bad({ ...ALL_MET, nichtAnrechenbareTage: 1.5 })).nichtAnrechenbareTage).toBe('Nicht anrechenbare Tage: bitte eine ganze Zahl angeben.');
    expect((await bad({ ...ALL_MET, nichtAnrechenbareTage: '10' })).nichtAnrechenbareTage).toBe('Nicht anrechenbare Tage: bitte eine Zahl angeben.');
  });

  test.each(['Duldung', 'AE104C', 'ANDERE'])('unknown status %p', async (status) => {
    expect((await bad({ ...ALL_MET, aufenthaltsstatus: status })).aufenthaltsstatus).toMatch(/^Aufenthaltsstatus muss einer dieser Werte sein: DULDUNG, DULDUNG_60B, GESTATTUNG, AE_104C, AUFENTHALTSERLAUBNIS, OHNE/);
  });

  test('a naturalisation input is not a residence input', async () => {
    expect((await bad({ ...ALL_MET, sprachniveau: 'B1' }))._).toMatch(/Unbekannt: sprachniveau\./);
  });
});
