/**
 * The task view of the web app (issue 6): the task's deployed form with prefill values and the
 * user's draft, the case context beside it (as far as the role may see it), the next task of the
 * same case after a completion, and per-user preferences such as the inbox filters.
 *
 * Process variables are not readable on 8.6 without secondary storage, so prefill comes from the
 * case file the role may see and from the user's saved draft.
 */
import type { Task } from '../../generated/prisma/client';
import type { Db } from '../data/prisma';
import { badRequest, DomainError } from './errors';
import type { InboxService } from './inbox.service';
import type { Actor } from './policy';
import type { RecordsService, Row } from './records.service';
import { waitFor } from '../util/ports';

/** How long a completion waits for the engine to create the next task of the same case. */
export const NEXT_TASK_WAIT_MS = 2500;
/** Drafts and preferences are small JSON objects; more is a mistake or abuse. */
const MAX_JSON_CHARS = 64 * 1024;

export interface TaskForm {
  task: Task;
  form: { formKey: string; formId: string; version: number; schema: unknown } | null;
  /** Values the form is imported with: prefill from the case, overlaid by the user's draft. */
  data: Record<string, unknown>;
  draft: { data: Record<string, unknown>; updatedAt: Date } | null;
  context: CaseContext | null;
}

export interface CaseContext {
  case: Row | null;
  client: Row | null;
  consents: Row[] | null;
  notes: Row[] | null;
}

/** Runs a read the role may not have: forbidden / not found → null (the section is left out). */
async function ifAllowed<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DomainError && (e.status === 403 || e.status === 404 || e.status === 400)) return null;
    throw e;
  }
}

function jsonObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badRequest('Bitte ein JSON-Objekt senden.', { [field]: 'JSON-Objekt erwartet' });
  if (JSON.stringify(v).length > MAX_JSON_CHARS) throw badRequest('Die Daten sind zu umfangreich.', { [field]: `höchstens ${MAX_JSON_CHARS} Zeichen` });
  return v as Record<string, unknown>;
}

export class WorkspaceService {
  constructor(
    private readonly db: Db,
    private readonly inbox: InboxService,
    private readonly records: RecordsService,
  ) {}

  /** The deployed form of a task: by the engine's form key, else (older rows) by form id, newest version. */
  async formOf(task: Pick<Task, 'formKey'>) {
    if (!task.formKey) return null;
    const byKey = await this.db.formSchema.findUnique({ where: { formKey: task.formKey } });
    if (byKey) return byKey;
    return this.db.formSchema.findFirst({ where: { formId: task.formKey }, orderBy: { version: 'desc' } });
  }

  async taskForm(a: Actor, taskId: string, requestId?: string): Promise<TaskForm> {
    const task = await this.inbox.get(a, taskId);
    const form = await this.formOf(task);
    const draft = await this.db.taskDraft.findUnique({ where: { taskId_userId: { taskId, userId: a.id } } });
    const context = task.caseId ? await this.context(a, task.caseId, requestId) : null;
    const prefill: Record<string, unknown> = { caseId: task.caseId, kommuneId: task.kommuneId };
    const kase = context?.case;
    if (kase) {
      if (Array.isArray(kase.existingSupport) && kase.existingSupport.length) prefill.bestehendeUnterstuetzung = (kase.existingSupport as string[]).join(', ');
      const needs = Array.isArray(kase.needs) ? (kase.needs as Row[]) : [];
      if (needs.length) prefill.lebensbereiche = [...new Set(needs.map((n) => String(n.lifeArea)))];
      if (kase.kindOfHelp) prefill.hilfeart = kase.kindOfHelp;
    }
    const draftData = (draft?.data ?? null) as Record<string, unknown> | null;
    return {
      task,
      form: form ? { formKey: form.formKey, formId: form.formId, version: form.version, schema: form.schema } : null,
      data: { ...prefill, ...(draftData ?? {}) },
      draft: draft && draftData ? { data: draftData, updatedAt: draft.updatedAt } : null,
      context,
    };
  }

  /** Case, client, consents and the last notes – each only if the role may read it (fields minimised by the policy). */
  async context(a: Actor, caseId: string, requestId?: string): Promise<CaseContext> {
    const kase = await ifAllowed(() => this.records.get(a, 'cases', caseId, requestId));
    if (!kase) return { case: null, client: null, consents: null, notes: null };
    const page = (limit: number) => ({ offset: 0, limit, sortOrder: 'desc' as const, filter: { caseId } });
    const [client, consents, notes] = await Promise.all([
      kase.clientId ? ifAllowed(() => this.records.get(a, 'clients', String(kase.clientId), requestId)) : Promise.resolve(null),
      ifAllowed(async () => (await this.records.list(a, 'consents', page(20), requestId)).rows),
      ifAllowed(async () => (await this.records.list(a, 'notes', { ...page(5), sortField: 'createdAt' }, requestId)).rows),
    ]);
    return { case: kase, client, consents, notes };
  }

  /** Saves the user's draft of a task (only a task the user may work on). */
  async saveDraft(a: Actor, taskId: string, data: unknown) {
    const task = await this.inbox.get(a, taskId);
    if (task.state !== 'CREATED') throw new DomainError(409, 'Die Aufgabe ist bereits abgeschlossen; ein Entwurf wird nicht mehr gebraucht.', 'conflict');
    const obj = jsonObject(data, 'data');
    const row = await this.db.taskDraft.upsert({
      where: { taskId_userId: { taskId, userId: a.id } },
      create: { taskId, userId: a.id, data: obj as object },
      update: { data: obj as object },
    });
    return { taskId, data: row.data, updatedAt: row.updatedAt };
  }

  async dropDrafts(taskId: string) {
    await this.db.taskDraft.deleteMany({ where: { taskId } });
  }

  /**
   * The next open task of the same case (or process instance) the user may work on: assigned to
   * them, or unassigned in one of their groups. Waits up to `waitMs` for one created after `since`
   * (the engine creates it asynchronously), then takes any open one.
   */
  async nextTask(a: Actor, done: Pick<Task, 'id' | 'caseId' | 'processInstanceKey'>, since: Date, waitMs = NEXT_TASK_WAIT_MS) {
    const same = [...(done.caseId ? [{ caseId: done.caseId }] : []), { processInstanceKey: done.processInstanceKey }];
    const where = {
      state: 'CREATED' as const,
      kommuneId: a.kommuneId ?? '__none__',
      id: { not: done.id },
      AND: [{ OR: same }, { OR: [{ assignee: a.username }, { assignee: null, candidateGroups: { hasSome: a.groups } }, { assignee: null, candidateUsers: { has: a.username } }] }],
    };
    const select = { id: true, name: true, processDefinitionId: true, caseId: true, assignee: true };
    const fresh = await waitFor(
      () => this.db.task.findFirst({ where: { ...where, createdAt: { gte: new Date(since.getTime() - 1000) } }, orderBy: { createdAt: 'asc' }, select }),
      { timeoutMs: waitMs, intervalMs: 100, what: 'nächste Aufgabe des Falls' },
    ).catch(() => null);
    if (fresh) return fresh;
    return this.db.task.findFirst({ where, orderBy: [{ priority: 'desc' }, { createdAt: 'asc' }], select });
  }

  async preferences(a: Actor): Promise<Record<string, unknown>> {
    const row = await this.db.userPreference.findUnique({ where: { userId: a.id } });
    return (row?.data ?? {}) as Record<string, unknown>;
  }

  /** Merges the given top-level keys into the user's preferences (null removes a key). */
  async savePreferences(a: Actor, patch: unknown): Promise<Record<string, unknown>> {
    const obj = jsonObject(patch, 'preferences');
    const merged: Record<string, unknown> = { ...(await this.preferences(a)) };
    for (const [k, v] of Object.entries(obj)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    jsonObject(merged, 'preferences');
    await this.db.userPreference.upsert({ where: { userId: a.id }, create: { userId: a.id, data: merged as object }, update: { data: merged as object } });
    return merged;
  }
}
