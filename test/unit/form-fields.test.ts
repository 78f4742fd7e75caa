/**
 * Contract between models and forms: every variable a gateway reads right after a user task must be
 * a field of that task's form (otherwise the decision reads something nobody can enter).
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { ROOT } from '../../server/config';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true });
const FEEL_WORDS = new Set(['true', 'false', 'null', 'and', 'or', 'not', 'is', 'defined', 'count', 'some', 'every', 'in', 'satisfies', 'then', 'else', 'if', 'list', 'contains', 'string', 'number', 'date', 'today', 'now']);

interface Node {
  tag: string;
  n: Record<string, any>;
}

function formKeys(schema: { components?: unknown[] }): string[] {
  const out: string[] = [];
  const walk = (cs: unknown[] | undefined) => {
    for (const c of (cs ?? []) as Array<{ key?: string; path?: string; components?: unknown[] }>) {
      if (c.key) out.push(c.key);
      if (c.path) out.push(c.path);
      walk(c.components);
    }
  };
  walk(schema.components);
  return out;
}

/** Returns "checked" identifiers and the violations as German sentences. */
export function checkFormFields(xml: string, forms: Record<string, string[]>): { checked: number; problems: string[] } {
  const all: Node[] = [];
  const walk = (n: unknown, tag: string) => {
    if (Array.isArray(n)) return n.forEach((x) => walk(x, tag));
    if (!n || typeof n !== 'object') return;
    all.push({ tag, n: n as Record<string, any> });
    for (const [k, v] of Object.entries(n)) if (!k.startsWith('@')) walk(v, k);
  };
  walk(parser.parse(xml), '');
  const byId = new Map(all.filter((a) => a.n['@id']).map((a) => [a.n['@id'] as string, a]));
  const flows = all.filter((a) => a.tag === 'sequenceFlow');
  let checked = 0;
  const problems: string[] = [];
  for (const ut of all.filter((a) => a.tag === 'userTask')) {
    const formId = ut.n.extensionElements?.formDefinition?.['@formId'] as string | undefined;
    for (const f of flows.filter((x) => x.n['@sourceRef'] === ut.n['@id'])) {
      const gw = byId.get(f.n['@targetRef']);
      if (!gw || gw.tag !== 'exclusiveGateway') continue;
      for (const out of flows.filter((o) => o.n['@sourceRef'] === gw.n['@id'])) {
        const cond = out.n.conditionExpression;
        const text: string | undefined = typeof cond === 'string' ? cond : cond?.['#text'];
        if (!text) continue;
        const ids = (text.replace(/"[^"]*"/g, '').match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).filter((w) => !FEEL_WORDS.has(w));
        for (const id of ids) {
          checked++;
          if (!(forms[formId ?? ''] ?? []).includes(id)) problems.push(`${ut.n['@id']}: Die Bedingung „${text.trim()}“ liest „${id}“, das Formular „${formId ?? '—'}“ hat dieses Feld nicht.`);
        }
      }
    }
  }
  return { checked, problems };
}

function formsOf(dir: string): Record<string, string[]> {
  const files: string[] = [];
  const visit = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? visit(path.join(d, e.name)) : e.name.endsWith('.form') && files.push(path.join(d, e.name))));
  visit(dir);
  return Object.fromEntries(files.map((f) => {
    const j = JSON.parse(fs.readFileSync(f, 'utf8')) as { id: string; components?: unknown[] };
    return [j.id, formKeys(j)];
  }));
}

test('every field a gateway reads right after a user task is in that task’s form, in every process', () => {
  const root = path.join(ROOT, 'processes');
  let checked = 0;
  const problems: string[] = [];
  for (const proc of fs.readdirSync(root)) {
    const dir = path.join(root, proc);
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.bpmn'))) {
      const r = checkFormFields(fs.readFileSync(path.join(dir, f), 'utf8'), formsOf(dir));
      checked += r.checked;
      problems.push(...r.problems.map((p) => `${proc}: ${p}`));
    }
  }
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(0);
});

test('a gateway reading a field the form does not have is reported', () => {
  const xml = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
    <bpmn:process id="p" isExecutable="true">
      <bpmn:userTask id="Task_Decide"><bpmn:extensionElements><zeebe:formDefinition formId="decide" /></bpmn:extensionElements></bpmn:userTask>
      <bpmn:sequenceFlow id="F1" sourceRef="Task_Decide" targetRef="Gateway_Ok" />
      <bpmn:exclusiveGateway id="Gateway_Ok" />
      <bpmn:sequenceFlow id="F2" sourceRef="Gateway_Ok" targetRef="End"><bpmn:conditionExpression>=einverstanden = true</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="F3" sourceRef="Gateway_Ok" targetRef="End"><bpmn:conditionExpression>=grund != null</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="End" />
    </bpmn:process>
  </bpmn:definitions>`;
  const r = checkFormFields(xml, { decide: ['einverstanden'] });
  expect(r.checked).toBe(2);
  expect(r.problems).toEqual(['Task_Decide: Die Bedingung „=grund != null“ liest „grund“, das Formular „decide“ hat dieses Feld nicht.']);
});
