/**
 * The timer that runs due export schedules (monthly, quarterly, yearly). Every server node may run
 * it: a due schedule is claimed by one node (ExportRepository.claim) and a period is recorded once.
 * One tick at a time per node; a failed tick is logged (class only) and retried at the next one.
 */
import type { AuditService } from '../audit/audit.service';
import type { Db } from '../db/prisma';
import { DashboardRepository } from '../dashboards/dashboard.repository';
import { DashboardService } from '../dashboards/dashboard.service';
import type { Logger } from '../util/log';
import { ExportRepository } from './export.repository';
import { ExportService } from './export.service';

export function buildExportService(db: Db, audit: AuditService): { dashboards: DashboardService; exports: ExportService } {
  const dashboards = new DashboardService(new DashboardRepository(db), audit);
  return { dashboards, exports: new ExportService(new ExportRepository(db), dashboards, audit) };
}

export function startExportSchedule(exports: ExportService, log: Logger, intervalMs: number): { stop(): Promise<void>; tick(): Promise<number> } {
  let running: Promise<number> | null = null;
  const tick = () =>
    (running ??= exports
      .runDue()
      .then((n) => {
        if (n) log.info({ exports: n }, 'scheduled exports made');
        return n;
      })
      .catch((e) => {
        log.warn({ err: (e as Error).name }, 'scheduled export failed');
        return 0;
      })
      .finally(() => (running = null)));
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
