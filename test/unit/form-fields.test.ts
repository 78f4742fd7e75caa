/**
 * Contract between models and forms: every variable a gateway reads right after a user task must be
 * a field of that task's form (otherwise the decision reads something nobody can enter).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { inspectBpmn, variablesRead } from '../../server/engine/bpmn';

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

/** Returns the number of variables checked and the violations as German sentences. */
export function checkFormFields(xml: string, forms: Record<string, string[]>): { checked: number; problems: string[] } {
  const info = inspectBpmn(xml);
  const byId = new Map(info.elements.map((e) => [e.id, e]));
  let checked = 0;
  const problems: string[] = [];
  for (const ut of info.userTasks) {
    for (const f of info.sequenceFlows.filter((x) => x.sourceRef === ut.id)) {
      const gw = byId.get(f.targetRef);
      if (!gw || gw.type !== 'exclusiveGateway') continue;
      for (const out of info.sequenceFlows.filter((o) => o.sourceRef === gw.id && o.condition)) {
        for (const id of variablesRead({ language: 'juel', text: out.condition! })) {
          checked++;
          if (!(forms[ut.formRef ?? ''] ?? []).includes(id)) problems.push(`${ut.id}: Die Bedingung „${out.condition}“ liest „${id}“, das Formular „${ut.formRef ?? '—'}“ hat dieses Feld nicht.`);
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
  const xml = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
    <bpmn:process id="p" isExecutable="true" camunda:historyTimeToLive="3650">
      <bpmn:userTask id="Task_Decide" camunda:formRef="decide" camunda:formRefBinding="deployment" />
      <bpmn:sequenceFlow id="F1" sourceRef="Task_Decide" targetRef="Gateway_Ok" />
      <bpmn:exclusiveGateway id="Gateway_Ok" />
      <bpmn:sequenceFlow id="F2" sourceRef="Gateway_Ok" targetRef="End"><bpmn:conditionExpression>\${einverstanden == true}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="F3" sourceRef="Gateway_Ok" targetRef="End"><bpmn:conditionExpression>\${execution.getVariable('grund') != null}</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="End" />
    </bpmn:process>
  </bpmn:definitions>`;
  const r = checkFormFields(xml, { decide: ['einverstanden'] });
  expect(r.checked).toBe(2);
  expect(r.problems).toEqual(["Task_Decide: Die Bedingung „${execution.getVariable('grund') != null}“ liest „grund“, das Formular „decide“ hat dieses Feld nicht."]);
});
