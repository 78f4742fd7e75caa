/**
 * The REST resources in the ra-data-simple-rest dialect: GET list (Content-Range), GET one, POST,
 * PUT, DELETE – each verb registered only where some role has it (see policy MATRIX) – plus the
 * explicit verbs POST /cases/:id/close, GET /cases/:id/audit and POST /consents/:id/revoke.
 * POST /cases starts kim-intake and POST /referrals starts kim-referral (CaseService).
 * Routes only parse and delegate; the rules live in the domain services.
 */
import { NextFunction, Request, Response, Router } from 'express';
import { DomainError } from '../errors';
import type { CaseService } from './case.service';
import type { ConsentService } from '../consents/consent.service';
import type { DocumentService } from '../documents/document.service';
import { assertCan, MATRIX, RESOURCE_DE, RESOURCES, ResourceName, Verb } from '../auth/policy';
import type { RecordsService } from './records.service';
import { asyncRoute, parseBody, parseListParams, sendList } from '../http/http';
import { BODY_SCHEMAS, caseAccessSchema, closeCaseSchema, deleteDocumentSchema, revokeConsentSchema } from '../http/schemas';
import { requireActor } from '../http/session';

export interface ResourceServices {
  records: RecordsService;
  cases: CaseService;
  consents: ConsentService;
  documents: DocumentService;
}

/** Verbs some role holds on a resource: only those get a route. */
export function verbsOf(resource: ResourceName): Set<Verb> {
  return new Set(Object.values(MATRIX[resource]).flat());
}

export function resourceRoutes(s: ResourceServices, resource: ResourceName): Router {
  const r = Router();
  const verbs = verbsOf(resource);
  const schemas = BODY_SCHEMAS[resource];
  const id = (p: unknown) => String(p);

  if (resource === 'cases') {
    r.post(
      '/:id/close',
      asyncRoute(async (req, res) => {
        assertCan(requireActor(req), 'cases', 'update');
        const body = parseBody(closeCaseSchema, req.body);
        res.json(await s.cases.close(requireActor(req), id(req.params.id), body, req.requestId));
      }),
    );
    r.get(
      '/:id/audit',
      asyncRoute(async (req, res) => {
        const p = parseListParams(req.query);
        const { rows, total } = await s.cases.trail(requireActor(req), id(req.params.id), { ...p, reads: req.query.reads === 'true' }, req.requestId);
        sendList(res, 'audit-log', rows, p.offset, total);
      }),
    );
    // A coordinator states why they open this person's case file (Fachaufsicht, Vertretung, ...).
    r.post(
      '/:id/access',
      asyncRoute(async (req, res) => {
        const body = parseBody(caseAccessSchema, req.body) as { reason: never; note: string };
        res.status(201).json(await s.cases.grantAccess(requireActor(req), id(req.params.id), body, req.requestId));
      }),
    );
    // Upload: the request body is the file itself (streamed, size-limited, type checked by content).
    r.post(
      '/:id/documents',
      asyncRoute(async (req, res) => {
        const q = req.query;
        const doc = await s.documents.upload(
          requireActor(req),
          id(req.params.id),
          { title: q.title, kind: q.kind, fileName: q.fileName, contentType: req.headers['content-type'], contentLength: req.headers['content-length'] },
          req,
          req.requestId,
        );
        res.status(201).json(doc);
      }),
    );
  }
  if (resource === 'consents') {
    r.post(
      '/:id/revoke',
      asyncRoute(async (req, res) => {
        assertCan(requireActor(req), 'consents', 'update');
        const body = parseBody(revokeConsentSchema, req.body);
        res.json(await s.consents.revoke(requireActor(req), id(req.params.id), body, req.requestId));
      }),
    );
  }
  if (resource === 'documents') {
    r.get(
      '/:id/content',
      asyncRoute(async (req, res) => {
        const d = await s.documents.content(requireActor(req), id(req.params.id), req.requestId);
        res.setHeader('Content-Type', d.mimeType);
        res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(d.fileName)}`);
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.send(d.content);
      }),
    );
    // Deleting a document needs a reason (audited, shown in the case's history).
    r.delete(
      '/:id',
      asyncRoute(async (req, res) => {
        // Role and row first (403/404), then the reason (400).
        const a = requireActor(req);
        assertCan(a, 'documents', 'delete');
        await s.records.find(a, 'documents', id(req.params.id), false, 'delete');
        const body = parseBody(deleteDocumentSchema, req.body ?? {});
        res.json(await s.documents.remove(a, id(req.params.id), body, req.requestId));
      }),
    );
  }
  r.get(
    '/',
    asyncRoute(async (req, res) => {
      const a = requireActor(req);
      const p = parseListParams(req.query);
      const { rows, total } = await s.records.list(a, resource, p, req.requestId);
      sendList(res, resource, rows, p.offset, total);
    }),
  );
  r.get(
    '/:id',
    asyncRoute(async (req, res) => {
      res.json(await s.records.get(requireActor(req), resource, id(req.params.id), req.requestId));
    }),
  );
  if (verbs.has('create') && schemas.create) {
    const schema = schemas.create;
    r.post(
      '/',
      asyncRoute(async (req, res) => {
        const a = requireActor(req);
        assertCan(a, resource, 'create');
        const body = parseBody(schema, req.body) as Record<string, unknown>;
        // Cases and referrals are not plain rows: creating one starts its process.
        if (resource === 'cases') return res.status(201).json(await s.cases.startIntake(a, body, req.requestId));
        if (resource === 'referrals') return res.status(201).json(await s.cases.startReferral(a, body as never, req.requestId));
        res.status(201).json(await s.records.create(a, resource, body, req.requestId));
      }),
    );
  }
  if (verbs.has('update') && schemas.update) {
    const schema = schemas.update;
    r.put(
      '/:id',
      asyncRoute(async (req, res) => {
        const a = requireActor(req);
        assertCan(a, resource, 'update');
        const body = parseBody(schema, req.body) as Record<string, unknown>;
        res.json(await s.records.update(a, resource, id(req.params.id), body, req.requestId));
      }),
    );
  }
  if (verbs.has('delete') && resource !== 'documents') {
    r.delete(
      '/:id',
      asyncRoute(async (req, res) => {
        res.json(await s.records.remove(requireActor(req), resource, id(req.params.id), req.requestId));
      }),
    );
  }
  // Verbs nobody has on this resource: 405 with the allowed ones (not part of the API description).
  const allowed = (item: boolean) =>
    [
      'GET',
      ...(!item && verbs.has('create') && schemas.create ? ['POST'] : []),
      ...(item && verbs.has('update') && schemas.update ? ['PUT'] : []),
      ...(item && verbs.has('delete') ? ['DELETE'] : []),
    ].join(', ');
  const notAllowed = (item: boolean) => (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Allow', allowed(item));
    next(new DomainError(405, `${req.method} ist für ${RESOURCE_DE[resource]} nicht vorgesehen (erlaubt: ${allowed(item)}).`, 'method_not_allowed'));
  };
  r.all('/', notAllowed(false));
  r.all('/:id', notAllowed(true));
  return r;
}

export function allResourceRoutes(s: ResourceServices): Array<[string, Router]> {
  return RESOURCES.map((res) => [`/${res}`, resourceRoutes(s, res)]);
}
