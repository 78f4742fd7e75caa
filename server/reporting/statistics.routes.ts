/** GET /api/statistics: anonymised aggregates per commune and month (land: all, coordinators: own commune). */
import { Router } from 'express';
import { z } from 'zod';
import type { StatisticsService } from './statistics.service';
import { asyncRoute, parseBody } from '../http/http';
import { requireActor } from '../http/session';

const monthParam = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'Monat im Format JJJJ-MM angeben, z. B. 2026-03.');
export const statisticsQuerySchema = z
  .object({
    kommuneId: z.string().trim().min(1).max(100).optional(),
    from: monthParam.optional(),
    to: monthParam.optional(),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: '„bis“ darf nicht vor „von“ liegen.', path: ['to'] });

export function statisticsRoutes(stats: StatisticsService): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const q = parseBody(statisticsQuerySchema, req.query);
      res.json(await stats.aggregates(a, q));
    }),
  );
  return r;
}
