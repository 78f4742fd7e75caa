/**
 * The routes of a process a case manager starts for a case from the case file (naturalisation
 * preparation, residence path): its quick check without a process, POST /start with only the case
 * id (everything else is asked in the process's forms) and GET /cases/:caseId, the case's process
 * data as far as the role may read it.
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/policy';
import { asyncRoute, parseBody } from './http';
import { requireActor } from './session';

export const caseStartSchema = z.strictObject({ caseId: z.uuid({ error: 'Bitte eine gültige Fall-ID angeben.' }) });

/** The router: the quick check (POST /vorpruefung, server/http/quick-check.ts), /start and /cases/:caseId. */
export function caseProcessRoutes(routes: {
  quickCheck: RequestHandler;
  start(actor: Actor, input: z.infer<typeof caseStartSchema>, requestId?: string): Promise<unknown>;
  ofCase(actor: Actor, caseId: string, requestId?: string): Promise<unknown>;
}): Router {
  const r = Router();
  r.post('/vorpruefung', routes.quickCheck);
  r.post(
    '/start',
    asyncRoute(async (req, res) => {
      const actor = requireActor(req);
      res.status(201).json(await routes.start(actor, parseBody(caseStartSchema, req.body), req.requestId));
    }),
  );
  r.get(
    '/cases/:caseId',
    asyncRoute(async (req, res) => {
      res.json(await routes.ofCase(requireActor(req), String(req.params.caseId), req.requestId));
    }),
  );
  return r;
}
