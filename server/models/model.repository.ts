/**
 * Prisma access for the process modeler: what the app keeps next to the engine per commune (tenant) –
 * element names and sources of deployed versions, who deployed and released them, drafts, forms – and
 * the open-task counts of the inbox projection. What runs in the engine is read through the engine port.
 */
import type { Db } from '../db/prisma';

export interface DraftRow {
  id: string;
  kommuneId: string;
  processId: string;
  xml: string;
  forms: unknown;
  baseVersion: number | null;
  revision: number;
  status: string;
  createdBy: string;
  updatedBy: string;
  submittedBy: string | null;
  submittedAt: Date | null;
  submitComment: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export class ModelRepository {
  constructor(readonly db: Db) {}

  /**
   * The case each of these process instances belongs to, among the cases `caseWhere` lets the reader
   * see: the instance a case, referral, conference or naturalisation started, else the case of one of
   * the instance's user tasks (inbox projection).
   */
  async casesOfInstances(keys: string[], caseWhere: Record<string, unknown>): Promise<Map<string, { id: string; reference: string }>> {
    const out = new Map<string, { id: string; reference: string }>();
    if (!keys.length) return out;
    const inKeys = { processInstanceKey: { in: keys } };
    const [cases, referrals, conferences, naturalisations, tasks] = await Promise.all([
      this.db.case.findMany({ where: inKeys, select: { id: true, processInstanceKey: true } }),
      this.db.referral.findMany({ where: inKeys, select: { caseId: true, processInstanceKey: true } }),
      this.db.conference.findMany({ where: inKeys, select: { caseId: true, processInstanceKey: true } }),
      this.db.naturalisation.findMany({ where: inKeys, select: { caseId: true, processInstanceKey: true } }),
      this.db.task.findMany({ where: { ...inKeys, caseId: { not: null } }, select: { caseId: true, processInstanceKey: true }, distinct: ['processInstanceKey'] }),
    ]);
    const caseOf = new Map<string, string>();
    for (const r of [...cases.map((c) => ({ caseId: c.id, processInstanceKey: c.processInstanceKey })), ...referrals, ...conferences, ...naturalisations, ...tasks]) {
      if (r.processInstanceKey && r.caseId && !caseOf.has(r.processInstanceKey)) caseOf.set(r.processInstanceKey, r.caseId);
    }
    const ids = [...new Set(caseOf.values())].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (!ids.length) return out;
    const visible = await this.db.case.findMany({ where: { AND: [caseWhere, { id: { in: ids } }] }, select: { id: true, reference: true } });
    const byId = new Map(visible.map((c) => [c.id, c]));
    for (const [key, caseId] of caseOf) {
      const c = byId.get(caseId);
      if (c) out.set(key, c);
    }
    return out;
  }

  /** Element names (and more) of deployed definitions, by the engine's definition ids. */
  definitionRows(keys: string[]) {
    if (!keys.length) return Promise.resolve([]);
    return this.db.processDefinition.findMany({ where: { key: { in: keys } } });
  }

  source(processDefinitionKey: string) {
    return this.db.processSource.findUnique({ where: { processDefinitionKey } });
  }

  /** Who deployed which of these definitions for the tenant (model files only). */
  deployments(tenantId: string, keys: string[]) {
    if (!keys.length) return Promise.resolve([]);
    return this.db.resourceDeployment.findMany({ where: { tenantId, kind: 'bpmn', resourceKey: { in: keys } } });
  }

  releases(kommuneId: string, processId?: string) {
    return this.db.processRelease.findMany({ where: { kommuneId, ...(processId ? { processId } : {}) }, orderBy: { deployedAt: 'desc' } });
  }

  /** Open tasks and distinct instances with an open task, per definition, in the commune's inbox projection. */
  async openTaskCounts(kommuneId: string, keys: string[]): Promise<Map<string, { tasks: number; instances: number }>> {
    if (!keys.length) return new Map();
    const rows = await this.db.$queryRawUnsafe<Array<{ key: string; tasks: bigint; instances: bigint }>>(
      `select "processDefinitionKey" as key, count(*) as tasks, count(distinct "processInstanceKey") as instances
         from "Task" where state = 'CREATED' and "kommuneId" = $1 and "processDefinitionKey" = any($2) group by 1`,
      kommuneId,
      keys,
    );
    return new Map(rows.map((r) => [r.key, { tasks: Number(r.tasks), instances: Number(r.instances) }]));
  }


  /** The commune's last retry of an incident (the engine forgets a resolved incident at runtime). */
  lastRetry(kommuneId: string, incidentId: string) {
    return this.db.auditLog.findFirst({ where: { action: 'model.incident.retry', entity: 'Incident', entityId: incidentId, kommuneId }, orderBy: { at: 'desc' } });
  }

  draft(kommuneId: string, processId: string): Promise<DraftRow | null> {
    return this.db.processDraft.findUnique({ where: { kommuneId_processId: { kommuneId, processId } } });
  }

  drafts(kommuneId: string) {
    return this.db.processDraft.findMany({ where: { kommuneId } });
  }

  createDraft(d: { kommuneId: string; processId: string; xml: string; forms: object; baseVersion: number | null; by: string }) {
    return this.db.processDraft.create({ data: { kommuneId: d.kommuneId, processId: d.processId, xml: d.xml, forms: d.forms, baseVersion: d.baseVersion, createdBy: d.by, updatedBy: d.by } });
  }

  /** Optimistic lock: updates only when the stored revision is still `revision`; returns rows changed. */
  async updateDraft(id: string, revision: number, data: Record<string, unknown>): Promise<number> {
    const r = await this.db.processDraft.updateMany({ where: { id, revision }, data: { ...data, revision: { increment: 1 } } });
    return r.count;
  }

  deleteDraft(id: string) {
    return this.db.processDraft.deleteMany({ where: { id } });
  }

  createRelease(r: { kommuneId: string; processId: string; version: number; processDefinitionKey: string; authoredBy: string; submitComment: string | null; approvedBy: string; comment: string }) {
    return this.db.processRelease.create({ data: r });
  }

  /** Form ids deployed for the tenant. */
  async deployedFormIds(tenantId: string): Promise<string[]> {
    const rows = await this.db.formSchema.findMany({ where: { tenantId }, distinct: ['formId'], select: { formId: true } });
    return rows.map((r) => r.formId);
  }

  latestForm(tenantId: string, formId: string) {
    return this.db.formSchema.findFirst({ where: { tenantId, formId }, orderBy: [{ version: 'desc' }, { createdAt: 'desc' }] });
  }
}
