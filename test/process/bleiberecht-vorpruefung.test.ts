/**
 * The decision kim-bleiberecht-vorpruefung on the real engine: every rule of the DOMAIN.md §§ 25a/25b
 * tables, every date rule at its boundary (day before / on / after), 29 February births, the order
 * of codes and deadlines. Each case is evaluated twice – through the service (the engine port, as
 * the API does) and directly through Operaton's REST API – and both must give the same answer.
 */
import { CODES_25A, CODES_25B, DECISION_ID, DMN_FILE, REQUIRED_DECISION_IDS, VorpruefungInput, VorpruefungResult } from '../../processes/kim-bleiberecht/contract';
import { ResidenceCheckService } from '../../server/residence/residence-check.service';
import { decisionUnderTest, RESIDENCE_ALL_MET } from '../support/decision';

// Only this decision is deployed: a temp folder holding a copy of the DMN.
const { evaluate, viaRest, inTenant } = decisionUnderTest<VorpruefungInput, VorpruefungResult>('kim-bleiberecht', DMN_FILE, DECISION_ID, (stack) => new ResidenceCheckService(stack.engine.runtime, stack.services.audit));

/** Everything of both paragraphs met on 30 June 2025 (test/support/decision.ts). */
const ALL_MET = RESIDENCE_ALL_MET;

type Case = [string, Record<string, unknown>, string[], string[]];
const on = (stichtag: string, extra: Record<string, unknown> = {}) => ({ ...ALL_MET, ...extra, stichtag });

const cases: Case[] = [
  ['all requirements of both paragraphs met', ALL_MET, [], []],
  // STATUS: DULDUNG, or AE_104C while stichtag <= 2027-06-30
  ['status Duldung (met)', ALL_MET, [], []],
  ['status § 60b Duldung (not met)', { ...ALL_MET, aufenthaltsstatus: 'DULDUNG_60B' }, ['STATUS'], ['STATUS']],
  ['status Gestattung (not met; 12 months of Duldung not asked)', { ...ALL_MET, aufenthaltsstatus: 'GESTATTUNG' }, ['STATUS'], ['STATUS']],
  ['status other residence permit (not met)', { ...ALL_MET, aufenthaltsstatus: 'AUFENTHALTSERLAUBNIS' }, ['STATUS'], ['STATUS']],
  ['status none (not met)', { ...ALL_MET, aufenthaltsstatus: 'OHNE' }, ['STATUS'], ['STATUS']],
  ['status not given (not met)', { ...ALL_MET, aufenthaltsstatus: null }, ['STATUS'], ['STATUS']],
  ['§ 104c permit on 2027-06-29 (met)', on('2027-06-29', { aufenthaltsstatus: 'AE_104C', geburtsdatum: '2003-05-10' }), [], []],
  ['§ 104c permit on 2027-06-30 (met)', on('2027-06-30', { aufenthaltsstatus: 'AE_104C', geburtsdatum: '2003-05-10' }), [], []],
  ['§ 104c permit on 2027-07-01 (not met)', on('2027-07-01', { aufenthaltsstatus: 'AE_104C', geburtsdatum: '2003-05-10' }), ['STATUS'], ['STATUS']],
  // DULDUNG_12_MONATE: duldungSeit + 1 year <= stichtag, only for DULDUNG
  ['Duldung since 2024-06-30 on 2025-06-29 (not met)', on('2025-06-29', { duldungSeit: '2024-06-30' }), ['DULDUNG_12_MONATE'], []],
  ['Duldung since 2024-06-30 on 2025-06-30 (met)', on('2025-06-30', { duldungSeit: '2024-06-30' }), [], []],
  ['Duldung since 2024-06-30 on 2025-07-01 (met)', on('2025-07-01', { duldungSeit: '2024-06-30' }), [], []],
  ['Duldung without a start date (not met)', { ...ALL_MET, duldungSeit: null }, ['DULDUNG_12_MONATE'], []],
  ['Duldung since 2024-02-29 on 2025-02-27 (not met)', on('2025-02-27', { duldungSeit: '2024-02-29' }), ['DULDUNG_12_MONATE'], []],
  ['Duldung since 2024-02-29 on 2025-02-28 (met: 29 Feb → 28 Feb)', on('2025-02-28', { duldungSeit: '2024-02-29' }), [], []],
  ['§ 104c holder with a fresh Duldung date: 12 months not asked', on('2025-06-30', { aufenthaltsstatus: 'AE_104C', duldungSeit: '2025-06-01' }), [], []],
  // AUFENTHALTSDAUER § 25a: aufenthaltSeit + 3 years + nichtAnrechenbareTage days
  ['3 years on 2025-06-29 (not met)', on('2025-06-29', { aufenthaltSeit: '2022-06-30' }), ['AUFENTHALTSDAUER'], ['AUFENTHALTSDAUER']],
  ['3 years on 2025-06-30 (met)', on('2025-06-30', { aufenthaltSeit: '2022-06-30' }), [], ['AUFENTHALTSDAUER']],
  ['3 years on 2025-07-01 (met)', on('2025-07-01', { aufenthaltSeit: '2022-06-30' }), [], ['AUFENTHALTSDAUER']],
  ['3 years + 10 days of § 60b: 2025-06-29 (not met)', on('2025-06-29', { aufenthaltSeit: '2022-06-20', nichtAnrechenbareTage: 10 }), ['AUFENTHALTSDAUER'], ['AUFENTHALTSDAUER']],
  ['3 years + 10 days of § 60b: 2025-06-30 (met)', on('2025-06-30', { aufenthaltSeit: '2022-06-20', nichtAnrechenbareTage: 10 }), [], ['AUFENTHALTSDAUER']],
  ['3 years + 10 days of § 60b: 2025-07-01 (met)', on('2025-07-01', { aufenthaltSeit: '2022-06-20', nichtAnrechenbareTage: 10 }), [], ['AUFENTHALTSDAUER']],
  ['residence since 2020-02-29: 3 years on 2023-02-27 (not met)', on('2023-02-27', { aufenthaltSeit: '2020-02-29', geburtsdatum: '2003-05-10', duldungSeit: '2021-01-01' }), ['AUFENTHALTSDAUER'], ['AUFENTHALTSDAUER']],
  ['residence since 2020-02-29: 3 years on 2023-02-28 (met)', on('2023-02-28', { aufenthaltSeit: '2020-02-29', geburtsdatum: '2003-05-10', duldungSeit: '2021-01-01' }), [], ['AUFENTHALTSDAUER']],
  // AUFENTHALTSDAUER § 25b: + 6 years, 4 with a minor child, + days
  ['6 years on 2025-06-29 (not met)', on('2025-06-29', { aufenthaltSeit: '2019-06-30' }), [], ['AUFENTHALTSDAUER']],
  ['6 years on 2025-06-30 (met)', on('2025-06-30', { aufenthaltSeit: '2019-06-30' }), [], []],
  ['6 years on 2025-07-01 (met)', on('2025-07-01', { aufenthaltSeit: '2019-06-30' }), [], []],
  ['6 years + 5 days: 2025-06-29 (not met)', on('2025-06-29', { aufenthaltSeit: '2019-06-25', nichtAnrechenbareTage: 5 }), [], ['AUFENTHALTSDAUER']],
  ['6 years + 5 days: 2025-06-30 (met)', on('2025-06-30', { aufenthaltSeit: '2019-06-25', nichtAnrechenbareTage: 5 }), [], []],
  ['4 years with a minor child on 2025-06-29 (not met)', on('2025-06-29', { aufenthaltSeit: '2021-06-30', minderjaehrigesKindImHaushalt: true }), [], ['AUFENTHALTSDAUER']],
  ['4 years with a minor child on 2025-06-30 (met)', on('2025-06-30', { aufenthaltSeit: '2021-06-30', minderjaehrigesKindImHaushalt: true }), [], []],
  ['4 years with a minor child on 2025-07-01 (met)', on('2025-07-01', { aufenthaltSeit: '2021-06-30', minderjaehrigesKindImHaushalt: true }), [], []],
  ['4 years without a minor child (not met)', on('2025-06-30', { aufenthaltSeit: '2021-06-30' }), [], ['AUFENTHALTSDAUER']],
  // SCHULE
  ['no schooling or qualification', { ...ALL_MET, schulbesuchOderAbschluss: false }, ['SCHULE'], []],
  // ALTER: 14th birthday <= stichtag <= day before the 27th birthday
  ['14th birthday tomorrow (not met)', on('2025-06-29', { geburtsdatum: '2011-06-30' }), ['ALTER'], ['VOLLJAEHRIGKEIT']],
  ['14th birthday today (met)', on('2025-06-30', { geburtsdatum: '2011-06-30' }), [], ['VOLLJAEHRIGKEIT']],
  ['14th birthday yesterday (met)', on('2025-07-01', { geburtsdatum: '2011-06-30' }), [], ['VOLLJAEHRIGKEIT']],
  ['two days before the 27th birthday (met)', on('2025-06-28', { geburtsdatum: '1998-06-30' }), [], []],
  ['the day before the 27th birthday (met)', on('2025-06-29', { geburtsdatum: '1998-06-30' }), [], []],
  ['the 27th birthday (not met)', on('2025-06-30', { geburtsdatum: '1998-06-30' }), ['ALTER'], []],
  ['born 29 Feb 2008: 14 on 2022-02-27? (not met)', on('2022-02-27', { geburtsdatum: '2008-02-29', aufenthaltSeit: '2015-01-01', duldungSeit: '2020-01-01' }), ['ALTER'], ['VOLLJAEHRIGKEIT']],
  ['born 29 Feb 2008: 14 on 2022-02-28 (met)', on('2022-02-28', { geburtsdatum: '2008-02-29', aufenthaltSeit: '2015-01-01', duldungSeit: '2020-01-01' }), [], ['VOLLJAEHRIGKEIT']],
  ['born 29 Feb 2000: 2027-02-27 is the last day (met)', on('2027-02-27', { geburtsdatum: '2000-02-29', aufenthaltsstatus: 'AE_104C' }), [], []],
  ['born 29 Feb 2000: 2027-02-28 is the 27th birthday (not met)', on('2027-02-28', { geburtsdatum: '2000-02-29', aufenthaltsstatus: 'AE_104C' }), ['ALTER'], []],
  ['no date of birth: age unknown (not met)', { ...ALL_MET, geburtsdatum: null }, ['ALTER'], ['VOLLJAEHRIGKEIT']],
  // IDENTITAET (both)
  ['deception about identity', { ...ALL_MET, identitaetstaeuschung: true }, ['IDENTITAET'], ['IDENTITAET']],
  // VOLLJAEHRIGKEIT: 18th birthday <= stichtag
  ['18th birthday tomorrow (not met)', on('2025-06-29', { geburtsdatum: '2007-06-30' }), [], ['VOLLJAEHRIGKEIT']],
  ['18th birthday today (met)', on('2025-06-30', { geburtsdatum: '2007-06-30' }), [], []],
  ['18th birthday yesterday (met)', on('2025-07-01', { geburtsdatum: '2007-06-30' }), [], []],
  ['born 29 Feb 2008: 18 on 2026-02-27? (not met)', on('2026-02-27', { geburtsdatum: '2008-02-29' }), [], ['VOLLJAEHRIGKEIT']],
  ['born 29 Feb 2008: 18 on 2026-02-28 (met)', on('2026-02-28', { geburtsdatum: '2008-02-29' }), [], []],
  // BEKENNTNIS, LEBENSUNTERHALT, SPRACHE, SCHULBESUCH_KINDER, AUSWEISUNGSINTERESSE
  ['no FDGO declaration', { ...ALL_MET, bekenntnisFdgo: false }, [], ['BEKENNTNIS']],
  ['livelihood not secured', { ...ALL_MET, lebensunterhaltUeberwiegendGesichert: false }, [], ['LEBENSUNTERHALT']],
  ['oral A1 (not met)', { ...ALL_MET, sprachniveauMuendlich: 'A1' }, [], ['SPRACHE']],
  ['oral A2 (met)', { ...ALL_MET, sprachniveauMuendlich: 'A2' }, [], []],
  ['oral C2 (met)', { ...ALL_MET, sprachniveauMuendlich: 'C2' }, [], []],
  ['no language level (not met)', { ...ALL_MET, sprachniveauMuendlich: null }, [], ['SPRACHE']],
  ['illness/disability/age: livelihood and language exempt', { ...ALL_MET, lebensunterhaltUeberwiegendGesichert: false, sprachniveauMuendlich: null, ausnahmeKrankheitBehinderungAlter: true }, [], []],
  ['school-age children not at school', { ...ALL_MET, schulpflichtigeKinderOhneSchulbesuch: true }, [], ['SCHULBESUCH_KINDER']],
  ['serious interest in expulsion', { ...ALL_MET, ausweisungsinteresseSchwer: true }, [], ['AUSWEISUNGSINTERESSE']],
  // Orders
  // STATUS and DULDUNG_12_MONATE exclude each other (the latter is only asked under a Duldung).
  [
    'everything missing under a fresh Duldung: codes in table order',
    { stichtag: '2025-06-30', geburtsdatum: '2015-01-01', aufenthaltSeit: '2024-01-01', aufenthaltsstatus: 'DULDUNG', duldungSeit: '2025-01-01', sprachniveauMuendlich: 'A1', identitaetstaeuschung: true, schulpflichtigeKinderOhneSchulbesuch: true, ausweisungsinteresseSchwer: true },
    CODES_25A.filter((c) => c !== 'STATUS'),
    CODES_25B.filter((c) => c !== 'STATUS'),
  ],
  [
    'everything missing without a status: codes in table order',
    { stichtag: '2025-06-30', geburtsdatum: '2015-01-01', aufenthaltSeit: '2024-01-01', aufenthaltsstatus: 'GESTATTUNG', sprachniveauMuendlich: 'A1', identitaetstaeuschung: true, schulpflichtigeKinderOhneSchulbesuch: true, ausweisungsinteresseSchwer: true },
    CODES_25A.filter((c) => c !== 'DULDUNG_12_MONATE'),
    [...CODES_25B],
  ],
];

test.each(cases)('%s', async (_name, variables, missing25a, missing25b) => {
  const result = await evaluate(variables);
  expect(result.paragraf25a.fehlend).toEqual(missing25a);
  expect(result.paragraf25a.erfuellt).toBe(missing25a.length === 0);
  expect(result.paragraf25b.fehlend).toEqual(missing25b);
  expect(result.paragraf25b.erfuellt).toBe(missing25b.length === 0);
});

test('the tables cover exactly the codes of DOMAIN.md, in its order', () => {
  expect(CODES_25A).toEqual(['STATUS', 'DULDUNG_12_MONATE', 'AUFENTHALTSDAUER', 'SCHULE', 'ALTER', 'IDENTITAET']);
  expect(CODES_25B).toEqual(['STATUS', 'VOLLJAEHRIGKEIT', 'AUFENTHALTSDAUER', 'BEKENNTNIS', 'LEBENSUNTERHALT', 'SPRACHE', 'SCHULBESUCH_KINDER', 'IDENTITAET', 'AUSWEISUNGSINTERESSE']);
});

test('only a reference date: missing booleans count as false, days as 0, unknown dates stay empty', async () => {
  const result = await evaluate({ stichtag: '2025-06-30' });
  expect(result).toEqual({
    paragraf25a: { erfuellt: false, fehlend: ['STATUS', 'AUFENTHALTSDAUER', 'SCHULE', 'ALTER'], fruehestensAb: null, antragSpaetestensAm: null },
    paragraf25b: { erfuellt: false, fehlend: ['STATUS', 'VOLLJAEHRIGKEIT', 'AUFENTHALTSDAUER', 'BEKENNTNIS', 'LEBENSUNTERHALT', 'SPRACHE'], fruehestensAb: null },
    fristen: [],
  });
});

test('explicit false / 0 / null give the same answer as missing inputs', async () => {
  const base = { stichtag: '2025-06-30', geburtsdatum: '2005-05-10', aufenthaltSeit: '2019-01-15', aufenthaltsstatus: 'DULDUNG', duldungSeit: '2023-01-01' };
  const missing = await evaluate(base);
  const falses = await evaluate({
    ...base,
    nichtAnrechenbareTage: 0,
    schulbesuchOderAbschluss: false,
    minderjaehrigesKindImHaushalt: false,
    sprachniveauMuendlich: null,
    lebensunterhaltUeberwiegendGesichert: false,
    ausnahmeKrankheitBehinderungAlter: false,
    bekenntnisFdgo: false,
    schulpflichtigeKinderOhneSchulbesuch: false,
    identitaetstaeuschung: false,
    ausweisungsinteresseSchwer: false,
  });
  const nulls = await evaluate({ ...base, nichtAnrechenbareTage: null, schulbesuchOderAbschluss: null, bekenntnisFdgo: null, identitaetstaeuschung: null });
  expect(falses).toEqual(missing);
  expect(nulls).toEqual(missing);
  expect(missing.paragraf25a.fehlend).toEqual(['SCHULE']);
  expect(missing.paragraf25b.fehlend).toEqual(['BEKENNTNIS', 'LEBENSUNTERHALT', 'SPRACHE']);
});

test('values of the wrong type never satisfy a requirement', async () => {
  const result = await evaluate({ ...ALL_MET, schulbesuchOderAbschluss: 'true', bekenntnisFdgo: 1, sprachniveauMuendlich: 5, lebensunterhaltUeberwiegendGesichert: 'ja' });
  expect(result.paragraf25a.fehlend).toEqual(['SCHULE']);
  expect(result.paragraf25b.fehlend).toEqual(['BEKENNTNIS', 'LEBENSUNTERHALT', 'SPRACHE']);
});

describe('dates: fruehestensAb, antragSpaetestensAm', () => {
  test('§ 25a: the latest of 3 years (+ days), 14th birthday and Duldung + 1 year; § 25b: the later of 6 years and 18th birthday', async () => {
    // 3 years + 10 days = 2023-01-25; 14th birthday 2019-05-10; Duldung + 1 = 2024-01-01 → 2024-01-01
    const r = await evaluate({ ...ALL_MET, aufenthaltSeit: '2020-01-15', nichtAnrechenbareTage: 10 });
    expect(r.paragraf25a).toMatchObject({ fruehestensAb: '2024-01-01', antragSpaetestensAm: '2032-05-09' });
    // 6 years + 10 days = 2026-01-25; 18th birthday 2023-05-10
    expect(r.paragraf25b.fruehestensAb).toBe('2026-01-25');
  });

  test('§ 25a: the 3-year date when it is the latest', async () => {
    const r = await evaluate({ ...ALL_MET, aufenthaltSeit: '2023-03-01', nichtAnrechenbareTage: 0 });
    expect(r.paragraf25a.fruehestensAb).toBe('2026-03-01');
    expect(r.paragraf25b.fruehestensAb).toBe('2029-03-01');
  });

  test('§ 25a: the 14th birthday when it is the latest; § 25b: the 18th birthday', async () => {
    const r = await evaluate({ ...ALL_MET, geburtsdatum: '2012-02-29', aufenthaltSeit: '2016-01-01' });
    expect(r.paragraf25a.fruehestensAb).toBe('2026-02-28');
    expect(r.paragraf25a.antragSpaetestensAm).toBe('2039-02-27');
    expect(r.paragraf25b.fruehestensAb).toBe('2030-02-28');
  });

  test('Duldung + 1 year only counts while the status is DULDUNG', async () => {
    const r = await evaluate({ ...ALL_MET, aufenthaltsstatus: 'AE_104C', duldungSeit: '2025-06-01' });
    expect(r.paragraf25a.fruehestensAb).toBe('2022-01-15');
  });

  test('§ 25b with a minor child: 4 years', async () => {
    const r = await evaluate({ ...ALL_MET, minderjaehrigesKindImHaushalt: true, aufenthaltSeit: '2020-02-29' });
    expect(r.paragraf25b.fruehestensAb).toBe('2024-02-29');
    const r2 = await evaluate({ ...ALL_MET, minderjaehrigesKindImHaushalt: false, aufenthaltSeit: '2020-02-29' });
    expect(r2.paragraf25b.fruehestensAb).toBe('2026-02-28');
  });
});

describe('fristen: sorted by date, then code', () => {
  test('age limit while the reference date is on or before it', async () => {
    expect((await evaluate(on('2025-06-29', { geburtsdatum: '1998-06-30' }))).fristen).toEqual([{ code: 'ALTERSGRENZE_25A', datum: '2025-06-29' }]);
    expect((await evaluate(on('2025-06-30', { geburtsdatum: '1998-06-30' }))).fristen).toEqual([]);
  });

  test('§ 104c transition end for AE_104C holders until 2027-06-30 only', async () => {
    const old = { geburtsdatum: '1990-01-01', aufenthaltsstatus: 'AE_104C' };
    expect((await evaluate(on('2027-06-30', old))).fristen).toEqual([{ code: 'UEBERGANG_104C', datum: '2027-06-30' }]);
    expect((await evaluate(on('2027-07-01', old))).fristen).toEqual([]);
    expect((await evaluate(on('2025-06-30', { ...old, aufenthaltsstatus: 'DULDUNG' }))).fristen).toEqual([]);
  });

  test('both: the earlier date first', async () => {
    expect((await evaluate(on('2025-06-30', { geburtsdatum: '2001-01-15', aufenthaltsstatus: 'AE_104C' }))).fristen).toEqual([
      { code: 'UEBERGANG_104C', datum: '2027-06-30' },
      { code: 'ALTERSGRENZE_25A', datum: '2028-01-14' },
    ]);
    expect((await evaluate(on('2025-06-30', { geburtsdatum: '2000-01-15', aufenthaltsstatus: 'AE_104C' }))).fristen).toEqual([
      { code: 'ALTERSGRENZE_25A', datum: '2027-01-14' },
      { code: 'UEBERGANG_104C', datum: '2027-06-30' },
    ]);
  });

  test('both on the same day: ordered by code', async () => {
    // 27th birthday 2027-07-01 → last day 2027-06-30, the transition end too
    expect((await evaluate(on('2025-06-30', { geburtsdatum: '2000-07-01', aufenthaltsstatus: 'AE_104C' }))).fristen).toEqual([
      { code: 'ALTERSGRENZE_25A', datum: '2027-06-30' },
      { code: 'UEBERGANG_104C', datum: '2027-06-30' },
    ]);
  });
});

test('the required tables, evaluated on their own, answer one row per unmet requirement in table order', async () => {
  const rest = await viaRest(REQUIRED_DECISION_IDS.p25b, { ...ALL_MET, identitaetstaeuschung: true, bekenntnisFdgo: false });
  expect(rest.status).toBe(200);
  expect(rest.body.map((row) => row.fehlendeCodes25b?.value)).toEqual(['BEKENNTNIS', 'IDENTITAET']);
});

test('the decision is deployed per commune: another tenant has its own, an unknown one none', async () => {
  await expect(inTenant('mettmann', ALL_MET)).resolves.toMatchObject({ paragraf25a: { erfuellt: true } });
  await expect(inTenant('gibt-es-nicht', ALL_MET)).rejects.toMatchObject({ status: 503, code: 'decision_unavailable' });
});
