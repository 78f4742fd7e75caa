/**
 * Lints every BPMN model under processes/ and test/fixtures/processes with bpmnlint (the Camunda
 * Modeler's own rules, configured in .bpmnlintrc for the engine that runs here, plus the
 * camunda-compat rules of the target version 8.9) and prints the findings in German, with file and
 * element id. Exits 1 when a finding is an error. Usage: `tsx scripts/lint-bpmn.ts [files or folders…]`;
 * `--stdin` lints one model read from standard input (the server's draft check, server/camunda/lint.ts).
 *
 * Two adjustments make hand-written models (no modeler) lint like modeler-saved ones:
 * - the Zeebe extension elements need a moddle descriptor; `zeebe-bpmn-moddle` is used when
 *   installed, otherwise the subset below (enough for the camunda-compat rules);
 * - `incoming`/`outgoing` of flow nodes are filled from the sequence flows' source/target, as the
 *   modeler does on import (the engine ignores them; bpmnlint's connection rules read them).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// bpmnlint is CommonJS but loads ESM dependencies (min-dash) through Node's require(esm), which jest's
// module registry cannot do: tests run this file as a command (see --json). bpmn-moddle ships an ESM
// entry plus a CommonJS build next to it.
const nativeRequire = createRequire(__filename);
const { Linter } = nativeRequire('bpmnlint') as { Linter: new (o: { config: unknown; resolver: unknown }) => { lint(root: unknown): Promise<LintResults> } };
const NodeResolver = nativeRequire('bpmnlint/lib/resolver/node-resolver') as new (o?: { require?: NodeRequire }) => unknown;
const BpmnModdle = nativeRequire(path.join(path.dirname(nativeRequire.resolve('bpmn-moddle/package.json')), 'dist', 'index.cjs')) as new (
  packages?: Record<string, unknown>,
) => { fromXML(xml: string): Promise<{ rootElement: ModdleElement; warnings: Array<{ message: string }> }> };

const ROOT = path.resolve(__dirname, '..');

interface ModdleElement {
  $type: string;
  id?: string;
  [k: string]: unknown;
}
interface Report {
  id?: string;
  message: string;
  category: 'error' | 'warn' | 'info' | 'rule-error';
}
type LintResults = Record<string, Report[]>;

export interface Finding {
  file: string;
  rule: string;
  elementId: string;
  severity: 'error' | 'warning';
  /** German text shown to the user. */
  message: string;
  /** bpmnlint's original (English) message. */
  detail: string;
}

/** Minimal Zeebe moddle descriptor (subset of zeebe-bpmn-moddle's resources/zeebe.json). */
const ZEEBE_DESCRIPTOR = (() => {
  const attrs = (...names: string[]) => names.map((name) => ({ name, type: 'String', isAttr: true }));
  const el = (name: string, properties: unknown[] = []) => ({ name, superClass: ['Element'], properties });
  const many = (name: string, type: string) => ({ name, type, isMany: true });
  return {
    name: 'zeebe',
    prefix: 'zeebe',
    uri: 'http://camunda.org/schema/zeebe/1.0',
    xml: { tagAlias: 'lowerCase' },
    associations: [],
    types: [
      el('TaskDefinition', attrs('type', 'retries')),
      el('TaskHeaders', [many('values', 'Header')]),
      el('Header', attrs('key', 'value')),
      el('IoMapping', [many('inputParameters', 'Input'), many('outputParameters', 'Output')]),
      el('Input', attrs('source', 'target')),
      el('Output', attrs('source', 'target')),
      el('Subscription', attrs('correlationKey')),
      el('CalledElement', [...attrs('processId', 'bindingType', 'versionTag'), { name: 'propagateAllChildVariables', type: 'Boolean', isAttr: true }, { name: 'propagateAllParentVariables', type: 'Boolean', isAttr: true }]),
      el('CalledDecision', attrs('decisionId', 'resultVariable', 'bindingType', 'versionTag')),
      el('Script', attrs('expression', 'resultVariable')),
      el('LoopCharacteristics', attrs('inputCollection', 'inputElement', 'outputCollection', 'outputElement')),
      el('AssignmentDefinition', attrs('assignee', 'candidateGroups', 'candidateUsers')),
      el('TaskSchedule', attrs('dueDate', 'followUpDate')),
      el('FormDefinition', attrs('formKey', 'formId', 'externalReference', 'bindingType', 'versionTag')),
      el('UserTaskForm', [...attrs('id'), { name: 'body', type: 'String', isBody: true }]),
      el('UserTask'),
      el('Properties', [many('properties', 'Property')]),
      el('Property', attrs('name', 'value')),
      el('ExecutionListeners', [many('listeners', 'ExecutionListener')]),
      el('ExecutionListener', attrs('eventType', 'retries', 'type')),
      el('TaskListeners', [many('listeners', 'TaskListener')]),
      el('TaskListener', attrs('eventType', 'retries', 'type')),
      el('PriorityDefinition', attrs('priority')),
      el('VersionTag', attrs('value')),
      el('AdHoc', attrs('activeElementsCollection')),
    ],
  };
})();

function zeebeDescriptor(): unknown {
  try {
    return nativeRequire('zeebe-bpmn-moddle/resources/zeebe.json');
  } catch {
    return ZEEBE_DESCRIPTOR;
  }
}

/** German wording per rule; the original message is kept as detail. */
const GERMAN: Record<string, string> = {
  'no-bpmndi': 'Element hat keine Diagramm-Informationen (BPMNDI) und ist im Modeler nicht sichtbar',
  'no-disconnected': 'Element ist mit keinem Sequenzfluss verbunden',
  'no-implicit-start': 'Element hat keinen eingehenden Sequenzfluss (impliziter Start)',
  'no-implicit-end': 'Element hat keinen ausgehenden Sequenzfluss (implizites Ende)',
  'no-implicit-split': 'Mehrere ausgehende Flüsse ohne Gateway (impliziter Split)',
  'start-event-required': 'Prozess hat kein Startereignis',
  'end-event-required': 'Prozess hat kein Endereignis',
  'label-required': 'Element braucht eine Beschriftung (name)',
  'conditional-flows': 'Ausgehender Fluss braucht eine Bedingung oder muss Standardfluss sein',
  'no-duplicate-sequence-flows': 'Doppelter Sequenzfluss',
  'no-gateway-join-fork': 'Gateway führt zusammen und verzweigt zugleich',
  'no-complex-gateway': 'Komplexes Gateway wird nicht unterstützt',
  'no-inclusive-gateway': 'Inklusives Gateway vermeiden',
  'single-blank-start-event': 'Mehr als ein leeres Startereignis',
  'single-event-definition': 'Ereignis hat mehr als eine Ereignisdefinition',
  'fake-join': 'Zusammenführung ohne Gateway (Fake-Join)',
  'superfluous-gateway': 'Überflüssiges Gateway',
  'superfluous-termination': 'Überflüssiges Terminierungsereignis',
  'camunda-compat/implementation': 'Implementierung fehlt oder ist unvollständig (z. B. Job-Typ in zeebe:taskDefinition)',
  'camunda-compat/executable-process': 'Prozess ist nicht ausführbar (isExecutable="true" fehlt)',
  'camunda-compat/element-type': 'Elementtyp wird von dieser Engine-Version nicht unterstützt',
  'camunda-compat/error-reference': 'Fehlerreferenz fehlt oder hat keinen Fehlercode',
  'camunda-compat/message-reference': 'Nachrichtenreferenz fehlt oder hat keinen Namen',
  'camunda-compat/subscription': 'Nachricht braucht einen Korrelationsschlüssel (zeebe:subscription)',
  'camunda-compat/called-element': 'Aufgerufener Prozess (zeebe:calledElement) fehlt',
  'camunda-compat/user-task-definition': 'Benutzeraufgabe ohne Formular (zeebe:formDefinition)',
  'camunda-compat/user-task-form': 'Formularverknüpfung der Benutzeraufgabe ist ungültig',
  'camunda-compat/zeebe-user-task': 'Benutzeraufgabe ist keine „Camunda user task“ (zeebe:userTask)',
  'camunda-compat/no-task-listeners': 'Task-Listener werden von dieser Engine-Version nicht unterstützt',
  'camunda-compat/task-listener': 'Task-Listener ist unvollständig (Ereignis oder Job-Typ fehlt)',
  'camunda-compat/feel': 'FEEL-Ausdruck ist syntaktisch falsch',
  'camunda-compat/timer': 'Timer-Definition ist ungültig',
  'camunda-compat/io-mapping': 'Ein- oder Ausgabe-Mapping ist unvollständig',
  'camunda-compat/sequence-flow-condition': 'Bedingung des Sequenzflusses ist ungültig',
  'camunda-compat/task-schedule': 'Fälligkeit/Wiedervorlage ist ungültig',
  'camunda-compat/no-expression': 'Ausdruck wird hier von dieser Engine-Version nicht unterstützt',
  'camunda-compat/variable-name': 'Ungültiger Variablenname',
};

/** The configuration from .bpmnlintrc in the project root. */
export function loadLintConfig(root = ROOT): unknown {
  const file = path.join(root, '.bpmnlintrc');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`Die bpmnlint-Konfiguration ${file} ist nicht lesbar: ${(e as Error).message}`);
  }
}

/** Adds incoming/outgoing references that hand-written XML leaves out (the modeler does the same). */
function linkSequenceFlows(node: unknown, seen = new Set<unknown>()): void {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  const el = node as ModdleElement;
  if (el.$type === 'bpmn:SequenceFlow') {
    const src = el.sourceRef as ModdleElement | undefined;
    const tgt = el.targetRef as ModdleElement | undefined;
    const add = (n: ModdleElement | undefined, prop: 'incoming' | 'outgoing') => {
      if (!n) return;
      const list = ((n[prop] as unknown[] | undefined) ?? []) as unknown[];
      if (!list.includes(el)) list.push(el);
      n[prop] = list;
    };
    add(src, 'outgoing');
    add(tgt, 'incoming');
    return;
  }
  for (const key of ['rootElements', 'flowElements', 'participants', 'laneSets']) {
    const v = el[key];
    if (Array.isArray(v)) v.forEach((c) => linkSequenceFlows(c, seen));
  }
}

/**
 * The product's target engine version. .bpmnlintrc holds the camunda-compat rules of the engine
 * that runs here (8.6); every model is also checked against the target's rules, so a model passes
 * only when both engines accept it.
 */
export const TARGET_COMPAT = 'camunda-cloud-8-9';
const COMPAT_PRESET = /^plugin:camunda-compat\/camunda-cloud-\d+-\d+$/;

/** The configuration with its camunda-compat preset replaced by `preset` (null when it has none). */
export function withCompatPreset(config: unknown, preset: string): unknown | null {
  const c = config as { extends?: string | string[] };
  const ext = Array.isArray(c?.extends) ? c.extends : c?.extends ? [c.extends] : [];
  if (!ext.some((e) => COMPAT_PRESET.test(e))) return null;
  return { ...c, extends: ext.map((e) => (COMPAT_PRESET.test(e) ? `plugin:camunda-compat/${preset}` : e)) };
}

/**
 * Lints one model against the configured rules and the target version's camunda-compat rules;
 * `file` is only used in the findings. Unparsable XML is one error finding.
 */
export async function lintBpmn(xml: string, file: string, config: unknown = loadLintConfig()): Promise<Finding[]> {
  const own = await lintWith(xml, file, config);
  const target = withCompatPreset(config, TARGET_COMPAT);
  if (!target || JSON.stringify(target) === JSON.stringify(config) || own.some((f) => f.rule === 'xml')) return own;
  const key = (f: Finding) => `${f.rule}|${f.elementId}|${f.detail}`;
  const seen = new Set(own.map(key));
  const extra = (await lintWith(xml, file, target)).filter((f) => !seen.has(key(f))).map((f) => ({ ...f, message: `${f.message} (Zielversion Camunda 8.9)` }));
  return [...own, ...extra];
}

async function lintWith(xml: string, file: string, config: unknown): Promise<Finding[]> {
  const moddle = new BpmnModdle({ zeebe: zeebeDescriptor() });
  let root: ModdleElement;
  try {
    const parsed = await moddle.fromXML(xml);
    root = parsed.rootElement;
  } catch (e) {
    return [{ file, rule: 'xml', elementId: '-', severity: 'error', message: 'Datei ist kein gültiges BPMN-XML', detail: (e as Error).message }];
  }
  linkSequenceFlows(root);
  const linter = new Linter({ config, resolver: new NodeResolver({ require: createRequire(path.join(ROOT, 'package.json')) }) });
  const results = await linter.lint(root);
  const findings: Finding[] = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const r of reports) {
      if (r.category === 'info') continue;
      findings.push({
        file,
        rule,
        elementId: r.id ?? '-',
        severity: r.category === 'warn' ? 'warning' : 'error',
        message: r.category === 'rule-error' ? `Regel „${rule}“ konnte nicht ausgeführt werden` : (GERMAN[rule] ?? r.message),
        detail: r.message,
      });
    }
  }
  return findings;
}

/** All .bpmn files below the given files/folders (sorted). */
export function findBpmnFiles(targets: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    if (fs.statSync(p).isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules') visit(path.join(p, e));
    } else if (p.endsWith('.bpmn')) out.push(p);
  };
  targets.forEach(visit);
  return out.sort();
}

export function formatFinding(f: Finding): string {
  const label = f.severity === 'error' ? 'Fehler' : 'Warnung';
  const detail = f.detail && f.detail !== f.message ? ` [${f.rule}: ${f.detail}]` : ` [${f.rule}]`;
  return `${f.file}: ${label} bei Element ${f.elementId}: ${f.message}${detail}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  if (argv.includes('--stdin')) {
    const findings = await lintBpmn(await readStdin(), 'stdin');
    const errors = findings.filter((f) => f.severity === 'error').length;
    if (json) console.log(JSON.stringify({ files: ['stdin'], findings }));
    else for (const f of findings) console.error(formatFinding(f));
    return errors ? 1 : 0;
  }
  const args = argv.filter((a) => a !== '--json');
  const targets = args.length ? args.map((a) => path.resolve(a)) : [path.join(ROOT, 'processes'), path.join(ROOT, 'test', 'fixtures', 'processes')];
  const files = findBpmnFiles(targets);
  const config = loadLintConfig();
  const all: Finding[] = [];
  for (const file of files) {
    const rel = path.relative(process.cwd(), file) || file;
    all.push(...(await lintBpmn(fs.readFileSync(file, 'utf8'), rel, config)));
  }
  const errors = all.filter((f) => f.severity === 'error').length;
  if (json) {
    console.log(JSON.stringify({ files: files.map((f) => path.relative(process.cwd(), f) || f), findings: all }));
    return errors ? 1 : 0;
  }
  for (const f of all) (f.severity === 'error' ? console.error : console.warn)(formatFinding(f));
  const summary = `BPMN-Prüfung: ${files.length} Modell(e), ${errors} Fehler, ${all.length - errors} Warnung(en).`;
  if (errors) console.error(summary);
  else console.log(summary);
  return errors ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`BPMN-Prüfung abgebrochen: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
