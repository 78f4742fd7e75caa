/** Typed variables of the Camunda 7 REST API (Operaton): product values → engine and back. */
import { engineDateToIso, fromEngineVariables, parseEngineDate, toEngineDate, toEngineVariables } from '../../server/engine/variables';

test('toEngineVariables: strings, numbers by size, booleans, null, dates; undefined left out', () => {
  expect(
    toEngineVariables({
      s: 'duisburg',
      empty: '',
      i: 42,
      neg: -2_147_483_648,
      long: 2 ** 40,
      d: 1.5,
      huge: 2 ** 60,
      t: true,
      f: false,
      n: null,
      u: undefined,
      at: new Date('2026-12-02T10:00:00Z'),
    }),
  ).toEqual({
    s: { value: 'duisburg', type: 'String' },
    empty: { value: '', type: 'String' },
    i: { value: 42, type: 'Integer' },
    neg: { value: -2_147_483_648, type: 'Integer' },
    long: { value: 2 ** 40, type: 'Long' },
    d: { value: 1.5, type: 'Double' },
    huge: { value: 2 ** 60, type: 'Double' },
    t: { value: true, type: 'Boolean' },
    f: { value: false, type: 'Boolean' },
    n: { value: null, type: 'Null' },
    at: { value: '2026-12-02T10:00:00.000+0000', type: 'Date' },
  });
  expect(toEngineVariables(undefined)).toEqual({});
  expect(toEngineVariables({ x: 2_147_483_648 }).x.type).toBe('Long');
});

test('toEngineVariables: invalid values are refused without echoing them', () => {
  expect(() => toEngineVariables({ bad: new Date('nope') })).toThrow(/bad/);
  expect(() => toEngineVariables({ inf: Infinity })).toThrow(/inf/);
  const secret = ['Erika Mustermann'];
  let msg = '';
  try {
    toEngineVariables({ list: secret as never });
  } catch (e) {
    msg = (e as Error).message;
  }
  expect(msg).toMatch(/list/);
  expect(msg).not.toContain('Erika');
});

test('engine dates: written in UTC with +0000, read with any offset', () => {
  expect(toEngineDate(new Date('2026-01-31T23:59:59.123+01:00'))).toBe('2026-01-31T22:59:59.123+0000');
  expect(parseEngineDate('2026-12-02T10:00:00.000+0000')).toBe(Date.parse('2026-12-02T10:00:00Z'));
  expect(parseEngineDate('2026-12-02T11:00:00.000+0100')).toBe(Date.parse('2026-12-02T10:00:00Z'));
  expect(engineDateToIso('2026-12-02T10:00:00.000-0230')).toBe('2026-12-02T12:30:00.000Z');
  expect(engineDateToIso(null)).toBeNull();
});

test('fromEngineVariables: plain values, dates as ISO strings, deserialized objects and lists as they are', () => {
  expect(
    fromEngineVariables({
      s: { type: 'String', value: 'x', valueInfo: {} },
      i: { type: 'Integer', value: 3 },
      l: { type: 'Long', value: 2 ** 40 },
      d: { type: 'Double', value: 0.5 },
      b: { type: 'Boolean', value: false },
      n: { type: 'Null', value: null },
      at: { type: 'Date', value: '2026-12-02T10:00:00.000+0000', valueInfo: {} },
      list: { type: 'Object', value: ['a', 'b'], valueInfo: { objectTypeName: 'java.util.ArrayList', serializationDataFormat: 'application/x-java-serialized-object' } },
      obj: { type: 'Object', value: { a: 1 }, valueInfo: {} },
      json: { type: 'Json', value: '{"a":[1,2]}', valueInfo: {} },
      jsonObj: { type: 'Object', value: '["x"]', valueInfo: { serializationDataFormat: 'application/json' } },
      brokenJson: { type: 'Json', value: '{', valueInfo: {} },
    }),
  ).toEqual({
    s: 'x',
    i: 3,
    l: 2 ** 40,
    d: 0.5,
    b: false,
    n: null,
    at: '2026-12-02T10:00:00.000Z',
    list: ['a', 'b'],
    obj: { a: 1 },
    json: { a: [1, 2] },
    jsonObj: ['x'],
    brokenJson: '{',
  });
  expect(fromEngineVariables(null)).toEqual({});
});

test('round trip: what goes in comes back (dates as ISO strings)', () => {
  const at = new Date('2027-03-04T05:06:07.008Z');
  const back = fromEngineVariables(toEngineVariables({ a: 'x', b: 7, c: true, d: null, e: at, f: 2.25 }));
  expect(back).toEqual({ a: 'x', b: 7, c: true, d: null, e: at.toISOString(), f: 2.25 });
});
