import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../http/deps';
import { badRequest, DomainError } from '../errors';
import { assertTaskRole } from '../auth/policy';
import { LIFE_AREAS } from '../http/schemas';
import { asyncRoute, parseBody, parseListParams, sendList } from '../http/http';
import { requireActor } from '../http/session';
import { workspaceOf } from '../cases/workspace.routes';

const SORTABLE = ['createdAt', 'dueDate', 'name', 'priority'] as const;
const completeSchema = z.object({
  variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Variablennamen: Buchstaben, Ziffern, _'), z.unknown()).default({}),
});

export const assignTaskSchema = z.object({
  assignee: z.string().trim().min(1, 'Bitte die Person angeben, die die Aufgabe übernehmen soll.').max(60, 'Höchstens 60 Zeichen.'),
  reason: z.string().trim().min(3, 'Bitte den Grund der Neuzuweisung angeben.').max(1000, 'Höchstens 1000 Zeichen.'),
});

const dateFilter = (v: unknown, field: string): Date | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const d = new Date(String(v));
  if (Number.isNaN(d.getTime())) throw badRequest('Ungültiges Datum im Filter.', { [field]: 'z. B. 2026-12-31' });
  // A plain date means the whole day.
  return /^\d{4}-\d{2}-\d{2}$/.test(String(v)) ? new Date(d.getTime() + 24 * 3600 * 1000 - 1) : d;
};

/** Life areas of the filter: one name or a list of names of the LifeArea enum. */
const lifeAreaFilter = (v: unknown): string[] | undefined => {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => typeof x === 'string' && (LIFE_AREAS as readonly string[]).includes(x))) {
    throw badRequest('Unbekannter Lebensbereich im Filter.', { lifeArea: `Erlaubt: ${LIFE_AREAS.join(', ')}` });
  }
  return [...new Set(list as string[])];
};

/** The inbox filters beyond view/process/case/name: due before, overdue, site (via case), assignee, life area (via case). */
function listFilters(f: Record<string, unknown>) {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    dueBefore: dateFilter(f.dueBefore, 'dueBefore'),
    overdue: f.overdue === true || f.overdue === 'true',
    siteId: str(f.siteId),
    assignee: f.assignee === null || f.assignee === 'unassigned' ? null : str(f.assignee),
    lifeAreas: lifeAreaFilter(f.lifeArea),
  };
}

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
      const { rows, total, totalCapped } = await deps.inbox.list(a, {
        view: view as 'mine' | 'group' | 'all',
        processDefinitionId: p.filter.processDefinitionId as string | undefined,
        caseId: p.filter.caseId as string | undefined,
        q: (p.filter.q ?? p.filter.name) as string | undefined,
        ...listFilters(p.filter),
        offset: p.offset,
        limit: p.limit,
        sort: { field, order: p.sortSpecified ? p.sortOrder : 'desc' },
      });
      // The total is exact unless the list goes on beyond COUNT_CAP rows after the page's start.
      res.setHeader('X-Total-Capped', totalCapped ? 'true' : 'false');
      sendList(res, 'tasks', rows, p.offset, total);
    }),
  );
  r.get(
    '/events',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      assertTaskRole(a);
      if (!deps.taskEvents) throw new DomainError(503, 'Live-Aktualisierung ist nicht verfügbar. Bitte laden Sie die Liste neu.', 'unavailable');
      deps.taskEvents.stream(a, req, res);
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
    '/:id/assign',
    asyncRoute(async (req, res) => {
      const body = parseBody(assignTaskSchema, req.body);
      res.json(await deps.inbox.assign(requireActor(req), String(req.params.id), body, req.requestId));
    }),
  );
  r.post(
    '/:id/complete',
    asyncRoute(async (req, res) => {
      const body = parseBody(completeSchema, req.body);
      const a = requireActor(req);
      const done = await deps.inbox.complete(a, String(req.params.id), body.variables, req.requestId);
      await workspaceOf(deps).dropDrafts(done.id);
      // The web app opens the next task of the same case when it is the user's (?next=false: not asked for).
      const nextTask = req.query.next === 'false' ? null : await deps.inbox.nextTask(a, done);
      res.json({ ...done, nextTask });
    }),
  );
  return r;
}
