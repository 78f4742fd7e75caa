/**
 * Brings up the whole product in order – database, migrations, engine, deployment, workers, API and
 * web app – and takes it down in reverse. Used by `npm start`, by the test suite (with its own
 * databases and engine) and by the benchmarks.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { jdbcTarget, LocalEngine } from '../engine/engine';
import { seed } from '../prisma/seed';
import { workers as registry } from '../workers';
import type { WorkerDeps } from '../workers/deps';
import { WorkerDefinition, WorkerRuntime } from '../workers/runtime';
import { createApp } from './app';
import { buildHttpServices } from './services';
import { collectResources, deployResources, DeployResult } from './engine/deploy';
import { createOperatonEngine, Engine } from './engine';
import { MessageWaits } from './engine/message-waits';
import { Config, ROOT, usesExternalEngine } from './config';
import { migrate } from './db/migrate';
import { ensureDatabase, PostgresHandle, resolvePostgres } from './db/postgres';
import { createPrisma, Db } from './db/prisma';
import { AuditService } from './audit/audit.service';
import { AuthService } from './auth/auth.service';
import { InboxService } from './inbox/inbox.service';
import { TaskEvents } from './inbox/task-events';
import { CaseProcessRepository } from './cases/case-process.repository';
import { CaseProcessService } from './cases/case-process.service';
import { IntakeService } from './cases/intake.service';
import { EinbuergerungRepository } from './naturalisation/einbuergerung.repository';
import { EinbuergerungProcessService } from './naturalisation/einbuergerung-process.service';
import { buildResidence, type ResidenceService } from './residence/residence.service';
import { buildSteering, type SteeringService } from './steering/steering.service';
import { ReferralRepository } from './referrals/referral.repository';
import { ReferralService } from './referrals/referral.service';
import { ConferenceRepository } from './conferences/conference.repository';
import { ConferenceService } from './conferences/conference.service';
import { RetentionRepository } from './cases/retention.repository';
import { RetentionService } from './cases/retention.service';
import { PendingMessageRepository } from './messages/pending-message.repository';
import { MessageService } from './messages/messages.service';
import { createSmtpMailer } from './util/mailer';
import { startEmbeddedCatcher } from './mail/catcher';
import { MailDispatcher } from './mail/dispatcher';
import { MailService } from './mail/mail.service';
import { MailOutboxRepository } from './mail/outbox.repository';
import { createLogger, Logger } from './util/log';
import { Progress } from './util/progress';
import { buildExportService, startExportSchedule } from './export/export.schedule';

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
  /** The engine port (Operaton REST) the product talks to. */
  engine: Engine;
  /** The local engine JVM when this stack started one. */
  localEngine?: LocalEngine;
  db: Db;
  log: Logger;
  services: {
    inbox: InboxService;
    auth: AuthService;
    audit: AuditService;
    intake: IntakeService;
    caseProcess: CaseProcessService;
    referrals: ReferralService;
    conferences: ConferenceService;
    einbuergerung: EinbuergerungProcessService;
    /** kim-bleiberecht: residence path, deadline tracker. */
    residence: ResidenceService;
    /** kim-steuerung: themes, steering group, measures, gap intake. */
    steering: SteeringService;
    messages: MessageService;
    /** The mail outbox (queue, dispatcher, Postausgang). */
    mail: MailService;
  };
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
    for (const s of stops.reverse()) await s().catch((e) => log.error({ err: e }, 'stop failed'));
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

    // 3. Engine: Operaton with its tables in schema "engine" of the app database (its task listener
    //    writes the inbox projection in the engine's own transaction), or an engine someone else runs.
    let engineUrl: string;
    let localEngine: LocalEngine | undefined;
    if (usesExternalEngine(cfg)) {
      engineUrl = cfg.KIM_ENGINE_URL!;
      progress?.step('Engine (Operaton)').done(`extern: ${engineUrl}`);
    } else {
      localEngine = new LocalEngine({
        cacheDir: cfg.KIM_CACHE_DIR,
        dataDir: path.join(cfg.KIM_DATA_DIR, 'engine'),
        port: cfg.KIM_ENGINE_PORT,
        heap: cfg.KIM_ENGINE_HEAP,
        database: jdbcTarget(databaseUrl),
        username: cfg.KIM_ENGINE_USERNAME,
        password: cfg.KIM_ENGINE_PASSWORD,
        jobMaxWaitMs: cfg.KIM_ENGINE_JOB_MAX_WAIT_MS,
        progress,
      });
      const local = localEngine;
      stops.push(() => local.stop());
      engineUrl = await local.start();
    }
    const engine = createOperatonEngine({ url: engineUrl, username: cfg.KIM_ENGINE_PASSWORD ? cfg.KIM_ENGINE_USERNAME : undefined, password: cfg.KIM_ENGINE_PASSWORD });

    // 4. Process deployment
    const resources = collectResources(opts.processesDir ?? path.join(ROOT, 'processes'));
    const dstep = progress?.step(`Prozesse bereitstellen (${resources.length} Dateien)`);
    const deployment = await deployResources(db, engine.deployer, resources, { onProgress: (i, n, name) => dstep?.update(`${i}/${n}: ${name}`) });
    dstep?.done(`${deployment.deployed.length} neu, ${deployment.unchanged.length} unverändert`);

    // 5. Services and workers
    const audit = new AuditService(db);
    const auth = new AuthService(db, audit, cfg.KIM_SESSION_MINUTES);
    const inbox = new InboxService(db, engine.tasks, audit);
    // Messages for instances that do not wait yet are kept and delivered when they do.
    const messages = new MessageService(new PendingMessageRepository(db), engine.runtime, log, { ttlDays: cfg.KIM_MESSAGE_TTL_DAYS });
    const waits = new MessageWaits(
      databaseUrl,
      log,
      (w) => void messages.deliverFor(w.processInstanceKey).catch((e) => log.warn({ err: (e as Error).name }, 'message delivery failed')),
      () => void messages.deliverAll().catch((e) => log.warn({ err: (e as Error).name }, 'message delivery failed')),
    );
    await waits.start();
    stops.push(() => waits.stop());
    // A kept message whose instance ends without ever waiting is dropped by the sweep (and any
    // wait announced while the LISTEN connection was down is caught up).
    let sweep: Promise<unknown> | null = null;
    const sweepTimer = setInterval(() => {
      sweep ??= messages
        .deliverAll()
        .catch((e) => log.warn({ err: (e as Error).name }, 'message sweep failed'))
        .finally(() => (sweep = null));
    }, cfg.KIM_MESSAGE_SWEEP_INTERVAL_MS);
    sweepTimer.unref();
    stops.push(async () => {
      clearInterval(sweepTimer);
      await sweep;
    });
    // kim-intake / kim-case
    const caseRepo = new CaseProcessRepository(db);
    const intake = new IntakeService(caseRepo, engine.runtime, { taskDue: cfg.KIM_TASK_DUE, reviewInterval: cfg.KIM_REVIEW_INTERVAL });
    const caseProcess = new CaseProcessService(caseRepo, cfg.KIM_CASE_RETENTION_YEARS);
    // Mail: a configured SMTP server, else the embedded catcher on loopback (nothing leaves the machine).
    let smtpUrl = cfg.KIM_SMTP_URL;
    if (!smtpUrl) {
      const catcher = await startEmbeddedCatcher();
      stops.push(() => catcher.close());
      smtpUrl = catcher.url;
    }
    const mailer = createSmtpMailer(smtpUrl, cfg.KIM_MAIL_FROM);
    stops.push(async () => mailer.close());
    const mailRepo = new MailOutboxRepository(db);
    const dispatcher = new MailDispatcher(mailRepo, mailer, log, {
      retryBaseMs: cfg.KIM_MAIL_RETRY_MS,
      maxDelayMs: Math.max(cfg.KIM_MAIL_RETRY_MS, 3_600_000),
      maxAttempts: cfg.KIM_MAIL_MAX_ATTEMPTS,
      messageIdDomain: new URL(cfg.KIM_PUBLIC_URL).hostname || 'kim.localhost',
    });
    const mail = new MailService(db, mailRepo, dispatcher, audit, !cfg.KIM_SMTP_URL);
    dispatcher.start();
    stops.push(() => dispatcher.stop());
    const referrals = new ReferralService(new ReferralRepository(db), engine.runtime, messages, mail, {
      linkSecret: cfg.KIM_LINK_SECRET,
      linkTtlDays: cfg.KIM_LINK_TTL_DAYS,
      publicUrl: cfg.KIM_PUBLIC_URL,
      reminderAfter: cfg.KIM_REFERRAL_REMINDER_AFTER,
    });
    // kim-einbuergerung
    const einbuergerung = new EinbuergerungProcessService(new EinbuergerungRepository(db), engine.runtime, { taskDue: cfg.KIM_TASK_DUE });
    // kim-bleiberecht
    const residence = buildResidence(db, engine.runtime, audit, cfg);
    const deps: WorkerDeps = { inbox, log, intake, caseProcess, referrals, einbuergerung, residence };
    // kim-fallkonferenz
    const conferences = new ConferenceService(new ConferenceRepository(db), engine.runtime, messages, mail, {
      linkSecret: cfg.KIM_LINK_SECRET,
      linkTtlDays: cfg.KIM_LINK_TTL_DAYS,
      publicUrl: cfg.KIM_PUBLIC_URL,
      reminderBefore: cfg.KIM_CONFERENCE_REMINDER_BEFORE,
      mailFrom: cfg.KIM_MAIL_FROM,
    });
    deps.conferences = conferences;
    // kim-steuerung: reported gaps and themes without an instance are taken into the process.
    const steering = buildSteering(db, engine.runtime, messages, cfg, log);
    deps.steering = steering;
    const intakeTimer = setInterval(() => void steering.sweep().catch((e) => log.warn({ err: (e as Error).name }, 'steering intake failed')), cfg.KIM_STEERING_INTAKE_INTERVAL_MS);
    intakeTimer.unref();
    stops.push(async () => {
      clearInterval(intakeTimer);
      await steering.settled();
    });
    let runtime = new WorkerRuntime<WorkerDeps>(engine.work, deps, log);
    const startWorkers = (defs = opts.workerDefs ?? registry) => {
      runtime.start(defs);
    };
    const stopWorkers = async () => {
      await runtime.stop();
    };
    stops.push(() => runtime.stop());
    if (opts.workers !== false) {
      startWorkers();
      progress?.step('Worker').done(`${runtime.statuses().length} Themen`);
    }
    // Retention: closed cases are deleted everywhere at their deletion date (one run at a time).
    const retention = new RetentionService(new RetentionRepository(db), engine.watch, log);
    let retentionRun: Promise<unknown> | null = null;
    const retentionTimer = setInterval(() => {
      retentionRun ??= retention
        .run()
        .catch((e) => log.warn({ err: e }, 'retention run failed'))
        .finally(() => (retentionRun = null));
    }, cfg.KIM_RETENTION_INTERVAL_MS);
    retentionTimer.unref();
    stops.push(async () => {
      clearInterval(retentionTimer);
      await retentionRun;
    });

    // Scheduled exports for "Datenbank KIM" (monthly, quarterly, yearly).
    const exportSchedule = startExportSchedule(buildExportService(db, audit).exports, log, cfg.KIM_EXPORT_INTERVAL_MS);
    stops.push(() => exportSchedule.stop());

    // 6. API and web app
    let url = '';
    if (opts.http !== false) {
      // Live inbox: LISTEN on the Task trigger's channel, event streams per open list.
      const taskEvents = new TaskEvents(databaseUrl, log, { sessionValid: async (token) => (await auth.resolve(token)) !== null });
      await taskEvents.start();
      stops.push(() => taskEvents.stop());
      const services = buildHttpServices({ config: cfg, db, engine, audit, inbox, intake, referrals, naturalisation: einbuergerung, residence, steering, runningTopics: () => runtime.statuses().map((s) => s.type) });
      const app = createApp({ config: cfg, db, engine, log, auth, audit, inbox, referrals, conferences, intake, taskEvents, services, mail, workerStatus: () => runtime.statuses() });
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
      engine,
      localEngine,
      db,
      log,
      services: { inbox, auth, audit, intake, caseProcess, conferences, referrals, einbuergerung, residence, steering, messages, mail },
      get runtime() {
        return runtime;
      },
      deployment,
      startWorkers: (defs) => {
        runtime = new WorkerRuntime<WorkerDeps>(engine.work, deps, log);
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
