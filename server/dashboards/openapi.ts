/**
 * The OpenAPI paths of /api/dashboards and /api/export, merged into /api/openapi.json by
 * server/http/openapi.ts. Request bodies from the zod schemas the routes validate with.
 */
import { z } from 'zod';
import { exportConfigSchema, exportRunSchema } from '../export/export.routes';
import { EXPORTABLE } from '../export/export.service';
import { staffPostsSchema } from './dashboard.routes';

type Json = Record<string, unknown>;

const schema = (s: z.ZodType): Json => {
  const out = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
};
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const errors = { 400: problem('Ungültige Eingabe (Feldfehler in `errors`)'), 401: problem('Nicht angemeldet'), 403: problem('Keine Berechtigung') };
const ok = (s: Json, description = 'OK') => ({ description, content: { 'application/json': { schema: s } } });
const body = (s: Json) => ({ required: true, content: { 'application/json': { schema: s } } });
const month = (name: string, description: string) => ({ name, in: 'query', schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }, description });
const period = [month('from', 'Erster Monat JJJJ-MM (Standard: elf Monate vor „bis“)'), month('to', 'Letzter Monat JJJJ-MM (Standard: aktueller Monat)')];
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const csv = { description: 'CSV (UTF-8 mit BOM, Semikolon, deutsche Spaltenköpfe; unterdrückte Werte als „< 5“)', content: { 'text/csv': { schema: { type: 'string' } } } };

const table: Json = {
  type: 'object',
  description:
    'Eine Kennzahl als Tabelle: rows × columns mit cells (null = unterdrückt, Anzeige „< 5“), rowTotals, columnTotals (Kommune bzw. NRW gesamt), total. Zählungen von Personen sind unter 5 unterdrückt, dazu sekundär, sodass sich kein unterdrückter Wert aus Summen errechnen lässt.',
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    snapshot: { type: 'boolean', description: 'Stand heute statt Zeitraum' },
    suppressible: { type: 'boolean' },
    rows: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, label: { type: 'string' } } } },
    columns: { type: 'array', items: { type: 'object', properties: { key: { type: 'string' }, label: { type: 'string' } } } },
    cells: { type: 'array', items: { type: 'array', items: { type: ['integer', 'number', 'null'] } } },
    rowTotals: { type: ['array', 'null'] },
    columnTotals: { type: ['array', 'null'] },
    total: { type: ['number', 'null'] },
  },
  additionalProperties: true,
};
const dashboard = (description: string): Json => ({
  type: 'object',
  description,
  properties: {
    view: { type: 'string', enum: ['kommune', 'land'] },
    from: { type: 'string' },
    to: { type: 'string' },
    periodLabel: { type: 'string' },
    minCount: { type: 'integer' },
    suppressedLabel: { type: 'string' },
    sites: { type: 'array', items: { type: 'object' } },
    tables: { type: 'array', items: table },
  },
  additionalProperties: true,
});
const run: Json = {
  type: 'object',
  description: 'Ein Export: wer (requestedBy, role), wann (createdAt), was (indicators, from, to, format); trigger manuell | zeitplan',
  properties: {
    id: { type: 'string' },
    trigger: { type: 'string', enum: ['manuell', 'zeitplan'] },
    requestedBy: { type: 'string' },
    indicators: { type: 'array', items: { type: 'string', enum: [...EXPORTABLE] } },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string', enum: ['csv', 'json'] },
    fileName: { type: 'string' },
    createdAt: { type: 'string' },
  },
  additionalProperties: true,
};
const coordOrLand = ' (Koordination: eigene Kommune; Land: alle Kommunen; sonst 403)';

export function dashboardOpenApi(): Record<string, Json> {
  return {
    '/api/dashboards/indicators': { get: { tags: ['dashboards'], summary: 'Die Kennzahlen der Dashboards und Exporte (Kennung, Titel, Erläuterung)', responses: { 200: ok({ type: 'array', items: { type: 'object' } }), 401: errors[401] } } },
    '/api/dashboards/kommune': {
      get: {
        tags: ['dashboards'],
        summary: 'Dashboard der Kommune je Standort (nur Koordination der Kommune); kleine Zahlen unterdrückt',
        parameters: [...period, { name: 'siteId', in: 'query', schema: { type: 'string' }, description: 'Nur dieser Standort (der eigenen Kommune, sonst 403)' }],
        responses: { 200: ok(dashboard('Alle Kennzahlen der Kommune')), ...errors },
      },
    },
    '/api/dashboards/kommune/csv': {
      get: { tags: ['dashboards'], summary: 'Dashboard der Kommune als CSV (Audit-Log)', parameters: [...period, { name: 'siteId', in: 'query', schema: { type: 'string' } }], responses: { 200: csv, ...errors } },
    },
    '/api/dashboards/land': {
      get: { tags: ['dashboards'], summary: 'Landesübersicht: dieselben Kennzahlen je Kommune und NRW gesamt (nur Land); unterdrückt mit Sekundärsperrung', parameters: period, responses: { 200: ok(dashboard('Alle Kennzahlen je Kommune')), ...errors } },
    },
    '/api/dashboards/land/csv': { get: { tags: ['dashboards'], summary: 'Landesübersicht als CSV (Audit-Log)', parameters: period, responses: { 200: csv, ...errors } } },
    '/api/dashboards/staff-posts': {
      get: {
        tags: ['dashboards'],
        summary: 'Stellen (VZÄ) der eigenen Kommune je Baustein und Jahr (Koordination, Administration)',
        parameters: [{ name: 'year', in: 'query', required: true, schema: { type: 'integer' } }],
        responses: { 200: ok({ type: 'object' }), ...errors },
      },
      put: { tags: ['dashboards'], summary: 'Stellen (VZÄ) je Baustein speichern (Koordination, Administration; Audit-Log)', requestBody: body(schema(staffPostsSchema)), responses: { 200: ok({ type: 'object' }), ...errors } },
    },
    '/api/export/runs': {
      get: { tags: ['export'], summary: `Bisherige Exporte für die Datenbank KIM${coordOrLand}`, responses: { 200: ok({ type: 'array', items: run }), ...errors } },
      post: {
        tags: ['export'],
        summary: `Export jetzt erstellen: Kennzahlen (und „sachbericht“), Zeitraum, CSV oder JSON – ohne Namen, Freitexte oder Kennungen von Personen; wird festgehalten und im Audit-Log vermerkt${coordOrLand}`,
        requestBody: body(schema(exportRunSchema)),
        responses: { 201: ok(run, 'Erstellt'), ...errors },
      },
    },
    '/api/export/runs/{id}/download': {
      get: {
        tags: ['export'],
        summary: `Datei eines früheren Exports erneut herunterladen (Audit-Log)${coordOrLand}`,
        parameters: [idParam],
        responses: { 200: { description: 'Die Datei (CSV oder JSON)', content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } } }, ...errors, 404: problem('Nicht gefunden') },
      },
    },
    '/api/export/configs': {
      get: { tags: ['export'], summary: `Zeitpläne für regelmäßige Exporte${coordOrLand}`, responses: { 200: ok({ type: 'array', items: { type: 'object' } }), ...errors } },
      post: {
        tags: ['export'],
        summary: `Zeitplan anlegen: monatlich (Vormonat), vierteljährlich (Vorquartal) oder jährlich (Vorjahr); firstRunNow: erster Export beim nächsten Lauf des Zeitgebers${coordOrLand}`,
        requestBody: body(schema(exportConfigSchema)),
        responses: { 201: ok({ type: 'object' }, 'Angelegt'), ...errors },
      },
    },
    '/api/export/configs/{id}': { delete: { tags: ['export'], summary: `Zeitplan beenden${coordOrLand}`, parameters: [idParam], responses: { 204: { description: 'Beendet' }, ...errors, 404: problem('Nicht gefunden') } } },
    '/api/export/sachbericht': {
      get: {
        tags: ['export'],
        summary: `Jahreszahlen für Sachbericht / Verwendungsnachweis: Fälle, Vermittlungen, Fallkonferenzen, Baustein 3 (unterdrückt), Steuerung (Baustein 1) und Stellen (VZÄ) je Baustein${coordOrLand}`,
        parameters: [{ name: 'year', in: 'query', required: true, schema: { type: 'integer' } }],
        responses: { 200: ok({ type: 'object', properties: { year: { type: 'integer' }, tables: { type: 'array', items: table } } }), ...errors },
      },
    },
  };
}
