/**
 * The task inbox: the engine's user-task jobs projected into the Task table, and the verbs a user
 * applies to them (claim, unclaim, complete). Completion goes to the engine first, then the row is
 * closed in the same request, so the list is current without waiting for anything.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Zeebe } from '../camunda/client';
import { isNotFound } from '../camunda/client';
import type { Db } from '../data/prisma';
import { auditRow, type AuditService } from './audit.service';
import { COUNT_CAP, TaskListRepository, type TaskListSpec } from '../data/task-list.repository';
import { badRequest, conflict, notFound } from './errors';
import { protectedFields, splitProtected } from './protected-input';
import { Actor, assertCanFilterTasksByLifeArea, assertCanReassignTask, assertCanWorkTask, assertTaskRole, canSeeTask, mayBeAssigned, taskListClient } from './policy';

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
  /** The task's case has a need or goal in one of these life areas (Förderplan). */
  lifeAreas?: string[];
  offset: number;
  limit: number;
  sort: { field: 'createdAt' | 'dueDate' | 'name' | 'priority'; order: 'asc' | 'desc' };
}

/** How long a list's page cursors are reused for further pages of the same query. */
const LIST_CACHE_MS = 60_000;
const LIST_CACHE_ENTRIES = 500;

interface ListCacheEntry {
  at: number;
  /** offset → sort key of the row before it: the next page is read by keyset, not by OFFSET. */
  cursors: Map<number, { value: unknown; id: string }>;
}

export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly zeebe: Zeebe,
    private readonly audit: AuditService,
  ) {
    this.lists = new TaskListRepository(db);
  }

  private readonly lists: TaskListRepository;

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

  private readonly listCache = new Map<string, ListCacheEntry>();

  /**
   * One page of the inbox: one SQL statement (tasks joined with case and client, see
   * TaskListRepository). No full count: `total` is exact while the list ends within COUNT_CAP rows
   * of the page's start, else a lower bound with `totalCapped` set ("mehr als …"). A page that
   * follows one already served is read by keyset (cursor kept per user and query for a minute).
   */
  async list(a: Actor, q: TaskListQuery): Promise<{ rows: Array<Record<string, unknown>>; total: number; totalCapped: boolean }> {
    const view = q.view ?? 'all';
    const spec = this.listSpec(a, q);
    // The assignee filter within a view that already fixes the assignee.
    if (q.assignee !== undefined && ((view === 'group' && q.assignee !== null) || (view === 'mine' && q.assignee !== a.username))) {
      return { rows: [], total: 0, totalCapped: false };
    }
    const key = JSON.stringify([a.username, a.kommuneId, a.groups, a.role, { ...q, offset: undefined, limit: undefined }]);
    const now = Date.now();
    let entry = this.listCache.get(key);
    if (!entry || now - entry.at > LIST_CACHE_MS) {
      entry = { at: now, cursors: new Map() };
      this.listCache.delete(key);
      this.listCache.set(key, entry);
      if (this.listCache.size > LIST_CACHE_ENTRIES) this.listCache.delete(this.listCache.keys().next().value as string);
    }
    if (q.offset > 0) spec.after = entry.cursors.get(q.offset);
    return this.runList(a, q, spec, entry);
  }

  /** The list's query for this user: visibility of the view, the filters, the client column (see policy). */
  listSpec(a: Actor, q: TaskListQuery): TaskListSpec {
    assertTaskRole(a);
    const view = q.view ?? 'all';
    const lifeAreaScope = q.lifeAreas?.length ? assertCanFilterTasksByLifeArea(a) : undefined;
    return {
      kommuneId: a.kommuneId ?? '__none__',
      username: a.username,
      groups: a.groups,
      view: view === 'all' && a.role === 'coordinator' ? 'commune' : view,
      processDefinitionId: q.processDefinitionId,
      caseId: q.caseId,
      q: q.q?.trim() || undefined,
      ...(q.overdue ? { overdueBefore: q.dueBefore && q.dueBefore < new Date() ? q.dueBefore : new Date() } : { dueBefore: q.dueBefore }),
      siteId: q.siteId,
      assignee: q.assignee,
      lifeAreas: q.lifeAreas,
      lifeAreaSiteId: lifeAreaScope?.siteId,
      client: taskListClient(a),
      sort: q.sort,
      offset: q.offset,
      limit: q.limit,
    };
  }

  private async runList(a: Actor, q: TaskListQuery, spec: TaskListSpec, entry: ListCacheEntry) {
    const { rows, counted } = await this.lists.page(spec);
    const last = rows[rows.length - 1];
    if (last && entry.cursors.size < 1000) entry.cursors.set(q.offset + rows.length, { value: last[q.sort.field], id: last.id });
    let total: number;
    let totalCapped = false;
    if (rows.length < q.limit && (rows.length > 0 || q.offset === 0)) total = q.offset + rows.length; // a short page ends the list
    else if (rows.length === 0) {
      // Beyond the end (the list shrank): the size from the start, capped.
      const n = await this.lists.countFromStart(spec);
      total = Math.min(n, COUNT_CAP);
      totalCapped = n > COUNT_CAP;
    } else {
      total = q.offset + Math.min(counted, COUNT_CAP);
      totalCapped = counted > COUNT_CAP;
    }
    const out = rows.map(({ _clientId, _pseudonym, _firstName, _lastName, _caseReference, _siteId, ...t }) => {
      if (spec.client.kind === 'none') return t;
      const name = [_firstName, _lastName].filter(Boolean).join(' ');
      return { ...t, client: name || _pseudonym || null, clientIsPseudonym: !name && !!_pseudonym, caseReference: _caseReference ?? null, siteId: _siteId ?? null };
    });
    // Names shown are reads of personal data: one audit row per client per page.
    const named = new Map<string, string | null>();
    for (const r of rows) if (r._clientId && (r._firstName || r._lastName)) named.set(r._clientId, (r.caseId as string | null) ?? null);
    if (named.size) {
      await this.db.auditLog.createMany({
        data: [...named].map(([clientId, caseId]) => auditRow(a, { action: 'clients.list', entity: 'Client', entityId: clientId, caseId, fields: ['firstName', 'lastName'], reason: 'Aufgabeneingang' })),
      });
    }
    return { rows: out, total, totalCapped };
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
