/** GET /api/home: the signed-in person's work overview (see home.service.ts for what each role gets). */
import { Router } from 'express';
import { asyncRoute } from '../http/http';
import { requireActor } from '../http/session';
import type { HomeService } from './home.service';

export function homeRoutes(home: HomeService): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (req, res) => {
      res.json(await home.home(requireActor(req)));
    }),
  );
  return r;
}
