/**
 * The REST resources' rules: one generic service (list, read, create, update, delete) driven by a
 * spec per resource. Every query is scoped by the policy (lists are filtered in the query, never
 * afterwards), fields are minimised per role, and every read and write of personal data leaves an
 * audit row – writes in the same transaction as the change.
 */
import crypto from 'node:crypto';
import type { AuditRow, ModelName, RecordRepository, TxRepository } from './record.repository';
import { auditRow } from '../audit/audit.service';
import { badRequest, conflict, DomainError, notFound } from '../errors';
import {
  Actor,
  assertCan,
  AUTHORITY_ORG_TYPE,
  authorityDocumentScope,
  caseScope,
  caseWhere,
  needsAccessReason,
  needsTaskCases,
  PERSONAL,
  readsAssignedCases,
  reasonRequired,
  ResourceName,
  rowScope,
  visibleFields,
  type Verb,
} from '../auth/policy';

export type Row = Record<string, unknown>;
type Where = Record<string, unknown>;

export interface ListQuery {
  offset: number;
  limit: number;
  sortField?: string;
  sortOrder: 'asc' | 'desc';
  filter: Record<string, unknown>;
}

export interface HookCtx {
  a: Actor & { kommuneId: string };
  repo: RecordRepository;
  svc: RecordsService;
}

export interface ResourceSpec {
  resource: ResourceName;
  model: ModelName;
  /** Entity name in the audit log. */
  entity: string;
  /** German name for messages ("Der Fall"). */
  label: string;
  idKind: 'uuid' | 'text' | 'bigint';
  /** Public fields (never secrets or file content). */
  fields: readonly string[];
  /** Extra relations included when reading one row. */
  detail?: Record<string, unknown>;
  sortable: readonly string[];
  defaultSort: [string, 'asc' | 'desc'];
  filterable: readonly string[];
  /** uuid columns among the filterable ones (bad values match nothing instead of failing). */
  uuidFields?: readonly string[];
  search?: readonly string[];
  caseIdOf?: (row: Row) => string | null;
  /** Turns validated input into the row to create (adds tenant, checks references). */
  create?: (c: HookCtx, input: Row) => Promise<Row>;
  update?: (c: HookCtx, existing: Row, input: Row) => Promise<Row>;
  remove?: (c: HookCtx, existing: Row) => Promise<void>;
  /** Side effects inside the write transaction (statistics, dependent rows). */
  afterCreate?: (c: HookCtx, tx: TxRepository, row: Row) => Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function validId(kind: ResourceSpec['idKind'], id: string): boolean {
  if (kind === 'uuid') return UUID.test(id);
  if (kind === 'bigint') return /^\d{1,18}$/.test(id);
  return id.length > 0 && id.length <= 200;
}

/** JSON-safe row: BigInt as string, binary content dropped. */
export function toJson(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'bigint') out[k] = v.toString();
    else if (v instanceof Uint8Array) continue;
    else if (Array.isArray(v)) out[k] = v.map((x) => (x && typeof x === 'object' && !(x instanceof Date) ? toJson(x as Row) : x));
    else out[k] = v;
  }
  return out;
}

function prismaCode(e: unknown): string | undefined {
  return (e as { code?: string })?.code;
}

export class RecordsService {
  private readonly specs = new Map<ResourceName, ResourceSpec>();

  constructor(readonly repo: RecordRepository) {}

  register(spec: ResourceSpec): this {
    this.specs.set(spec.resource, spec);
    return this;
  }

  spec(resource: ResourceName): ResourceSpec {
    const s = this.specs.get(resource);
    if (!s) throw new Error(`no spec for ${resource}`);
    return s;
  }

  /** The actor's row filter for a resource (ABH/EBH: via the cases of their tasks; case managers' reads: also the cases of tasks assigned to them). */
  async scope(a: Actor, resource: ResourceName, verb: Verb = 'read'): Promise<Where> {
    const ids = !a.kommuneId
      ? []
      : needsTaskCases(a)
        ? await this.repo.taskCaseIds(a.kommuneId, a.username, a.groups)
        : readsAssignedCases(a, verb)
          ? await this.repo.assignedTaskCaseIds(a.kommuneId, a.username)
          : [];
    const base = rowScope(a, resource, ids);
    if (resource === 'documents' && (a.role === 'abh' || a.role === 'ebh') && a.kommuneId) {
      // Authorities get the documents their open steps need, under a consent naming them.
      const [steps, orgIds] = await Promise.all([this.repo.taskSteps(a.kommuneId, a.username, a.groups), this.repo.organisationIdsOfType(a.kommuneId, AUTHORITY_ORG_TYPE[a.role])]);
      return { AND: [base, authorityDocumentScope(steps, orgIds, new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z'))] };
    }
    return base;
  }

  /** Coordinators: is the case open to them under a stated reason? Others: always. */
  async accessGranted(a: Actor, caseId: string): Promise<boolean> {
    return !needsAccessReason(a) || this.repo.hasAccessGrant(a.id, caseId);
  }

  /** 403 reason_required for a coordinator without a stated reason for this person's case file. */
  async assertCaseAccess(a: Actor, caseId: string): Promise<void> {
    if (!(await this.accessGranted(a, caseId))) throw reasonRequired();
  }

  private select(a: Actor, spec: ResourceSpec, detail = false, accessGranted = false): Record<string, boolean | object> {
    const visible = visibleFields(a, spec.resource, { accessGranted });
    const fields = visible ? spec.fields.filter((f) => visible.includes(f)) : spec.fields;
    const sel: Record<string, boolean | object> = Object.fromEntries(fields.map((f) => [f, true]));
    if (detail && !visible && spec.detail) Object.assign(sel, spec.detail);
    return sel;
  }

  private ctx(a: Actor): HookCtx {
    return { a: a as HookCtx['a'], repo: this.repo, svc: this };
  }

  private audit(a: Actor, spec: ResourceSpec, action: string, row: Row, extra: { fields?: string[]; reason?: string; requestId?: string } = {}): AuditRow {
    return auditRow(a, {
      action: `${spec.resource}.${action}`,
      entity: spec.entity,
      entityId: String(row.id),
      caseId: spec.caseIdOf?.(row) ?? null,
      ...extra,
    });
  }

  private filterWhere(spec: ResourceSpec, filter: Record<string, unknown>): Where[] {
    const and: Where[] = [];
    for (const [key, value] of Object.entries(filter)) {
      if (value === undefined || value === null || value === '') continue;
      if (key === 'q') {
        if (!spec.search?.length) throw badRequest('Für diese Ressource gibt es keine Volltextsuche.', { q: 'nicht unterstützt' });
        const q = String(value).slice(0, 200);
        and.push({ OR: spec.search.map((f) => ({ [f]: { contains: q, mode: 'insensitive' } })) });
        continue;
      }
      const isId = key === 'id';
      if (!isId && !spec.filterable.includes(key)) {
        throw badRequest(`Nach "${key}" kann nicht gefiltert werden.`, { filter: `Erlaubt: ${['id', ...spec.filterable, ...(spec.search?.length ? ['q'] : [])].join(', ')}` });
      }
      const uuid = (isId && spec.idKind === 'uuid') || spec.uuidFields?.includes(key);
      const values = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' ? JSON.stringify(v) : v));
      const ok = values.filter((v) => (uuid ? typeof v === 'string' && UUID.test(v) : isId && spec.idKind === 'bigint' ? /^\d{1,18}$/.test(String(v)) : true));
      const typed = isId && spec.idKind === 'bigint' ? ok.map((v) => BigInt(String(v))) : ok;
      and.push({ [key]: Array.isArray(value) ? { in: typed } : typed.length ? typed[0] : { in: [] } });
    }
    return and;
  }

  async list(a: Actor, resource: ResourceName, q: ListQuery, requestId?: string): Promise<{ rows: Row[]; total: number }> {
    assertCan(a, resource, 'list');
    const spec = this.spec(resource);
    const field = q.sortField ?? spec.defaultSort[0];
    if (!spec.sortable.includes(field)) throw badRequest(`Nach "${field}" kann nicht sortiert werden.`, { sort: `Erlaubt: ${spec.sortable.join(', ')}` });
    const order = q.sortField ? q.sortOrder : spec.defaultSort[1];
    const where = { AND: [await this.scope(a, resource), ...this.filterWhere(spec, q.filter)] };
    let result: { rows: Row[]; total: number };
    try {
      result = await this.repo.list(spec.model, { where, orderBy: [{ [field]: order }, { id: 'asc' }], skip: q.offset, take: q.limit, select: this.select(a, spec) });
    } catch (e) {
      if ((e as Error)?.name === 'PrismaClientValidationError' || prismaCode(e) === 'P2007') throw badRequest('Ungültiger Filterwert.', { filter: 'Wert passt nicht zum Feld' });
      throw e;
    }
    if (PERSONAL.has(resource)) await this.repo.writeAudit(result.rows.map((r) => this.audit(a, spec, 'list', r, { requestId })));
    return { rows: result.rows.map(toJson), total: result.total };
  }

  /**
   * A row inside the actor's scope, or 404. `verb` defaults to a write: a read that may also reach a
   * case through an assigned task (policy.readsAssignedCases) says so.
   */
  async find(a: Actor, resource: ResourceName, id: string, detail = false, verb: Verb = 'update', accessGranted = false): Promise<Row> {
    const spec = this.spec(resource);
    if (!validId(spec.idKind, id)) throw notFound(spec.label);
    const key = spec.idKind === 'bigint' ? BigInt(id) : id;
    const row = await this.repo.findFirst(spec.model, { AND: [await this.scope(a, resource, verb), { id: key }] }, this.select(a, spec, detail, accessGranted));
    if (!row) throw notFound(spec.label);
    return row;
  }

  async get(a: Actor, resource: ResourceName, id: string, requestId?: string): Promise<Row> {
    assertCan(a, resource, 'read');
    const spec = this.spec(resource);
    let granted = false;
    if (needsAccessReason(a) && resource === 'cases') {
      await this.find(a, resource, id, false, 'read');
      await this.assertCaseAccess(a, id);
      granted = true;
    }
    if (needsAccessReason(a) && resource === 'clients' && validId('uuid', id)) {
      // The name only while a reason is stated for one of the person's cases.
      granted = (await this.repo.count('caseAccess', { userId: a.id, expiresAt: { gt: new Date() }, case: { clientId: id } })) > 0;
    }
    const row = await this.find(a, resource, id, true, 'read', granted);
    if (PERSONAL.has(resource)) await this.repo.writeAudit([this.audit(a, spec, 'read', row, { requestId })]);
    return toJson(row);
  }

  async create(a: Actor, resource: ResourceName, input: Row, requestId?: string): Promise<Row> {
    assertCan(a, resource, 'create');
    const spec = this.spec(resource);
    const c = this.ctx(a);
    const data = spec.create ? await spec.create(c, input) : { ...input, kommuneId: a.kommuneId };
    const row = await this.write(() =>
      this.repo.transaction(async (tx, r) => {
        const created = await r.create(spec.model, data, this.select(a, spec));
        await spec.afterCreate?.(c, r, created);
        return { result: created, audit: [this.audit(a, spec, 'create', created, { fields: Object.keys(input).filter((k) => k !== 'password'), requestId })] };
      }),
    );
    return toJson(row);
  }

  async update(a: Actor, resource: ResourceName, id: string, input: Row, requestId?: string): Promise<Row> {
    assertCan(a, resource, 'update');
    const spec = this.spec(resource);
    const existing = await this.find(a, resource, id);
    const data = spec.update ? await spec.update(this.ctx(a), existing, input) : input;
    const changed = Object.keys(input).filter((k) => k !== 'password' && JSON.stringify(existing[k]) !== JSON.stringify(input[k]));
    const row = await this.write(() =>
      this.repo.transaction(async (_tx, r) => {
        const updated = await r.update(spec.model, String(existing.id), data, this.select(a, spec));
        return { result: updated, audit: [this.audit(a, spec, 'update', updated, { fields: changed, requestId })] };
      }),
    );
    return toJson(row);
  }

  async remove(a: Actor, resource: ResourceName, id: string, requestId?: string): Promise<Row> {
    assertCan(a, resource, 'delete');
    const spec = this.spec(resource);
    const existing = await this.find(a, resource, id, false, 'delete');
    await spec.remove?.(this.ctx(a), existing);
    await this.write(() =>
      this.repo.transaction(async (_tx, r) => {
        await r.delete(spec.model, String(existing.id));
        return { result: null, audit: [this.audit(a, spec, 'delete', existing, { requestId })] };
      }),
    );
    return toJson(existing);
  }

  /** A case the actor may write to (own site, open), else a field error on `caseId`. */
  async writableCase(a: Actor, caseId: string, opts: { open?: boolean } = { open: true }): Promise<Row> {
    const row = await this.repo.findFirst('case', { AND: [caseWhere(caseScope(a)), { id: caseId }] }, { id: true, kommuneId: true, siteId: true, closedAt: true, phase: true });
    if (!row) throw badRequest('Der Fall wurde nicht gefunden oder ist Ihnen nicht zugänglich.', { caseId: 'Fall nicht gefunden' });
    if (opts.open !== false && row.closedAt) throw conflict('Der Fall ist abgeschlossen und kann nicht mehr geändert werden.');
    return row;
  }

  /** Runs a write, turning database constraint errors into German 409s. */
  async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (prismaCode(e) === 'P2002') throw conflict('Ein Eintrag mit diesen Angaben existiert bereits.');
      if (prismaCode(e) === 'P2003') throw conflict('Der Eintrag wird noch verwendet und kann nicht gelöscht werden.');
      throw e;
    }
  }
}

export const randomCode = (bytes = 4) => crypto.randomBytes(bytes).toString('hex').toUpperCase();
