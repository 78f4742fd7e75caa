/**
 * The process modeler (issue 7): processes with their deployed versions, drafts per commune with
 * optimistic locking, the check (bpmnlint + project rules), the four-eyes release that deploys
 * through deployResources, instance migration and the incidents the worker runtime recorded.
 *
 * Engine facts (8.6 without secondary storage) that shape this service:
 * - Running instances cannot be searched; the signal per version is the Task projection: open user
 *   tasks and the distinct instances holding them. Instances waiting elsewhere (timer, message,
 *   service task) are not counted.
 * - Incidents cannot be queried and their keys are only exposed through search/exporters, so
 *   ResolveIncident cannot be called. A retry sets the job's retries (UpdateJobRetries) and then
 *   re-runs the failed element with a process instance modification (terminate the element instance
 *   – which resolves its incident – and activate the same element again), which creates a new job.
 * - One engine, no tenants: a release replaces the latest version of the process id engine-wide;
 *   the release records which commune released it.
 */
import path from 'node:path';
import { isNotFound, type Zeebe } from '../camunda/client';
import { deployResources, type Resource } from '../camunda/deploy';
import { lintModel, type LintFinding } from '../camunda/lint';
import { ROOT } from '../config';
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
    const [counts, incidents, deployments, releases, drafts] = await Promise.all([
      this.repo.openTaskCounts(defs.map((d) => d.key)),
      this.repo.incidentCounts(),
      this.repo.deployments(),
      this.repo.releases(),
      a.role === 'coordinator' ? this.repo.drafts(this.kommune(a)) : Promise.resolve([] as DraftRow[]),
    ]);
    return [...byProcess.entries()].map(([processId, versions]) => {
      const names = (versions[0].elementNames ?? {}) as Record<string, string>;
      const draft = drafts.find((d) => d.processId === processId);
      return {
        id: processId,
        processId,
        name: names[processId] ?? processId,
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
            comment: rel?.comment ?? (dep && !dep.deployedBy ? 'Bereitstellung aus processes/ beim Start' : null),
            kommuneId: rel?.kommuneId ?? null,
            openTasks: c?.tasks ?? 0,
            openInstances: c?.instances ?? 0,
            incidents: incidents.get(v.key) ?? 0,
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

  /** One deployed version: its model, where open tasks wait (heatmap) and its open incidents. */
  async version(a: Actor, processId: string, version: number) {
    assertCanReadModels(a);
    const def = await this.repo.definition(processId, version);
    if (!def) throw notFound(`Version ${version} des Prozesses`);
    const src = await this.repo.source(def.key);
    const heatmap = await this.repo.heatmap(def.key);
    return { processId, version, processDefinitionKey: def.key, xml: src?.xml ?? null, heatmap, elementNames: def.elementNames };
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

  async incidents(a: Actor, processId: string) {
    assertCanChangeModels(a);
    return this.repo.incidents(processId);
  }

  /**
   * Retry after the cause was fixed: UpdateJobRetries (as the engine asks), then – because 8.6 only
   * exposes the incident key through search/exporters, so ResolveIncident cannot be called – the
   * failed element is re-run by a process instance modification: terminating the element instance
   * resolves its incident, activating the element again creates a new job for the worker.
   */
  async retryIncident(a: Actor, processId: string, id: string) {
    assertCanChangeModels(a);
    const i = await this.repo.incident(id);
    if (!i || i.processId !== processId) throw notFound('Der Vorfall');
    if (i.state !== 'open') throw conflict('Dieser Vorfall wurde bereits erneut versucht.');
    try {
      await this.zeebe.updateJobRetries({ jobKey: i.jobKey, retries: 3 });
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
    return this.repo.markRetried(i.id, a.username);
  }
}

function userTaskFormIds(xml: string): string[] {
  const ids = new Set<string>();
  for (const m of xml.matchAll(/<zeebe:formDefinition\b[^>]*\bformId="([^"]+)"/g)) ids.add(m[1]);
  return [...ids];
}

export { JOB_TYPE_NAMES };
