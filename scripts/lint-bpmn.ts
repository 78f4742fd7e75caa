/**
 * Lints every BPMN model under processes/ and test/fixtures/processes with bpmnlint (the Camunda
 * Modeler's own rules, configured in .bpmnlintrc for the engine that runs here: Operaton, the Camunda
 * 7 line, checked with the camunda-compat rules of Camunda Platform 7.24) plus the engine checks below,
 * and prints the findings in German, with file and element id. Exits 1 when a finding is an error.
 * Usage: `tsx scripts/lint-bpmn.ts [files or folders…]`; `--stdin` lints one model read from standard
 * input (the server's draft check, server/engine/lint.ts).
 *
 * The camunda-compat rules of the 7.x line only ask for the history time to live; the engine checks
 * (rules `operaton/…`) add what a deployment or a run would otherwise reject: service and send tasks
 * are external tasks with a topic, business rule tasks name a decision, call activities a process,
 * multi-instance activities a collection, timers a value, message events a named message, and BPMN
 * expressions are JUEL (`${…}`), not FEEL (`=…`).
 *
 * Two adjustments make hand-written models (no modeler) lint like modeler-saved ones:
 * - the `camunda:` extension attributes need a moddle descriptor; `camunda-bpmn-moddle` is used when
 *   installed, otherwise the subset below (enough for the rules);
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
  get?(name: string): unknown;
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

/** Minimal camunda moddle descriptor (subset of camunda-bpmn-moddle's resources/camunda.json). */
const CAMUNDA_DESCRIPTOR = (() => {
  const attr = (name: string, type = 'String') => ({ name, type, isAttr: true });
  const many = (name: string, type: string) => ({ name, type, isMany: true });
  const el = (name: string, properties: unknown[] = [], superClass = ['Element']) => ({ name, superClass, properties });
  const ext = (name: string, extendsTypes: string[], properties: unknown[]) => ({ name, isAbstract: true, extends: extendsTypes, properties });
  return {
    name: 'Camunda',
    prefix: 'camunda',
    uri: 'http://camunda.org/schema/1.0/bpmn',
    xml: { tagAlias: 'lowerCase' },
    associations: [],
    types: [
      ext('Process', ['bpmn:Process'], [attr('historyTimeToLive'), attr('versionTag'), attr('candidateStarterGroups')]),
      ext('ServiceTaskLike', ['bpmn:ServiceTask', 'bpmn:BusinessRuleTask', 'bpmn:SendTask', 'bpmn:MessageEventDefinition'], [attr('type'), attr('topic'), attr('class'), attr('expression'), attr('delegateExpression'), attr('resultVariable')]),
      ext('DmnCapable', ['bpmn:BusinessRuleTask'], [attr('decisionRef'), attr('decisionRefBinding'), attr('decisionRefVersion'), attr('mapDecisionResult'), attr('decisionRefTenantId')]),
      ext('Assignable', ['bpmn:UserTask'], [attr('assignee'), attr('candidateUsers'), attr('candidateGroups'), attr('dueDate'), attr('followUpDate'), attr('priority'), attr('formRef'), attr('formRefBinding'), attr('formRefVersion'), attr('formKey')]),
      ext('CallActivity', ['bpmn:CallActivity'], [attr('calledElementBinding'), attr('calledElementVersion'), attr('calledElementTenantId'), attr('caseRef')]),
      ext('Collectable', ['bpmn:MultiInstanceLoopCharacteristics'], [attr('collection'), attr('elementVariable')]),
      el('Properties', [many('values', 'Property')]),
      el('Property', [attr('id'), attr('name'), attr('value')]),
      el('InputOutput', [many('inputParameters', 'InputParameter'), many('outputParameters', 'OutputParameter')]),
      el('InputOutputParameter', [attr('name'), { name: 'value', type: 'String', isBody: true }, { name: 'definition', type: 'InputOutputParameterDefinition' }]),
      { name: 'InputOutputParameterDefinition', isAbstract: true },
      el('InputParameter', [], ['InputOutputParameter']),
      el('OutputParameter', [], ['InputOutputParameter']),
      el('Script', [attr('scriptFormat'), attr('resource'), { name: 'value', type: 'String', isBody: true }], ['InputOutputParameterDefinition']),
      el('In', [attr('source'), attr('sourceExpression'), attr('target'), attr('businessKey'), attr('variables'), attr('local', 'Boolean')]),
      el('Out', [attr('source'), attr('sourceExpression'), attr('target'), attr('variables'), attr('local', 'Boolean')]),
      el('ExecutionListener', [attr('expression'), attr('class'), attr('delegateExpression'), attr('event'), { name: 'script', type: 'Script' }]),
      el('TaskListener', [attr('expression'), attr('class'), attr('delegateExpression'), attr('event'), attr('id'), { name: 'script', type: 'Script' }]),
      el('FailedJobRetryTimeCycle', [{ name: 'body', type: 'String', isBody: true }]),
    ],
  };
})();

function camundaDescriptor(): unknown {
  try {
    return nativeRequire('camunda-bpmn-moddle/resources/camunda.json');
  } catch {
    return CAMUNDA_DESCRIPTOR;
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
  'camunda-compat/history-time-to-live': 'Prozess braucht eine Aufbewahrungsdauer der Historie (camunda:historyTimeToLive)',
  'operaton/implementation': 'Automatischer Schritt braucht camunda:type="external" und ein Topic (camunda:topic)',
  'operaton/java-delegate': 'Java-Delegates (class, expression, delegateExpression) gibt es in dieser Engine nicht – bitte ein External Task mit Topic verwenden',
  'operaton/decision-reference': 'Geschäftsregel-Aufgabe braucht eine Entscheidung (camunda:decisionRef)',
  'operaton/called-element': 'Aufgerufener Prozess (calledElement) fehlt',
  'operaton/multi-instance': 'Mehrfachausführung braucht eine Sammlung (camunda:collection) oder eine Anzahl',
  'operaton/timer': 'Timer braucht einen Zeitpunkt, eine Dauer oder einen Zyklus',
  'operaton/message-reference': 'Nachrichtenereignis braucht eine Nachricht mit Namen',
  'operaton/error-reference': 'Fehlerendereignis braucht einen Fehler mit Fehlercode',
  'operaton/feel-expression': 'FEEL-Ausdruck (=…) – in BPMN-Modellen gelten JUEL-Ausdrücke (${…})',
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
 * Lints one model against the configured rules and the engine checks; `file` is only used in the
 * findings. Unparsable XML is one error finding.
 */
export async function lintBpmn(xml: string, file: string, config: unknown = loadLintConfig()): Promise<Finding[]> {
  const moddle = new BpmnModdle({ camunda: camundaDescriptor() });
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
  return [...findings, ...engineFindings(root, file)];
}

// ---------------------------------------------------------------------------------------------
// Engine checks: what Operaton would reject at deployment or at run time

const str = (el: ModdleElement | undefined, name: string): string => {
  const v = el?.get?.(name);
  return typeof v === 'string' ? v.trim() : '';
};
const isFeel = (s: string | undefined) => typeof s === 'string' && s.trim().startsWith('=');
const EXPRESSION_ATTRS = ['camunda:candidateGroups', 'camunda:candidateUsers', 'camunda:assignee', 'camunda:dueDate', 'camunda:followUpDate', 'camunda:priority'];

/** Findings of the engine checks (rules operaton/…), for every executable process of the model. */
export function engineFindings(root: ModdleElement, file: string): Finding[] {
  const out: Finding[] = [];
  const report = (rule: string, el: ModdleElement, detail: string) =>
    out.push({ file, rule, elementId: el.id ?? '-', severity: 'error', message: GERMAN[rule] ?? detail, detail });
  const visit = (el: ModdleElement) => {
    const t = el.$type;
    if (t === 'bpmn:ServiceTask' || t === 'bpmn:SendTask') {
      if (str(el, 'camunda:class') || str(el, 'camunda:expression') || str(el, 'camunda:delegateExpression')) {
        report('operaton/java-delegate', el, 'Java delegates are not available, use camunda:type="external"');
      } else if (str(el, 'camunda:type') !== 'external' || !str(el, 'camunda:topic')) {
        report('operaton/implementation', el, 'Element needs camunda:type="external" and camunda:topic');
      }
    }
    if (t === 'bpmn:BusinessRuleTask') {
      const external = str(el, 'camunda:type') === 'external' && !!str(el, 'camunda:topic');
      if (!external && !str(el, 'camunda:decisionRef')) report('operaton/decision-reference', el, 'Element needs camunda:decisionRef');
    }
    if (t === 'bpmn:CallActivity' && !str(el, 'calledElement')) report('operaton/called-element', el, 'Element needs calledElement');
    const loop = el.loopCharacteristics as ModdleElement | undefined;
    if (loop?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
      const collection = str(loop, 'camunda:collection');
      const cardinality = ((loop.loopCardinality as ModdleElement | undefined)?.body as string | undefined)?.trim();
      if (!collection && !cardinality) report('operaton/multi-instance', el, 'Multi-instance needs camunda:collection or loopCardinality');
      if (isFeel(collection)) report('operaton/feel-expression', el, `camunda:collection is FEEL: ${collection}`);
    }
    for (const a of EXPRESSION_ATTRS) if (isFeel(str(el, a))) report('operaton/feel-expression', el, `${a} is FEEL: ${str(el, a)}`);
    if (t === 'bpmn:SequenceFlow') {
      const body = (el.conditionExpression as ModdleElement | undefined)?.body as string | undefined;
      if (isFeel(body)) report('operaton/feel-expression', el, `condition is FEEL: ${body}`);
    }
    if (t === 'bpmn:ReceiveTask' && !(el.messageRef as ModdleElement | undefined)?.name) report('operaton/message-reference', el, 'Receive task needs a message with a name');
    for (const def of (el.eventDefinitions as ModdleElement[] | undefined) ?? []) {
      if (def.$type === 'bpmn:TimerEventDefinition') {
        const values = ['timeDate', 'timeDuration', 'timeCycle'].map((k) => ((def[k] as ModdleElement | undefined)?.body as string | undefined)?.trim()).filter((v): v is string => !!v);
        if (values.length === 0) report('operaton/timer', el, 'Timer needs timeDate, timeDuration or timeCycle');
        for (const v of values) if (isFeel(v)) report('operaton/feel-expression', el, `timer is FEEL: ${v}`);
      }
      const catching = ['bpmn:StartEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent'].includes(t);
      if (def.$type === 'bpmn:MessageEventDefinition' && catching && !(def.messageRef as ModdleElement | undefined)?.name) {
        report('operaton/message-reference', el, 'Message event needs a message with a name');
      }
      if (def.$type === 'bpmn:ErrorEventDefinition' && t === 'bpmn:EndEvent' && !(def.errorRef as ModdleElement | undefined)?.errorCode) {
        report('operaton/error-reference', el, 'Error end event needs an error with an error code');
      }
    }
    for (const c of (el.flowElements as ModdleElement[] | undefined) ?? []) visit(c);
  };
  for (const p of (root.rootElements as ModdleElement[] | undefined) ?? []) {
    if (p.$type === 'bpmn:Process' && p.isExecutable) visit(p);
  }
  return out;
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
