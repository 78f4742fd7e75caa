/**
 * /api/dashboards: the commune dashboard (coordination), the state's dashboard (land), both also as
 * CSV, the list of indicators, and the staff posts (VZÄ) per Baustein.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { AuditService } from '../audit/audit.service';
import { asyncRoute, parseBody } from '../http/http';
import { requireActor } from '../http/session';
import { blocksCsv } from './csv';
import type { Dashboard, DashboardService } from './dashboard.service';
import { indicatorList } from './indicators';
import { MONTH } from './period';
import { assertCanKeepStaffPosts } from './policy';

const month = z.string().regex(MONTH, 'Monat im Format JJJJ-MM angeben, z. B. 2026-03.');
export const periodQuerySchema = z.object({ from: month.optional(), to: month.optional() });
export const kommuneQuerySchema = periodQuerySchema.extend({ siteId: z.string().trim().min(1).max(100).optional() });
const year = z.coerce.number().int().min(2000, 'Jahr ab 2000').max(2100, 'Jahr bis 2100');
export const staffPostsQuerySchema = z.object({ year });
export const staffPostsSchema = z.object({
  year,
  posts: z
    .array(z.object({ baustein: z.number().int().min(1, 'Baustein 1, 2 oder 3').max(3, 'Baustein 1, 2 oder 3'), fte: z.number().min(0, 'Nicht negativ').max(10000, 'Höchstens 10 000') }))
    .min(1, 'Mindestens ein Baustein')
    .max(3)
    .refine((p) => new Set(p.map((x) => x.baustein)).size === p.length, 'Jeder Baustein nur einmal'),
});

const fileDate = (d: Dashboard) => (d.from === d.to ? d.from : `${d.from}_bis_${d.to}`);

function sendCsv(res: import('express').Response, d: Dashboard, name: string) {
  const meta: Array<[string, string]> = [
    ['Bericht', d.view === 'land' ? 'Landesübersicht KIM (alle Kommunen, NRW gesamt)' : `Kennzahlen ${d.kommune?.label ?? ''}${d.site ? `, ${d.site.label}` : ''}`],
    ['Zeitraum', d.periodLabel],
    ['Erstellt', new Date(d.generatedAt).toLocaleString('de-DE', { timeZone: 'Europe/Berlin' })],
  ];
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}_${fileDate(d)}.csv"`);
  res.send(blocksCsv(meta, d.tables));
}

export function dashboardRoutes(dashboards: DashboardService, audit: AuditService): Router {
  const r = Router();
  r.get('/indicators', (req, res) => {
    requireActor(req);
    res.json(indicatorList().map((i) => ({ id: i.id, title: i.title, description: i.description, snapshot: i.snapshot, suppressed: i.personBased })));
  });
  r.get(
    '/kommune',
    asyncRoute(async (req, res) => {
      res.json(await dashboards.kommune(requireActor(req), parseBody(kommuneQuerySchema, req.query)));
    }),
  );
  r.get(
    '/kommune/csv',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const d = await dashboards.kommune(a, parseBody(kommuneQuerySchema, req.query));
      await audit.write(a, { action: 'export', entity: 'Dashboard', entityId: 'kommune', fields: d.tables.map((t) => t.id), reason: `CSV ${d.from}–${d.to}`, requestId: req.requestId });
      sendCsv(res, d, `kim-kennzahlen-${d.kommune?.key ?? 'kommune'}`);
    }),
  );
  r.get(
    '/land',
    asyncRoute(async (req, res) => {
      res.json(await dashboards.land(requireActor(req), parseBody(periodQuerySchema, req.query)));
    }),
  );
  r.get(
    '/land/csv',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const d = await dashboards.land(a, parseBody(periodQuerySchema, req.query));
      await audit.write(a, { action: 'export', entity: 'Dashboard', entityId: 'land', fields: d.tables.map((t) => t.id), reason: `CSV ${d.from}–${d.to}`, requestId: req.requestId });
      sendCsv(res, d, 'kim-landesuebersicht');
    }),
  );
  r.get(
    '/staff-posts',
    asyncRoute(async (req, res) => {
      assertCanKeepStaffPosts(requireActor(req));
      const q = parseBody(staffPostsQuerySchema, req.query);
      res.json(await dashboards.staffPosts(requireActor(req), q.year));
    }),
  );
  r.put(
    '/staff-posts',
    asyncRoute(async (req, res) => {
      assertCanKeepStaffPosts(requireActor(req));
      const b = parseBody(staffPostsSchema, req.body);
      res.json(await dashboards.saveStaffPosts(requireActor(req), b.year, b.posts, req.requestId));
    }),
  );
  return r;
}
