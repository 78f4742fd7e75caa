/** Prisma access for the process modeler (issue 7): definitions, sources, drafts, releases, runtime incidents, task counts (the fallback when the engine history is unavailable). */
import type { Db } from './prisma';

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

  definitions(processId?: string) {
    return this.db.processDefinition.findMany({ where: processId ? { processId } : {}, orderBy: [{ processId: 'asc' }, { version: 'desc' }] });
  }

  definition(processId: string, version: number) {
    return this.db.processDefinition.findFirst({ where: { processId, version } });
  }

  source(processDefinitionKey: string) {
    return this.db.processSource.findUnique({ where: { processDefinitionKey } });
  }

  deployments(processId?: string) {
    return this.db.resourceDeployment.findMany({ where: { kind: 'bpmn', ...(processId ? { resourceId: processId } : {}) } });
  }

  releases(processId?: string) {
    return this.db.processRelease.findMany({ where: processId ? { processId } : {}, orderBy: { deployedAt: 'desc' } });
  }

  /** Open tasks and distinct instances with an open task, per process definition key. */
  async openTaskCounts(keys: string[]): Promise<Map<string, { tasks: number; instances: number }>> {
    if (!keys.length) return new Map();
    const rows = await this.db.$queryRawUnsafe<Array<{ key: string; tasks: bigint; instances: bigint }>>(
      `select "processDefinitionKey" as key, count(*) as tasks, count(distinct "processInstanceKey") as instances
         from "Task" where state = 'CREATED' and "processDefinitionKey" = any($1) group by 1`,
      keys,
    );
    return new Map(rows.map((r) => [r.key, { tasks: Number(r.tasks), instances: Number(r.instances) }]));
  }

  async heatmap(processDefinitionKey: string): Promise<Record<string, number>> {
    const rows = await this.db.$queryRawUnsafe<Array<{ elementId: string; n: bigint }>>(
      `select "elementId", count(*) as n from "Task" where state = 'CREATED' and "processDefinitionKey" = $1 group by 1`,
      processDefinitionKey,
    );
    return Object.fromEntries(rows.map((r) => [r.elementId, Number(r.n)]));
  }

  openTasksOf(processDefinitionKey: string) {
    return this.db.task.findMany({ where: { processDefinitionKey, state: 'CREATED' }, select: { id: true, processInstanceKey: true, elementId: true } });
  }

  moveTasks(processInstanceKey: string, processDefinitionKey: string, processVersion: number) {
    return this.db.task.updateMany({ where: { processInstanceKey, state: 'CREATED' }, data: { processDefinitionKey, processVersion } });
  }

  /** Open incidents the worker runtime recorded: job key and definition (few rows). */
  openIncidentRefs() {
    return this.db.incident.findMany({ where: { state: 'open' }, select: { jobKey: true, processDefinitionKey: true } });
  }

  incidentByJobKey(jobKey: string) {
    return this.db.incident.findUnique({ where: { jobKey } });
  }

  incidents(processId: string) {
    return this.db.incident.findMany({ where: { processId }, orderBy: { createdAt: 'desc' }, take: 200 });
  }

  incident(id: string) {
    return this.db.incident.findUnique({ where: { id } });
  }

  markRetried(id: string, by: string) {
    return this.db.incident.update({ where: { id }, data: { state: 'retried', retriedBy: by, retriedAt: new Date() } });
  }

  recordIncident(i: { jobKey: string; jobType: string; processInstanceKey: string; processDefinitionKey: string; processId: string; processVersion: number; elementId: string; elementInstanceKey: string; message: string }) {
    return this.db.incident.upsert({ where: { jobKey: i.jobKey }, create: { ...i, message: i.message.slice(0, 2000) }, update: { state: 'open', message: i.message.slice(0, 2000) } });
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

  deployedFormIds() {
    return this.db.formSchema.findMany({ distinct: ['formId'], select: { formId: true } });
  }

  latestForm(formId: string) {
    return this.db.formSchema.findFirst({ where: { formId }, orderBy: { version: 'desc' } });
  }
}
