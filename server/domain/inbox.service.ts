/**
 * The task inbox: the engine's user-task jobs projected into the Task table, and the verbs a user
 * applies to them (claim, unclaim, complete). Completion goes to the engine first, then the row is
 * closed in the same request, so the list is current without waiting for anything.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Zeebe } from '../camunda/client';
import { isNotFound } from '../camunda/client';
import type { Db } from '../data/prisma';
import type { AuditService } from './audit.service';
import { badRequest, conflict, notFound } from './errors';
import { protectedFields, splitProtected } from './protected-input';
import { Actor, assertCanReassignTask, assertCanWorkTask, assertTaskRole, canSeeTask, mayBeAssigned } from './policy';

/** Job type under which the 8.6 engine hands out user tasks (job-based user tasks). */
export const USER_TASK_JOB_TYPE = 'io.camunda.zeebe:userTask';

/** The fields of a user-task job the projection needs. */
export interface UserTaskJob {
  key: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  processDefinitionVersion: number;
  elementId: string;
  customHeaders: Record<string, string>;
  variables: Record<string, unknown>;
}

function parseList(v: string | undefined): string[] {
  if (!v) return [];
  try {
    const parsed = JSON.parse(v);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    /* plain comma list */
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseDate(v: string | undefined): Date | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export type TaskView = 'mine' | 'group' | 'all';

export interface TaskListQuery {
  view?: TaskView;
  processDefinitionId?: string;
  caseId?: string;
  q?: string;
  /** Due on or before this instant. */
  dueBefore?: Date;
  /** Due date in the past. */
  overdue?: boolean;
  /** Site of the task's case (Task.caseId → Case.siteId). */
  siteId?: string;
  /** Assigned to this user; null = unassigned. */
  assignee?: string | null;
  offset: number;
  limit: number;
  sort: { field: 'createdAt' | 'dueDate' | 'name' | 'priority'; order: 'asc' | 'desc' };
}

/** How long a list's total and page cursors are reused for further pages of the same query. */
const LIST_CACHE_MS = 60_000;
const LIST_CACHE_ENTRIES = 500;

interface ListCacheEntry {
  total: number;
  at: number;
  /** offset → sort key of the row before it: the next page is read by keyset, not by OFFSET. */
  cursors: Map<number, { value: unknown; id: string }>;
}

export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly zeebe: Zeebe,
    private readonly audit: AuditService,
  ) {}

  /** Upserts the row for a user-task job; a job delivered twice changes nothing. */
  async project(job: UserTaskJob): Promise<{ created: boolean }> {
    const h = job.customHeaders;
    const def = await this.db.processDefinition.findUnique({ where: { key: job.processDefinitionKey } });
    const names = (def?.elementNames ?? {}) as Record<string, string>;
    const caseId = typeof job.variables.caseId === 'string' || typeof job.variables.caseId === 'number' ? String(job.variables.caseId) : null;
    const kommuneId = typeof job.variables.kommuneId === 'string' ? job.variables.kommuneId : null;
    const priority = Number(h['kim:priority'] ?? h['io.camunda.zeebe:priority'] ?? 50);
    const data = {
      processInstanceKey: job.processInstanceKey,
      processDefinitionKey: job.processDefinitionKey,
      processDefinitionId: job.bpmnProcessId,
      processVersion: job.processDefinitionVersion,
      elementId: job.elementId,
      name: names[job.elementId] ?? job.elementId,
      formKey: h['io.camunda.zeebe:formKey'] ?? null,
      candidateGroups: parseList(h['io.camunda.zeebe:candidateGroups']),
      candidateUsers: parseList(h['io.camunda.zeebe:candidateUsers']),
      assignee: h['io.camunda.zeebe:assignee'] || null,
      dueDate: parseDate(h['io.camunda.zeebe:dueDate']),
      followUpDate: parseDate(h['io.camunda.zeebe:followUpDate']),
      priority: Number.isFinite(priority) ? priority : 50,
      caseId,
      kommuneId,
    };
    const existing = await this.db.task.findUnique({ where: { id: job.key }, select: { id: true } });
    if (existing) return { created: false };
    try {
      await this.db.task.create({ data: { id: job.key, ...data } });
      return { created: true };
    } catch (e) {
      if ((e as { code?: string }).code === 'P2002') return { created: false };
      throw e;
    }
  }

  private visibleWhere(a: Actor, view: TaskView): Prisma.TaskWhereInput {
    const base: Prisma.TaskWhereInput = { state: 'CREATED', kommuneId: a.kommuneId ?? '__none__' };
    const mineOrGroup: Prisma.TaskWhereInput[] = [{ assignee: a.username }, { candidateUsers: { has: a.username } }, { candidateGroups: { hasSome: a.groups } }];
    if (view === 'mine') return { ...base, assignee: a.username };
    if (view === 'group') return { ...base, assignee: null, OR: [{ candidateGroups: { hasSome: a.groups } }, { candidateUsers: { has: a.username } }] };
    if (a.role === 'coordinator') return base;
    return { ...base, OR: mineOrGroup };
  }

  private readonly listCache = new Map<string, ListCacheEntry>();

  /** The list's where clause (visibility of the view plus the filters). */
  async listWhere(a: Actor, q: Omit<TaskListQuery, 'offset' | 'limit' | 'sort'>): Promise<Prisma.TaskWhereInput> {
    const where: Prisma.TaskWhereInput = { ...this.visibleWhere(a, q.view ?? 'all') };
    if (q.processDefinitionId) where.processDefinitionId = q.processDefinitionId;
    if (q.caseId) where.caseId = q.caseId;
    if (q.q) where.name = { contains: q.q, mode: 'insensitive' };
    if (q.assignee !== undefined) {
      if (q.view === 'group' && q.assignee !== null) return { id: '__none__' };
      if (q.view !== 'mine') where.assignee = q.assignee;
      else if (q.assignee !== a.username) return { id: '__none__' };
    }
    const now = new Date();
    const due = [...(q.dueBefore ? [q.dueBefore] : []), ...(q.overdue ? [now] : [])];
    if (due.length) where.dueDate = q.overdue ? { lt: new Date(Math.min(...due.map((d) => d.getTime()))) } : { lte: due[0] };
    if (q.siteId) {
      const cases = await this.db.case.findMany({ where: { kommuneId: a.kommuneId ?? '__none__', siteId: q.siteId }, select: { id: true } });
      where.caseId = q.caseId ? (cases.some((c) => c.id === q.caseId) ? q.caseId : '__none__') : { in: cases.map((c) => c.id) };
    }
    return where;
  }

  /**
   * One page of the inbox. Stays fast on deep pages and large lists: the total is counted on the
   * first page and reused (for a minute) by the following pages of the same query, and a page that
   * follows one already served is read by keyset (sort key of the previous page's last row) instead
   * of OFFSET. Both go over the (state, kommuneId|assignee, createdAt, id) indexes.
   */
  async list(a: Actor, q: TaskListQuery) {
    assertTaskRole(a);
    const where = await this.listWhere(a, q);
    const { field, order } = q.sort;
    const key = JSON.stringify([a.username, a.kommuneId, a.groups, a.role, { ...q, offset: undefined, limit: undefined }]);
    const now = Date.now();
    let entry = this.listCache.get(key);
    if (entry && now - entry.at > LIST_CACHE_MS) entry = undefined;
    const orderBy: Prisma.TaskOrderByWithRelationInput[] = [{ [field]: order }, { id: 'asc' }];
    // dueDate is nullable: NULLs break the tuple comparison, so that sort stays on OFFSET.
    const cursor = field !== 'dueDate' && q.offset > 0 ? entry?.cursors.get(q.offset) : undefined;
    const rowsP = cursor
      ? this.db.task.findMany({
          where: { AND: [where, { OR: [{ [field]: { [order === 'desc' ? 'lt' : 'gt']: cursor.value } }, { [field]: cursor.value, id: { gt: cursor.id } }] }] },
          orderBy,
          take: q.limit,
        })
      : this.db.task.findMany({ where, orderBy, skip: q.offset, take: q.limit });
    const countP = q.offset === 0 || !entry ? this.db.task.count({ where }) : Promise.resolve(entry.total);
    const [rows, total] = await Promise.all([rowsP, countP]);
    if (!entry || q.offset === 0) {
      entry = { total, at: now, cursors: entry && q.offset !== 0 ? entry.cursors : new Map() };
      this.listCache.delete(key);
      this.listCache.set(key, entry);
      if (this.listCache.size > LIST_CACHE_ENTRIES) this.listCache.delete(this.listCache.keys().next().value as string);
    }
    const last = rows[rows.length - 1];
    if (last && entry.cursors.size < 1000) entry.cursors.set(q.offset + rows.length, { value: (last as Record<string, unknown>)[field], id: last.id });
    // A short page ends the list: its end is the exact total even when the cached one is stale.
    return { rows, total: rows.length < q.limit && (rows.length > 0 || q.offset === 0) ? q.offset + rows.length : Math.max(total, q.offset + rows.length) };
  }

  async get(a: Actor, id: string) {
    assertTaskRole(a);
    const t = await this.db.task.findUnique({ where: { id } });
    if (!t || !canSeeTask(a, t)) throw notFound('Die Aufgabe');
    return t;
  }

  async claim(a: Actor, id: string, requestId?: string) {
    const t = await this.get(a, id);
    assertCanWorkTask(a, t);
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    const res = await this.db.task.updateMany({ where: { id, state: 'CREATED', OR: [{ assignee: null }, { assignee: a.username }] }, data: { assignee: a.username } });
    if (res.count === 0) throw conflict('Die Aufgabe wurde inzwischen von jemand anderem übernommen.');
    await this.audit.write(a, { action: 'task.claim', entity: 'Task', entityId: id, fields: ['assignee'], requestId });
    return this.db.task.findUniqueOrThrow({ where: { id } });
  }

  async unclaim(a: Actor, id: string, requestId?: string) {
    const t = await this.get(a, id);
    if (t.assignee !== a.username && a.role !== 'coordinator') throw conflict('Sie können nur eigene Aufgaben zurückgeben.');
    await this.db.task.updateMany({ where: { id, state: 'CREATED' }, data: { assignee: null } });
    await this.audit.write(a, { action: 'task.unclaim', entity: 'Task', entityId: id, fields: ['assignee'], requestId });
    return this.db.task.findUniqueOrThrow({ where: { id } });
  }

  /**
   * A coordinator reassigns an open task of the commune to a user whose groups match the task's
   * candidate groups; the reason goes to the audit log. Only the projection changes (job-based user
   * tasks have no assignee in the 8.6 engine).
   */
  async assign(a: Actor, id: string, input: { assignee: string; reason: string }, requestId?: string) {
    assertTaskRole(a);
    const t = await this.db.task.findUnique({ where: { id } });
    if (!t || !t.kommuneId || t.kommuneId !== a.kommuneId) throw notFound('Die Aufgabe');
    assertCanReassignTask(a, t);
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    const u = await this.db.user.findUnique({ where: { username: input.assignee }, select: { username: true, kommuneId: true, groups: true, active: true } });
    if (!u || !mayBeAssigned(u, t)) {
      throw badRequest('Diese Person kann die Aufgabe nicht bearbeiten: Sie muss zur Kommune und zu einer der Gruppen der Aufgabe gehören.', {
        assignee: `Keine passende Person (Gruppen der Aufgabe: ${t.candidateGroups.join(', ') || '–'})`,
      });
    }
    const res = await this.db.task.updateMany({ where: { id, state: 'CREATED' }, data: { assignee: u.username } });
    if (res.count === 0) throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    await this.audit.write(a, {
      action: 'task.assign',
      entity: 'Task',
      entityId: id,
      caseId: t.caseId,
      fields: ['assignee'],
      reason: `${input.reason} (von ${t.assignee ?? 'niemand'} an ${u.username})`,
      requestId,
    });
    return this.db.task.findUniqueOrThrow({ where: { id } });
  }

  /**
   * Completes the task in the engine, then closes the row. Only the caller's own (claimed) task;
   * a task claimed by nobody is claimed implicitly.
   */
  async complete(a: Actor, id: string, variables: Record<string, unknown>, requestId?: string) {
    const t = await this.get(a, id);
    assertCanWorkTask(a, t);
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    if (t.assignee && t.assignee !== a.username) throw conflict(`Die Aufgabe ist ${t.assignee} zugewiesen. Übernehmen Sie sie erst.`);
    // Input the process does not decide on stays in the app database; the engine gets the rest.
    const { engine, kept } = splitProtected(protectedFields(t.processDefinitionId, t.elementId), variables);
    if (Object.keys(kept).length) await this.keep(t, kept, a.username);
    try {
      await this.zeebe.completeJob({ jobKey: id, variables: engine as never });
    } catch (e) {
      if (Object.keys(kept).length) await this.db.taskSubmission.deleteMany({ where: { taskId: id } });
      if (isNotFound(e)) {
        await this.db.task.updateMany({ where: { id, state: 'CREATED' }, data: { state: 'CANCELED', completedAt: new Date() } });
        throw conflict('Die Aufgabe ist im Prozess nicht mehr aktiv (abgebrochen oder bereits erledigt).');
      }
      throw e;
    }
    const done = await this.db.task.update({
      where: { id },
      data: { state: 'COMPLETED', assignee: t.assignee ?? a.username, completedAt: new Date(), completedBy: a.username },
    });
    await this.audit.write(a, { action: 'task.complete', entity: 'Task', entityId: id, fields: Object.keys(variables), requestId });
    return done;
  }

  /** Stores a task's protected form input (one row per task; a retried completion overwrites it). */
  private async keep(t: { id: string; processInstanceKey: string; elementId: string; caseId: string | null }, data: Record<string, unknown>, username: string) {
    const kase = t.caseId ? await this.db.case.findUnique({ where: { id: t.caseId }, select: { id: true } }).catch(() => null) : null;
    const row = { processInstanceKey: t.processInstanceKey, elementId: t.elementId, caseId: kase?.id ?? null, data: data as Prisma.InputJsonValue, submittedBy: username };
    await this.db.taskSubmission.upsert({ where: { taskId: t.id }, create: { taskId: t.id, ...row }, update: { ...row, createdAt: new Date() } });
  }

  /**
   * The protected form input a worker needs: the latest submission of one of the given user tasks
   * in this process instance ({} when there is none, e.g. instances started before the rule).
   */
  async protectedInput(processInstanceKey: string, elementIds: readonly string[]): Promise<Record<string, unknown>> {
    const row = await this.db.taskSubmission.findFirst({ where: { processInstanceKey, elementId: { in: [...elementIds] } }, orderBy: { createdAt: 'desc' } });
    return (row?.data ?? {}) as Record<string, unknown>;
  }

  /**
   * Heals drift between the projection and the engine: open rows whose job no longer exists (the
   * task was canceled by a boundary event, the instance was canceled, …) are closed as CANCELED.
   * Also renews the job timeout of tasks that are still open, so the engine never re-offers them.
   */
  async reconcile(opts: { batch?: number; timeoutMs?: number } = {}): Promise<{ checked: number; canceled: number; failed: number }> {
    const open = await this.db.task.findMany({ where: { state: 'CREATED' }, select: { id: true }, orderBy: { updatedAt: 'asc' }, take: opts.batch ?? 200 });
    let canceled = 0;
    let failed = 0;
    for (const { id } of open) {
      try {
        await this.zeebe.updateJobTimeout({ jobKey: id, timeout: opts.timeoutMs ?? USER_TASK_TIMEOUT_MS });
        await this.db.task.update({ where: { id }, data: { updatedAt: new Date() } });
      } catch (e) {
        if (isNotFound(e)) {
          const r = await this.db.task.updateMany({ where: { id, state: 'CREATED' }, data: { state: 'CANCELED', completedAt: new Date() } });
          canceled += r.count;
        } else {
          // One row the engine cannot answer for (engine hiccup, malformed key) must not stop the
          // others: count it and move it to the back of the queue.
          failed++;
          await this.db.task.updateMany({ where: { id }, data: { updatedAt: new Date() } });
        }
      }
    }
    return { checked: open.length, canceled, failed };
  }
}

/** How long the engine leaves a user-task job with the inbox before offering it again. */
export const USER_TASK_TIMEOUT_MS = 30 * 24 * 3600 * 1000;
