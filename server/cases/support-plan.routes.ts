/**
 * Needs and goals of the Förderplan: GET/POST /cases/:id/needs and /cases/:id/goals (lists in the
 * ra-data-simple-rest dialect), PUT /needs/:id and /goals/:id. Rules in SupportPlanService.
 */
import { Router } from 'express';
import type { PlanKind, SupportPlanService } from './support-plan.service';
import { asyncRoute, parseBody, sendList } from '../http/http';
import { goalCreateSchema, goalUpdateSchema, needCreateSchema, needUpdateSchema } from '../http/schemas';
import { requireActor } from '../http/session';

const SCHEMAS = { needs: { create: needCreateSchema, update: needUpdateSchema }, goals: { create: goalCreateSchema, update: goalUpdateSchema } } as const;

export function supportPlanRoutes(plan: SupportPlanService): Array<[string, Router]> {
  const cases = Router();
  const out: Array<[string, Router]> = [['/cases', cases]];
  for (const kind of ['needs', 'goals'] as PlanKind[]) {
    cases.get(
      `/:id/${kind}`,
      asyncRoute(async (req, res) => {
        const { rows, total } = await plan.list(requireActor(req), kind, String(req.params.id), req.requestId);
        sendList(res, kind, rows, 0, total);
      }),
    );
    cases.post(
      `/:id/${kind}`,
      asyncRoute(async (req, res) => {
        const a = requireActor(req);
        const body = parseBody(SCHEMAS[kind].create, req.body) as Record<string, unknown>;
        res.status(201).json(await plan.create(a, kind, String(req.params.id), body, req.requestId));
      }),
    );
    const item = Router();
    item.put(
      '/:id',
      asyncRoute(async (req, res) => {
        const body = parseBody(SCHEMAS[kind].update, req.body) as Record<string, unknown>;
        res.json(await plan.update(requireActor(req), kind, String(req.params.id), body, req.requestId));
      }),
    );
    out.push([`/${kind}`, item]);
  }
  return out;
}
