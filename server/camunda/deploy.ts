/**
 * Deploys every BPMN, DMN and form under a folder. A resource whose checksum was deployed before is
 * skipped, so unchanged resources create no new version. Forms and decisions go first, so the
 * processes that link them find them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../data/prisma';
import { inspectBpmn, prepareForInbox } from './bpmn';
import type { Zeebe } from './client';

/** Bump when prepareForInbox changes, so every model is redeployed once with the new preparation. */
const PREPARATION_VERSION = 'inbox-jobs-v1';

export interface Resource {
  name: string; // relative path, e.g. kim-intake/kim-intake.bpmn
  kind: 'bpmn' | 'dmn' | 'form';
  content: Buffer;
}

export interface DeployResult {
  deployed: Array<{ name: string; resourceId: string; version: number }>;
  unchanged: string[];
}

const KIND: Record<string, Resource['kind']> = { '.bpmn': 'bpmn', '.dmn': 'dmn', '.form': 'form' };

export function collectResources(dir: string): Resource[] {
  const out: Resource[] = [];
  const visit = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (KIND[path.extname(e.name)]) out.push({ name: path.relative(dir, p), kind: KIND[path.extname(e.name)], content: fs.readFileSync(p) });
    }
  };
  visit(dir);
  const order = { form: 0, dmn: 1, bpmn: 2 };
  return out.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}

export function checksum(r: Resource): string {
  const h = crypto.createHash('sha256').update(r.content);
  if (r.kind === 'bpmn') h.update(PREPARATION_VERSION);
  return h.digest('hex');
}

export async function deployResources(
  db: Db,
  zeebe: Zeebe,
  resources: Resource[],
  opts: { deployedBy?: string; onProgress?: (done: number, total: number, name: string) => void } = {},
): Promise<DeployResult> {
  const result: DeployResult = { deployed: [], unchanged: [] };
  let i = 0;
  for (const r of resources) {
    i++;
    const sum = checksum(r);
    const seen = await db.resourceDeployment.findUnique({ where: { resourceName_checksum: { resourceName: r.name, checksum: sum } } });
    if (seen) {
      // Deployed before the form store existed: keep the schema lookup complete.
      if (r.kind === 'form') await storeFormSchema(db, r, seen.resourceId, seen.resourceKey, seen.version);
      // Deployed before the source store existed (issue 7): keep every version openable in the modeler.
      if (r.kind === 'bpmn') await storeProcessSource(db, r, seen.resourceKey, seen.resourceId, seen.version);
      result.unchanged.push(r.name);
      continue;
    }
    opts.onProgress?.(i, resources.length, r.name);
    const fileName = path.basename(r.name);
    const content = r.kind === 'bpmn' ? Buffer.from(prepareForInbox(r.content.toString('utf8'))) : r.content;
    const res =
      r.kind === 'bpmn'
        ? await zeebe.deployResource({ name: fileName, process: content })
        : r.kind === 'dmn'
          ? await zeebe.deployResource({ name: fileName, decision: content })
          : await zeebe.deployResource({ name: fileName, form: content });
    for (const d of res.deployments as unknown as Array<Record<string, Record<string, unknown>>>) {
      const p = d.process;
      const dec = d.decision;
      const form = d.form;
      if (p) {
        const key = String(p.processDefinitionKey);
        const info = inspectBpmn(content.toString('utf8'));
        await db.processDefinition.upsert({
          where: { key },
          create: { key, processId: String(p.bpmnProcessId), version: Number(p.version), resourceName: r.name, elementNames: info.elementNames },
          update: { elementNames: info.elementNames },
        });
        await record(db, r, sum, 'bpmn', String(p.bpmnProcessId), key, Number(p.version), opts.deployedBy);
        await storeProcessSource(db, r, key, String(p.bpmnProcessId), Number(p.version));
        result.deployed.push({ name: r.name, resourceId: String(p.bpmnProcessId), version: Number(p.version) });
      } else if (dec) {
        await record(db, r, sum, 'dmn', String(dec.dmnDecisionId), String(dec.decisionKey), Number(dec.version), opts.deployedBy);
        result.deployed.push({ name: r.name, resourceId: String(dec.dmnDecisionId), version: Number(dec.version) });
      } else if (form) {
        await record(db, r, sum, 'form', String(form.formId), String(form.formKey), Number(form.version), opts.deployedBy);
        await storeFormSchema(db, r, String(form.formId), String(form.formKey), Number(form.version));
        result.deployed.push({ name: r.name, resourceId: String(form.formId), version: Number(form.version) });
      }
    }
  }
  return result;
}

async function record(db: Db, r: Resource, sum: string, kind: string, resourceId: string, resourceKey: string, version: number, deployedBy?: string) {
  // A DMN file holds several decisions: record the file once, under its first decision.
  await db.resourceDeployment.upsert({
    where: { resourceName_checksum: { resourceName: r.name, checksum: sum } },
    create: { resourceName: r.name, checksum: sum, kind, resourceId, resourceKey, version, deployedBy },
    update: {},
  });
}

/** Keeps the model as written (before the inbox preparation), for the modeler (issue 7). */
async function storeProcessSource(db: Db, r: Resource, processDefinitionKey: string, processId: string, version: number) {
  await db.processSource.upsert({
    where: { processDefinitionKey },
    create: { processDefinitionKey, processId, version, resourceName: r.name, xml: r.content.toString('utf8') },
    update: {},
  });
}

/** Keeps the form's JSON under its engine key, so the web app renders exactly the deployed version. */
async function storeFormSchema(db: Db, r: Resource, formId: string, formKey: string, version: number) {
  let schema: unknown;
  try {
    schema = JSON.parse(r.content.toString('utf8'));
  } catch {
    return;
  }
  await db.formSchema.upsert({
    where: { formKey },
    create: { formKey, formId, version, resourceName: r.name, schema: schema as object },
    update: {},
  });
}
