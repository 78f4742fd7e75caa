/**
 * Needs and goals of the Förderplan, as sub-resources of a case: listing them (case manager of the
 * site and coordinators of the commune), adding and changing them (case manager of the site, open
 * case only). Every read and write leaves an audit row; writes in the same transaction.
 */
import type { RecordRepository } from './record.repository';
import { auditRow } from '../audit/audit.service';
import { badRequest, notFound } from '../errors';
import { Actor, assertCanPlan, caseScope, caseWhere } from '../auth/policy';
import type { RecordsService, Row } from './records.service';
import { toJson } from './records.service';

export type PlanKind = 'needs' | 'goals';

const SPEC = {
  needs: { model: 'need', entity: 'Need', label: 'Der Bedarf', fields: ['id', 'caseId', 'lifeArea', 'description', 'origin', 'createdById', 'createdAt', 'updatedAt'] },
  goals: { model: 'goal', entity: 'Goal', label: 'Das Ziel', fields: ['id', 'caseId', 'needId', 'lifeArea', 'description', 'dueDate', 'status', 'resultDate', 'createdAt', 'updatedAt'] },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const toDate = (v: unknown) => (typeof v === 'string' ? new Date(v.length === 10 ? `${v}T00:00:00Z` : v) : v);

export class SupportPlanService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: RecordRepository,
  ) {}

  private select(kind: PlanKind) {
    return Object.fromEntries(SPEC[kind].fields.map((f) => [f, true]));
  }

  /** The case's needs or goals, oldest first; 404 when the case is outside the actor's scope. */
  async list(a: Actor, kind: PlanKind, caseId: string, requestId?: string): Promise<{ rows: Row[]; total: number }> {
    assertCanPlan(a, 'list');
    await this.records.find(a, 'cases', caseId, false, 'read');
    await this.records.assertCaseAccess(a, caseId);
    const { rows, total } = await this.repo.list(SPEC[kind].model, { where: { caseId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip: 0, take: 500, select: this.select(kind) });
    await this.repo.writeAudit([auditRow(a, { action: `${kind}.list`, entity: 'Case', entityId: caseId, caseId, requestId })]);
    return { rows: rows.map(toJson), total };
  }

  async create(a: Actor, kind: PlanKind, caseId: string, input: Row, requestId?: string): Promise<Row> {
    assertCanPlan(a, 'create');
    await this.records.find(a, 'cases', caseId);
    await this.records.writableCase(a, caseId);
    const data = await this.data(kind, caseId, input);
    // A need added here came up during the case (not in the first contact): who and when is kept.
    const origin = kind === 'needs' ? { origin: 'verlauf', createdById: a.id } : {};
    const row = await this.repo.transaction(async (_tx, r) => {
      const created = await r.create(SPEC[kind].model, { ...data, ...origin, caseId }, this.select(kind));
      return { result: created, audit: [auditRow(a, { action: `${kind}.create`, entity: SPEC[kind].entity, entityId: String(created.id), caseId, fields: Object.keys(input), requestId })] };
    });
    return toJson(row);
  }

  async update(a: Actor, kind: PlanKind, id: string, input: Row, requestId?: string): Promise<Row> {
    assertCanPlan(a, 'update');
    const existing = UUID.test(id) ? await this.repo.findFirst(SPEC[kind].model, { id, case: caseWhere(caseScope(a)) }, this.select(kind)) : null;
    if (!existing) throw notFound(SPEC[kind].label);
    const caseId = String(existing.caseId);
    await this.records.writableCase(a, caseId);
    const data = await this.data(kind, caseId, input);
    const changed = Object.keys(input).filter((k) => JSON.stringify(existing[k]) !== JSON.stringify(data[k]));
    const row = await this.repo.transaction(async (_tx, r) => {
      const updated = await r.update(SPEC[kind].model, id, data, this.select(kind));
      return { result: updated, audit: [auditRow(a, { action: `${kind}.update`, entity: SPEC[kind].entity, entityId: id, caseId, fields: changed, requestId })] };
    });
    return toJson(row);
  }

  /** Validated input as row data: dates as Date, a goal's need must belong to the same case. */
  private async data(kind: PlanKind, caseId: string, input: Row): Promise<Row> {
    const out: Row = { ...input };
    if (kind === 'goals') {
      if ('dueDate' in out && out.dueDate != null) out.dueDate = toDate(out.dueDate);
      // Reached or given up: on a day (today unless given); open again: no result date.
      if (out.status === 'erreicht' || out.status === 'nicht_erreicht') out.resultDate = toDate(typeof out.resultDate === 'string' ? out.resultDate : new Date().toISOString().slice(0, 10));
      else if (out.status === 'offen' || out.status === 'laufend') out.resultDate = null;
      else if ('resultDate' in out && out.resultDate != null) out.resultDate = toDate(out.resultDate);
      if (typeof out.needId === 'string' && !(await this.repo.findFirst('need', { id: out.needId, caseId }, { id: true }))) {
        throw badRequest('Der Bedarf gehört nicht zu diesem Fall.', { needId: 'Unbekannter Bedarf' });
      }
    }
    return out;
  }
}
