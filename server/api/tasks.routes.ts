import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app';
import { badRequest } from '../domain/errors';
import { asyncRoute, parseBody, parseListParams, sendList } from './http';
import { requireActor } from './session';

const SORTABLE = ['createdAt', 'dueDate', 'name', 'priority'] as const;
const completeSchema = z.object({
  variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Variablennamen: Buchstaben, Ziffern, _'), z.unknown()).default({}),
});

export function taskRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const p = parseListParams(req.query);
      const field = (p.sortField ?? 'createdAt') as (typeof SORTABLE)[number];
      if (!SORTABLE.includes(field)) throw badRequest(`Nach "${p.sortField}" kann nicht sortiert werden.`, { sort: `Erlaubt: ${SORTABLE.join(', ')}` });
      const view = (p.filter.view as string | undefined) ?? 'all';
      if (!['mine', 'group', 'all'].includes(view)) throw badRequest('Unbekannte Ansicht.', { view: 'mine, group oder all' });
      const { rows, total } = await deps.inbox.list(a, {
        view: view as 'mine' | 'group' | 'all',
        processDefinitionId: p.filter.processDefinitionId as string | undefined,
        caseId: p.filter.caseId as string | undefined,
        q: p.filter.q as string | undefined,
        offset: p.offset,
        limit: p.limit,
        sort: { field, order: p.sortSpecified ? p.sortOrder : 'desc' },
      });
      sendList(res, 'tasks', rows, p.offset, total);
    }),
  );
  r.get(
    '/:id',
    asyncRoute(async (req, res) => {
      res.json(await deps.inbox.get(requireActor(req), String(req.params.id)));
    }),
  );
  r.post(
    '/:id/claim',
    asyncRoute(async (req, res) => {
      res.json(await deps.inbox.claim(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  r.post(
    '/:id/unclaim',
    asyncRoute(async (req, res) => {
      res.json(await deps.inbox.unclaim(requireActor(req), String(req.params.id), req.requestId));
    }),
  );
  r.post(
    '/:id/complete',
    asyncRoute(async (req, res) => {
      const body = parseBody(completeSchema, req.body);
      res.json(await deps.inbox.complete(requireActor(req), String(req.params.id), body.variables, req.requestId));
    }),
  );
  return r;
}
