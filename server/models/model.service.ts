/**
 * The process modeler: a commune's processes with their deployed versions, drafts per commune with
 * optimistic locking, the check (bpmnlint + project rules), the four-eyes release that deploys the
 * commune's variant, and watching the versions: running instances, where they wait (heatmap),
 * incidents with retry and instance migration.
 *
 * A commune is an engine tenant. Everything here is asked of the engine for the actor's commune only:
 * the definitions of the tenant are the only ones a caller can name (by process id and version), and
 * every definition key, incident or instance used in a later engine call comes from such an answer –
 * another commune's data is never read, changed, or even confirmed to exist.
 */
import path from 'node:path';
import { ROOT } from '../config';
import { inspectBpmn } from '../engine/bpmn';
import { lintModel, type LintFinding } from '../engine/lint';
import type { DraftRow, ModelRepository } from './model.repository';
import { deployResources, sameJson, type Resource } from '../engine/deploy';
import { EngineBadRequest, EngineNotFound, type DefinitionInfo, type Deployer, type EngineIncident, type EngineWatch } from '../engine/port';
import type { AuditService } from '../audit/audit.service';
import { badRequest, conflict, DomainError, notFound } from '../errors';
import { elementTemplates } from './job-templates';
import { checkModel, CheckFinding, flowNodeIds } from './model-check';
import { Actor, assertCanChangeModels, assertCanReadModels, can, caseScope, caseWhere } from '../auth/policy';

export interface ModelServiceOptions {
  /** External-task topics that have a worker (registry and running workers). */
  workerTypes(): string[];
  /** Topics the platform reserves (none may be drawn); empty when there are none. */
  engineJobTypes?: Set<string>;
  /** Folder holding processes/<id>/contract.ts (default processes/). */
  processesDir?: string;
  /** bpmnlint; replaceable in tests. */
  lint?: (xml: string) => Promise<LintFinding[]>;
}

/** One open incident of a process, with the step it stopped at. */
export interface IncidentView {
  id: string;
  /** The engine's incident type: failedExternalTask (a worker's step), failedJob (the engine's own job), … */
  type: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  processVersion: number | null;
  elementId: string;
  /** The step's name from the model (its id when it has none). */
  elementName: string;
  /** The case the instance belongs to (id and reference), only for readers who may see that case. */
  caseId: string | null;
  caseReference: string | null;
  message: string;
  state: 'open' | 'retried';
  retriedBy: string | null;
  retriedAt: Date | null;
  createdAt: string;
}

export interface CheckResult {
  ok: boolean;
  errors: CheckFinding[];
  warnings: CheckFinding[];
}

/** Retries a step gets back when a coordinator retries its incident. */
const RETRY_RETRIES = 3;
/** The migration preview traces at most this many instances (one engine call each). */
const MAX_PREVIEW_INSTANCES = 200;
const MI_BODY = /#multiInstanceBody$/;

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
  private readonly deployer: Deployer;
  private readonly watch: EngineWatch;

  constructor(
    private readonly repo: ModelRepository,
    engine: { deployer: Deployer; watch: EngineWatch },
    private readonly audit: AuditService,
    private readonly opts: ModelServiceOptions,
  ) {
    this.deployer = engine.deployer;
    this.watch = engine.watch;
  }

  /** The actor's commune = the engine tenant of every call made for the actor. */
  private tenant(a: Actor): string {
    return a.kommuneId as string;
  }

  // ------------------------------------------------------------------ reading

  async list(a: Actor) {
    assertCanReadModels(a);
    return this.overview(a);
  }

  async get(a: Actor, processId: string) {
    assertCanReadModels(a);
    const [p] = await this.overview(a, processId);
    if (!p) throw notFound('Der Prozess');
    return p;
  }

  /** The tenant's processes (or one) with their versions, what runs on each, and the commune's draft. */
  private async overview(a: Actor, processId?: string) {
    const tenant = this.tenant(a);
    const defs = await this.watch.definitions(tenant, processId);
    if (!defs.length) return [];
    const byProcess = new Map<string, DefinitionInfo[]>();
    for (const d of defs) byProcess.set(d.bpmnProcessId, [...(byProcess.get(d.bpmnProcessId) ?? []), d]);
    const keys = defs.map((d) => d.key);
    const [running, incidents, counts, rows, deployments, releases, drafts] = await Promise.all([
      Promise.all([...byProcess.keys()].map((id) => this.watch.runningCounts(tenant, id))).then((l) => new Map(l.flat().map((r) => [r.processDefinitionKey, r.running]))),
      this.watch.incidents({ tenantId: tenant, bpmnProcessId: processId }),
      this.repo.openTaskCounts(tenant, keys),
      this.repo.definitionRows(keys),
      this.repo.deployments(tenant, keys),
      this.repo.releases(tenant, processId),
      a.role === 'coordinator' ? this.repo.drafts(tenant) : Promise.resolve([] as DraftRow[]),
    ]);
    const openIncidents = new Map<string, number>();
    for (const i of incidents) openIncidents.set(i.processDefinitionKey, (openIncidents.get(i.processDefinitionKey) ?? 0) + 1);
    return [...byProcess.entries()].map(([id, versions]) => {
      versions.sort((x, y) => y.version - x.version);
      const names = (rows.find((r) => r.key === versions[0].key)?.elementNames ?? {}) as Record<string, string>;
      const draft = drafts.find((d) => d.processId === id);
      return {
        id,
        processId: id,
        name: versions[0].name ?? names[id] ?? id,
        latestVersion: versions[0].version,
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
            comment: rel?.comment ?? (dep && !dep.deployedBy ? 'Mit der Anwendung ausgeliefert (beim Start bereitgestellt)' : null),
            kommuneId: tenant,
            openTasks: c?.tasks ?? 0,
            openInstances: c?.instances ?? 0,
            runningInstances: running.get(v.key) ?? 0,
            incidents: openIncidents.get(v.key) ?? 0,
          };
        }),
        draft: draft ? draftMeta(draft) : null,
      };
    });
  }

  /** The tenant's definition of this version, or 404 (also for another commune's processes). */
  private async definition(a: Actor, processId: string, version?: number): Promise<{ def: DefinitionInfo; all: DefinitionInfo[] }> {
    const all = await this.watch.definitions(this.tenant(a), processId);
    const def = version === undefined ? all[0] : all.find((d) => d.version === version);
    if (!def) throw notFound(version === undefined ? 'Der Prozess' : `Version ${version} des Prozesses`);
    return { def, all };
  }

  /** The model of a deployed definition: as written (app database), else as the engine holds it. */
  private async xmlOf(processDefinitionKey: string): Promise<string> {
    const src = await this.repo.source(processDefinitionKey);
    return src?.xml ?? this.watch.definitionXml(processDefinitionKey);
  }

  /** One deployed version: its model, how many instances run and where they wait (heatmap). */
  async version(a: Actor, processId: string, version: number) {
    assertCanReadModels(a);
    const { def } = await this.definition(a, processId, version);
    const [xml, raw, counts, [row]] = await Promise.all([
      this.xmlOf(def.key),
      this.watch.heatmap(def.key),
      this.watch.runningCounts(this.tenant(a), processId),
      this.repo.definitionRows([def.key]),
    ]);
    // A multi-instance body is counted by its inner instances, which carry the element's id.
    const heatmap = Object.fromEntries(Object.entries(raw).filter(([id, n]) => !MI_BODY.test(id) && n > 0));
    return {
      processId,
      version,
      processDefinitionKey: def.key,
      xml,
      heatmap,
      runningInstances: counts.find((c) => c.processDefinitionKey === def.key)?.running ?? 0,
      elementNames: (row?.elementNames as Record<string, string> | undefined) ?? inspectBpmn(xml).elementNames,
    };
  }

  elementTemplates(a: Actor) {
    assertCanChangeModels(a);
    return elementTemplates(this.workerTypes());
  }

  private workerTypes(): string[] {
    const reserved = this.opts.engineJobTypes ?? new Set<string>();
    return this.opts.workerTypes().filter((t) => !reserved.has(t));
  }

  // ------------------------------------------------------------------ drafts

  async draft(a: Actor, processId: string) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.tenant(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    return draftView(d);
  }

  /** Starts a draft from the commune's latest deployed version, with the forms its user tasks link. */
  async createDraft(a: Actor, processId: string) {
    assertCanChangeModels(a);
    const k = this.tenant(a);
    const existing = await this.repo.draft(k, processId);
    if (existing) throw conflict(`Es gibt bereits einen Entwurf (zuletzt geändert von ${existing.updatedBy}). Bitte diesen weiter bearbeiten.`);
    const { def: latest } = await this.definition(a, processId);
    const xml = await this.xmlOf(latest.key);
    const forms: Forms = {};
    for (const formId of userTaskFormIds(xml)) {
      const f = await this.repo.latestForm(k, formId);
      if (f) forms[formId] = f.schema;
    }
    try {
      const d = await this.repo.createDraft({ kommuneId: k, processId, xml, forms, baseVersion: latest.version, by: a.username });
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
    const k = this.tenant(a);
    const d = await this.repo.draft(k, processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    if (d.revision !== input.revision) throw this.stale(d);
    const data: Record<string, unknown> = { xml: input.xml, updatedBy: a.username };
    if (input.forms) data.forms = input.forms;
    // Editing a draft under review takes it back from the review.
    if (d.status === IN_REVIEW) Object.assign(data, { status: OPEN, submittedBy: null, submittedAt: null, submitComment: null });
    const n = await this.repo.updateDraft(d.id, input.revision, data);
    if (n === 0) throw this.stale((await this.repo.draft(k, processId)) ?? d);
    return draftView((await this.repo.draft(k, processId))!);
  }

  private stale(d: DraftRow): DomainError {
    const at = d.updatedAt.toLocaleString('de-DE', { timeZone: 'Europe/Berlin' });
    return conflict(
      `Der Entwurf wurde inzwischen von ${d.updatedBy} geändert (Stand ${d.revision}, ${at}). Ihre Änderungen wurden nicht gespeichert – bitte den Entwurf neu laden und Ihre Änderungen erneut einarbeiten.`,
    );
  }

  async discardDraft(a: Actor, processId: string) {
    assertCanChangeModels(a);
    const d = await this.repo.draft(this.tenant(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    await this.repo.deleteDraft(d.id);
    await this.audit.write(a, { action: 'model.draft.discard', entity: 'ProcessDraft', entityId: d.id });
  }

  // ------------------------------------------------------------------ check

  /** bpmnlint (camunda-compat, Camunda 7) and the project rules; errors block the release. */
  async check(a: Actor, processId: string, input?: { xml?: string; forms?: Forms }): Promise<CheckResult> {
    assertCanChangeModels(a);
    let xml = input?.xml;
    let forms = input?.forms;
    if (xml === undefined) {
      const d = await this.repo.draft(this.tenant(a), processId);
      if (!d) throw notFound('Ein Entwurf dieses Prozesses');
      xml = d.xml;
      forms ??= d.forms as Forms;
    }
    return this.checkXml(this.tenant(a), processId, xml, forms ?? {});
  }

  private async checkXml(tenantId: string, processId: string, xml: string, forms: Forms): Promise<CheckResult> {
    const deployedForms = await this.repo.deployedFormIds(tenantId);
    const findings: CheckFinding[] = checkModel(xml, {
      processId,
      workerTypes: new Set(this.workerTypes()),
      engineJobTypes: this.opts.engineJobTypes ?? new Set(),
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
    const k = this.tenant(a);
    const d = await this.repo.draft(k, processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    if (input.revision !== undefined && input.revision !== d.revision) throw this.stale(d);
    if (d.status === IN_REVIEW) throw conflict(`Der Entwurf ist bereits zur Prüfung eingereicht (von ${d.submittedBy}).`);
    await this.assertPasses(k, processId, d);
    const n = await this.repo.updateDraft(d.id, d.revision, { status: IN_REVIEW, submittedBy: a.username, submittedAt: new Date(), submitComment: input.comment, updatedBy: a.username });
    if (n === 0) throw this.stale((await this.repo.draft(k, processId)) ?? d);
    await this.audit.write(a, { action: 'model.submit', entity: 'ProcessDraft', entityId: d.id, reason: input.comment });
    return draftView((await this.repo.draft(k, processId))!);
  }

  private async assertPasses(tenantId: string, processId: string, d: DraftRow) {
    const r = await this.checkXml(tenantId, processId, d.xml, d.forms as Forms);
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
    const d = await this.repo.draft(this.tenant(a), processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    if (d.status !== IN_REVIEW) throw conflict('Es liegt kein Entwurf zur Prüfung vor.');
    await this.repo.updateDraft(d.id, d.revision, { status: OPEN, submittedBy: null, submittedAt: null, submitComment: null });
    await this.audit.write(a, { action: 'model.reject', entity: 'ProcessDraft', entityId: d.id, reason: input.comment });
  }

  /**
   * Four-eyes release: a second coordinator of the commune approves; the server deploys the draft as
   * the commune's variant (its tenant only), with every form the model links, in one deployment.
   */
  async approve(a: Actor, processId: string, input: { comment: string }) {
    assertCanChangeModels(a);
    const k = this.tenant(a);
    const d = await this.repo.draft(k, processId);
    if (!d) throw notFound('Ein Entwurf dieses Prozesses');
    if (d.status !== IN_REVIEW) throw conflict('Es liegt kein Entwurf zur Prüfung vor. Der Entwurf muss zuerst eingereicht werden.');
    if (d.submittedBy === a.username || d.updatedBy === a.username) {
      throw new DomainError(403, 'Vier-Augen-Prinzip: Wer den Entwurf bearbeitet oder eingereicht hat, kann ihn nicht selbst freigeben. Bitte eine zweite Koordinatorin oder einen zweiten Koordinator bitten.', 'four_eyes');
    }
    await this.assertPasses(k, processId, d);
    const resources = await this.releaseResources(k, processId, d);
    // Take the draft out of review first (optimistic lock), so two approvals cannot both deploy.
    const n = await this.repo.updateDraft(d.id, d.revision, { status: 'deploying', updatedBy: d.updatedBy });
    if (n === 0) throw this.stale((await this.repo.draft(k, processId)) ?? d);
    try {
      const res = await deployResources(this.repo.db, this.deployer, resources.files, { tenants: [k], deployedBy: a.username, redeploy: true });
      const dep = res.deployed.find((x) => x.tenantId === k && x.resourceId === processId);
      if (!dep) throw conflict('Die Engine hat aus dem Entwurf keine neue Version dieses Prozesses erzeugt; bitte die Prozess-ID im Modell prüfen.');
      await this.repo.createRelease({
        kommuneId: k,
        processId,
        version: dep.version,
        processDefinitionKey: dep.key,
        authoredBy: d.submittedBy ?? d.updatedBy,
        submitComment: d.submitComment,
        approvedBy: a.username,
        comment: input.comment,
      });
      await this.repo.deleteDraft(d.id);
      await this.audit.write(a, { action: 'model.approve', entity: 'ProcessDefinition', entityId: dep.key, reason: input.comment });
      return { processId, version: dep.version, processDefinitionKey: dep.key };
    } catch (e) {
      await this.repo.updateDraft(d.id, d.revision + 1, { status: IN_REVIEW, updatedBy: d.updatedBy }).catch(() => undefined);
      if (e instanceof DomainError) throw e;
      if (e instanceof EngineBadRequest) throw new DomainError(502, `Die Engine hat die Bereitstellung abgelehnt: ${e.message}`, 'deploy_failed');
      throw e;
    }
  }

  /**
   * What a release deploys: the model and every form it links (from the draft, else the commune's
   * deployed one) – the engine finds a user task's form in the deployment of its process. 409 when
   * nothing differs from the commune's latest version.
   */
  private async releaseResources(tenantId: string, processId: string, d: DraftRow): Promise<{ files: Resource[] }> {
    const defs = await this.watch.definitions(tenantId, processId);
    const latest = defs[0];
    const draftForms = d.forms as Forms;
    const files: Resource[] = [];
    let formsChanged = false;
    for (const formId of new Set([...userTaskFormIds(d.xml), ...Object.keys(draftForms)])) {
      const deployed = await this.repo.latestForm(tenantId, formId);
      const schema = draftForms[formId] ?? deployed?.schema;
      if (!schema) continue; // the check reported the missing form already
      if (!deployed || !sameJson(deployed.schema, schema)) formsChanged = true;
      files.push({ name: deployed?.resourceName ?? `${processId}/forms/${formId}.form`, kind: 'form', content: Buffer.from(JSON.stringify(schema, null, 2)) });
    }
    if (latest && !formsChanged && (await this.xmlOf(latest.key)) === d.xml) {
      throw conflict(`Der Entwurf ist identisch mit der bereitgestellten Version ${latest.version}; es wurde nichts bereitgestellt.`);
    }
    files.push({ name: latest?.resourceName ?? `${processId}/${processId}.bpmn`, kind: 'bpmn', content: Buffer.from(d.xml) });
    return { files };
  }

  // ------------------------------------------------------------------ migration

  /**
   * What would move where: the engine's migration plan between two of the commune's versions (same
   * activity ids), and for each running instance of the source version where it waits and whether
   * every one of those steps has a counterpart in the target.
   */
  async migrationPreview(a: Actor, processId: string, fromVersion: number, toVersion?: number) {
    assertCanChangeModels(a);
    const { def: from, all } = await this.definition(a, processId, fromVersion);
    const to = toVersion === undefined ? all[0] : all.find((d) => d.version === toVersion);
    if (!to) throw notFound(`Version ${toVersion} des Prozesses`);
    if (from.key === to.key) throw badRequest('Quell- und Zielversion sind gleich.', { to: 'andere Version wählen' });
    const [plan, xmlFrom, xmlTo, running] = await Promise.all([
      this.watch.migrationPlan(from.key, to.key),
      this.xmlOf(from.key),
      this.xmlOf(to.key),
      this.watch.runningInstances(from.key),
    ]);
    const mapped = new Set(plan.instructions.flatMap((i) => i.sourceActivityIds));
    const mappings = plan.instructions
      .filter((i) => i.sourceActivityIds.length === 1 && i.targetActivityIds.length === 1 && !MI_BODY.test(i.sourceActivityIds[0]))
      .map((i) => ({ sourceElementId: i.sourceActivityIds[0], targetElementId: i.targetActivityIds[0] }));
    const n1 = flowNodeIds(xmlFrom);
    const n2 = flowNodeIds(xmlTo);
    const instances = await Promise.all(
      running.slice(0, MAX_PREVIEW_INSTANCES).map(async (processInstanceKey) => {
        const trace = await this.watch.activityTrace(processInstanceKey);
        const waiting = [...new Set(trace.filter((t) => t.endTime === null).map((t) => t.activityId))];
        const missing = waiting.filter((id) => !mapped.has(id) || plan.unmapped.includes(id));
        const elements = [...new Set(waiting.map((id) => id.replace(MI_BODY, '')))];
        return {
          processInstanceKey,
          elements,
          migratable: missing.length === 0,
          reason: missing.length ? `Element(e) ${[...new Set(missing.map((id) => id.replace(MI_BODY, '')))].join(', ')} haben in Version ${to.version} keine Entsprechung.` : null,
        };
      }),
    );
    return {
      processId,
      from: { version: from.version, processDefinitionKey: from.key },
      to: { version: to.version, processDefinitionKey: to.key },
      mappings,
      removed: [...n1.keys()].filter((id) => !n2.has(id)),
      added: [...n2.keys()].filter((id) => !n1.has(id)),
      unmapped: plan.unmapped.map((id) => id.replace(MI_BODY, '')),
      instances,
      note:
        running.length > MAX_PREVIEW_INSTANCES
          ? `Gezeigt werden die ersten ${MAX_PREVIEW_INSTANCES} von ${running.length} laufenden Instanzen; migriert werden ebenfalls nur diese.`
          : 'Alle laufenden Instanzen der Version mit den Schritten, an denen sie warten; migrierbar ist eine Instanz, wenn jeder dieser Schritte in der Zielversion eine Entsprechung hat.',
    };
  }

  /** Migrates the migratable instances (the engine's migration; its plugin moves the inbox rows in the same transaction). */
  async migrate(a: Actor, processId: string, fromVersion: number, toVersion?: number) {
    const p = await this.migrationPreview(a, processId, fromVersion, toVersion);
    const results: Array<{ processInstanceKey: string; migrated: boolean; message?: string }> = [];
    const candidates = p.instances.filter((i) => i.migratable).map((i) => i.processInstanceKey);
    for (const i of p.instances) if (!i.migratable) results.push({ processInstanceKey: i.processInstanceKey, migrated: false, message: i.reason ?? undefined });
    const one = async (keys: string[]) => {
      await this.watch.migrate(p.from.processDefinitionKey, p.to.processDefinitionKey, keys);
      for (const k of keys) results.push({ processInstanceKey: k, migrated: true });
    };
    if (candidates.length) {
      try {
        // One batch: the engine migrates all or none. When it refuses, instance by instance.
        await one(candidates);
      } catch (batchError) {
        if (!(batchError instanceof EngineBadRequest || batchError instanceof EngineNotFound)) throw batchError;
        for (const k of candidates) {
          try {
            await one([k]);
          } catch (e) {
            if (!(e instanceof EngineBadRequest || e instanceof EngineNotFound)) throw e;
            results.push({ processInstanceKey: k, migrated: false, message: `Die Engine hat die Migration abgelehnt: ${e.message}` });
          }
        }
      }
    }
    await this.audit.write(a, { action: 'model.migrate', entity: 'ProcessDefinition', entityId: p.to.processDefinitionKey, fields: results.filter((r) => r.migrated).map((r) => r.processInstanceKey) });
    return { ...p, results };
  }

  // ------------------------------------------------------------------ incidents

  /** The open incidents of the commune's versions of the process, newest first, with the step's name. */
  async incidents(a: Actor, processId: string): Promise<IncidentView[]> {
    assertCanChangeModels(a);
    const tenantId = this.tenant(a);
    const [defs, open] = await Promise.all([this.watch.definitions(tenantId, processId), this.watch.incidents({ tenantId, bpmnProcessId: processId })]);
    const names = await this.elementNames(open.map((i) => i.processDefinitionKey));
    const versionOf = new Map(defs.map((d) => [d.key, d.version]));
    const cases = await this.casesOf(a, open.map((i) => i.processInstanceKey));
    return open.map((i) => ({ ...incidentView(i, versionOf.get(i.processDefinitionKey) ?? null, names.get(i.processDefinitionKey)), ...caseRef(cases.get(i.processInstanceKey)) }));
  }

  /** The cases of these instances that the actor may read (the same row scope as the case file). */
  private async casesOf(a: Actor, keys: string[]) {
    if (!can(a, 'cases', 'read')) return new Map<string, { id: string; reference: string }>();
    return this.repo.casesOfInstances([...new Set(keys)], caseWhere(caseScope(a)));
  }

  /**
   * Retry after the cause was fixed: the step gets new retries, which resolves the incident. Only an
   * open incident of the commune's versions of the process can be retried; one retried before is 409.
   */
  async retryIncident(a: Actor, processId: string, id: string): Promise<IncidentView> {
    assertCanChangeModels(a);
    const tenantId = this.tenant(a);
    const [defs, open] = await Promise.all([this.watch.definitions(tenantId, processId), this.watch.incidents({ tenantId, bpmnProcessId: processId })]);
    const incident = open.find((i) => i.id === id);
    if (!incident) {
      const before = await this.repo.lastRetry(tenantId, id);
      if (before) throw conflict(`Dieser Vorfall ist bereits erledigt: ${before.username ?? 'jemand'} hat ihn am ${before.at.toLocaleString('de-DE', { timeZone: 'Europe/Berlin' })} erneut angestoßen.`);
      throw notFound('Der Vorfall');
    }
    try {
      await this.watch.retryIncident(incident, RETRY_RETRIES);
    } catch (e) {
      if (e instanceof EngineNotFound) throw conflict('Der Vorfall ist in der Engine bereits gelöst, oder die Instanz existiert nicht mehr (z. B. abgebrochen).');
      if (e instanceof EngineBadRequest) throw conflict(`Dieser Vorfall lässt sich nicht erneut anstoßen (Art: ${incident.type}).`);
      throw e;
    }
    await this.audit.write(a, { action: 'model.incident.retry', entity: 'Incident', entityId: incident.id });
    const names = await this.elementNames([incident.processDefinitionKey]);
    const version = defs.find((d) => d.key === incident.processDefinitionKey)?.version ?? null;
    const cases = await this.casesOf(a, [incident.processInstanceKey]);
    return { ...incidentView(incident, version, names.get(incident.processDefinitionKey)), ...caseRef(cases.get(incident.processInstanceKey)), state: 'retried', retriedBy: a.username, retriedAt: new Date() };
  }

  /** Element names per definition: as recorded at deployment, else read from the deployed model. */
  private async elementNames(keys: string[]): Promise<Map<string, Record<string, string>>> {
    const unique = [...new Set(keys)];
    const rows = await this.repo.definitionRows(unique);
    const out = new Map(rows.map((r) => [r.key, (r.elementNames ?? {}) as Record<string, string>]));
    for (const k of unique) if (!out.has(k)) out.set(k, inspectBpmn(await this.watch.definitionXml(k)).elementNames);
    return out;
  }
}

const caseRef = (c: { id: string; reference: string } | undefined) => ({ caseId: c?.id ?? null, caseReference: c?.reference ?? null });

function incidentView(i: EngineIncident, version: number | null, names: Record<string, string> | undefined): IncidentView {
  return {
    id: i.id,
    type: i.type,
    processInstanceKey: i.processInstanceKey,
    processDefinitionKey: i.processDefinitionKey,
    processVersion: version,
    elementId: i.activityId,
    elementName: names?.[i.activityId] ?? names?.[i.activityId.replace(MI_BODY, '')] ?? i.activityId,
    message: i.message ?? '',
    caseId: null,
    caseReference: null,
    state: 'open',
    retriedBy: null,
    retriedAt: null,
    createdAt: i.createdAt,
  };
}

/** Form ids the model's user tasks link (camunda:formRef); none when the model is not readable. */
function userTaskFormIds(xml: string): string[] {
  try {
    return [...new Set(inspectBpmn(xml).userTasks.map((t) => t.formRef).filter((f): f is string => !!f))];
  } catch {
    return [];
  }
}
