/**
 * The task inbox: the verbs a user applies to tasks (claim, unclaim, assign, complete) and the list.
 * The engine's task is the truth: every verb checks the user's rights, calls the engine and re-reads
 * the row, which the engine's task listener has already changed in the engine's own transaction
 * (engine/app, InboxProjection). The inbox never writes assignee or state itself.
 */
import type { FormSchema, Prisma, Task } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';
import { EngineConcurrentUpdate, EngineConflict, EngineNotFound, type UserTasks, type Variables } from '../engine/port';
import { auditRow, type AuditService } from '../audit/audit.service';
import { COUNT_CAP, TaskListRepository, type TaskListSpec } from './task-list.repository';
import { badRequest, conflict, notFound } from '../errors';
import { protectedFields, splitProtected } from './protected-input';
import { TaskAccessAudit } from './task-access';
import { Actor, assertCanFilterTasksByLifeArea, assertCanReassignTask, assertCanWorkTask, assertTaskRole, canSeeTask, mayBeAssigned, taskListClient } from '../auth/policy';

/**
 * Display names of the given user names within one commune (staff data, not client data): the
 * inbox and the task view say "Aylin Demir", not "cm.duisburg".
 */
export async function displayNames(db: Db, kommuneId: string | null, usernames: Array<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set(usernames.filter((u): u is string => !!u))];
  if (!wanted.length || !kommuneId) return new Map();
  const users = await db.user.findMany({ where: { kommuneId, username: { in: wanted } }, select: { username: true, displayName: true } });
  return new Map(users.map((u) => [u.username, u.displayName]));
}

const GONE = 'Die Aufgabe ist im Prozess nicht mehr aktiv (abgebrochen oder bereits erledigt).';
const TAKEN = 'Die Aufgabe wurde inzwischen von jemand anderem übernommen.';
const BUSY = 'Der Vorgang wird gerade im Hintergrund weitergeführt. Ihre Eingaben sind nicht verloren – bitte versuchen Sie es in einigen Augenblicken erneut.';

/** The engine's answer to a task verb as the user's German message. */
function engineRefusal(e: unknown): unknown {
  if (e instanceof EngineNotFound) return conflict(GONE);
  if (e instanceof EngineConcurrentUpdate) return conflict(BUSY);
  if (e instanceof EngineConflict) return conflict(TAKEN);
  return e;
}

/**
 * Form input as process variables. The engine takes plain values only; a list of plain values (a
 * checklist of codes) goes as a comma-separated string, which models read with ${kim.list(…)} and
 * workers with listOf. Anything else (objects, entries with commas) is not meant for the process.
 */
export function toProcessVariables(input: Record<string, unknown>): Variables {
  const out: Variables = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) out[k] = v;
    else if (Array.isArray(v) && v.every((x) => (typeof x === 'string' && !x.includes(',')) || (typeof x === 'number' && Number.isFinite(x)))) out[k] = v.map(String).join(',');
    else throw badRequest(`Das Feld „${k}“ kann nicht an den Prozess übergeben werden.`, { [k]: 'Nur Text, Zahlen, Ja/Nein oder eine Auswahlliste' });
  }
  return out;
}

/**
 * The top-level data keys a form-js schema submits: field keys (their first path segment), dynamic
 * lists and groups with a path by that path. Display texts, option lists (valuesKey) and other
 * initial data are not among them.
 */
export function formFieldKeys(schema: unknown): Set<string> {
  const keys = new Set<string>();
  const visit = (components: unknown) => {
    if (!Array.isArray(components)) return;
    for (const c of components as Array<Record<string, unknown>>) {
      if (!c || typeof c !== 'object') continue;
      const path = typeof c.path === 'string' && c.path ? c.path : null;
      if (path) {
        keys.add(path.split('.')[0]);
        continue;
      }
      if (typeof c.key === 'string' && c.key && c.type !== 'text' && c.type !== 'html' && c.type !== 'button') keys.add(c.key.split('.')[0]);
      visit(c.components);
    }
  };
  visit((schema as { components?: unknown } | null)?.components);
  return keys;
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
/** Deployed forms kept in memory (a few per process version; the oldest goes first). */
const DEPLOYED_FORMS_CACHED = 500;

interface ListCacheEntry {
  at: number;
  /** offset → sort key of the row before it: the next page is read by keyset, not by OFFSET. */
  cursors: Map<number, { value: unknown; id: string }>;
}

export class InboxService {
  constructor(
    private readonly db: Db,
    private readonly tasks: UserTasks,
    private readonly audit: AuditService,
  ) {
    this.lists = new TaskListRepository(db);
    this.access = new TaskAccessAudit(db, audit);
  }

  /** Audits the case access an assignment gives a case manager of another site (policy.readsAssignedCases). */
  private readonly access: TaskAccessAudit;

  private readonly lists: TaskListRepository;

  private readonly listCache = new Map<string, ListCacheEntry>();

  /**
   * Forms deployed with a process definition, by definition and form key. A deployment's form never
   * changes (it is stored once under its deployment's id), so the entry stays valid; opening and
   * completing a task no longer costs two queries for it.
   */
  private readonly deployedForms = new Map<string, FormSchema>();

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
      namesShown: auditRow(a, { action: 'clients.list', entity: 'Client', fields: ['firstName', 'lastName'], reason: 'Aufgabeneingang' }),
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
    const out = rows.map(({ _assigneeName, _clientId, _pseudonym, _firstName, _lastName, _caseReference, _siteId, ...t }) => {
      const assigneeName = t.assignee ? (_assigneeName ?? null) : null;
      if (spec.client.kind === 'none') return { ...t, assigneeName, caseReference: _caseReference ?? null };
      const name = [_firstName, _lastName].filter(Boolean).join(' ');
      return { ...t, assigneeName, client: name || _pseudonym || null, clientIsPseudonym: !name && !!_pseudonym, caseReference: _caseReference ?? null, siteId: _siteId ?? null };
    });
    return { rows: out, total, totalCapped };
  }

  /**
   * The form the task links (camunda:formRef): the one deployed together with the task's process
   * version (formRefBinding "deployment"), else the commune's newest – never another commune's.
   */
  async formOf(task: Pick<Task, 'formKey' | 'processDefinitionKey' | 'kommuneId'>) {
    if (!task.formKey) return null;
    const cacheKey = `${task.processDefinitionKey}|${task.formKey}`;
    const cached = this.deployedForms.get(cacheKey);
    if (cached) return cached;
    const def = await this.db.processDefinition.findUnique({ where: { key: task.processDefinitionKey }, select: { deploymentId: true } });
    const own = def?.deploymentId ? await this.db.formSchema.findUnique({ where: { formKey: `${def.deploymentId}:${task.formKey}` } }) : null;
    if (own) {
      if (this.deployedForms.size >= DEPLOYED_FORMS_CACHED) this.deployedForms.delete(this.deployedForms.keys().next().value as string);
      this.deployedForms.set(cacheKey, own);
      return own;
    }
    if (!task.kommuneId) return null;
    return this.db.formSchema.findFirst({ where: { formId: task.formKey, tenantId: task.kommuneId }, orderBy: { version: 'desc' } });
  }

  /** An id-valued variable in the task's scope (the task view looks the record up by it). */
  idVariable(taskId: string, name: string) {
    return this.tasks.idVariable(taskId, name);
  }

  async get(a: Actor, id: string): Promise<Task & { assigneeName: string | null }> {
    assertTaskRole(a);
    const t = await this.db.task.findUnique({ where: { id } });
    if (!t || !canSeeTask(a, t)) throw notFound('Die Aufgabe');
    return { ...t, assigneeName: await this.assigneeName(a, t) };
  }

  /** The assignee's display name; the user's own without asking the database (the usual case). */
  private async assigneeName(a: Actor, t: { assignee: string | null; kommuneId: string | null }): Promise<string | null> {
    if (!t.assignee) return null;
    if (t.assignee === a.username && t.kommuneId === a.kommuneId) return a.displayName;
    return (await displayNames(this.db, t.kommuneId, [t.assignee])).get(t.assignee) ?? null;
  }

  /** The user takes an open task of their groups (the engine refuses when someone else has it). */
  async claim(a: Actor, id: string, requestId?: string) {
    const t = await this.get(a, id);
    assertCanWorkTask(a, t);
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    if (t.assignee && t.assignee !== a.username) throw conflict(TAKEN);
    await this.tasks.claim(id, a.username).catch((e) => Promise.reject(engineRefusal(e)));
    await this.audit.write(a, { action: 'task.claim', entity: 'Task', entityId: id, fields: ['assignee'], requestId });
    // The engine accepted the claim and its listener set the projection's assignee in the same
    // transaction: the row as read plus the new assignee is the row as it now is.
    return { ...t, assignee: a.username, assigneeName: a.displayName };
  }

  async unclaim(a: Actor, id: string, requestId?: string) {
    const t = await this.get(a, id);
    if (t.assignee !== a.username && a.role !== 'coordinator') throw conflict('Sie können nur eigene Aufgaben zurückgeben.');
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    await this.tasks.unclaim(id).catch((e) => Promise.reject(engineRefusal(e)));
    await this.audit.write(a, { action: 'task.unclaim', entity: 'Task', entityId: id, fields: ['assignee'], requestId });
    await this.access.ended(a, t, t.assignee, `Aufgabe „${t.name}“ zurückgegeben`, requestId);
    return this.db.task.findUniqueOrThrow({ where: { id } });
  }

  /**
   * A coordinator reassigns an open task of the commune to a user whose groups match the task's
   * candidate groups; the reason goes to the audit log. The engine's assignee changes.
   */
  async assign(a: Actor, id: string, input: { assignee: string; reason: string }, requestId?: string) {
    assertTaskRole(a);
    const t = await this.db.task.findUnique({ where: { id } });
    if (!t || !t.kommuneId || t.kommuneId !== a.kommuneId) throw notFound('Die Aufgabe');
    assertCanReassignTask(a, t);
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    const u = await this.db.user.findUnique({ where: { username: input.assignee }, select: { username: true, displayName: true, kommuneId: true, groups: true, active: true } });
    if (!u || !mayBeAssigned(u, t)) {
      throw badRequest('Diese Person kann die Aufgabe nicht bearbeiten: Sie muss zur Kommune und zu einer der Gruppen der Aufgabe gehören.', {
        assignee: `Keine passende Person (Gruppen der Aufgabe: ${t.candidateGroups.join(', ') || '–'})`,
      });
    }
    await this.tasks.assign(id, u.username).catch((e) => Promise.reject(engineRefusal(e)));
    await this.audit.write(a, {
      action: 'task.assign',
      entity: 'Task',
      entityId: id,
      caseId: t.caseId,
      fields: ['assignee'],
      reason: `${input.reason} (von ${t.assignee ?? 'niemand'} an ${u.username})`,
      requestId,
    });
    await this.access.reassigned(a, t, t.assignee, u.username, requestId);
    return { ...(await this.db.task.findUniqueOrThrow({ where: { id } })), assigneeName: u.displayName };
  }

  /**
   * Completes the task in the engine. Only the caller's own (claimed) task; a task claimed by nobody
   * is claimed first, so that someone claiming it at the same moment gets a clear answer. When the
   * engine answers, its listener has closed the row – and, if the process reached the next user task
   * without waiting for anything, that task's row exists too (see nextTask).
   */
  async complete(a: Actor, id: string, variables: Record<string, unknown>, requestId?: string) {
    const t = await this.get(a, id);
    assertCanWorkTask(a, t);
    if (t.state !== 'CREATED') throw conflict('Die Aufgabe ist bereits abgeschlossen.');
    if (t.assignee && t.assignee !== a.username) throw conflict(`Die Aufgabe ist ${t.assigneeName ?? t.assignee} zugewiesen. Übernehmen Sie sie erst.`);
    // Only the fields of the task's form reach the process: display data the task view hands the
    // form (names, numbers, option lists) or anything else a client adds is refused.
    const form = await this.formOf(t);
    if (form) {
      const allowed = formFieldKeys(form.schema);
      const foreign = Object.keys(variables).filter((k) => !allowed.has(k));
      if (foreign.length) {
        throw badRequest('Die Eingaben passen nicht zum Formular der Aufgabe.', Object.fromEntries(foreign.map((k) => [k, 'Kein Feld dieses Formulars'])));
      }
    }
    // Input the process does not decide on stays in the app database; the engine gets the rest.
    const { engine, kept } = splitProtected(protectedFields(t.processDefinitionId, t.elementId), variables);
    const processVariables = toProcessVariables(engine);
    if (Object.keys(kept).length) await this.keep(t, kept, a.username);
    try {
      if (!t.assignee) await this.tasks.claim(id, a.username);
      await this.tasks.complete(id, processVariables);
    } catch (e) {
      if (Object.keys(kept).length) await this.db.taskSubmission.deleteMany({ where: { taskId: id } });
      throw engineRefusal(e);
    }
    const done = await this.db.task.update({ where: { id }, data: { completedBy: a.username } });
    await this.audit.write(a, { action: 'task.complete', entity: 'Task', entityId: id, fields: Object.keys(variables), requestId });
    await this.access.ended(a, t, a.username, `Aufgabe „${t.name}“ erledigt`, requestId);
    return done;
  }

  /**
   * The next open task of the same case (or process instance) the user may work on: assigned to
   * them, or unassigned in one of their groups; the newest first. One query, no waiting: a task the
   * engine reached synchronously with the completion is already in the table when complete returns;
   * one that comes later (after a worker's step) announces itself through the live inbox.
   */
  nextTask(a: Actor, done: { id: string; caseId: string | null; processInstanceKey: string }) {
    const same = [...(done.caseId ? [{ caseId: done.caseId }] : []), { processInstanceKey: done.processInstanceKey }];
    return this.db.task.findFirst({
      where: {
        state: 'CREATED',
        kommuneId: a.kommuneId ?? '__none__',
        id: { not: done.id },
        AND: [{ OR: same }, { OR: [{ assignee: a.username }, { assignee: null, candidateGroups: { hasSome: a.groups } }, { assignee: null, candidateUsers: { has: a.username } }] }],
      },
      orderBy: [{ createdAt: 'desc' }, { priority: 'desc' }],
      select: { id: true, name: true, processDefinitionId: true, caseId: true, assignee: true },
    });
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
}
