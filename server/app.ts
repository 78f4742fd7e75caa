/**
 * createApp(deps): the express application. Thin routes over domain services; every error leaves as
 * a JSON problem body in German, never a stack trace.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import { authRoutes } from './api/auth.routes';
import { einbuergerungRoutes } from './api/einbuergerung.routes';
import { healthRoutes } from './api/health.routes';
import { partnerRoutes } from './api/partner.routes';
import { conferencePartnerRoutes } from './api/conference-partner.routes';
import { conferenceRoutes } from './api/conference.routes';
import type { ConferenceService } from './domain/conference.service';
import { csrfMiddleware, sessionMiddleware } from './api/session';
import { openApiRoutes } from './api/openapi';
import { allResourceRoutes } from './api/resources.routes';
import { statisticsRoutes } from './api/statistics.routes';
import { supportPlanRoutes } from './api/support-plan.routes';
import { taskRoutes } from './api/tasks.routes';
import { modelRoutes } from './api/models.routes';
import { ModelHistoryRepository } from './data/model-history.repository';
import { ModelRepository } from './data/model.repository';
import { ModelService } from './domain/model.service';
import { ENGINE_JOB_TYPES, workers as workerRegistry } from '../workers';
import { meRoutes, taskWorkspaceRoutes } from './api/workspace.routes';
import { processViewRoutes } from './api/process-view.routes';
import type { EngineHistoryRepository } from './data/engine-history.repository';
import { ProcessViewRepository } from './data/process-view.repository';
import { ProcessViewService } from './domain/process-view.service';
import { RecordRepository } from './data/record.repository';
import { StatisticsRepository } from './data/statistics.repository';
import { CaseService } from './domain/case.service';
import { ConsentService } from './domain/consent.service';
import { DocumentService } from './domain/document.service';
import { RecordsService } from './domain/records.service';
import { registerResources } from './domain/resources';
import { StatisticsService } from './domain/statistics.service';
import { SupportPlanService } from './domain/support-plan.service';
import type { Zeebe } from './camunda/client';
import type { Config } from './config';
import { ROOT } from './config';
import type { Db } from './data/prisma';
import type { AuditService } from './domain/audit.service';
import type { AuthService } from './domain/auth.service';
import { DomainError } from './domain/errors';
import type { InboxService } from './domain/inbox.service';
import type { IntakeService } from './domain/intake.service';
import type { ReferralService } from './domain/referral.service';
import type { TaskEvents } from './domain/task-events';
import type { Logger } from './util/log';
import type { WorkerStatus } from '../workers/runtime';

z.config(z.locales.de());

export interface AppDeps {
  config: Config;
  db: Db;
  zeebe: Zeebe;
  log: Logger;
  auth: AuthService;
  audit: AuditService;
  inbox: InboxService;
  workerStatus: () => WorkerStatus[];
  /** kim-referral: partner page and process start (optional). */
  referrals?: ReferralService;
  /** kim-fallkonferenz: process start and partner pages (optional). */
  conferences?: ConferenceService;
  /** kim-intake: POST /api/cases starts it (optional; without it the route answers 503). */
  intake?: IntakeService;
  /** Directory of the built web app; served when it exists. */
  uiDir?: string;
  /** Engine history written by the KIM exporter (process view); without it the view answers 503. */
  engineHistory?: EngineHistoryRepository;
  /** Live inbox: GET /api/tasks/events (optional; without it the route answers 503). */
  taskEvents?: TaskEvents;
}

export const BODY_LIMIT = '256kb';

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  app.use((req, res, next) => {
    req.requestId = req.get('x-request-id')?.slice(0, 64) || crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    next();
  });

  // Partner page of kim-referral: outside the session/CSRF-protected API, authorised by its signed link.
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
  api.use('/health', healthRoutes(deps));
  api.use('/auth', authRoutes(deps));
  api.use('/tasks', taskRoutes(deps));
  api.use('/tasks', taskWorkspaceRoutes(deps));
  api.use('/me', meRoutes(deps));
  api.use('/einbuergerung', einbuergerungRoutes(deps));
  const repo = new RecordRepository(deps.db);
  const records = registerResources(new RecordsService(repo));
  const services = { records, cases: new CaseService(records, repo, { intake: deps.intake, referrals: deps.referrals, retentionYears: deps.config.KIM_CASE_RETENTION_YEARS }), consents: new ConsentService(records, repo), documents: new DocumentService(records, repo) };
  for (const [mount, router] of supportPlanRoutes(new SupportPlanService(records, repo))) api.use(mount, router);
  api.use('/conferences', conferenceRoutes(deps));
  api.use('/cases', processViewRoutes(new ProcessViewService(records, new ProcessViewRepository(deps.db), deps.engineHistory)));
  for (const [mount, router] of allResourceRoutes(services)) api.use(mount, router);
  // Process modeler (issue 7)
  const models = new ModelService(new ModelRepository(deps.db), deps.zeebe, deps.audit, {
    workerTypes: () => [...new Set([...workerRegistry.map((w) => w.type), ...deps.workerStatus().map((s) => s.type)])],
    engineJobTypes: ENGINE_JOB_TYPES,
    history: deps.engineHistory && new ModelHistoryRepository(deps.engineHistory),
  });
  api.use('/models', modelRoutes(models));
  api.use('/statistics', statisticsRoutes(new StatisticsService(new StatisticsRepository(deps.db))));
  api.use('/openapi.json', openApiRoutes(records));
  api.use((req, _res, next) => next(new DomainError(404, `Unbekannte Adresse: ${req.method} /api${req.path}`, 'not_found')));
  app.use('/api', api);

  const uiDir = deps.uiDir ?? path.join(ROOT, 'admin-ui', 'dist');
  if (fs.existsSync(path.join(uiDir, 'index.html'))) {
    app.use(express.static(uiDir, { index: false, maxAge: '1h' }));
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(path.join(uiDir, 'index.html')));
  }

  app.use(errorHandler(deps.log));
  return app;
}

function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = (status: number, title: string, code: string, errors?: Record<string, string>) =>
      res
        .status(status)
        .type('application/problem+json')
        .json({ type: `urn:kim:problem:${code}`, title, status, requestId: req.requestId, ...(errors ? { errors } : {}) });
    if (err instanceof DomainError) return problem(err.status, err.message, err.code, err.fields);
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.too.large') return problem(413, `Die Anfrage ist zu groß (höchstens ${BODY_LIMIT}).`, 'too_large');
    if (e?.type === 'entity.parse.failed') return problem(400, 'Der Inhalt der Anfrage ist kein gültiges JSON.', 'invalid_json');
    log.error({ requestId: req.requestId, path: req.path, err: { message: e?.message, stack: (err as Error)?.stack } }, 'unhandled error');
    return problem(500, 'Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es erneut; bleibt der Fehler, nennen Sie dem Support die Anfrage-ID.', 'internal');
  };
}
