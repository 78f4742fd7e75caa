/** Shared HTTP helpers: problem bodies, the ra-data-simple-rest list dialect, async routes. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { badRequest } from '../errors';

export const asyncRoute =
  (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    fn(req, res, next).catch(next);
  };

export interface ListParams {
  offset: number;
  limit: number;
  sortField?: string;
  sortOrder: 'asc' | 'desc';
  sortSpecified: boolean;
  filter: Record<string, unknown>;
}

function parseJsonParam(raw: unknown, name: string): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(String(raw));
  } catch {
    throw badRequest(`Der Parameter "${name}" ist kein gültiges JSON.`, { [name]: 'Ungültiges JSON' });
  }
}

/** Parses `range=[0,24]&sort=["field","ASC"]&filter={...}` as react-admin's simple REST provider sends them. */
export function parseListParams(q: Request['query'], maxLimit = 200): ListParams {
  const range = parseJsonParam(q.range, 'range');
  const sort = parseJsonParam(q.sort, 'sort');
  const filter = parseJsonParam(q.filter, 'filter');
  let offset = 0;
  let limit = 25;
  if (range !== undefined) {
    const r = z.tuple([z.number().int().min(0), z.number().int().min(0)]).safeParse(range);
    if (!r.success || r.data[1] < r.data[0]) throw badRequest('"range" muss [von, bis] mit von ≤ bis sein.', { range: 'z. B. [0,24]' });
    offset = r.data[0];
    limit = Math.min(r.data[1] - r.data[0] + 1, maxLimit);
  }
  let sortField: string | undefined;
  let sortOrder: 'asc' | 'desc' = 'asc';
  if (sort !== undefined) {
    const s = z.tuple([z.string(), z.enum(['ASC', 'DESC', 'asc', 'desc'])]).safeParse(sort);
    if (!s.success) throw badRequest('"sort" muss ["feld","ASC"|"DESC"] sein.', { sort: 'z. B. ["createdAt","DESC"]' });
    sortField = s.data[0];
    sortOrder = s.data[1].toLowerCase() as 'asc' | 'desc';
  }
  if (filter !== undefined && (typeof filter !== 'object' || filter === null || Array.isArray(filter))) {
    throw badRequest('"filter" muss ein JSON-Objekt sein.', { filter: 'z. B. {"q":"Erstkontakt"}' });
  }
  return { offset, limit, sortField, sortOrder, sortSpecified: sort !== undefined, filter: (filter as Record<string, unknown>) ?? {} };
}

export function sendList(res: Response, resource: string, rows: unknown[], offset: number, total: number) {
  const end = rows.length ? offset + rows.length - 1 : offset;
  res.setHeader('Content-Range', `${resource} ${offset}-${end}/${total}`);
  res.json(rows);
}

/** Validates a request part with zod; German messages per field. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const fields: Record<string, string> = {};
    for (const i of r.error.issues) fields[i.path.join('.') || '_'] = germanMessage(i, body);
    throw badRequest('Die Eingaben sind unvollständig oder ungültig. Bitte prüfen Sie die markierten Felder.', fields);
  }
  return r.data;
}

const TYPE_DE: Record<string, string> = { string: 'Text', number: 'eine Zahl', int: 'eine ganze Zahl', boolean: 'ja oder nein (true/false)', array: 'eine Liste', object: 'ein Objekt', date: 'ein Datum' };

/** zod's German locale speaks of types; users get "required" and the expected kind of value in words. */
function germanMessage(i: z.core.$ZodIssue, body: unknown): string {
  if (i.code !== 'invalid_type' || i.message !== undefined && !/^Ungültige Eingabe: erwartet /.test(i.message)) return i.message;
  let v: unknown = body;
  for (const k of i.path) v = v != null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
  if (v === undefined) return 'Pflichtfeld – bitte ausfüllen.';
  return `Bitte ${TYPE_DE[i.expected] ?? i.expected} angeben.`;
}
