/** /api/models: the process modeler. Thin routes over ModelService. */
import { Router } from 'express';
import { z } from 'zod';
import type { ModelService } from './model.service';
import { badRequest } from '../errors';
import { asyncRoute, parseBody, sendList } from '../http/http';
import { requireActor } from '../http/session';

const PROCESS_ID = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_XML = 200_000;

const formsSchema = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'Ungültige Formular-ID'), z.record(z.string(), z.unknown()));
export const saveDraftSchema = z.object({
  xml: z.string().min(1, 'Das Modell fehlt.').max(MAX_XML, `Das Modell ist zu groß (höchstens ${MAX_XML} Zeichen).`),
  forms: formsSchema.optional(),
  revision: z.number().int().min(1, 'Bitte den Stand (revision) angeben, auf dem die Änderung beruht.'),
});
export const checkDraftSchema = z.object({ xml: z.string().max(MAX_XML).optional(), forms: formsSchema.optional() });
export const commentSchema = z.object({
  comment: z.string().trim().min(3, 'Bitte einen Kommentar angeben (was und warum).').max(2000, 'Höchstens 2000 Zeichen.'),
  revision: z.number().int().min(1).optional(),
});
export const migrateSchema = z.object({ from: z.number().int().min(1, 'Bitte die Quellversion angeben.'), to: z.number().int().min(1).optional() });

function pid(raw: unknown): string {
  const s = String(raw);
  if (!PROCESS_ID.test(s)) throw badRequest('Ungültige Prozess-ID.', { processId: 'Buchstaben, Ziffern, - _ .' });
  return s;
}

/** If-Match: "<revision>" (the ETag of GET …/draft) may replace revision in the body. */
function ifMatch(h: string | undefined): number | undefined {
  const m = h?.match(/^(?:W\/)?"?(\d+)"?$/);
  return m ? Number(m[1]) : undefined;
}

export function modelRoutes(models: ModelService): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (req, res) => {
      const rows = await models.list(requireActor(req));
      sendList(res, 'models', rows, 0, rows.length);
    }),
  );
  r.get(
    '/element-templates',
    asyncRoute(async (req, res) => {
      res.json(models.elementTemplates(requireActor(req)));
    }),
  );
  r.get(
    '/:processId',
    asyncRoute(async (req, res) => {
      res.json(await models.get(requireActor(req), pid(req.params.processId)));
    }),
  );
  r.get(
    '/:processId/versions/:version',
    asyncRoute(async (req, res) => {
      const v = Number(req.params.version);
      if (!Number.isInteger(v) || v < 1) throw badRequest('Ungültige Version.', { version: 'ganze Zahl ≥ 1' });
      res.json(await models.version(requireActor(req), pid(req.params.processId), v));
    }),
  );
  r.get(
    '/:processId/draft',
    asyncRoute(async (req, res) => {
      const d = await models.draft(requireActor(req), pid(req.params.processId));
      res.setHeader('ETag', `"${d.revision}"`);
      res.json(d);
    }),
  );
  r.post(
    '/:processId/draft',
    asyncRoute(async (req, res) => {
      const d = await models.createDraft(requireActor(req), pid(req.params.processId));
      res.setHeader('ETag', `"${d.revision}"`);
      res.status(201).json(d);
    }),
  );
  r.put(
    '/:processId/draft',
    asyncRoute(async (req, res) => {
      const body = { ...(req.body ?? {}) };
      body.revision ??= ifMatch(req.get('if-match'));
      const input = parseBody(saveDraftSchema, body);
      const d = await models.saveDraft(requireActor(req), pid(req.params.processId), input);
      res.setHeader('ETag', `"${d.revision}"`);
      res.json(d);
    }),
  );
  r.delete(
    '/:processId/draft',
    asyncRoute(async (req, res) => {
      await models.discardDraft(requireActor(req), pid(req.params.processId));
      res.status(204).end();
    }),
  );
  r.post(
    '/:processId/draft/check',
    asyncRoute(async (req, res) => {
      const input = parseBody(checkDraftSchema, req.body);
      res.json(await models.check(requireActor(req), pid(req.params.processId), input));
    }),
  );
  r.post(
    '/:processId/draft/submit',
    asyncRoute(async (req, res) => {
      res.json(await models.submit(requireActor(req), pid(req.params.processId), parseBody(commentSchema, req.body)));
    }),
  );
  r.post(
    '/:processId/draft/reject',
    asyncRoute(async (req, res) => {
      await models.reject(requireActor(req), pid(req.params.processId), parseBody(commentSchema, req.body));
      res.status(204).end();
    }),
  );
  r.post(
    '/:processId/draft/approve',
    asyncRoute(async (req, res) => {
      res.status(201).json(await models.approve(requireActor(req), pid(req.params.processId), parseBody(commentSchema, req.body)));
    }),
  );
  r.get(
    '/:processId/migration',
    asyncRoute(async (req, res) => {
      const q = parseBody(migrateSchema, { from: Number(req.query.from), to: req.query.to ? Number(req.query.to) : undefined });
      res.json(await models.migrationPreview(requireActor(req), pid(req.params.processId), q.from, q.to));
    }),
  );
  r.post(
    '/:processId/migration',
    asyncRoute(async (req, res) => {
      const q = parseBody(migrateSchema, req.body);
      res.json(await models.migrate(requireActor(req), pid(req.params.processId), q.from, q.to));
    }),
  );
  r.get(
    '/:processId/incidents',
    asyncRoute(async (req, res) => {
      const rows = await models.incidents(requireActor(req), pid(req.params.processId));
      sendList(res, 'incidents', rows, 0, rows.length);
    }),
  );
  r.post(
    '/:processId/incidents/:id/retry',
    asyncRoute(async (req, res) => {
      res.json(await models.retryIncident(requireActor(req), pid(req.params.processId), String(req.params.id)));
    }),
  );
  return r;
}
