/**
 * /api/export: exports for "Datenbank KIM" (made now or by schedule), their record and files, and
 * the Sachbericht / Verwendungsnachweis figures of a year. Coordination: its commune; land: all
 * communes; both only suppressed figures; others 403 before anything is read.
 */
import { Router } from 'express';
import { z } from 'zod';
import { asyncRoute, parseBody } from '../http/http';
import { requireActor } from '../http/session';
import type { DashboardService } from '../dashboards/dashboard.service';
import { MONTH } from '../dashboards/period';
import { assertCanExport, EXPORTABLE, ExportService, FORMATS, SCHEDULES } from './export.service';

const month = z.string().regex(MONTH, 'Monat im Format JJJJ-MM angeben, z. B. 2026-03.');
const indicators = z.array(z.enum(EXPORTABLE, { error: 'Unbekannte Kennzahl' })).min(1, 'Mindestens eine Kennzahl auswählen').max(EXPORTABLE.length);
const format = z.enum(FORMATS, { error: 'Format CSV oder JSON wählen' });
export const exportRunSchema = z
  .object({ indicators: indicators.refine((l) => new Set(l).size === l.length, 'Jede Kennzahl nur einmal'), from: month, to: month, format })
  .refine((v) => v.from <= v.to, { message: '„bis“ darf nicht vor „von“ liegen.', path: ['to'] });
export const exportConfigSchema = z.object({
  indicators: indicators.refine((l) => new Set(l).size === l.length, 'Jede Kennzahl nur einmal'),
  format,
  schedule: z.enum(SCHEDULES, { error: 'Zeitplan monatlich, vierteljährlich oder jährlich wählen' }),
  firstRunNow: z.boolean().optional(),
});
export const sachberichtQuerySchema = z.object({ year: z.coerce.number().int().min(2000, 'Jahr ab 2000').max(2100, 'Jahr bis 2100') });

export function exportRoutes(exports: ExportService, dashboards: DashboardService): Router {
  const r = Router();
  const actor = (req: import('express').Request) => {
    const a = requireActor(req);
    assertCanExport(a);
    return a;
  };
  r.get(
    '/runs',
    asyncRoute(async (req, res) => {
      res.json(await exports.runs(actor(req)));
    }),
  );
  r.post(
    '/runs',
    asyncRoute(async (req, res) => {
      const a = actor(req);
      res.status(201).json(await exports.run(a, parseBody(exportRunSchema, req.body), req.requestId));
    }),
  );
  r.get(
    '/runs/:id/download',
    asyncRoute(async (req, res) => {
      const f = await exports.download(actor(req), String(req.params.id), req.requestId);
      res.setHeader('Content-Type', f.mimeType);
      res.setHeader('Content-Disposition', `attachment; filename="${f.fileName}"`);
      res.send(f.content);
    }),
  );
  r.get(
    '/configs',
    asyncRoute(async (req, res) => {
      res.json(await exports.configs(actor(req)));
    }),
  );
  r.post(
    '/configs',
    asyncRoute(async (req, res) => {
      const a = actor(req);
      res.status(201).json(await exports.createConfig(a, parseBody(exportConfigSchema, req.body), req.requestId));
    }),
  );
  r.delete(
    '/configs/:id',
    asyncRoute(async (req, res) => {
      await exports.deleteConfig(actor(req), String(req.params.id), req.requestId);
      res.status(204).end();
    }),
  );
  r.get(
    '/sachbericht',
    asyncRoute(async (req, res) => {
      const a = actor(req);
      res.json(await dashboards.sachberichtFor(a, parseBody(sachberichtQuerySchema, req.query).year));
    }),
  );
  return r;
}
