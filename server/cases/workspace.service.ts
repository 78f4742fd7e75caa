/**
 * The task view of the web app: the task's deployed form with prefill values and the
 * user's draft, the case context beside it (as far as the role may see it), and per-user
 * preferences such as the inbox filters (the next task after a completion: InboxService.nextTask).
 *
 * Process variables are not readable on 8.6 without secondary storage, so prefill comes from the
 * case file the role may see and from the user's saved draft.
 */
import type { Task } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';
import { badRequest, DomainError } from '../errors';
import type { InboxService } from '../inbox/inbox.service';
import type { Actor } from '../auth/policy';
import type { RecordsService, Row } from './records.service';
import { TaskContextService } from '../inbox/task-context.service';
import type { StepContext } from '../inbox/step-context';

/** Input data key under which a form finds the commune's organisations as options (valuesKey). */
export const ORGANISATION_OPTIONS = 'organisationen';

/** Drafts and preferences are small JSON objects; more is a mistake or abuse. */
const MAX_JSON_CHARS = 64 * 1024;

export interface TaskForm {
  task: Task;
  form: { formKey: string; formId: string; version: number; schema: unknown } | null;
  /** Values the form is imported with: prefill from the case, overlaid by the user's draft. */
  data: Record<string, unknown>;
  draft: { data: Record<string, unknown>; updatedAt: Date } | null;
  context: CaseContext | null;
  /** The process's German name (from its model). */
  processName: string;
  /** What this step needs beside the form (facts, lists, hints, a one-click completion). */
  step: StepContext | null;
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
  ) {
    this.steps = new TaskContextService(db, (taskId, name) => inbox.idVariable(taskId, name));
  }

  private readonly steps: TaskContextService;

  /**
   * The form the task links (camunda:formRef): the one deployed together with the task's process
   * version (formRefBinding "deployment"), else the commune's newest – never another commune's.
   */
  formOf(task: Pick<Task, 'formKey' | 'processDefinitionKey' | 'kommuneId'>) {
    return this.inbox.formOf(task);
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
    // Forms whose options are the commune's organisations (valuesKey "organisationen", e.g. the
    // consent's recipients): the same list the case file's consent dialog offers.
    if (form && task.kommuneId && JSON.stringify(form.schema).includes(`"valuesKey":"${ORGANISATION_OPTIONS}"`)) {
      const orgs = await this.db.organisation.findMany({ where: { kommuneId: task.kommuneId, active: true }, select: { id: true, name: true }, orderBy: { name: 'asc' } });
      prefill[ORGANISATION_OPTIONS] = orgs.map((o) => ({ label: o.name, value: o.id }));
    }
    // The step's own data (from the app database, by the record the task belongs to) wins over the
    // generic prefill; what the user typed (draft) wins over both.
    const step = await this.steps.step(a, task, !!kase);
    const draftData = (draft?.data ?? null) as Record<string, unknown> | null;
    return {
      task,
      form: form ? { formKey: form.formKey, formId: form.formId, version: form.version, schema: form.schema } : null,
      data: { ...prefill, ...(step?.data ?? {}), ...(draftData ?? {}) },
      draft: draft && draftData ? { data: draftData, updatedAt: draft.updatedAt } : null,
      context,
      processName: await this.steps.processName(task),
      step,
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
