/**
 * Conversion between the product's plain variables and the typed variables of the Camunda 7 REST API
 * (`{ name: { value, type, valueInfo } }`), as Operaton speaks it. Only this folder uses it.
 */
import type { Variables } from './port';

/** One typed variable as the REST API sends and receives it. */
export interface EngineVariable {
  value: unknown;
  type: string;
  valueInfo?: Record<string, unknown>;
}

export type EngineVariables = Record<string, EngineVariable>;

const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;

/** A Date in the engine's date format `yyyy-MM-dd'T'HH:mm:ss.SSSZ`, always in UTC (`+0000`). */
export function toEngineDate(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('Ungültiges Datum');
  return d.toISOString().replace(/Z$/, '+0000');
}

/** Parses a date as the engine writes it (`2026-12-02T10:00:00.000+0000`) into epoch milliseconds. */
export function parseEngineDate(s: string): number {
  // ISO 8601 wants a colon in the offset; the engine's SimpleDateFormat writes none.
  return Date.parse(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** The engine's date as an ISO string (`toISOString()`), or null when absent. */
export function engineDateToIso(s: string | null | undefined): string | null {
  if (s == null || s === '') return null;
  const ms = parseEngineDate(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString();
}

/** One product value as a typed engine variable. */
export function toEngineVariable(name: string, v: Exclude<Variables[string], undefined>): EngineVariable {
  if (v === null) return { value: null, type: 'Null' };
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new TypeError(`Die Variable „${name}“ ist kein gültiges Datum.`);
    return { value: toEngineDate(v), type: 'Date' };
  }
  switch (typeof v) {
    case 'string':
      return { value: v, type: 'String' };
    case 'boolean':
      return { value: v, type: 'Boolean' };
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`Die Variable „${name}“ ist keine endliche Zahl.`);
      if (Number.isInteger(v)) {
        if (v >= INT_MIN && v <= INT_MAX) return { value: v, type: 'Integer' };
        if (Number.isSafeInteger(v)) return { value: v, type: 'Long' };
      }
      return { value: v, type: 'Double' };
    default:
      // Lists and objects are not process variables in this product (see port.ts); never echo the value.
      throw new TypeError(`Die Variable „${name}“ hat einen nicht unterstützten Typ (${typeof v}).`);
  }
}

/** Product variables → typed engine variables; undefined values are left out. */
export function toEngineVariables(v: Variables | undefined): EngineVariables {
  const out: EngineVariables = {};
  if (!v) return out;
  for (const [name, value] of Object.entries(v)) {
    if (value === undefined) continue;
    out[name] = toEngineVariable(name, value);
  }
  return out;
}

/** One typed engine variable → plain value. */
export function fromEngineVariable(ev: EngineVariable | null | undefined): unknown {
  if (!ev) return null;
  const { type, value } = ev;
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'Date':
      return typeof value === 'string' ? (engineDateToIso(value) ?? value) : value;
    case 'Json':
    case 'Object': {
      // With deserializeValues the engine hands over the object itself; a serialized JSON string
      // (Spin Json, or an Object whose format is JSON) is parsed, anything else is passed through.
      const format = ev.valueInfo?.serializationDataFormat;
      if (typeof value === 'string' && (type === 'Json' || format === 'application/json')) {
        try {
          return JSON.parse(value);
        } catch {
          return value;
        }
      }
      return value;
    }
    default:
      return value;
  }
}

/** Typed engine variables (as in fetchAndLock or decision results) → plain object. */
export function fromEngineVariables(dto: EngineVariables | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!dto) return out;
  for (const [name, ev] of Object.entries(dto)) out[name] = fromEngineVariable(ev);
  return out;
}
