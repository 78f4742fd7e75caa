/**
 * Reading and adjusting BPMN XML before deployment, without a DOM: ids, names, user tasks.
 */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute });

interface Node {
  [k: string]: unknown;
}

function walk(node: unknown, visit: (tag: string, n: Node) => void, tag = '') {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit, tag);
    return;
  }
  if (!node || typeof node !== 'object') return;
  visit(tag, node as Node);
  for (const [k, v] of Object.entries(node)) if (!k.startsWith('@')) walk(v, visit, k);
}

export interface BpmnInfo {
  processes: Array<{ id: string; name?: string; executable: boolean }>;
  /** element id → name (German, as drawn). */
  elementNames: Record<string, string>;
  /** job types of service/send/script/business-rule tasks and intermediate events. */
  jobTypes: string[];
  userTasks: Array<{ id: string; name?: string; formId?: string; formKey?: string; candidateGroups?: string }>;
  messages: string[];
  errorCodes: string[];
}

export function inspectBpmn(xml: string): BpmnInfo {
  const doc = parser.parse(xml);
  const info: BpmnInfo = { processes: [], elementNames: {}, jobTypes: [], userTasks: [], messages: [], errorCodes: [] };
  walk(doc, (tag, n) => {
    const id = n['@id'] as string | undefined;
    const name = n['@name'] as string | undefined;
    if (id && name) info.elementNames[id] = name;
    if (tag === 'process' && id) info.processes.push({ id, name, executable: n['@isExecutable'] === 'true' });
    if (tag === 'taskDefinition' && n['@type']) info.jobTypes.push(String(n['@type']));
    if (tag === 'message' && name) info.messages.push(name);
    if (tag === 'error' && n['@errorCode']) info.errorCodes.push(String(n['@errorCode']));
    if (tag === 'userTask' && id) {
      const ext = ((n.extensionElements as Node[] | undefined) ?? [])[0] ?? {};
      const form = ((ext.formDefinition as Node[] | undefined) ?? [])[0];
      const assign = ((ext.assignmentDefinition as Node[] | undefined) ?? [])[0];
      info.userTasks.push({
        id,
        name,
        formId: form?.['@formId'] as string | undefined,
        formKey: form?.['@formKey'] as string | undefined,
        candidateGroups: assign?.['@candidateGroups'] as string | undefined,
      });
    }
  });
  info.jobTypes = [...new Set(info.jobTypes)];
  info.messages = [...new Set(info.messages)];
  info.errorCodes = [...new Set(info.errorCodes)];
  return info;
}

/**
 * Prepares a model for the inbox projection. On the 8.6 engine user tasks are projected through
 * their jobs (type io.camunda.zeebe:userTask), so a `<zeebe:userTask/>` marker (a "Camunda user
 * task", which creates no job and has no listeners on 8.6) is removed: every user task then
 * reaches the kim.inbox-sync worker, including models edited in the modeler.
 */
export function prepareForInbox(xml: string): string {
  return xml.replace(/<zeebe:userTask\s*\/>/g, '').replace(/<zeebe:userTask\s*>\s*<\/zeebe:userTask>/g, '');
}
