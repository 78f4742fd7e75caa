/**
 * POST /api/users/:id/unlock and POST /api/users/:id/password (one-time password) for the
 * commune's administrators; the plain record verbs of /api/users are the generic resource's.
 */
import { Router } from 'express';
import { z } from 'zod';
import { asyncRoute, parseBody } from '../http/http';
import { requireActor } from '../http/session';
import type { UserAdminService } from './users.service';

export const oneTimePasswordSchema = z.object({
  password: z.string().min(10, 'Das Einmalpasswort muss mindestens 10 Zeichen haben.').max(200, 'Höchstens 200 Zeichen.'),
});

export function userAdminRoutes(users: UserAdminService): Router {
  const r = Router();
  r.post(
    '/:id/unlock',
    asyncRoute(async (req, res) => {
      res.json(await users.unlock(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  r.post(
    '/:id/password',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const body = parseBody(oneTimePasswordSchema, req.body);
      res.json(await users.resetPassword(a, String(req.params.id), body.password, req.requestId));
    }),
  );
  return r;
}
