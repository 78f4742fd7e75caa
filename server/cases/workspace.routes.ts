/**
 * Routes of the web app's task view and user settings: GET /api/tasks/:id/form,
 * PUT /api/tasks/:id/draft, GET/PUT /api/me/preferences. Thin: the rules live in WorkspaceService.
 */
import { Router } from 'express';
import type { AppDeps } from '../http/deps';
import type { WorkspaceService } from './workspace.service';
import { asyncRoute } from '../http/http';
import { requireActor } from '../http/session';

/** The app's WorkspaceService (shared by the task routes and these). */
export function workspaceOf(deps: AppDeps): WorkspaceService {
  return deps.services.workspace;
}

/** Mounted under /tasks next to the task routes. */
export function taskWorkspaceRoutes(deps: AppDeps): Router {
  const r = Router();
  const ws = workspaceOf(deps);
  r.get(
    '/:id/form',
    asyncRoute(async (req, res) => {
      res.json(await ws.taskForm(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  r.put(
    '/:id/draft',
    asyncRoute(async (req, res) => {
      const body = (req.body ?? {}) as { data?: unknown };
      res.json(await ws.saveDraft(requireActor(req), String(req.params.id), body.data));
    }),
  );
  return r;
}

/** Mounted under /me: settings of the signed-in user. */
export function meRoutes(deps: AppDeps): Router {
  const r = Router();
  const ws = workspaceOf(deps);
  r.get(
    '/preferences',
    asyncRoute(async (req, res) => {
      res.json(await ws.preferences(requireActor(req)));
    }),
  );
  r.put(
    '/preferences',
    asyncRoute(async (req, res) => {
      res.json(await ws.savePreferences(requireActor(req), req.body));
    }),
  );
  return r;
}
