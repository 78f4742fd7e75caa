/**
 * The contract between BPMN models and the worker registry, as a pure function: used by
 * contract.test.ts on processes/ and on fixtures. Each model goes through the product's own check
 * (server/models/model-check.ts, as the modeler runs it); only what spans models – a worker that no
 * model uses – is checked here. Problems are German sentences naming file and element.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspectBpmn } from '../../server/engine/bpmn';
import { checkModel } from '../../server/models/model-check';

export interface Model {
  /** Path shown in problems, e.g. kim-intake/kim-intake.bpmn. */
  file: string;
  xml: string;
  /** Ids of the forms in the model's process folder. */
  formIds: string[];
}

export interface ContractResult {
  problems: string[];
  /** External-task topics drawn in the models. */
  topics: string[];
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
 * Every service task is an external task with a topic, every topic has a worker, every worker (except
 * those the engine serves by itself) is used by some model; every user task has a form that exists
 * and candidate groups.
 */
export function checkContract(models: Model[], workerTopics: string[], engineTopics: Set<string>): ContractResult {
  const problems: string[] = [];
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
    for (const t of info.topics) used.add(t);
    userTasks += info.userTasks.length;
    // The same check the modeler runs before a release: the process id is its folder's name.
    const findings = checkModel(m.xml, {
      processId: m.file.split(/[\\/]/)[0],
      workerTypes: new Set(workerTopics),
      engineJobTypes: new Set([...engineTopics].filter((t) => !workerTopics.includes(t))),
      formIds: new Set(m.formIds),
    });
    for (const f of findings) problems.push(`${m.file}: ${f.elementId}: ${f.message}`);
  }
  for (const t of workerTopics) {
    if (!engineTopics.has(t) && !used.has(t)) problems.push(`Worker „${t}“ wird von keinem Modell benutzt`);
  }
  return { problems, topics: [...used].sort(), userTasks };
}
