/**
 * The product's one BPMN reader (Camunda 7 dialect, `camunda:` extension attributes; the `operaton:`
 * namespace is read the same way). It reads a model without a DOM and without the engine: processes,
 * element ids, names and types, user tasks (form, candidate groups, due date), external service tasks
 * (topic, properties), business rule tasks, call activities, messages and errors with the events
 * that use them, sequence flows, timers, input parameters, multi-instance collections and every
 * expression with the element it belongs to. Deployment, the modeler's checks, the contract tests and
 * the process view all read models through here.
 */
import { XMLParser } from 'fast-xml-parser';

export const BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
export const CAMUNDA_NS = 'http://camunda.org/schema/1.0/bpmn';
/** Operaton reads its own namespace like the `camunda:` one. */
export const OPERATON_NS = 'http://operaton.org/schema/1.0/bpmn';

export interface BpmnElement {
  id: string;
  /** BPMN element type without namespace, e.g. "userTask", "boundaryEvent", "sequenceFlow". */
  type: string;
  name?: string;
  /** Id of the enclosing process or sub process. */
  parentId?: string;
}

export interface BpmnProcess {
  id: string;
  name?: string;
  executable: boolean;
  /** camunda:historyTimeToLive (days or ISO duration), as written. */
  historyTimeToLive?: string;
}

export interface BpmnUserTask extends BpmnElement {
  /** camunda:formRef – the form-js id. */
  formRef?: string;
  /** camunda:formRefBinding: latest | deployment | version (engine default: latest). */
  formRefBinding?: string;
  /** camunda:formKey (not used by the product; read so the checks can name it). */
  formKey?: string;
  /** camunda:candidateGroups as written, e.g. "case-manager:${kommuneId}". */
  candidateGroups?: string;
  candidateUsers?: string;
  assignee?: string;
  /** camunda:dueDate / camunda:followUpDate as written (ISO date-time, ISO duration or expression). */
  dueDate?: string;
  followUpDate?: string;
}

export interface BpmnExternalTask extends BpmnElement {
  /** camunda:type; "external" for every worker task of the product. */
  implementation?: string;
  /** camunda:topic – the external-task topic a worker subscribes to. */
  topic?: string;
  /** camunda:properties – what the worker reads as task.properties. */
  properties: Record<string, string>;
  /** Java delegates (never used by the product, reported by the checks). */
  javaClass?: string;
  expression?: string;
  delegateExpression?: string;
}

export interface BpmnBusinessRuleTask extends BpmnElement {
  decisionRef?: string;
  /** camunda:decisionRefBinding (engine default: latest). */
  binding?: string;
  resultVariable?: string;
  /** camunda:mapDecisionResult: singleEntry | singleResult | collectEntries | resultList (engine default: resultList). */
  mapDecisionResult?: string;
  /** An external business rule task (camunda:type="external") instead of a decision. */
  topic?: string;
}

export interface BpmnVariableMapping {
  /** Variable of the source scope (camunda:in/out source). */
  source?: string;
  sourceExpression?: string;
  target?: string;
  /** variables="all" */
  all: boolean;
  local: boolean;
  /** camunda:in businessKey="…" */
  businessKey?: string;
}

export interface BpmnCallActivity extends BpmnElement {
  calledElement?: string;
  /** camunda:calledElementBinding (engine default: latest). */
  binding?: string;
  calledElementTenantId?: string;
  inputs: BpmnVariableMapping[];
  outputs: BpmnVariableMapping[];
}

export interface BpmnSequenceFlow extends BpmnElement {
  sourceRef: string;
  targetRef: string;
  /** Condition expression as written, e.g. "${execution.getVariable('x') == true}". */
  condition?: string;
  /** The flow is the default flow of its source gateway or activity. */
  isDefault: boolean;
}

export interface BpmnTimer {
  /** The event that holds the timer definition. */
  elementId: string;
  elementType: string;
  name?: string;
  /** Boundary timers: the activity they are attached to, and whether they interrupt it. */
  attachedToRef?: string;
  cancelActivity?: boolean;
  kind: 'timeDate' | 'timeDuration' | 'timeCycle';
  expression: string;
}

export interface BpmnMessage {
  id: string;
  name?: string;
}

/** An event, receive task or send task that refers to a message. */
export interface BpmnMessageUse {
  elementId: string;
  elementType: string;
  /** catch: the instance waits for the message (start events, catch events, receive tasks, boundary events). */
  direction: 'catch' | 'throw';
  messageRef?: string;
  messageName?: string;
}

export interface BpmnError {
  id: string;
  name?: string;
  errorCode?: string;
}

export interface BpmnErrorUse {
  elementId: string;
  elementType: string;
  errorRef?: string;
  errorCode?: string;
}

export interface BpmnParameter {
  elementId: string;
  direction: 'input' | 'output';
  name: string;
  /** Constant or expression; undefined for an empty parameter (the variable is null) or a script. */
  value?: string;
  script?: { format: string; body: string };
}

export interface BpmnMultiInstance {
  elementId: string;
  sequential: boolean;
  /** camunda:collection, e.g. "${kim.list(agreementIds)}". */
  collection?: string;
  elementVariable?: string;
  loopCardinality?: string;
  completionCondition?: string;
}

export interface BpmnListener {
  elementId: string;
  kind: 'execution' | 'task';
  event?: string;
  expression?: string;
  delegateExpression?: string;
  javaClass?: string;
  script?: { format: string; body: string };
}

/** Where an expression of the model stands. */
export interface BpmnExpression {
  elementId: string;
  /** e.g. "condition", "timeDate", "camunda:candidateGroups", "input:statistikArt", "camunda:collection". */
  where: string;
  text: string;
  /** juel: `${…}` / `#{…}` inside the text; feel: a FEEL script (scriptFormat="feel"); other script formats as given. */
  language: string;
}

export interface BpmnInfo {
  processes: BpmnProcess[];
  /** Every element with an id inside the processes (flow nodes, sequence flows, sub processes). */
  elements: BpmnElement[];
  /** element id → name (German, as drawn). */
  elementNames: Record<string, string>;
  userTasks: BpmnUserTask[];
  /** Service and send tasks and message throw/end events with their implementation. */
  externalTasks: BpmnExternalTask[];
  businessRuleTasks: BpmnBusinessRuleTask[];
  callActivities: BpmnCallActivity[];
  sequenceFlows: BpmnSequenceFlow[];
  timers: BpmnTimer[];
  messages: BpmnMessage[];
  messageUses: BpmnMessageUse[];
  errors: BpmnError[];
  errorUses: BpmnErrorUse[];
  parameters: BpmnParameter[];
  multiInstances: BpmnMultiInstance[];
  listeners: BpmnListener[];
  expressions: BpmnExpression[];
  /** Distinct external-task topics of the model (service tasks, business rule tasks, events). */
  topics: string[];
  /** Distinct message names and error codes. */
  messageNames: string[];
  errorCodes: string[];
}

/** A node as fast-xml-parser gives it with preserveOrder: `{ [tag]: children, ':@': attributes }` or `{ '#text': … }`. */
type RawNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  preserveOrder: true,
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
});

const SCOPES = new Set(['process', 'subProcess', 'transaction', 'adHocSubProcess']);
const CATCHING = new Set(['startEvent', 'intermediateCatchEvent', 'boundaryEvent', 'receiveTask']);
/** Attributes in the camunda namespace that may hold expressions. */
const EXPRESSION_ATTRS = ['candidateGroups', 'candidateUsers', 'assignee', 'dueDate', 'followUpDate', 'priority', 'collection', 'topic', 'expression', 'resultVariable', 'calledElementVersion', 'decisionRefVersion'];

/** Name resolution: prefix → namespace URI, from the xmlns declarations seen on the way down. */
type Scope = Map<string, string>;

function resolve(qname: string, scope: Scope): { ns: string; local: string } {
  const i = qname.indexOf(':');
  const prefix = i < 0 ? '' : qname.slice(0, i);
  const local = i < 0 ? qname : qname.slice(i + 1);
  return { ns: scope.get(prefix) ?? '', local };
}

const isExtensionNs = (ns: string) => ns === CAMUNDA_NS || ns === OPERATON_NS;

/** One element of the document with its resolved name, attributes and children (document order). */
interface El {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  /** Extension attributes (camunda:/operaton:) by local name. */
  ext: Record<string, string>;
  text: string;
  children: El[];
}

function toEls(nodes: unknown, scope: Scope): { els: El[]; text: string } {
  const els: El[] = [];
  let text = '';
  for (const node of Array.isArray(nodes) ? (nodes as RawNode[]) : []) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (!tag) continue;
    if (tag === '#text') {
      text += String(node[tag] ?? '');
      continue;
    }
    if (tag.startsWith('?') || tag.startsWith('!')) continue;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, unknown>;
    let s = scope;
    for (const [k, v] of Object.entries(rawAttrs)) {
      if (!k.startsWith('@xmlns')) continue;
      if (s === scope) s = new Map(scope);
      s.set(k === '@xmlns' ? '' : k.slice('@xmlns:'.length), String(v));
    }
    const { ns, local } = resolve(tag, s);
    const el: El = { ns, local, attrs: {}, ext: {}, text: '', children: [] };
    for (const [k, v] of Object.entries(rawAttrs)) {
      const name = k.slice(1);
      if (name.startsWith('xmlns')) continue;
      if (name.includes(':')) {
        const a = resolve(name, s);
        if (isExtensionNs(a.ns)) el.ext[a.local] = String(v);
        else el.attrs[name] = String(v);
      } else el.attrs[name] = String(v);
    }
    const inner = toEls(node[tag], s);
    el.children = inner.els;
    el.text = inner.text;
    els.push(el);
  }
  return { els, text };
}

const bpmnChildren = (el: El, local: string) => el.children.filter((c) => c.ns === BPMN_NS && c.local === local);
const extChildren = (el: El, local: string) => el.children.filter((c) => isExtensionNs(c.ns) && c.local === local);
const extensionElements = (el: El) => bpmnChildren(el, 'extensionElements').flatMap((x) => x.children);
const extOf = (el: El, local: string) => extensionElements(el).filter((c) => isExtensionNs(c.ns) && c.local === local);
const text = (el: El | undefined) => (el ? el.text.trim() : undefined) || undefined;

function scriptOf(el: El): { format: string; body: string } | undefined {
  const s = extChildren(el, 'script')[0];
  return s ? { format: s.attrs.scriptFormat ?? '', body: s.text.trim() } : undefined;
}

const hasJuel = (s: string) => /[$#]\{/.test(s);

/** Reads a BPMN model. Throws when the text is not XML. */
export function inspectBpmn(xml: string): BpmnInfo {
  const doc = parser.parse(xml, true) as unknown;
  const info: BpmnInfo = {
    processes: [],
    elements: [],
    elementNames: {},
    userTasks: [],
    externalTasks: [],
    businessRuleTasks: [],
    callActivities: [],
    sequenceFlows: [],
    timers: [],
    messages: [],
    messageUses: [],
    errors: [],
    errorUses: [],
    parameters: [],
    multiInstances: [],
    listeners: [],
    expressions: [],
    topics: [],
    messageNames: [],
    errorCodes: [],
  };
  const definitions = toEls(doc, new Map()).els.find((r) => r.ns === BPMN_NS && r.local === 'definitions');
  if (!definitions) return info;

  const defaults = new Set<string>();
  const expr = (elementId: string, where: string, t: string | undefined, language?: string) => {
    if (!t) return;
    if (language) info.expressions.push({ elementId, where, text: t, language });
    else if (hasJuel(t)) info.expressions.push({ elementId, where, text: t, language: 'juel' });
  };

  const readCommon = (el: El, id: string) => {
    for (const a of EXPRESSION_ATTRS) expr(id, `camunda:${a}`, el.ext[a]);
    for (const io of extOf(el, 'inputOutput')) {
      for (const p of io.children.filter((c) => isExtensionNs(c.ns) && (c.local === 'inputParameter' || c.local === 'outputParameter'))) {
        const direction = p.local === 'inputParameter' ? 'input' : 'output';
        const script = scriptOf(p);
        const nested = p.children.find((c) => isExtensionNs(c.ns) && (c.local === 'list' || c.local === 'map'));
        const value = script || nested ? undefined : text(p);
        info.parameters.push({ elementId: id, direction, name: p.attrs.name ?? '', value, script });
        if (script) expr(id, `${direction}:${p.attrs.name}`, script.body, script.format || 'script');
        else expr(id, `${direction}:${p.attrs.name}`, value);
      }
    }
    for (const kind of ['execution', 'task'] as const) {
      for (const l of extOf(el, kind === 'execution' ? 'executionListener' : 'taskListener')) {
        const script = scriptOf(l);
        info.listeners.push({ elementId: id, kind, event: l.attrs.event, expression: l.attrs.expression, delegateExpression: l.attrs.delegateExpression, javaClass: l.attrs.class, script });
        expr(id, `${kind}Listener`, l.attrs.expression);
        expr(id, `${kind}Listener`, l.attrs.delegateExpression);
        if (script) expr(id, `${kind}Listener`, script.body, script.format || 'script');
      }
    }
  };

  const readEventDefinitions = (el: El, id: string, type: string) => {
    for (const t of bpmnChildren(el, 'timerEventDefinition')) {
      for (const kind of ['timeDate', 'timeDuration', 'timeCycle'] as const) {
        const e = bpmnChildren(t, kind)[0];
        if (!e) continue;
        const expression = e.text.trim();
        info.timers.push({
          elementId: id,
          elementType: type,
          name: el.attrs.name,
          attachedToRef: el.attrs.attachedToRef,
          cancelActivity: type === 'boundaryEvent' ? el.attrs.cancelActivity !== 'false' : undefined,
          kind,
          expression,
        });
        expr(id, kind, expression);
      }
    }
    for (const m of bpmnChildren(el, 'messageEventDefinition')) {
      info.messageUses.push({ elementId: id, elementType: type, direction: CATCHING.has(type) ? 'catch' : 'throw', messageRef: m.attrs.messageRef });
      if (m.ext.type || m.ext.topic) info.externalTasks.push({ id, type, name: el.attrs.name, implementation: m.ext.type, topic: m.ext.topic, properties: propertiesOf(el) });
    }
    for (const e of bpmnChildren(el, 'errorEventDefinition')) info.errorUses.push({ elementId: id, elementType: type, errorRef: e.attrs.errorRef });
  };

  const propertiesOf = (el: El): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const ps of extOf(el, 'properties')) for (const p of extChildren(ps, 'property')) if (p.attrs.name) out[p.attrs.name] = p.attrs.value ?? '';
    return out;
  };

  const mapping = (m: El): BpmnVariableMapping => ({
    source: m.attrs.source,
    sourceExpression: m.attrs.sourceExpression,
    target: m.attrs.target,
    all: m.attrs.variables === 'all',
    local: m.attrs.local === 'true',
    businessKey: m.attrs.businessKey,
  });

  const visitFlowElement = (el: El, parentId: string) => {
    const type = el.local;
    const id = el.attrs.id;
    if (!id) return;
    const name = el.attrs.name;
    const base: BpmnElement = { id, type, name, parentId };
    info.elements.push(base);
    if (name) info.elementNames[id] = name;
    if (el.attrs.default) defaults.add(el.attrs.default);
    readCommon(el, id);

    if (type === 'sequenceFlow') {
      const condition = text(bpmnChildren(el, 'conditionExpression')[0]);
      info.sequenceFlows.push({ ...base, sourceRef: el.attrs.sourceRef ?? '', targetRef: el.attrs.targetRef ?? '', condition, isDefault: false });
      expr(id, 'condition', condition);
      return;
    }
    if (type === 'userTask') {
      info.userTasks.push({
        ...base,
        formRef: el.ext.formRef,
        formRefBinding: el.ext.formRefBinding,
        formKey: el.ext.formKey,
        candidateGroups: el.ext.candidateGroups,
        candidateUsers: el.ext.candidateUsers,
        assignee: el.ext.assignee,
        dueDate: el.ext.dueDate,
        followUpDate: el.ext.followUpDate,
      });
    }
    if (type === 'serviceTask' || type === 'sendTask') {
      info.externalTasks.push({
        ...base,
        implementation: el.ext.type,
        topic: el.ext.topic,
        properties: propertiesOf(el),
        javaClass: el.ext.class,
        expression: el.ext.expression,
        delegateExpression: el.ext.delegateExpression,
      });
    }
    if (type === 'businessRuleTask') {
      info.businessRuleTasks.push({ ...base, decisionRef: el.ext.decisionRef, binding: el.ext.decisionRefBinding, resultVariable: el.ext.resultVariable, mapDecisionResult: el.ext.mapDecisionResult, topic: el.ext.type === 'external' ? el.ext.topic : undefined });
    }
    if (type === 'callActivity') {
      const ext = extensionElements(el).filter((c) => isExtensionNs(c.ns));
      const inputs = ext.filter((c) => c.local === 'in').map(mapping);
      const outputs = ext.filter((c) => c.local === 'out').map(mapping);
      info.callActivities.push({ ...base, calledElement: el.attrs.calledElement, binding: el.ext.calledElementBinding, calledElementTenantId: el.ext.calledElementTenantId, inputs, outputs });
      for (const m of [...inputs, ...outputs]) expr(id, 'camunda:in/out', m.sourceExpression);
      expr(id, 'calledElement', el.attrs.calledElement);
    }
    if (type === 'receiveTask' || type === 'sendTask') {
      if (el.attrs.messageRef) info.messageUses.push({ elementId: id, elementType: type, direction: type === 'receiveTask' ? 'catch' : 'throw', messageRef: el.attrs.messageRef });
    }
    readEventDefinitions(el, id, type);
    for (const lc of bpmnChildren(el, 'multiInstanceLoopCharacteristics')) {
      const mi: BpmnMultiInstance = {
        elementId: id,
        sequential: lc.attrs.isSequential === 'true',
        collection: lc.ext.collection,
        elementVariable: lc.ext.elementVariable,
        loopCardinality: text(bpmnChildren(lc, 'loopCardinality')[0]),
        completionCondition: text(bpmnChildren(lc, 'completionCondition')[0]),
      };
      info.multiInstances.push(mi);
      expr(id, 'camunda:collection', mi.collection);
      expr(id, 'loopCardinality', mi.loopCardinality);
      expr(id, 'completionCondition', mi.completionCondition);
    }
    if (SCOPES.has(type)) visitScope(el, id);
  };

  const visitScope = (scope: El, scopeId: string) => {
    for (const c of scope.children) {
      if (c.ns !== BPMN_NS) continue;
      if (['extensionElements', 'documentation', 'incoming', 'outgoing', 'laneSet', 'multiInstanceLoopCharacteristics', 'standardLoopCharacteristics', 'ioSpecification', 'property', 'dataInputAssociation', 'dataOutputAssociation'].includes(c.local)) continue;
      if (/Event$|Task$|task$|Gateway$|^(subProcess|transaction|adHocSubProcess|callActivity|sequenceFlow|dataObject|dataObjectReference|dataStoreReference|textAnnotation|association|group)$/.test(c.local)) visitFlowElement(c, scopeId);
    }
  };

  for (const el of definitions.children.filter((c) => c.ns === BPMN_NS)) {
    if (el.local === 'process') {
      const id = el.attrs.id ?? '';
      info.processes.push({ id, name: el.attrs.name, executable: el.attrs.isExecutable === 'true', historyTimeToLive: el.ext.historyTimeToLive });
      if (id && el.attrs.name) info.elementNames[id] = el.attrs.name;
      readCommon(el, id);
      visitScope(el, id);
    } else if (el.local === 'message') {
      info.messages.push({ id: el.attrs.id ?? '', name: el.attrs.name });
    } else if (el.local === 'error') {
      info.errors.push({ id: el.attrs.id ?? '', name: el.attrs.name, errorCode: el.attrs.errorCode });
    }
  }

  for (const f of info.sequenceFlows) f.isDefault = defaults.has(f.id);
  const messagesById = new Map(info.messages.map((m) => [m.id, m]));
  for (const u of info.messageUses) u.messageName = u.messageRef ? messagesById.get(u.messageRef)?.name : undefined;
  const errorsById = new Map(info.errors.map((e) => [e.id, e]));
  for (const u of info.errorUses) u.errorCode = u.errorRef ? errorsById.get(u.errorRef)?.errorCode : undefined;
  const topics = [...info.externalTasks.map((t) => t.topic), ...info.businessRuleTasks.map((t) => t.topic)];
  info.topics = [...new Set(topics.filter((t): t is string => !!t))];
  info.messageNames = [...new Set(info.messages.map((m) => m.name).filter((n): n is string => !!n))];
  info.errorCodes = [...new Set(info.errors.map((e) => e.errorCode).filter((c): c is string => !!c))];
  return info;
}

// ---------------------------------------------------------------------------------------------
// Variables an expression reads

const JUEL_WORDS = new Set(['true', 'false', 'null', 'empty', 'not', 'and', 'or', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'div', 'mod', 'instanceof']);
/** Names the engine resolves itself (not process variables). */
const ENGINE_NAMES = new Set(['execution', 'task', 'kim', 'authenticatedUserId', 'processEngine', 'processEngineServices', 'variableScope']);
const FEEL_WORDS = new Set([
  'true', 'false', 'null', 'and', 'or', 'not', 'if', 'then', 'else', 'for', 'in', 'return', 'some', 'every', 'satisfies', 'instance', 'of', 'between', 'function',
  'string', 'number', 'boolean', 'date', 'time', 'duration', 'today', 'now', 'count', 'sum', 'min', 'max', 'contains', 'list', 'context', 'years', 'months', 'days',
  'upper', 'lower', 'case', 'substring', 'length', 'abs', 'floor', 'ceiling', 'day', 'week', 'is', 'defined',
]);

/**
 * Process variables an expression reads: identifiers of JUEL `${…}` blocks (a name read through
 * `execution.getVariable('x')` / `hasVariable('x')` counts), or of a FEEL script. Method and
 * property names after a dot, string literals, keywords and engine beans are left out.
 */
export function variablesRead(e: Pick<BpmnExpression, 'text' | 'language'>): string[] {
  const out = new Set<string>();
  const scan = (code: string, feel: boolean) => {
    for (const m of code.matchAll(/execution\s*\.\s*(?:getVariable|hasVariable|getVariableLocal|hasVariableLocal)\s*\(\s*['"]([A-Za-z_]\w*)['"]\s*\)/g)) out.add(m[1]);
    const stripped = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, ' ');
    // FEEL context entries ({ key: … }) name values of the expression itself, not variables.
    const keys = feel ? new Set([...stripped.matchAll(/[{,]\s*([A-Za-z_]\w*)\s*:/g)].map((m) => m[1])) : new Set<string>();
    const words = feel ? FEEL_WORDS : JUEL_WORDS;
    for (const m of stripped.matchAll(/(\.\s*)?\b([A-Za-z_]\w*)\b/g)) {
      const [, dot, name] = m;
      if (dot || words.has(name) || keys.has(name) || ENGINE_NAMES.has(name)) continue;
      out.add(name);
    }
  };
  if (e.language === 'juel') {
    for (const m of e.text.matchAll(/[$#]\{([^}]*)\}/g)) scan(m[1], false);
  } else if (e.language === 'feel') {
    scan(e.text, true);
  }
  return [...out];
}
