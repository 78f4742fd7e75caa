/**
 * Deploys the BPMN, DMN and form files of a folder (or of a modeler release) per commune: a commune is
 * an engine tenant, and every tenant gets its own deployment, so that each commune's variant lives
 * and changes on its own.
 *
 * Per tenant there is ONE deployment holding everything that changed there, together with what a
 * changed model links with `…Binding="deployment"` (forms by camunda:formRef, decisions, called
 * processes) and the models that link a changed resource that way: the engine resolves such links
 * inside the deployment only. A resource whose content was deployed for the tenant before is skipped,
 * so restarts create no new versions.
 *
 * Next to the engine the app database keeps, per tenant and keyed by the engine's ids: the model as
 * written and its element names (modeler, inbox, process view) and the form schemas (task form).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/prisma';
import { inspectBpmn } from './bpmn';
import type { DeployedDefinition, Deployer, DeployResource } from './port';

export interface Resource {
  /** Path relative to the processes folder, e.g. kim-intake/kim-intake.bpmn; the engine's resource name. */
  name: string;
  kind: 'bpmn' | 'dmn' | 'form';
  content: Buffer;
}

export interface DeployedResource {
  tenantId: string;
  name: string;
  /** Process id, decision id or form id. */
  resourceId: string;
  /** Engine definition id (process, decision) or deployment id (form). */
  key: string;
  version: number;
}

export interface DeployResult {
  deployed: DeployedResource[];
  unchanged: Array<{ tenantId: string; name: string }>;
}

export interface DeployOptions {
  /** Tenants (Kommune ids) to deploy for; default: every commune of the app database. */
  tenants?: string[];
  /** Who released it (modeler); empty for the deployment from processes/ at start. */
  deployedBy?: string;
  /**
   * Deploy even when this content was deployed for the tenant before: a release may return to an
   * earlier version, which must become the latest again.
   */
  redeploy?: boolean;
  onProgress?: (done: number, total: number, name: string) => void;
}

const KIND: Record<string, Resource['kind']> = { '.bpmn': 'bpmn', '.dmn': 'dmn', '.form': 'form' };
const ORDER: Record<Resource['kind'], number> = { form: 0, dmn: 1, bpmn: 2 };

export function collectResources(dir: string): Resource[] {
  const out: Resource[] = [];
  const visit = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (KIND[path.extname(e.name)]) out.push({ name: path.relative(dir, p).split(path.sep).join('/'), kind: KIND[path.extname(e.name)], content: fs.readFileSync(p) });
    }
  };
  visit(dir);
  return sortResources(out);
}

function sortResources(rs: Resource[]): Resource[] {
  return [...rs].sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.name.localeCompare(b.name));
}

export function checksum(r: Resource): string {
  return crypto.createHash('sha256').update(r.content).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Links between resources

interface Links {
  /** Ids the resource defines: process ids, decision ids, the form id. */
  provides: string[];
  /** Ids a model links inside its deployment (binding "deployment"); forms by camunda:formRef always. */
  needs: string[];
}

/** The form's id (what camunda:formRef names), or undefined when the file is not a form-js schema. */
export function formIdOf(content: Buffer): string | undefined {
  try {
    const id = (JSON.parse(content.toString('utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id ? id : undefined;
  } catch {
    return undefined;
  }
}

function linksOf(r: Resource): Links {
  const text = r.content.toString('utf8');
  if (r.kind === 'form') {
    const id = formIdOf(r.content);
    return { provides: id ? [id] : [], needs: [] };
  }
  if (r.kind === 'dmn') return { provides: [...text.matchAll(/<(?:[\w-]+:)?decision\s[^>]*?\bid="([^"]+)"/g)].map((m) => m[1]), needs: [] };
  let info: ReturnType<typeof inspectBpmn>;
  try {
    info = inspectBpmn(text);
  } catch {
    return { provides: [], needs: [] }; // not XML: the engine will say so
  }
  const bound = (binding: string | undefined) => binding === 'deployment';
  const needs = [
    // A form deployed along costs nothing and keeps the link working whatever its binding.
    ...info.userTasks.map((t) => t.formRef),
    ...info.businessRuleTasks.filter((t) => bound(t.binding)).map((t) => t.decisionRef),
    ...info.callActivities.filter((t) => bound(t.binding)).map((t) => t.calledElement),
  ].filter((x): x is string => !!x);
  const provides = info.processes.map((p) => p.id);
  return { provides, needs };
}

/**
 * The changed resources plus what they need inside their deployment and the models that need them
 * there (both ways, until nothing is added): such links resolve only within one deployment.
 */
export function withLinkedResources(changed: Resource[], all: Resource[]): Resource[] {
  const links = new Map(all.map((r) => [r, linksOf(r)]));
  const providers = new Map<string, Resource[]>();
  for (const [r, l] of links) for (const id of l.provides) providers.set(id, [...(providers.get(id) ?? []), r]);
  const set = new Set(changed);
  const queue = [...changed];
  while (queue.length) {
    const r = queue.shift()!;
    const l = links.get(r) ?? linksOf(r);
    const add = (x: Resource) => {
      if (!set.has(x)) {
        set.add(x);
        queue.push(x);
      }
    };
    for (const id of l.needs) for (const p of providers.get(id) ?? []) add(p);
    for (const [other, ol] of links) if (ol.needs.some((id) => l.provides.includes(id))) add(other);
  }
  return sortResources([...set]);
}

// ---------------------------------------------------------------------------------------------

export async function deployResources(db: Db, deployer: Deployer, resources: Resource[], opts: DeployOptions = {}): Promise<DeployResult> {
  const result: DeployResult = { deployed: [], unchanged: [] };
  if (!resources.length) return result;
  const tenants = opts.tenants ?? (await db.kommune.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((k) => k.id);
  const sums = new Map(resources.map((r) => [r, checksum(r)]));
  let done = 0;
  for (const tenantId of tenants) {
    done++;
    const known = opts.redeploy
      ? new Set<string>()
      : new Set(
          (
            await db.resourceDeployment.findMany({
              where: { tenantId, resourceName: { in: resources.map((r) => r.name) } },
              select: { resourceName: true, checksum: true },
            })
          ).map((d) => `${d.resourceName}\n${d.checksum}`),
        );
    const changed = resources.filter((r) => !known.has(`${r.name}\n${sums.get(r)}`));
    if (!changed.length) {
      for (const r of resources) result.unchanged.push({ tenantId, name: r.name });
      continue;
    }
    const batch = withLinkedResources(changed, resources);
    opts.onProgress?.(done, tenants.length, `${tenantId}: ${batch.length} Datei(en)`);
    const files: DeployResource[] = batch.map((r) => ({ name: r.name, content: r.content }));
    // A name of its own per deployment: the engine's duplicate filter compares with the previous
    // deployment of the same name and would drop the unchanged resources this deployment needs.
    const name = `kim ${new Date().toISOString()} ${crypto.randomBytes(3).toString('hex')}`;
    const { deploymentId, definitions } = await deployer.deploy(tenantId, name, files);
    const byResource = new Map<string, DeployedDefinition[]>();
    for (const d of definitions) byResource.set(d.resourceName, [...(byResource.get(d.resourceName) ?? []), d]);
    for (const r of batch) {
      const defs = byResource.get(r.name) ?? [];
      if (!defs.length) {
        result.unchanged.push({ tenantId, name: r.name });
        continue;
      }
      const rec = await recordResource(db, tenantId, deploymentId, r, sums.get(r)!, defs, opts.deployedBy);
      result.deployed.push(...rec);
    }
    for (const r of resources) if (!batch.includes(r)) result.unchanged.push({ tenantId, name: r.name });
  }
  return result;
}

async function recordResource(db: Db, tenantId: string, deploymentId: string, r: Resource, sum: string, defs: DeployedDefinition[], deployedBy?: string): Promise<DeployedResource[]> {
  const out: DeployedResource[] = [];
  if (r.kind === 'form') {
    const formId = formIdOf(r.content) ?? path.basename(r.name, '.form');
    const version = await storeFormSchema(db, tenantId, deploymentId, r, formId);
    out.push({ tenantId, name: r.name, resourceId: formId, key: deploymentId, version });
  } else if (r.kind === 'dmn') {
    for (const d of defs) out.push({ tenantId, name: r.name, resourceId: d.id, key: d.key, version: d.version });
  } else {
    const xml = r.content.toString('utf8');
    const { elementNames } = inspectBpmn(xml);
    for (const d of defs.filter((x) => x.kind === 'process')) {
      await db.processDefinition.upsert({
        where: { key: d.key },
        create: { key: d.key, processId: d.id, version: d.version, resourceName: r.name, elementNames, tenantId, deploymentId },
        update: { elementNames, tenantId, deploymentId },
      });
      await db.processSource.upsert({
        where: { processDefinitionKey: d.key },
        create: { processDefinitionKey: d.key, processId: d.id, version: d.version, resourceName: r.name, xml, tenantId },
        update: {},
      });
      out.push({ tenantId, name: r.name, resourceId: d.id, key: d.key, version: d.version });
    }
  }
  // A file with several definitions (a DMN with several decisions) is recorded once, under its first.
  const first = out[0];
  if (first) {
    await db.resourceDeployment.upsert({
      where: { tenantId_resourceName_checksum: { tenantId, resourceName: r.name, checksum: sum } },
      create: { tenantId, resourceName: r.name, checksum: sum, kind: r.kind, resourceId: first.resourceId, resourceKey: first.key, version: first.version, deployedBy },
      update: { resourceKey: first.key, version: first.version, deployedAt: new Date(), deployedBy },
    });
  }
  return out;
}

/**
 * Keeps the form's schema under "<deployment id>:<form id>" (the task's form is the one deployed with
 * its process); the version counts the form's changes for the tenant. Returns that version.
 */
async function storeFormSchema(db: Db, tenantId: string, deploymentId: string, r: Resource, formId: string): Promise<number> {
  let schema: object;
  try {
    schema = JSON.parse(r.content.toString('utf8')) as object;
  } catch {
    return 0;
  }
  const latest = await db.formSchema.findFirst({ where: { tenantId, formId }, orderBy: { version: 'desc' } });
  const version = latest && sameJson(latest.schema, schema) ? latest.version : (latest?.version ?? 0) + 1;
  await db.formSchema.upsert({
    where: { formKey: `${deploymentId}:${formId}` },
    create: { formKey: `${deploymentId}:${formId}`, formId, version, resourceName: r.name, schema, tenantId, deploymentId },
    update: {},
  });
  return version;
}

/** Equal as JSON values: the database (jsonb) does not keep the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
