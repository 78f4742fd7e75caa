/**
 * The process modeler (issue 7): processes with their deployed versions, drafts per commune with
 * optimistic locking, the check (bpmnlint + project rules), the four-eyes release that deploys
 * through deployResources, instance migration, and watching: running instances, where they wait and
 * incidents.
 *
 * Engine facts (8.6 without secondary storage) that shape this service:
 * - The engine offers no instance or incident search. What runs, where it waits and the engine's
 *   incidents with their keys come from the engine history the KIM exporter writes
 *   (ModelHistoryRepository). A retry then sets the job's retries (for job incidents) and calls
 *   ResolveIncident with the incident key.
 * - When the history is unavailable, the fallback is what the app database knows: the Task projection
 *   (instances waiting at a user task) and the incidents the worker runtime recorded, retried with
 *   UpdateJobRetries plus a process instance modification (terminate the element instance – which
 *   resolves its incident – and activate the same element again). Responses say which source was used.
 * - One engine, no tenants: a release replaces the latest version of the process id engine-wide;
 *   the release records which commune released it.
 */
import path from 'node:path';
import { isNotFound, type Zeebe } from '../camunda/client';
import { deployResources, type Resource } from '../camunda/deploy';
import { lintModel, type LintFinding } from '../camunda/lint';
import { ROOT } from '../config';
import { EngineHistoryUnavailable } from '../data/engine-history.repository';
import type { EngineIncident, ModelHistoryRepository } from '../data/model-history.repository';
import type { ModelRepository, DraftRow } from '../data/model.repository';
import type { AuditService } from './audit.service';
import { badRequest, conflict, DomainError, notFound } from './errors';
import { elementTemplates, JOB_TYPE_NAMES } from './job-templates';
import { checkModel, CheckFinding, flowNodeIds } from './model-check';
import { Actor, assertCanChangeModels, assertCanReadModels } from './policy';

export interface ModelServiceOptions {
  /** Job types that have a worker (registry and running workers). */
  workerTypes(): string[];
  engineJobTypes: Set<string>;
  /** Folder holding processes/<id>/contract.ts (default processes/). */
  processesDir?: string;
  /** bpmnlint; replaceable in tests. */
  lint?: (xml: string) => Promise<LintFinding[]>;
  /** Engine history (KIM exporter); without it, or while it is unavailable, the app database is the source. */
  history?: ModelHistoryRepository;
}

/** Where running instances, heatmap and incidents came from: the engine history or the app database. */
export type WatchSource = 'engine' | 'projection';

/** One incident of a process: the engine's (with key) merged with the row the worker runtime recorded. */
export interface IncidentView {
  /** The runtime's row id when there is one (stable with or without history), else the incident key. */
  id: string;
  source: 'engine' | 'runtime';
  incidentKey: string | null;
  jobKey: string | null;
  jobType: string | null;
  processInstanceKey: string;
  processDefinitionKey: string;
  processVersion: number | null;
  elementId: string;
  elementInstanceKey: string | null;
  /** Engine error type (JOB_NO_RETRIES, CONDITION_ERROR, …); null for runtime rows without history. */
  errorType: string | null;
  message: string;
  state: 'open' | 'retried' | 'resolved';
  retriedBy: string | null;
  retriedAt: Date | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

type RuntimeIncident = NonNullable<Awaited<ReturnType<ModelRepository['incident']>>>;

/** Retries a job gets back when a coordinator retries its incident. */
const RETRY_RETRIES = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INCIDENT_KEY = /^\d{1,19}$/;

function runtimeView(r: RuntimeIncident): IncidentView {
  return {
    id: r.id,
    source: 'runtime',
    incidentKey: null,
    jobKey: r.jobKey,
    jobType: r.jobType,
    processInstanceKey: r.processInstanceKey,
    processDefinitionKey: r.processDefinitionKey,
    processVersion: r.processVersion,
    elementId: r.elementId,
    elementInstanceKey: r.elementInstanceKey,
    errorType: null,
    message: r.message,
    state: r.state === 'open' ? 'open' : 'retried',
    retriedBy: r.retriedBy,
    retriedAt: r.retriedAt,
    createdAt: r.createdAt,
    resolvedAt: null,
  };
}

/** The engine's incident, completed by the runtime's row for the same job (job type, who retried). */
function engineView(e: EngineIncident, r: RuntimeIncident | null, version: number | null): IncidentView {
  // A retry the history has not caught up with yet (or the runtime's retry) counts as "retried".
  const retried = !!r?.retriedAt && r.retriedAt >= e.createdAt && r.state !== 'open';
  return {
    id: r?.id ?? e.incidentKey,
    source: 'engine',
    incidentKey: e.incidentKey,
    jobKey: e.jobKey,
    jobType: r?.jobType ?? null,
    processInstanceKey: e.processInstanceKey,
    processDefinitionKey: e.processDefinitionKey,
    processVersion: version,
    elementId: e.elementId,
    elementInstanceKey: e.elementInstanceKey,
    errorType: e.errorType,
    message: e.errorMessage || r?.message || '',
    state: retried ? 'retried' : e.state,
    retriedBy: retried ? r!.retriedBy : null,
    retriedAt: retried ? r!.retriedAt : null,
    createdAt: e.createdAt,
    resolvedAt: e.resolvedAt,
  };
}

export interface CheckResult {
  ok: boolean;
  errors: CheckFinding[];
  warnings: CheckFinding[];
}

const OPEN = 'draft';
const IN_REVIEW = 'in_review';

type Forms = Record<string, unknown>;

const draftView = (d: DraftRow) => ({
  processId: d.processId,
  kommuneId: d.kommuneId,
  xml: d.xml,
  forms: d.forms as Forms,
  baseVersion: d.baseVersion,
  revision: d.revision,
  status: d.status,
  createdBy: d.createdBy,
  updatedBy: d.updatedBy,
  updatedAt: d.updatedAt,
  submittedBy: d.submittedBy,
  submittedAt: d.submittedAt,
  submitComment: d.submitComment,
});
const draftMeta = (d: DraftRow) => {
  const { xml: _x, forms: _f, ...rest } = draftView(d);
  return rest;
};

export class ModelService {
  constructor(
    private readonly repo: ModelRepository,
    private readonly zeebe: Zeebe,
    private readonly audit: AuditService,
    private readonly opts: ModelServiceOptions,
  ) {}

  private kommune(a: Actor): string {
    return a.kommuneId as string;
  }

  // ------------------------------------------------------------------ reading

  async list(a: Actor) {
    assertCanReadModels(a);
    const defs = await this.repo.definitions();
    const byProcess = new Map<string, typeof defs>();
    for (const d of defs) byProcess.set(d.processId, [...(byProcess.get(d.processId) ?? []), d]);
    const [counts, runtimeOpen, deployments, releases, drafts] = await Promise.all([
      this.repo.openTaskCounts(defs.map((d) => d.key)),
      this.repo.openIncidentRefs(),
      this.repo.deployments(),
      this.repo.releases(),
      a.role === 'coordinator' ? this.repo.drafts(this.kommune(a)) : Promise.resolve([] as DraftRow[]),
    ]);
    const watch = await this.versionStats(
      defs.map((d) => d.key),
      runtimeOpen,
      counts,
    );
    return [...byProcess.entries()].map(([processId, versions]) => {
      const names = (versions[0].elementNames ?? {}) as Record<string, string>;
      const draft = drafts.find((d) => d.processId === processId);
      return {
        id: processId,
        processId,
        name: names[processId] ?? processId,
        latestVersion: versions[0].version,
        watchSource: watch.source,
        versions: versions.map((v) => {
          const dep = deployments.find((x) => x.resourceKey === v.key);
          const rel = releases.find((r) => r.processDefinitionKey === v.key);
          const c = counts.get(v.key);
          return {
            version: v.version,
            processDefinitionKey: v.key,
            deployedAt: rel?.deployedAt ?? dep?.deployedAt ?? null,
            deployedBy: rel?.approvedBy ?? dep?.deployedBy ?? null,
            authoredBy: rel?.authoredBy ?? null,
            comment: rel?.comment ?? (dep && !dep.deployedBy ? 'Bereitstellung aus processes/ beim Start' : null),
            kommuneId: rel?.kommuneId ?? null,
            openTasks: c?.tasks ?? 0,
            openInstances: c?.instances ?? 0,
            runningInstances: watch.running.get(v.key) ?? 0,
            incidents: watch.incidents.get(v.key) ?? 0,
          };
        }),
        draft: draft ? draftMeta(draft) : null,
      };
    });
  }

  async get(a: Actor, processId: string) {
    const all = await this.list(a);
    const p = all.find((x) => x.processId === processId);
    if (!p) throw notFound('Der Prozess');
    return p;
  }

  /** One deployed version: its model, how many instances run and where they wait (heatmap). */
  async version(a: Actor, processId: string, version: number) {
    assertCanReadModels(a);
    const def = await this.repo.definition(processId, version);
    if (!def) throw notFound(`Version ${version} des Prozesses`);
    const src = await this.repo.source(def.key);
    const w = await this.waiting(def.key);
    return { processId, version, processDefinitionKey: def.key, xml: src?.xml ?? null, heatmap: w.heatmap, runningInstances: w.running, watchSource: w.source, elementNames: def.elementNames };
  }

  /** Runs `read` on the engine history; null when there is none or it is unavailable (→ fallback). */
  private async fromHistory<T>(read: (h: ModelHistoryRepository) => Promise<T>): Promise<T | null> {
    if (!this.opts.history) return null;
    try {
      return await read(this.opts.history);
    } catch (e) {
      if (e instanceof EngineHistoryUnavailable) return null;
      throw e;
    }
  }

  /** Running instances and open incidents per definition: engine history, else projection and runtime rows. */
  private async versionStats(defKeys: string[], runtimeOpen: Array<{ jobKey: string; processDefinitionKey: string }>, counts: Map<string, { instances: number }>) {
    const stats = await this.fromHistory((h) => h.versionStats(defKeys, runtimeOpen.map((r) => r.jobKey)));
    const incidents = new Map<string, number>(stats?.openIncidents ?? []);
    // Runtime rows the engine history does not know (e.g. older than the exporter) count on their own.
    for (const r of runtimeOpen) if (!stats?.knownJobKeys.has(r.jobKey)) incidents.set(r.processDefinitionKey, (incidents.get(r.processDefinitionKey) ?? 0) + 1);
    if (stats) return { source: 'engine' as WatchSource, running: stats.running, incidents };
    return { source: 'projection' as WatchSource, running: new Map([...counts].map(([k, c]) => [k, c.instances])), incidents };
  }

  private async waiting(defKey: string): Promise<{ source: WatchSource; running: number; heatmap: Record<string, number> }> {
    const w = await this.fromHistory((h) => h.waiting(defKey));
    if (w) return { source: 'engine', ...w };
    const [heatmap, counts] = await Promise.all([this.repo.heatmap(defKey), this.repo.openTaskCounts([defKey])]);
    return { source: 'projection', running: counts.get(defKey)?.instances ?? 0, heatmap };
  }

  elementTemplates(a: Actor) {
    assertCanChangeModels(a);
    return elementTemplates(this.workerTypes());
  }

  private workerTypes(): string[] {
    return this.opts.workerTypes().filter((t) => !this.opts.engineJobTypes.has(t));
  }

  // ------------------------------------------------------------------ drafts

  async draft(a: Actor, processId: string) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.kommune(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    return draftView(d);
  }

  /** Starts a draft from the latest deployed version, with the forms its user tasks link. */
  async createDraft(a: Actor, processId: string) {
    assertCanChangeModels(a);
    const existing = await this.repo.draft(this.kommune(a), processId);
    if (existing) throw conflict(`Es gibt bereits einen Entwurf (zuletzt geändert von ${existing.updatedBy}). Bitte diesen weiter bearbeiten.`);
    const [latest] = await this.repo.definitions(processId);
    if (!latest) throw notFound('Der Prozess');
    const src = await this.repo.source(latest.key);
    if (!src) throw conflict('Zu dieser Version ist kein Modell gespeichert; bitte die Plattform einmal neu starten.');
    const forms: Forms = {};
    for (const formId of userTaskFormIds(src.xml)) {
      const f = await this.repo.latestForm(formId);
      if (f) forms[formId] = f.schema;
    }
    try {
      const d = await this.repo.createDraft({ kommuneId: this.kommune(a), processId, xml: src.xml, forms, baseVersion: latest.version, by: a.username });
      await this.audit.write(a, { action: 'model.draft.create', entity: 'ProcessDraft', entityId: d.id });
      return draftView(d);
    } catch (e) {
      if ((e as { code?: string }).code === 'P2002') throw conflict('Eine andere Person hat gerade einen Entwurf angelegt. Bitte neu laden.');
      throw e;
    }
  }

  /** Saves the draft if nobody saved it since `revision` (optimistic lock); else 409, nothing overwritten. */
  async saveDraft(a: Actor, processId: string, input: { xml: string; forms?: Forms; revision: number }) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.kommune(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    if (d.revision !== input.revision) throw this.stale(d);
    const data: Record<string, unknown> = { xml: input.xml, updatedBy: a.username };
    if (input.forms) data.forms = input.forms;
    // Editing a draft under review takes it back from the review.
    if (d.status === IN_REVIEW) Object.assign(data, { status: OPEN, submittedBy: null, submittedAt: null, submitComment: null });
    const n = await this.repo.updateDraft(d.id, input.revision, data);
    if (n === 0) throw this.stale((await this.repo.draft(this.kommune(a), processId)) ?? d);
    return draftView((await this.repo.draft(this.kommune(a), processId))!);
  }

  private stale(d: DraftRow): DomainError {
    const at = d.updatedAt.toLocaleString('de-DE', { timeZone: 'Europe/Berlin' });
    return conflict(
      `Der Entwurf wurde inzwischen von ${d.updatedBy} geändert (Stand ${d.revision}, ${at}). Ihre Änderungen wurden nicht gespeichert – bitte den Entwurf neu laden und Ihre Änderungen erneut einarbeiten.`,
    );
  }

  async discardDraft(a: Actor, processId: string) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.kommune(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    await this.repo.deleteDraft(d.id);
    await this.audit.write(a, { action: 'model.draft.discard', entity: 'ProcessDraft', entityId: d.id });
  }

  // ------------------------------------------------------------------ check

  /** bpmnlint (camunda-compat 8.6) and the project rules; errors block the release. */
  async check(a: Actor, processId: string, input?: { xml?: string; forms?: Forms }): Promise<CheckResult> {
    assertCanChangeModels(a);
    let xml = input?.xml;
    let forms = input?.forms;
    if (xml === undefined) {
      const d = await this.repo.draft(this.kommune(a), processId);
      if (!d) throw notFound('Ein Entwurf dieses Prozesses');
      xml = d.xml;
      forms ??= d.forms as Forms;
    }
    return this.checkXml(processId, xml, forms ?? {});
  }

  private async checkXml(processId: string, xml: string, forms: Forms): Promise<CheckResult> {
    const deployedForms = (await this.repo.deployedFormIds()).map((f) => f.formId);
    const findings: CheckFinding[] = checkModel(xml, {
      processId,
      workerTypes: new Set(this.workerTypes()),
      engineJobTypes: this.opts.engineJobTypes,
      formIds: new Set([...deployedForms, ...Object.keys(forms)]),
      contract: this.contractOf(processId),
    });
    // Unparsable XML: the project rules said so already; bpmnlint would repeat it.
    if (!findings.some((f) => f.rule === 'xml')) {
      for (const f of await (this.opts.lint ?? lintModel)(xml)) findings.push({ rule: f.rule, elementId: f.elementId, severity: f.severity, message: f.message, detail: f.detail });
    }
    const errors = findings.filter((f) => f.severity === 'error');
    return { ok: errors.length === 0, errors, warnings: findings.filter((f) => f.severity === 'warning') };
  }

  /** Message names and error codes of processes/<id>/contract.ts (exports named MSG…/ERR…). */
  private contractOf(processId: string): { messages: Set<string>; errors: Set<string> } | undefined {
    if (!/^[a-z0-9-]+$/.test(processId)) return undefined;
    let mod: Record<string, unknown>;
    try {
      // The contract of a process chosen at run time: a dynamic require is the point here.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(path.join(this.opts.processesDir ?? path.join(ROOT, 'processes'), processId, 'contract'));
    } catch {
      return undefined;
    }
    const values = (prefix: string) => {
      const out = new Set<string>();
      const add = (v: unknown) => {
        if (typeof v === 'string') out.add(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(add);
      };
      for (const [k, v] of Object.entries(mod)) if (k.startsWith(prefix)) add(v);
      return out;
    };
    return { messages: values('MSG'), errors: values('ERR') };
  }

  // ------------------------------------------------------------------ release

  async submit(a: Actor, processId: string, input: { comment: string; revision?: number }) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.kommune(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    if (input.revision !== undefined && input.revision !== d.revision) throw this.stale(d);
    if (d.status === IN_REVIEW) throw conflict(`Der Entwurf ist bereits zur Prüfung eingereicht (von ${d.submittedBy}).`);
    await this.assertPasses(processId, d);
    const n = await this.repo.updateDraft(d.id, d.revision, { status: IN_REVIEW, submittedBy: a.username, submittedAt: new Date(), submitComment: input.comment, updatedBy: a.username });
    if (n === 0) throw this.stale((await this.repo.draft(this.kommune(a), processId)) ?? d);
    await this.audit.write(a, { action: 'model.submit', entity: 'ProcessDraft', entityId: d.id, reason: input.comment });
    return draftView((await this.repo.draft(this.kommune(a), processId))!);
  }

  private async assertPasses(processId: string, d: DraftRow) {
    const r = await this.checkXml(processId, d.xml, d.forms as Forms);
    if (!r.ok) {
      const fields: Record<string, string> = {};
      for (const f of r.errors) fields[f.elementId] = fields[f.elementId] ? `${fields[f.elementId]} ${f.message}` : f.message;
      throw new DomainError(
        422,
        `Der Entwurf hat ${r.errors.length} Fehler und kann nicht freigegeben werden: ${r.errors
          .slice(0, 3)
          .map((f) => `${f.elementId}: ${f.message}`)
          .join(' ')}`,
        'model_invalid',
        fields,
      );
    }
  }

  async reject(a: Actor, processId: string, input: { comment: string }) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.kommune(a), processId);
    if (!d || d.status !== IN_REVIEW) throw conflict('Es liegt kein Entwurf zur Prüfung vor.');
    await this.repo.updateDraft(d.id, d.revision, { status: OPEN, submittedBy: null, submittedAt: null, submitComment: null });
    await this.audit.write(a, { action: 'model.reject', entity: 'ProcessDraft', entityId: d.id, reason: input.comment });
  }

  /** Four-eyes release: a second coordinator of the commune approves; the server deploys the draft. */
  async approve(a: Actor, processId: string, input: { comment: string }) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.kommune(a), processId);
    if (!d || d.status !== IN_REVIEW) throw conflict('Es liegt kein Entwurf zur Prüfung vor. Der Entwurf muss zuerst eingereicht werden.');
    if (d.submittedBy === a.username || d.updatedBy === a.username) {
      throw new DomainError(403, 'Vier-Augen-Prinzip: Wer den Entwurf bearbeitet oder eingereicht hat, kann ihn nicht selbst freigeben. Bitte eine zweite Koordinatorin oder einen zweiten Koordinator bitten.', 'four_eyes');
    }
    await this.assertPasses(processId, d);
    // Take the draft out of review first (optimistic lock), so two approvals cannot both deploy.
    const n = await this.repo.updateDraft(d.id, d.revision, { status: 'deploying', updatedBy: d.updatedBy });
    if (n === 0) throw this.stale((await this.repo.draft(this.kommune(a), processId)) ?? d);
    try {
      const [latest] = await this.repo.definitions(processId);
      const resources: Resource[] = [];
      for (const [formId, schema] of Object.entries(d.forms as Forms)) {
        const deployed = await this.repo.latestForm(formId);
        if (deployed && JSON.stringify(deployed.schema) === JSON.stringify(schema)) continue;
        resources.push({ name: deployed?.resourceName ?? `${processId}/forms/${formId}.form`, kind: 'form', content: Buffer.from(JSON.stringify(schema, null, 2)) });
      }
      resources.push({ name: latest?.resourceName ?? `${processId}/${processId}.bpmn`, kind: 'bpmn', content: Buffer.from(d.xml) });
      const res = await deployResources(this.repo.db, this.zeebe, resources, { deployedBy: a.username });
      const dep = res.deployed.find((x) => x.resourceId === processId);
      if (!dep) throw conflict('Der Entwurf ist identisch mit einer bereits bereitgestellten Version; es wurde nichts bereitgestellt.');
      const def = await this.repo.definition(processId, dep.version);
      await this.repo.createRelease({
        kommuneId: this.kommune(a),
        processId,
        version: dep.version,
        processDefinitionKey: def!.key,
        authoredBy: d.submittedBy ?? d.updatedBy,
        submitComment: d.submitComment,
        approvedBy: a.username,
        comment: input.comment,
      });
      await this.repo.deleteDraft(d.id);
      await this.audit.write(a, { action: 'model.approve', entity: 'ProcessDefinition', entityId: def!.key, reason: input.comment });
      return { processId, version: dep.version, processDefinitionKey: def!.key };
    } catch (e) {
      await this.repo.updateDraft(d.id, d.revision + 1, { status: IN_REVIEW, updatedBy: d.updatedBy }).catch(() => undefined);
      if (e instanceof DomainError) throw e;
      throw new DomainError(502, `Die Engine hat die Bereitstellung abgelehnt: ${(e as Error).message}`, 'deploy_failed');
    }
  }

  // ------------------------------------------------------------------ migration

  /**
   * What would move where: elements present in both versions (same id and type) are mapped; an
   * instance (known from the Task projection) is migratable when every element it waits in is mapped.
   */
  async migrationPreview(a: Actor, processId: string, fromVersion: number, toVersion?: number) {
    assertCanChangeModels(a);
    const from = await this.repo.definition(processId, fromVersion);
    const to = toVersion ? await this.repo.definition(processId, toVersion) : (await this.repo.definitions(processId))[0];
    if (!from || !to) throw notFound('Die Version');
    if (from.key === to.key) throw badRequest('Quell- und Zielversion sind gleich.', { to: 'andere Version wählen' });
    const [sf, st] = await Promise.all([this.repo.source(from.key), this.repo.source(to.key)]);
    if (!sf || !st) throw conflict('Zu einer der Versionen ist kein Modell gespeichert.');
    const a1 = flowNodeIds(sf.xml);
    const a2 = flowNodeIds(st.xml);
    const mappings = [...a1.entries()].filter(([id, n]) => a2.get(id)?.tag === n.tag).map(([id]) => ({ sourceElementId: id, targetElementId: id }));
    const mapped = new Set(mappings.map((m) => m.sourceElementId));
    const byInstance = new Map<string, string[]>();
    for (const t of await this.repo.openTasksOf(from.key)) byInstance.set(t.processInstanceKey, [...(byInstance.get(t.processInstanceKey) ?? []), t.elementId]);
    const instances = [...byInstance.entries()].map(([processInstanceKey, elements]) => {
      const missing = elements.filter((e) => !mapped.has(e));
      return {
        processInstanceKey,
        elements,
        migratable: missing.length === 0,
        reason: missing.length ? `Element(e) ${missing.join(', ')} fehlen in Version ${to.version} oder haben einen anderen Typ.` : null,
      };
    });
    return {
      processId,
      from: { version: from.version, processDefinitionKey: from.key },
      to: { version: to.version, processDefinitionKey: to.key },
      mappings,
      removed: [...a1.keys()].filter((id) => !mapped.has(id)),
      added: [...a2.keys()].filter((id) => !a1.has(id)),
      instances,
      note: 'Bekannt sind nur Instanzen, die an einer Benutzeraufgabe warten (Aufgaben-Projektion); Camunda 8.6 ohne Secondary Storage bietet keine Instanzsuche.',
    };
  }

  /** Migrates the migratable instances with the engine's MigrateProcessInstance (gRPC). */
  async migrate(a: Actor, processId: string, fromVersion: number, toVersion?: number) {
    const p = await this.migrationPreview(a, processId, fromVersion, toVersion);
    const results: Array<{ processInstanceKey: string; migrated: boolean; message?: string }> = [];
    for (const i of p.instances) {
      if (!i.migratable) {
        results.push({ processInstanceKey: i.processInstanceKey, migrated: false, message: i.reason ?? undefined });
        continue;
      }
      try {
        await this.zeebe.migrateProcessInstance({
          processInstanceKey: i.processInstanceKey,
          migrationPlan: { targetProcessDefinitionKey: p.to.processDefinitionKey, mappingInstructions: p.mappings },
        });
        await this.repo.moveTasks(i.processInstanceKey, p.to.processDefinitionKey, p.to.version);
        results.push({ processInstanceKey: i.processInstanceKey, migrated: true });
      } catch (e) {
        results.push({ processInstanceKey: i.processInstanceKey, migrated: false, message: `Die Engine hat die Migration abgelehnt: ${(e as Error).message}` });
      }
    }
    await this.audit.write(a, { action: 'model.migrate', entity: 'ProcessDefinition', entityId: p.to.processDefinitionKey, fields: results.filter((r) => r.migrated).map((r) => r.processInstanceKey) });
    return { ...p, results };
  }

  // ------------------------------------------------------------------ incidents

  /**
   * The process's incidents: the engine's (with incident key, element, error type and message; open =
   * created and not resolved) merged with the rows the worker runtime recorded (same job, or same
   * instance and element) – without history only the runtime's rows.
   */
  async incidents(a: Actor, processId: string): Promise<IncidentView[]> {
    assertCanChangeModels(a);
    const defs = await this.repo.definitions(processId);
    const versionOf = new Map(defs.map((d) => [d.key, d.version]));
    const [runtime, engine] = await Promise.all([this.repo.incidents(processId), this.fromHistory((h) => h.incidents(defs.map((d) => d.key)))]);
    if (!engine) return runtime.map(runtimeView);
    const used = new Set<string>();
    const out: IncidentView[] = [];
    // Newest first: a job that failed again after a retry attaches its runtime row to the newest incident.
    for (const e of engine) {
      const r =
        runtime.find((x) => !used.has(x.id) && e.jobKey !== null && x.jobKey === e.jobKey) ??
        (e.state === 'open' ? runtime.find((x) => !used.has(x.id) && x.state === 'open' && x.processInstanceKey === e.processInstanceKey && x.elementId === e.elementId) : undefined) ??
        null;
      if (r) used.add(r.id);
      out.push(engineView(e, r, versionOf.get(e.processDefinitionKey) ?? null));
    }
    for (const r of runtime) if (!used.has(r.id)) out.push(runtimeView(r));
    return out.sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime());
  }

  /**
   * Retry after the cause was fixed. `id` is an incident key (engine) or the id of a runtime row.
   * With the engine's incident: UpdateJobRetries for a job incident, then ResolveIncident – the engine
   * re-runs the job or re-evaluates the element. Without history (fallback): UpdateJobRetries and a
   * process instance modification re-running the failed element (terminating it resolves the incident).
   */
  async retryIncident(a: Actor, processId: string, id: string): Promise<IncidentView> {
    assertCanChangeModels(a);
    const defs = await this.repo.definitions(processId);
    const versionOf = new Map(defs.map((d) => [d.key, d.version]));
    let runtime: RuntimeIncident | null = null;
    let engine: EngineIncident | null = null;
    if (INCIDENT_KEY.test(id)) {
      if (!this.opts.history) throw notFound('Der Vorfall');
      try {
        engine = await this.opts.history.incident(id);
      } catch (e) {
        if (e instanceof EngineHistoryUnavailable) throw new DomainError(503, 'Die Verlaufsdaten der Engine sind gerade nicht erreichbar. Bitte später erneut versuchen.', 'history_unavailable');
        throw e;
      }
      if (!engine || !versionOf.has(engine.processDefinitionKey)) throw notFound('Der Vorfall');
      runtime = engine.jobKey ? await this.repo.incidentByJobKey(engine.jobKey) : null;
    } else {
      runtime = UUID.test(id) ? await this.repo.incident(id) : null;
      if (!runtime || runtime.processId !== processId) throw notFound('Der Vorfall');
      const known = await this.fromHistory((h) => h.incidents([runtime!.processDefinitionKey]));
      engine =
        known?.find((e) => e.jobKey === runtime!.jobKey) ??
        known?.find((e) => e.state === 'open' && e.processInstanceKey === runtime!.processInstanceKey && e.elementId === runtime!.elementId) ??
        null;
    }
    if (engine) return this.resolve(a, engine, runtime, versionOf.get(engine.processDefinitionKey) ?? null);
    return this.retryByModification(a, runtime!);
  }

  private async resolve(a: Actor, e: EngineIncident, r: RuntimeIncident | null, version: number | null): Promise<IncidentView> {
    if (e.state === 'resolved') throw conflict('Dieser Vorfall ist in der Engine bereits gelöst.');
    try {
      if (e.jobKey) await this.zeebe.updateJobRetries({ jobKey: e.jobKey, retries: RETRY_RETRIES });
      await this.zeebe.resolveIncident({ incidentKey: e.incidentKey });
    } catch (err) {
      if (isNotFound(err)) throw conflict('Der Vorfall ist in der Engine bereits gelöst, oder die Instanz existiert nicht mehr (z. B. abgebrochen).');
      throw new DomainError(502, `Die Engine hat die Wiederholung abgelehnt: ${(err as Error).message}`, 'retry_failed');
    }
    await this.audit.write(a, { action: 'model.incident.retry', entity: 'Incident', entityId: e.incidentKey });
    const marked = r ? await this.repo.markRetried(r.id, a.username) : null;
    const view = engineView(e, marked, version);
    return { ...view, state: 'retried', retriedBy: a.username, retriedAt: marked?.retriedAt ?? new Date() };
  }

  /** Fallback without history: the incident key is unknown, so ResolveIncident cannot be called. */
  private async retryByModification(a: Actor, i: RuntimeIncident): Promise<IncidentView> {
    if (i.state !== 'open') throw conflict('Dieser Vorfall wurde bereits erneut versucht.');
    try {
      await this.zeebe.updateJobRetries({ jobKey: i.jobKey, retries: RETRY_RETRIES });
      if (i.elementInstanceKey) {
        await this.zeebe.modifyProcessInstance({
          processInstanceKey: i.processInstanceKey,
          terminateInstructions: [{ elementInstanceKey: i.elementInstanceKey }],
          activateInstructions: [{ elementId: i.elementId, ancestorElementInstanceKey: '-1', variableInstructions: [] }],
        } as never);
      }
    } catch (e) {
      if (isNotFound(e)) {
        await this.repo.markRetried(i.id, a.username);
        throw conflict('Die Instanz oder der Job existiert in der Engine nicht mehr (z. B. abgebrochen). Der Vorfall ist erledigt.');
      }
      throw new DomainError(502, `Die Engine hat die Wiederholung abgelehnt: ${(e as Error).message}`, 'retry_failed');
    }
    await this.audit.write(a, { action: 'model.incident.retry', entity: 'Incident', entityId: i.id });
    return runtimeView(await this.repo.markRetried(i.id, a.username));
  }
}

function userTaskFormIds(xml: string): string[] {
  const ids = new Set<string>();
  for (const m of xml.matchAll(/<zeebe:formDefinition\b[^>]*\bformId="([^"]+)"/g)) ids.add(m[1]);
  return [...ids];
}

export { JOB_TYPE_NAMES };
