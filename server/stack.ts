/**
 * Brings up the whole product in order – database, migrations, engine, deployment, workers, API and
 * web app – and takes it down in reverse. Used by `npm start`, by the test suite (with its own
 * databases and engine) and by the benchmarks.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { LocalEngine } from '../engine/engine';
import { jdbcFromUrl } from '../engine/exporter';
import { seed } from '../prisma/seed';
import { workers as registry } from '../workers';
import type { WorkerDeps } from '../workers/deps';
import { IncidentInfo, WorkerDefinition, WorkerRuntime } from '../workers/runtime';
import { createApp } from './app';
import { createCamunda, Zeebe } from './camunda/client';
import { collectResources, deployResources, DeployResult } from './camunda/deploy';
import { Config, ROOT, usesExternalEngine } from './config';
import { migrate } from './db/migrate';
import { ensureDatabase, PostgresHandle, resolvePostgres } from './db/postgres';
import { createPrisma, Db } from './data/prisma';
import { AuditService } from './domain/audit.service';
import { AuthService } from './domain/auth.service';
import { InboxService } from './domain/inbox.service';
import { TaskEvents } from './domain/task-events';
import { CaseProcessRepository } from './data/case-process.repository';
import { CaseProcessService } from './domain/case-process.service';
import { IntakeService } from './domain/intake.service';
import { EinbuergerungRepository } from './data/einbuergerung.repository';
import { EinbuergerungProcessService } from './domain/einbuergerung-process.service';
import { ReferralRepository } from './data/referral.repository';
import { ReferralService } from './domain/referral.service';
import { ConferenceRepository } from './data/conference.repository';
import { ConferenceService } from './domain/conference.service';
import { RetentionRepository } from './data/retention.repository';
import { RetentionService } from './domain/retention.service';
import { ModelRepository } from './data/model.repository';
import { EngineHistoryRepository } from './data/engine-history.repository';
import { createSmtpMailer } from './util/mailer';
import { createLogger, Logger } from './util/log';
import { Progress } from './util/progress';

export interface StackOptions {
  config: Config;
  progress?: Progress;
  /** Folder whose BPMN/DMN/forms are deployed (default processes/). */
  processesDir?: string;
  /** Start the job workers (default true). */
  workers?: boolean;
  /** Worker definitions (default: the registry in workers/index.ts). */
  workerDefs?: Array<WorkerDefinition<WorkerDeps>>;
  /** Seed demo users and communes (default true). */
  seed?: boolean;
  /** Start the HTTP server (default true); port 0 picks a free one. */
  http?: boolean;
  log?: Logger;
}

export interface Stack {
  config: Config;
  url: string;
  databaseUrl: string;
  /** Engine history database the KIM exporter writes (process view). */
  engineDatabaseUrl: string;
  engine: { grpcAddress: string; restAddress: string; local?: LocalEngine };
  db: Db;
  zeebe: Zeebe;
  log: Logger;
  services: { inbox: InboxService; auth: AuthService; audit: AuditService; intake: IntakeService; caseProcess: CaseProcessService; referrals: ReferralService; conferences: ConferenceService; einbuergerung: EinbuergerungProcessService };
  runtime: WorkerRuntime<WorkerDeps>;
  deployment: DeployResult;
  startWorkers(defs?: Array<WorkerDefinition<WorkerDeps>>): void;
  stopWorkers(): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const cfg = opts.config;
  const log = opts.log ?? createLogger(cfg.LOG_LEVEL);
  const progress = opts.progress;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log.error({ err: (e as Error).message }, 'stop failed'));
    stops.length = 0;
  };

  try {
    // 1. PostgreSQL and the app database
    const pg: PostgresHandle = await resolvePostgres({ databaseUrl: cfg.DATABASE_URL, dataDir: cfg.KIM_DATA_DIR, progress });
    stops.push(() => pg.stop());
    const explicitDb = cfg.DATABASE_URL && new URL(cfg.DATABASE_URL).pathname.length > 1;
    const dbName = explicitDb ? new URL(cfg.DATABASE_URL!).pathname.slice(1) : cfg.KIM_DB_NAME;
    await ensureDatabase(pg.baseUrl, dbName);
    const databaseUrl = pg.urlFor(dbName);

    // 2. Migrations
    await migrate(databaseUrl, { progress });
    const db = createPrisma(databaseUrl);
    stops.push(() => db.$disconnect());
    if (opts.seed !== false) {
      const step = progress?.step('Demo-Daten anlegen');
      const r = await seed(db, cfg.KIM_DEMO_PASSWORD);
      step?.done(r.users ? `${r.users} Benutzer angelegt` : 'bereits vorhanden');
    }

    // 3. Engine (its KIM exporter writes element events into a database of its own)
    const engineDatabaseUrl = cfg.KIM_ENGINE_DATABASE_URL ?? pg.urlFor(cfg.KIM_ENGINE_DB_NAME);
    let engine: Stack['engine'];
    if (usesExternalEngine(cfg)) {
      engine = { grpcAddress: cfg.ZEEBE_GRPC_ADDRESS ?? 'grpc://127.0.0.1:26500', restAddress: cfg.ZEEBE_REST_ADDRESS ?? 'http://127.0.0.1:8080' };
      progress?.step('Camunda-Engine').done(`extern: ${engine.grpcAddress}`);
    } else {
      const local = new LocalEngine({
        version: cfg.KIM_CAMUNDA_VERSION,
        cacheDir: cfg.KIM_CACHE_DIR,
        dataDir: path.join(cfg.KIM_DATA_DIR, 'engine'),
        restPort: cfg.KIM_ENGINE_REST_PORT,
        grpcPort: cfg.KIM_ENGINE_GRPC_PORT,
        managementPort: cfg.KIM_ENGINE_MANAGEMENT_PORT,
        heap: cfg.KIM_ENGINE_HEAP,
        diskWatermark: cfg.KIM_ENGINE_DISK_WATERMARK,
        progress,
        exporter: jdbcFromUrl(engineDatabaseUrl),
      });
      if (!cfg.KIM_ENGINE_DATABASE_URL) await ensureDatabase(pg.baseUrl, cfg.KIM_ENGINE_DB_NAME);
      stops.push(() => local.stop());
      const ep = await local.start();
      engine = { ...ep, local };
    }
    const engineHistory = new EngineHistoryRepository(engineDatabaseUrl);
    stops.push(() => engineHistory.close());
    const { zeebe } = createCamunda(engine, cfg.CAMUNDA_AUTH_STRATEGY);
    stops.push(async () => {
      await zeebe.close().catch(() => undefined);
    });

    // 4. Process deployment
    const resources = collectResources(opts.processesDir ?? path.join(ROOT, 'processes'));
    const dstep = progress?.step(`Prozesse bereitstellen (${resources.length} Dateien)`);
    const deployment = await deployResources(db, zeebe, resources, { onProgress: (i, n, name) => dstep?.update(`${i}/${n}: ${name}`) });
    dstep?.done(`${deployment.deployed.length} neu, ${deployment.unchanged.length} unverändert`);

    // 5. Services and workers
    const audit = new AuditService(db);
    const auth = new AuthService(db, audit, cfg.KIM_SESSION_MINUTES);
    const inbox = new InboxService(db, zeebe, audit);
    // kim-intake / kim-case (issue 4)
    const caseRepo = new CaseProcessRepository(db);
    const intake = new IntakeService(caseRepo, zeebe, { taskDue: cfg.KIM_TASK_DUE, reviewInterval: cfg.KIM_REVIEW_INTERVAL });
    const caseProcess = new CaseProcessService(caseRepo, cfg.KIM_CASE_RETENTION_YEARS);
    const mailer = createSmtpMailer(cfg.KIM_SMTP_URL, cfg.KIM_MAIL_FROM);
    stops.push(async () => mailer.close());
    const referrals = new ReferralService(new ReferralRepository(db), zeebe, mailer, {
      linkSecret: cfg.KIM_LINK_SECRET,
      linkTtlDays: cfg.KIM_LINK_TTL_DAYS,
      publicUrl: cfg.KIM_PUBLIC_URL,
      reminderAfter: cfg.KIM_REFERRAL_REMINDER_AFTER,
    });
    // kim-einbuergerung (issue 5)
    const einbuergerung = new EinbuergerungProcessService(new EinbuergerungRepository(db), zeebe, { taskDue: cfg.KIM_TASK_DUE });
    const deps: WorkerDeps = { inbox, log, intake, caseProcess, referrals, einbuergerung };
    // kim-fallkonferenz (issue 5)
    const conferences = new ConferenceService(new ConferenceRepository(db), zeebe, mailer, {
      linkSecret: cfg.KIM_LINK_SECRET,
      linkTtlDays: cfg.KIM_LINK_TTL_DAYS,
      publicUrl: cfg.KIM_PUBLIC_URL,
      reminderBefore: cfg.KIM_CONFERENCE_REMINDER_BEFORE,
      mailFrom: cfg.KIM_MAIL_FROM,
    });
    deps.conferences = conferences;
    // Issue 7: jobs failing with no retries left are recorded as incidents (8.6 has no incident query).
    const modelRepo = new ModelRepository(db);
    const incidentHooks = { onIncident: async (i: IncidentInfo) => void (await modelRepo.recordIncident(i)) };
    let runtime = new WorkerRuntime<WorkerDeps>(zeebe, deps, log, incidentHooks);
    const startWorkers = (defs = opts.workerDefs ?? registry) => {
      runtime.start(defs);
    };
    const stopWorkers = async () => {
      await runtime.stop();
    };
    stops.push(() => runtime.stop());
    if (opts.workers !== false) {
      startWorkers();
      progress?.step('Job-Worker').done(runtime.statuses().map((s) => s.type).join(', '));
    }
    const reconcileTimer = setInterval(() => {
      inbox.reconcile().catch((e) => log.warn({ err: (e as Error).message }, 'inbox reconcile failed'));
    }, cfg.KIM_RECONCILE_INTERVAL_MS);
    reconcileTimer.unref();
    stops.push(async () => clearInterval(reconcileTimer));
    // Retention: closed cases are deleted everywhere at their deletion date (one run at a time).
    const retention = new RetentionService(new RetentionRepository(db), { cancelProcessInstance: (key) => zeebe.cancelProcessInstance(key) }, log, engineHistory);
    let retentionRun: Promise<unknown> | null = null;
    const retentionTimer = setInterval(() => {
      retentionRun ??= retention
        .run()
        .catch((e) => log.warn({ err: (e as Error).message }, 'retention run failed'))
        .finally(() => (retentionRun = null));
    }, cfg.KIM_RETENTION_INTERVAL_MS);
    retentionTimer.unref();
    stops.push(async () => {
      clearInterval(retentionTimer);
      await retentionRun;
    });

    // 6. API and web app
    let url = '';
    if (opts.http !== false) {
      // Live inbox: LISTEN on the Task trigger's channel, event streams per open list.
      const taskEvents = new TaskEvents(databaseUrl, log, { sessionValid: async (token) => (await auth.resolve(token)) !== null });
      await taskEvents.start();
      stops.push(() => taskEvents.stop());
      const app = createApp({ config: cfg, db, zeebe, log, auth, audit, inbox, referrals, conferences, intake, engineHistory, taskEvents, workerStatus: () => runtime.statuses() });
      const server = http.createServer(app);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          reject(
            e.code === 'EADDRINUSE'
              ? new Error(`Port ${cfg.PORT} ist bereits belegt. Abhilfe: den anderen Prozess beenden oder PORT=<frei> setzen.`)
              : e,
          ),
        );
        server.listen(cfg.PORT, cfg.HOST, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      url = `http://${cfg.HOST === '0.0.0.0' ? 'localhost' : cfg.HOST === '127.0.0.1' ? 'localhost' : cfg.HOST}:${port}`;
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      );
      const uiBuilt = fs.existsSync(path.join(ROOT, 'admin-ui', 'dist', 'index.html'));
      progress?.step('API und Web-App').done(uiBuilt ? url : `${url} (nur API – Web-App nicht gebaut)`);
    }

    return {
      config: cfg,
      url,
      databaseUrl,
      engineDatabaseUrl,
      engine,
      db,
      zeebe,
      log,
      services: { inbox, auth, audit, intake, caseProcess, conferences, referrals, einbuergerung },
      get runtime() {
        return runtime;
      },
      deployment,
      startWorkers: (defs) => {
        runtime = new WorkerRuntime<WorkerDeps>(zeebe, deps, log, incidentHooks);
        startWorkers(defs);
      },
      stopWorkers,
      stop: stopAll,
    } as Stack;
  } catch (e) {
    await stopAll();
    throw e;
  }
}
