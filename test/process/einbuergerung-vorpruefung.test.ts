/**
 * The decision kim-einbuergerung-vorpruefung on the real engine: every rule of the DOMAIN.md table
 * at its boundary. Each case is evaluated twice – through the service (the engine port, as the API
 * does) and directly through Operaton's REST API (POST /decision-definition/key/…/tenant-id/…/evaluate)
 * – and both must give the same, expected answer.
 */
import { CODES, DECISION_ID, DMN_FILE, REQUIRED_DECISION_ID, Voraussetzung, VorpruefungInput, VorpruefungResult } from '../../processes/kim-einbuergerung/contract';
import { EinbuergerungService } from '../../server/naturalisation/einbuergerung.service';
import { decisionUnderTest } from '../support/decision';

// Only this decision is deployed: a temp folder holding a copy of the DMN.
const { evaluate, viaRest, inTenant } = decisionUnderTest<VorpruefungInput, VorpruefungResult>('kim-einbuergerung', DMN_FILE, DECISION_ID, (stack) => new EinbuergerungService(stack.engine.runtime, stack.services.audit));

/** Everything met on 30 June 2025 (residence since exactly five years). */
const ALL_MET = {
  stichtag: '2025-06-30',
  aufenthaltSeit: '2020-06-30',
  aufenthaltstitelGeeignet: true,
  sprachniveau: 'B1',
  einbuergerungstestBestanden: true,
  bezugSgb2oder12: false,
  vollzeitMonateLetzte24: 0,
  freiheitsstrafeOhneBewaehrung: false,
  rassistischeMotivation: false,
  bewaehrungsstrafeMonate: 0,
  verurteilungTagessaetze: 0,
  bekenntnisAbgegeben: true,
} satisfies VorpruefungInput;
const NO_LANGUAGE_NO_TEST = { ...ALL_MET, sprachniveau: null, einbuergerungstestBestanden: false } satisfies VorpruefungInput;

type Case = [string, Record<string, unknown>, Voraussetzung[]];

const cases: Case[] = [
  ['all requirements met', ALL_MET, []],
  // AUFENTHALTSDAUER: aufenthaltSeit + 5 years <= stichtag, no shortening
  ['residence exactly 5 years on the reference date (met)', { ...ALL_MET, aufenthaltSeit: '2020-06-30', stichtag: '2025-06-30' }, []],
  ['residence one day short of 5 years (not met)', { ...ALL_MET, aufenthaltSeit: '2020-06-30', stichtag: '2025-06-29' }, ['AUFENTHALTSDAUER']],
  ['residence started one day later (not met)', { ...ALL_MET, aufenthaltSeit: '2020-07-01', stichtag: '2025-06-30' }, ['AUFENTHALTSDAUER']],
  ['3 years with C2 and everything else: no shortened path', { ...ALL_MET, aufenthaltSeit: '2022-06-30', sprachniveau: 'C2' }, ['AUFENTHALTSDAUER']],
  ['residence since a leap day: met on 2025-02-28', { ...ALL_MET, aufenthaltSeit: '2020-02-29', stichtag: '2025-02-28' }, []],
  ['residence since a leap day: not met on 2025-02-27', { ...ALL_MET, aufenthaltSeit: '2020-02-29', stichtag: '2025-02-27' }, ['AUFENTHALTSDAUER']],
  // AUFENTHALTSTITEL
  ['unsuitable residence title', { ...ALL_MET, aufenthaltstitelGeeignet: false }, ['AUFENTHALTSTITEL']],
  // SPRACHE: B1..C2
  ['language A1 (not met)', { ...ALL_MET, sprachniveau: 'A1' }, ['SPRACHE']],
  ['language A2 (not met)', { ...ALL_MET, sprachniveau: 'A2' }, ['SPRACHE']],
  ['language B1 (met)', { ...ALL_MET, sprachniveau: 'B1' }, []],
  ['language B2 (met)', { ...ALL_MET, sprachniveau: 'B2' }, []],
  ['language C1 (met)', { ...ALL_MET, sprachniveau: 'C1' }, []],
  ['language C2 (met)', { ...ALL_MET, sprachniveau: 'C2' }, []],
  ['no language level recorded (not met)', { ...ALL_MET, sprachniveau: null }, ['SPRACHE']],
  // EINBUERGERUNGSTEST
  ['test not passed', { ...ALL_MET, einbuergerungstestBestanden: false }, ['EINBUERGERUNGSTEST']],
  ['neither language nor test, no exemption', NO_LANGUAGE_NO_TEST, ['SPRACHE', 'EINBUERGERUNGSTEST']],
  // Exemptions
  ['German school-leaving certificate replaces language and test', { ...NO_LANGUAGE_NO_TEST, deutscherSchulabschluss: true }, []],
  ['exemption (illness, disability, age) replaces language and test', { ...NO_LANGUAGE_NO_TEST, befreiungSpracheUndTest: true }, []],
  ['Gastarbeiter with A1 recorded: language and test met', { ...NO_LANGUAGE_NO_TEST, einreiseAlsGastarbeiter: true, sprachniveau: 'A1' }, []],
  ['Gastarbeiter without any recorded level: language not met, test met', { ...NO_LANGUAGE_NO_TEST, einreiseAlsGastarbeiter: true }, ['SPRACHE']],
  ['Gastarbeiter with the level left out entirely', { ...ALL_MET, sprachniveau: undefined, einbuergerungstestBestanden: undefined, einreiseAlsGastarbeiter: true }, ['SPRACHE']],
  // LEBENSUNTERHALT
  ['SGB II/XII with 20 full-time months (met)', { ...ALL_MET, bezugSgb2oder12: true, vollzeitMonateLetzte24: 20 }, []],
  ['SGB II/XII with 19 full-time months (not met)', { ...ALL_MET, bezugSgb2oder12: true, vollzeitMonateLetzte24: 19 }, ['LEBENSUNTERHALT']],
  ['SGB II/XII, months not given (not met)', { ...ALL_MET, bezugSgb2oder12: true, vollzeitMonateLetzte24: undefined }, ['LEBENSUNTERHALT']],
  ['SGB II/XII, spouse full-time with child (met)', { ...ALL_MET, bezugSgb2oder12: true, ehegatteVollzeitMitKind: true }, []],
  ['SGB II/XII, Gastarbeiter (met)', { ...ALL_MET, bezugSgb2oder12: true, einreiseAlsGastarbeiter: true }, []],
  // STRAFFREIHEIT
  ['90 daily rates (met)', { ...ALL_MET, verurteilungTagessaetze: 90 }, []],
  ['91 daily rates (not met)', { ...ALL_MET, verurteilungTagessaetze: 91 }, ['STRAFFREIHEIT']],
  ['3 months probation + 0 daily rates = 90 (met)', { ...ALL_MET, bewaehrungsstrafeMonate: 3, verurteilungTagessaetze: 0 }, []],
  ['3 months probation + 1 daily rate = 91 (not met)', { ...ALL_MET, bewaehrungsstrafeMonate: 3, verurteilungTagessaetze: 1 }, ['STRAFFREIHEIT']],
  ['4 months probation (not met)', { ...ALL_MET, bewaehrungsstrafeMonate: 4, verurteilungTagessaetze: 0 }, ['STRAFFREIHEIT']],
  ['2 months probation + 30 daily rates = 90 (met)', { ...ALL_MET, bewaehrungsstrafeMonate: 2, verurteilungTagessaetze: 30 }, []],
  ['prison without probation', { ...ALL_MET, freiheitsstrafeOhneBewaehrung: true }, ['STRAFFREIHEIT']],
  ['racist motivation, even with a small sentence', { ...ALL_MET, rassistischeMotivation: true, verurteilungTagessaetze: 10 }, ['STRAFFREIHEIT']],
  ['prison and racist motivation: the code once', { ...ALL_MET, freiheitsstrafeOhneBewaehrung: true, rassistischeMotivation: true, bewaehrungsstrafeMonate: 6 }, ['STRAFFREIHEIT']],
  // BEKENNTNIS
  ['no declaration of commitment', { ...ALL_MET, bekenntnisAbgegeben: false }, ['BEKENNTNIS']],
  // Several at once: the table's order, whatever the order of the inputs
  [
    'several missing: codes in table order',
    { bekenntnisAbgegeben: false, verurteilungTagessaetze: 120, bezugSgb2oder12: true, vollzeitMonateLetzte24: 12, sprachniveau: 'A2', einbuergerungstestBestanden: true, aufenthaltstitelGeeignet: false, aufenthaltSeit: '2021-01-01', stichtag: '2025-06-30' },
    ['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'LEBENSUNTERHALT', 'STRAFFREIHEIT', 'BEKENNTNIS'],
  ],
  ['all seven missing', { stichtag: '2025-06-30', aufenthaltSeit: '2024-01-01', sprachniveau: 'A1', bezugSgb2oder12: true, freiheitsstrafeOhneBewaehrung: true }, [...CODES]],
];

const EMPTY_FAILS: Voraussetzung[] = ['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'BEKENNTNIS'];

test.each(cases)('%s', async (_name, variables, missing) => {
  const result = await evaluate(JSON.parse(JSON.stringify(variables)) as Record<string, unknown>);
  expect(result.fehlendeVoraussetzungen).toEqual(missing);
  expect(result.eligible).toBe(missing.length === 0);
});

test('the table covers exactly the seven codes of DOMAIN.md, in its order', () => {
  expect(CODES).toEqual(['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'LEBENSUNTERHALT', 'STRAFFREIHEIT', 'BEKENNTNIS']);
});

test('empty input: missing inputs count as false / 0 / null', async () => {
  const result = await evaluate({});
  expect(result).toEqual({ eligible: false, fehlendeVoraussetzungen: EMPTY_FAILS, fruehesterAntragstermin: null });
});

test('explicit false / 0 / null give the same answer as missing inputs', async () => {
  const nulls = await evaluate({
    stichtag: null,
    aufenthaltSeit: null,
    aufenthaltstitelGeeignet: null,
    sprachniveau: null,
    deutscherSchulabschluss: null,
    befreiungSpracheUndTest: null,
    einreiseAlsGastarbeiter: null,
    einbuergerungstestBestanden: null,
    bezugSgb2oder12: null,
    vollzeitMonateLetzte24: null,
    ehegatteVollzeitMitKind: null,
    freiheitsstrafeOhneBewaehrung: null,
    rassistischeMotivation: null,
    bewaehrungsstrafeMonate: null,
    verurteilungTagessaetze: null,
    bekenntnisAbgegeben: null,
  });
  const falses = await evaluate({
    aufenthaltstitelGeeignet: false,
    deutscherSchulabschluss: false,
    befreiungSpracheUndTest: false,
    einreiseAlsGastarbeiter: false,
    einbuergerungstestBestanden: false,
    bezugSgb2oder12: false,
    vollzeitMonateLetzte24: 0,
    ehegatteVollzeitMitKind: false,
    freiheitsstrafeOhneBewaehrung: false,
    rassistischeMotivation: false,
    bewaehrungsstrafeMonate: 0,
    verurteilungTagessaetze: 0,
    bekenntnisAbgegeben: false,
  });
  expect(nulls).toEqual({ eligible: false, fehlendeVoraussetzungen: EMPTY_FAILS, fruehesterAntragstermin: null });
  expect(falses).toEqual(nulls);
});

test('SGB II/XII with nothing else given: livelihood missing (months count as 0)', async () => {
  const result = await evaluate({ bezugSgb2oder12: true });
  expect(result.fehlendeVoraussetzungen).toEqual(['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'LEBENSUNTERHALT', 'BEKENNTNIS']);
});

test('values of the wrong type never satisfy a requirement', async () => {
  const result = await evaluate({ ...ALL_MET, aufenthaltstitelGeeignet: 'true', bekenntnisAbgegeben: 1, sprachniveau: 5, einbuergerungstestBestanden: 'ja' });
  expect(result.fehlendeVoraussetzungen).toEqual(['AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'BEKENNTNIS']);
});

describe('fruehesterAntragstermin = aufenthaltSeit + 5 years', () => {
  test.each([
    ['2020-06-30', '2025-06-30'],
    ['2020-02-29', '2025-02-28'],
    ['2019-12-31', '2024-12-31'],
    ['2023-03-01', '2028-03-01'],
  ])('%s → %s', async (seit, termin) => {
    const result = await evaluate({ ...ALL_MET, aufenthaltSeit: seit });
    expect(result.fruehesterAntragstermin).toBe(termin);
  });

  test('only time is missing: the date tells when to apply', async () => {
    const result = await evaluate({ ...ALL_MET, aufenthaltSeit: '2020-02-29', stichtag: '2024-11-01' });
    expect(result).toEqual({ eligible: false, fehlendeVoraussetzungen: ['AUFENTHALTSDAUER'], fruehesterAntragstermin: '2025-02-28' });
  });
});

test('the required table, evaluated on its own, answers one row per matched rule in table order', async () => {
  const rest = await viaRest(REQUIRED_DECISION_ID, { ...ALL_MET, freiheitsstrafeOhneBewaehrung: true, bekenntnisAbgegeben: false });
  expect(rest.status).toBe(200);
  expect(rest.body.map((row) => row.fehlendeCodes?.value)).toEqual(['STRAFFREIHEIT', 'BEKENNTNIS']);
});

test('the decision is deployed per commune: another tenant has its own, an unknown one none', async () => {
  await expect(inTenant('mettmann', ALL_MET)).resolves.toMatchObject({ eligible: true });
  await expect(inTenant('gibt-es-nicht', ALL_MET)).rejects.toMatchObject({ status: 503, code: 'decision_unavailable' });
});
