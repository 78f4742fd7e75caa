/**
 * The services the HTTP layer serves, built in one place for the composition root (server/stack.ts):
 * routes receive them and never build services or repositories themselves.
 */
import { workers as workerRegistry, ENGINE_JOB_TYPES } from '../workers';
import type { AuditService } from './audit/audit.service';
import { CaseService } from './cases/case.service';
import { RecordRepository } from './cases/record.repository';
import { RecordsService } from './cases/records.service';
import { registerResources } from './cases/resources';
import { SupportPlanService } from './cases/support-plan.service';
import { WorkspaceService } from './cases/workspace.service';
import type { Config } from './config';
import { ConsentService } from './consents/consent.service';
import type { Db } from './db/prisma';
import { DocumentService } from './documents/document.service';
import type { Engine } from './engine/port';
import type { InboxService } from './inbox/inbox.service';
import type { IntakeService } from './cases/intake.service';
import { ModelRepository } from './models/model.repository';
import { ModelService } from './models/model.service';
import { ProcessViewRepository } from './models/process-view.repository';
import { ProcessViewService } from './models/process-view.service';
import { EinbuergerungRepository } from './naturalisation/einbuergerung.repository';
import { EinbuergerungProcessService } from './naturalisation/einbuergerung-process.service';
import { EinbuergerungService } from './naturalisation/einbuergerung.service';
import { ResidenceCheckService } from './residence/residence-check.service';
import { buildResidence, type ResidenceService } from './residence/residence.service';
import { buildSteering, type SteeringService } from './steering/steering.service';
import type { ReferralService } from './referrals/referral.service';
import { StatisticsRepository } from './reporting/statistics.repository';
import { StatisticsService } from './reporting/statistics.service';
import type { DashboardService } from './dashboards/dashboard.service';
import type { ExportService } from './export/export.service';
import { buildExportService } from './export/export.schedule';
import { HomeRepository } from './home/home.repository';
import { HomeService } from './home/home.service';
import { UserAdminRepository } from './users/users.repository';
import { UserAdminService } from './users/users.service';

export interface HttpServices {
  records: RecordsService;
  cases: CaseService;
  consents: ConsentService;
  documents: DocumentService;
  supportPlan: SupportPlanService;
  workspace: WorkspaceService;
  processView: ProcessViewService;
  models: ModelService;
  statistics: StatisticsService;
  /** Commune and state dashboards, Sachbericht, staff posts. */
  dashboards: DashboardService;
  /** Exports for "Datenbank KIM" (made now or by schedule). */
  exports: ExportService;
  /** The administrator's account actions (unlock, one-time password). */
  users: UserAdminService;
  /** The start page's work overview per role. */
  home: HomeService;
  /** The naturalisation quick check (decision on the engine, no process). */
  naturalisationCheck: EinbuergerungService;
  naturalisation: EinbuergerungProcessService;
  /** The residence quick check (§§ 25a/25b decision on the engine, no process). */
  residenceCheck: ResidenceCheckService;
  /** kim-bleiberecht: start, deadlines per case and overview. */
  residence: ResidenceService;
  /** kim-steuerung: themes, steering group, meetings, measures, closing notices. */
  steering: SteeringService;
}

export interface HttpServiceDeps {
  config: Config;
  db: Db;
  engine: Engine;
  audit: AuditService;
  inbox: InboxService;
  intake?: IntakeService;
  referrals?: ReferralService;
  /** The naturalisation process service of the stack (built here when absent). */
  naturalisation?: EinbuergerungProcessService;
  /** The residence path service of the stack (built here when absent). */
  residence?: ResidenceService;
  /** The steering service of the stack (built here without messages when absent: decisions then answer 503). */
  steering?: SteeringService;
  /** Topics with a running worker, next to the registry's (for the modeler's checks and templates). */
  runningTopics?: () => string[];
}

export function buildHttpServices(d: HttpServiceDeps): HttpServices {
  const repo = new RecordRepository(d.db);
  const records = registerResources(new RecordsService(repo));
  return {
    records,
    cases: new CaseService(records, repo, { intake: d.intake, referrals: d.referrals, retentionYears: d.config.KIM_CASE_RETENTION_YEARS }),
    consents: new ConsentService(records, repo),
    documents: new DocumentService(records, repo),
    supportPlan: new SupportPlanService(records, repo),
    workspace: new WorkspaceService(d.db, d.inbox, records),
    processView: new ProcessViewService(records, new ProcessViewRepository(d.db), d.engine.watch),
    models: new ModelService(new ModelRepository(d.db), d.engine, d.audit, {
      workerTypes: () => [...new Set([...workerRegistry.map((w) => w.type), ...(d.runningTopics?.() ?? [])])],
      engineJobTypes: ENGINE_JOB_TYPES,
    }),
    statistics: new StatisticsService(new StatisticsRepository(d.db)),
    ...buildExportService(d.db, d.audit),
    users: new UserAdminService(new UserAdminRepository(d.db), d.audit),
    home: new HomeService(new HomeRepository(d.db)),
    naturalisationCheck: new EinbuergerungService(d.engine.runtime, d.audit),
    residenceCheck: new ResidenceCheckService(d.engine.runtime, d.audit),
    residence: d.residence ?? buildResidence(d.db, d.engine.runtime, d.audit, d.config),
    steering: d.steering ?? buildSteering(d.db, d.engine.runtime, null, d.config),
    naturalisation: d.naturalisation ?? new EinbuergerungProcessService(new EinbuergerungRepository(d.db), d.engine.runtime, { taskDue: d.config.KIM_TASK_DUE }),
  };
}
