/**
 * The DSGVO house rule as a contract over models and forms: free text a user types into a task form
 * (textfield, textarea – also inside lists) is kept in the app database, never passed to the engine;
 * what is kept may not be read by any expression of the model (else the process would miss it); and
 * every kept field exists in the task's form.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { PROTECTED_INPUT, protectedFields, splitProtected } from '../../server/inbox/protected-input';
import { inspectBpmn, variablesRead } from '../../server/engine/bpmn';

const FREE_TEXT = new Set(['textfield', 'textarea']);

interface FormComponent {
  key?: string;
  path?: string;
  type?: string;
  components?: FormComponent[];
}

/** Top-level variables of a form: each with whether free text can be typed into it. */
export function formVariables(schema: { components?: FormComponent[] }): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const hasFreeText = (c: FormComponent): boolean => FREE_TEXT.has(c.type ?? '') || (c.components ?? []).some(hasFreeText);
  const walk = (cs: FormComponent[] | undefined) => {
    for (const c of cs ?? []) {
      const name = c.key ?? (c.type === 'dynamiclist' ? c.path : undefined);
      if (name) out.set(name, (out.get(name) ?? false) || hasFreeText(c));
      else walk(c.components); // groups without a path of their own
    }
  };
  walk(schema.components);
  return out;
}

/**
 * Problems (German sentences) of one process model against its forms and its protected fields.
 * `extraExpressions` are FEEL texts outside the model that read process variables (the decisions).
 */
export function checkProtectedInput(xml: string, forms: Record<string, { components?: FormComponent[] }>, fieldsOf: (processId: string, elementId: string) => readonly string[], extraExpressions: string[] = []): string[] {
  const problems: string[] = [];
  const info = inspectBpmn(xml);
  const identifiers = new Set([...info.expressions.flatMap((e) => variablesRead(e)), ...extraExpressions.flatMap((text) => variablesRead({ language: 'feel', text }))]);
  for (const proc of info.processes) {
    const processId = proc.id;
    const tasks = info.userTasks;
    const taskIds = new Set(tasks.map((t) => t.id));
    for (const t of tasks) {
      const formId = t.formRef;
      const form = formId ? forms[formId] : undefined;
      if (!form) continue;
      const vars = formVariables(form);
      const kept = fieldsOf(processId, t.id);
      for (const [name, freeText] of vars) {
        if (freeText && !kept.includes(name)) problems.push(`${processId}/${t.id}: Das Formularfeld „${name}“ (${formId}) nimmt Freitext auf, wird aber an die Engine übergeben – in PROTECTED_INPUT aufnehmen.`);
      }
      for (const name of kept) {
        if (!vars.has(name)) problems.push(`${processId}/${t.id}: „${name}“ steht in PROTECTED_INPUT, ist aber kein Feld des Formulars ${formId}.`);
        if (identifiers.has(name)) problems.push(`${processId}/${t.id}: „${name}“ wird in der Datenbank gehalten, ein Ausdruck des Modells liest es aber.`);
      }
    }
    for (const elementId of Object.keys(PROTECTED_INPUT[processId] ?? {})) {
      if (!taskIds.has(elementId)) problems.push(`${processId}: PROTECTED_INPUT nennt „${elementId}“, das Modell hat keine solche Benutzeraufgabe.`);
    }
  }
  return problems;
}

/** The FEEL texts of a decision that read variables: input expressions, input and output entries, literal expressions. */
function dmnExpressions(dmn: string): string[] {
  return [...dmn.matchAll(/<(?:inputExpression|inputEntry|outputEntry|literalExpression)\b[^>]*>\s*<text>([^<]*)<\/text>/g)].map((m) =>
    m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
  );
}

function processFolders() {
  const dir = path.join(ROOT, 'processes');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name));
}

function filesOf(dir: string, ext: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesOf(path.join(dir, e.name), ext) : e.name.endsWith(ext) ? [path.join(dir, e.name)] : []));
}

test('in every process: free-text form fields stay out of the engine, no expression reads a kept field, every kept field is in its form', () => {
  let models = 0;
  for (const folder of processFolders()) {
    const forms = Object.fromEntries(filesOf(folder, '.form').map((f) => {
      const j = JSON.parse(fs.readFileSync(f, 'utf8'));
      return [j.id as string, j];
    }));
    // The decisions read process variables too.
    const dmn = filesOf(folder, '.dmn').flatMap((f) => dmnExpressions(fs.readFileSync(f, 'utf8')));
    for (const bpmn of filesOf(folder, '.bpmn')) {
      models++;
      expect(checkProtectedInput(fs.readFileSync(bpmn, 'utf8'), forms, protectedFields, dmn)).toEqual([]);
    }
  }
  expect(models).toBeGreaterThanOrEqual(5);
});

const fixture = (expression: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">
  <bpmn:process id="kim-case" isExecutable="true" camunda:historyTimeToLive="3650">
    <bpmn:userTask id="Task_CreateSupportPlan" camunda:formRef="f" camunda:formRefBinding="deployment" />
    <bpmn:userTask id="Task_Note" camunda:formRef="n" camunda:formRefBinding="deployment" />
    <bpmn:exclusiveGateway id="g" />
    <bpmn:sequenceFlow id="s" sourceRef="g" targetRef="Task_Note"><bpmn:conditionExpression>${expression}</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>`;
const forms = {
  f: { components: [{ type: 'dynamiclist', path: 'ziele', components: [{ key: 'beschreibung', type: 'textarea' }] }] },
  n: { components: [{ key: 'notiz', type: 'textfield' }, { key: 'ok', type: 'checkbox' }] },
};

test('the check reports a free-text field passed to the engine, a kept field an expression reads, and a kept field the form lacks', () => {
  const problems = checkProtectedInput(fixture("${execution.getVariable('ziele') != null and ok}"), forms, (_p, el) => (el === 'Task_CreateSupportPlan' ? ['ziele', 'fehlt'] : []));
  expect(problems).toEqual([
    'kim-case/Task_CreateSupportPlan: „ziele“ wird in der Datenbank gehalten, ein Ausdruck des Modells liest es aber.',
    'kim-case/Task_CreateSupportPlan: „fehlt“ steht in PROTECTED_INPUT, ist aber kein Feld des Formulars f.',
    'kim-case/Task_Note: Das Formularfeld „notiz“ (n) nimmt Freitext auf, wird aber an die Engine übergeben – in PROTECTED_INPUT aufnehmen.',
  ]);
  expect(checkProtectedInput(fixture('${ok}'), forms, (_p, el) => (el === 'Task_CreateSupportPlan' ? ['ziele'] : ['notiz']))).toEqual([]);
});

test('splitting: kept fields go to the database, everything else to the engine', () => {
  expect(splitProtected(['ort', 'lage'], { ort: 'Rathaus', termin: '2030-01-01', lage: 'x', conferenceId: 'c1' })).toEqual({
    engine: { termin: '2030-01-01', conferenceId: 'c1' },
    kept: { ort: 'Rathaus', lage: 'x' },
  });
  expect(protectedFields('kim-case', 'Task_CreateSupportPlan')).toEqual(['ziele']);
  expect(protectedFields('kim-intake', 'Task_DocumentFirstContact')).toEqual([]);
});
