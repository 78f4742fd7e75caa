/**
 * The contract between BPMN models and the worker registry, as a pure function: used by
 * contract.test.ts on processes/ and on fixtures. Problems are German sentences naming file and element.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspectBpmn } from '../../server/camunda/bpmn';

export interface Model {
  /** Path shown in problems, e.g. kim-intake/kim-intake.bpmn. */
  file: string;
  xml: string;
  /** Ids of the forms in the model's process folder. */
  formIds: string[];
}

export interface ContractResult {
  problems: string[];
  /** Job types drawn in the models. */
  jobTypes: string[];
  userTasks: number;
}

function filesBelow(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesBelow(p, ext));
    else if (e.name.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

/** Every .bpmn under `root`, with the ids of the .form files in the same process folder (root/<process-id>/…). */
export function loadModels(root: string): Model[] {
  return filesBelow(root, '.bpmn').map((file) => {
    const rel = path.relative(root, file);
    const processDir = path.join(root, rel.split(path.sep)[0]);
    const formIds = filesBelow(processDir, '.form').map((f) => {
      try {
        return String((JSON.parse(fs.readFileSync(f, 'utf8')) as { id?: unknown }).id ?? '');
      } catch {
        return '';
      }
    });
    return { file: rel, xml: fs.readFileSync(file, 'utf8'), formIds: formIds.filter(Boolean) };
  });
}

/**
 * Every job type has a worker; every worker (except those the engine creates jobs for by itself)
 * is used by some model; every user task has a form that exists and candidate groups.
 */
export function checkContract(models: Model[], workerTypes: string[], engineJobTypes: Set<string>): ContractResult {
  const problems: string[] = [];
  const known = new Set(workerTypes);
  const used = new Set<string>();
  let userTasks = 0;
  for (const m of models) {
    let info;
    try {
      info = inspectBpmn(m.xml);
    } catch (e) {
      problems.push(`${m.file}: BPMN nicht lesbar (${(e as Error).message})`);
      continue;
    }
    if (info.processes.length === 0) problems.push(`${m.file}: enthält keinen Prozess`);
    for (const t of info.jobTypes) {
      used.add(t);
      if (!known.has(t)) problems.push(`${m.file}: Job-Typ „${t}“ hat keinen Worker in workers/index.ts`);
    }
    for (const ut of info.userTasks) {
      userTasks++;
      if (!ut.formId) problems.push(`${m.file}: Benutzeraufgabe ${ut.id} hat kein Formular (zeebe:formDefinition formId)`);
      else if (!m.formIds.includes(ut.formId)) problems.push(`${m.file}: Benutzeraufgabe ${ut.id} verweist auf Formular „${ut.formId}“, das im Prozessordner fehlt`);
      if (!ut.candidateGroups?.trim()) problems.push(`${m.file}: Benutzeraufgabe ${ut.id} hat keine Kandidatengruppen (zeebe:assignmentDefinition candidateGroups)`);
    }
  }
  for (const t of workerTypes) {
    if (!engineJobTypes.has(t) && !used.has(t)) problems.push(`Worker „${t}“ wird von keinem Modell benutzt`);
  }
  return { problems, jobTypes: [...used].sort(), userTasks };
}
