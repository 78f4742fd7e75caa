/**
 * App-side data of the process view: which process instances belong to a case (the rows that
 * started them and the task projection) and the models as written (ProcessSource).
 */
import { appendAudit } from '../audit/audit.repository';
import type { AuditRow } from '../cases/record.repository';
import type { Db } from '../db/prisma';

export class ProcessViewRepository {
  constructor(private readonly db: Db) {}

  /** Instance keys the app knows for the case: case, referrals, conferences, naturalisation, tasks. */
  async caseInstanceKeys(caseId: string): Promise<string[]> {
    const [kase, referrals, conferences, naturalisations, tasks] = await Promise.all([
      this.db.case.findUnique({ where: { id: caseId }, select: { processInstanceKey: true } }),
      this.db.referral.findMany({ where: { caseId, processInstanceKey: { not: null } }, select: { processInstanceKey: true }, orderBy: { createdAt: 'asc' } }),
      this.db.conference.findMany({ where: { caseId, processInstanceKey: { not: null } }, select: { processInstanceKey: true }, orderBy: { createdAt: 'asc' } }),
      this.db.naturalisation.findMany({ where: { caseId, processInstanceKey: { not: null } }, select: { processInstanceKey: true }, orderBy: { createdAt: 'asc' } }),
      this.db.task.findMany({ where: { caseId }, select: { processInstanceKey: true }, distinct: ['processInstanceKey'], orderBy: { processInstanceKey: 'asc' } }),
    ]);
    const keys = [kase?.processInstanceKey, ...referrals.map((r) => r.processInstanceKey), ...conferences.map((c) => c.processInstanceKey), ...naturalisations.map((n) => n.processInstanceKey), ...tasks.map((t) => t.processInstanceKey)];
    return [...new Set(keys.filter((k): k is string => Boolean(k)))];
  }

  /** The model of a deployed definition as written, with its element names, or null when not stored here. */
  async model(processDefinitionKey: string): Promise<{ xml: string; elementNames: Record<string, string> | null } | null> {
    const [src, def] = await Promise.all([
      this.db.processSource.findUnique({ where: { processDefinitionKey }, select: { xml: true } }),
      this.db.processDefinition.findUnique({ where: { key: processDefinitionKey }, select: { elementNames: true } }),
    ]);
    return src ? { xml: src.xml, elementNames: (def?.elementNames as Record<string, string> | undefined) ?? null } : null;
  }

  async writeAudit(rows: AuditRow[]): Promise<void> {
    await appendAudit(this.db, rows);
  }
}
