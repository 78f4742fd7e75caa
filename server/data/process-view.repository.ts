/**
 * App-side data of the process view: which process instances belong to a case (the rows that
 * started them and the task projection) and the BPMN of the deployed versions (ProcessSource).
 */
import type { AuditRow } from './record.repository';
import type { Db } from './prisma';

export interface DeployedModel {
  processDefinitionKey: string;
  processId: string;
  version: number;
  xml: string;
}

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

  /** The model as deployed: by definition key, else (deployed elsewhere) the same process id and version. */
  async model(processDefinitionKey: string, processId: string, version: number): Promise<DeployedModel | null> {
    const byKey = await this.db.processSource.findUnique({ where: { processDefinitionKey } });
    const row = byKey ?? (await this.db.processSource.findFirst({ where: { processId, version }, orderBy: { createdAt: 'desc' } }));
    return row ? { processDefinitionKey: row.processDefinitionKey, processId: row.processId, version: row.version, xml: row.xml } : null;
  }

  async writeAudit(rows: AuditRow[]): Promise<void> {
    if (rows.length) await this.db.auditLog.createMany({ data: rows });
  }
}
