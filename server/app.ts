/**
 * createApp(deps): the express application. Thin routes over domain services; every error leaves as
 * a JSON problem body in German, never a stack trace.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { authRoutes } from './auth/auth.routes';
import { einbuergerungRoutes } from './naturalisation/einbuergerung.routes';
import { bleiberechtRoutes, fristenRoutes } from './residence/residence.routes';
import { healthRoutes } from './http/health.routes';
import { partnerRoutes } from './referrals/partner.routes';
import { conferencePartnerRoutes } from './conferences/conference-partner.routes';
import { conferenceRoutes } from './conferences/conference.routes';
import { csrfMiddleware, sessionMiddleware } from './http/session';
import { securityHeaders } from './http/security-headers';
import { partnerLimiter } from './http/partner-links';
import { openApiRoutes } from './http/openapi';
import { allResourceRoutes } from './cases/resources.routes';
import { statisticsRoutes } from './reporting/statistics.routes';
import { dashboardRoutes } from './dashboards/dashboard.routes';
import { exportRoutes } from './export/export.routes';
import { homeRoutes } from './home/home.routes';
import { caseMailStatusRoutes, outboxRoutes } from './mail/mail.routes';
import { userAdminRoutes } from './users/users.routes';
import { passwordChangeGate } from './auth/password-gate';
import { supportPlanRoutes } from './cases/support-plan.routes';
import { taskRoutes } from './inbox/tasks.routes';
import { modelRoutes } from './models/models.routes';
import { meRoutes, taskWorkspaceRoutes } from './cases/workspace.routes';
import { processViewRoutes } from './models/process-view.routes';
import { steeringRoutes } from './steering/steering.routes';
import { ROOT } from './config';
import { DomainError } from './errors';
import { errorKind, stackFrames, type Logger } from './util/log';
import type { AppDeps } from './http/deps';
import { EngineConflict, EngineError, EngineNotFound, EngineUnavailable } from './engine/port';
import { isDatabaseUnavailable, unavailabilityKind } from './db/availability';

z.config(z.locales.de());

export type { AppDeps };

export const BODY_LIMIT = '256kb';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders({ https: deps.config.KIM_COOKIE_SECURE }));
  app.use((req, res, next) => {
    req.requestId = req.get('x-request-id')?.slice(0, 64) || crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  });

  // Partner pages (referral answers, conference invitations, agreements): outside the
  // session/CSRF-protected API, authorised by their signed links, limited per address and per link.
  app.use('/partner', partnerLimiter({ perAddress: deps.config.KIM_PARTNER_LIMIT_PER_ADDRESS, perLink: deps.config.KIM_PARTNER_LIMIT_PER_LINK }));
  app.use('/partner', partnerRoutes(deps));
  app.use('/partner', conferencePartnerRoutes(deps));

  const api = express.Router();
  api.use(express.json({ limit: BODY_LIMIT }));
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, X-Request-Id');
    next();
  });
  api.use(sessionMiddleware(deps.auth));
  api.use(csrfMiddleware);
  api.use(passwordChangeGate);
  api.use('/health', healthRoutes(deps));
  api.use('/auth', authRoutes(deps));
  api.use('/tasks', taskRoutes(deps));
  api.use('/tasks', taskWorkspaceRoutes(deps));
  api.use('/me', meRoutes(deps));
  api.use('/einbuergerung', einbuergerungRoutes(deps));
  api.use('/bleiberecht', bleiberechtRoutes(deps));
  api.use('/steuerung', steeringRoutes(deps.services.steering));
  api.use('/', fristenRoutes(deps));
  const { records, models, statistics, processView, supportPlan } = deps.services;
  for (const [mount, router] of supportPlanRoutes(supportPlan)) api.use(mount, router);
  api.use('/conferences', conferenceRoutes(deps));
  api.use('/cases', processViewRoutes(processView));
  if (deps.mail) {
    api.use('/outbox', outboxRoutes(deps.mail));
    api.use('/cases', caseMailStatusRoutes(deps.mail));
  }
  api.use('/users', userAdminRoutes(deps.services.users));
  for (const [mount, router] of allResourceRoutes(deps.services)) api.use(mount, router);
  api.use('/models', modelRoutes(models));
  api.use('/statistics', statisticsRoutes(statistics));
  api.use('/dashboards', dashboardRoutes(deps.services.dashboards, deps.audit));
  api.use('/export', exportRoutes(deps.services.exports, deps.services.dashboards));
  api.use('/home', homeRoutes(deps.services.home));
  api.use('/openapi.json', openApiRoutes(records));
  api.use((req, _res, next) => next(new DomainError(404, `Unbekannte Adresse: ${req.method} /api${req.path}`, 'not_found')));
  app.use('/api', api);

  const uiDir = deps.uiDir ?? path.join(ROOT, 'admin-ui', 'dist');
  if (fs.existsSync(path.join(uiDir, 'index.html'))) {
    // Built chunks carry a content hash in their name: the browser may keep them for good, so a
    // reload only fetches index.html and the API. index.html itself is always revalidated, so a
    // new release is picked up at the next load.
    app.use('/assets', express.static(path.join(uiDir, 'assets'), { index: false, immutable: true, maxAge: '365d' }));
    app.use('/assets', (_req, res) => res.status(404).type('text/plain').send('Datei nicht gefunden'));
    app.use(express.static(uiDir, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/|assets\/).*/, (_req, res) => res.set('Cache-Control', 'no-cache').sendFile(path.join(uiDir, 'index.html')));
  }

  app.use(errorHandler(deps.log));
  return app;
}

export const DATABASE_UNAVAILABLE =
  'Die Datenbank ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Augenblicken erneut – eine Änderung wird immer ganz oder gar nicht gespeichert.';

function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = (status: number, title: string, code: string, errors?: Record<string, string>) =>
      res
        .status(status)
        .type('application/problem+json')
        .json({ type: `urn:kim:problem:${code}`, title, status, requestId: req.requestId, ...(errors ? { errors } : {}) });
    if (err instanceof DomainError) return problem(err.status, err.message, err.code, err.fields);
    // Engine failures that reach the edge: a kind and the request id, never the engine's text.
    if (err instanceof EngineUnavailable) {
      log.warn({ requestId: req.requestId, path: req.path, kind: err.name, status: err.status }, 'engine unavailable');
      return problem(503, 'Die Prozess-Engine ist gerade nicht erreichbar. Ihre Eingaben sind nicht verloren – bitte versuchen Sie es in einigen Augenblicken erneut.', 'engine_unavailable');
    }
    if (err instanceof EngineNotFound) return problem(409, 'Der Prozessschritt ist nicht mehr aktiv (bereits erledigt oder abgebrochen). Bitte laden Sie die Ansicht neu.', 'engine_not_found');
    if (err instanceof EngineConflict) return problem(409, 'Jemand anderes hat den Vorgang gerade geändert. Bitte laden Sie die Ansicht neu und versuchen Sie es erneut.', 'engine_conflict');
    if (err instanceof EngineError) {
      log.error({ requestId: req.requestId, path: req.path, kind: err.name, status: err.status, type: err.type }, 'engine error');
      return problem(502, 'Die Prozess-Engine hat die Anfrage abgelehnt. Bitte nennen Sie dem Support die Anfrage-ID.', 'engine_error');
    }
    // PostgreSQL down or restarting: every write runs in one transaction, so nothing was half
    // written; the pool reconnects by itself. A kind for the log, never the driver's text.
    if (isDatabaseUnavailable(err)) {
      log.warn({ requestId: req.requestId, path: req.path, kind: unavailabilityKind(err) }, 'database unavailable');
      res.setHeader('Retry-After', '5');
      return problem(503, DATABASE_UNAVAILABLE, 'database_unavailable');
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') return problem(413, `Die Anfrage ist zu groß (höchstens ${BODY_LIMIT}).`, 'too_large');
    if (e?.type === 'entity.parse.failed') return problem(400, 'Der Inhalt der Anfrage ist kein gültiges JSON.', 'invalid_json');
    // The kind, the code locations and the request id (the correlation id the user sees) – never the
    // message: a database error repeats the values it refused (a unique key can be a person's name).
    log.error({ requestId: req.requestId, path: req.path, errorKind: errorKind(err), frames: stackFrames(err) }, 'unhandled error');
    return problem(500, 'Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es erneut; bleibt der Fehler, nennen Sie dem Support die Anfrage-ID.', 'internal');
  };
}
