/**
 * GET /api/cases/:id/processes – the process view of a case. Thin: the rules live in
 * ProcessViewService.
 */
import { Router } from 'express';
import type { ProcessViewService } from './process-view.service';
import { asyncRoute } from '../http/http';
import { requireActor } from '../http/session';

/** Mounted under /cases next to the case resource routes. */
export function processViewRoutes(service: ProcessViewService): Router {
  const r = Router();
  r.get(
    '/:id/processes',
    asyncRoute(async (req, res) => {
      res.json(await service.caseProcesses(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  return r;
}
