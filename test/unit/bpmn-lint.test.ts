/**
 * The BPMN lint (scripts/lint-bpmn.ts with .bpmnlintrc and its engine checks) on the fixture model and
 * on broken models.
 * bpmnlint needs Node's require(esm), which jest's module registry lacks, so the lint runs as the
 * real command (`tsx scripts/lint-bpmn.ts --json <files>`), the way `npm run lint` runs it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../server/config';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'processes', 'kim-test-inbox', 'kim-test-inbox.bpmn');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

interface Finding {
  file: string;
  rule: string;
  elementId: string;
  severity: 'error' | 'warning';
  message: string;
  detail: string;
}

function lint(...args: string[]): { code: number | null; files: string[]; findings: Finding[]; stderr: string; stdout: string } {
  const r = spawnSync(TSX, ['scripts/lint-bpmn.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const json = args.includes('--json') ? (JSON.parse(r.stdout) as { files: string[]; findings: Finding[] }) : { files: [], findings: [] };
  return { code: r.status, ...json, stderr: r.stderr, stdout: r.stdout };
}

const wrap = (body: string, process = 'isExecutable="true" camunda:historyTimeToLive="3650"') => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Broken" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="kim-broken" name="Kaputt" ${process}>${body}</bpmn:process>
</bpmn:definitions>`;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-lint-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('.bpmnlintrc extends the recommended rules and the camunda-compat rules of Camunda Platform 7.24; the history time to live is an error (the engine enforces it)', () => {
  expect(JSON.parse(fs.readFileSync(path.join(ROOT, '.bpmnlintrc'), 'utf8'))).toEqual({
    extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-platform-7-24'],
    rules: { 'no-bpmndi': 'warn', 'camunda-compat/history-time-to-live': 'error' },
  });
});

test('the default run covers the fixture and passes; the missing diagram is only a warning', () => {
  const r = lint('--json');
  expect(r.code).toBe(0);
  expect(r.files).toContain(path.relative(ROOT, FIXTURE));
  const own = r.findings.filter((f) => f.file === path.relative(ROOT, FIXTURE));
  expect(own.filter((f) => f.severity === 'error')).toEqual([]);
  expect([...new Set(own.map((f) => f.rule))]).toEqual(['no-bpmndi']);
});

test('broken models: errors with file and element id in German, exit code 1; a correct hand-written model passes', () => {
  const broken = path.join(tmp, 'kim-broken.bpmn');
  fs.writeFileSync(
    broken,
    wrap(`
    <bpmn:startEvent id="StartEvent_Started" name="Start" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_NoType" />
    <bpmn:serviceTask id="Task_NoType" name="Ohne Typ" />`),
  );
  const ok = path.join(tmp, 'kim-ok.bpmn');
  fs.writeFileSync(
    ok,
    wrap(`
    <bpmn:startEvent id="StartEvent_Started" name="Start" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_Do" />
    <bpmn:serviceTask id="Task_Do" name="Tun" camunda:type="external" camunda:topic="kim.do" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Do" targetRef="Task_Check" />
    <bpmn:userTask id="Task_Check" name="Prüfen" camunda:formRef="f" camunda:formRefBinding="deployment" camunda:candidateGroups="case-manager:\${kommuneId}" camunda:dueDate="P3D" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Check" targetRef="EndEvent_Done" />
    <bpmn:endEvent id="EndEvent_Done" name="Fertig" />`),
  );
  const notXml = path.join(tmp, 'kim-not-xml.bpmn');
  fs.writeFileSync(notXml, '<not-bpmn');

  const r = lint('--json', tmp);
  expect(r.code).toBe(1);
  const errorsOf = (f: string) =>
    r.findings
      .filter((x) => x.file.endsWith(f) && x.severity === 'error')
      .map((x) => `${x.rule}@${x.elementId}`)
      .sort();
  expect(errorsOf('kim-broken.bpmn')).toEqual(['end-event-required@kim-broken', 'no-implicit-end@Task_NoType', 'operaton/implementation@Task_NoType']);
  expect(errorsOf('kim-ok.bpmn')).toEqual([]);
  expect(errorsOf('kim-not-xml.bpmn')).toEqual(['xml@-']);

  const text = lint(broken);
  expect(text.code).toBe(1);
  expect(text.stderr).toMatch(/kim-broken\.bpmn: Fehler bei Element Task_NoType: Automatischer Schritt braucht camunda:type="external" und ein Topic/);
  expect(text.stderr).toMatch(/BPMN-Prüfung: 1 Modell\(e\), 3 Fehler/);
});

test('the engine checks: history time to live, Java delegates, decisions, called processes, collections, timers, messages and FEEL left in BPMN', () => {
  const file = path.join(tmp, '..', `kim-engine-${process.pid}.bpmn`);
  fs.writeFileSync(
    file,
    `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Engine" targetNamespace="http://kim.nrw/test">
  <bpmn:message id="Message_NoName" />
  <bpmn:process id="kim-engine" name="Engine" isExecutable="true">
    <bpmn:startEvent id="StartEvent_Started" name="Start" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Gateway_Choose" />
    <bpmn:exclusiveGateway id="Gateway_Choose" name="Welcher Weg?" default="Flow_Default" />
    <bpmn:sequenceFlow id="Flow_Feel" name="FEEL" sourceRef="Gateway_Choose" targetRef="Task_Class"><bpmn:conditionExpression>=ok = true</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Default" name="sonst" sourceRef="Gateway_Choose" targetRef="Task_Rule" />
    <bpmn:serviceTask id="Task_Class" name="Klasse" camunda:class="de.kim.Delegate" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Class" targetRef="Task_Rule" />
    <bpmn:businessRuleTask id="Task_Rule" name="Regel" />
    <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Rule" targetRef="Event_Timer" />
    <bpmn:intermediateCatchEvent id="Event_Timer" name="Warten"><bpmn:timerEventDefinition id="Def_Timer" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_4" sourceRef="Event_Timer" targetRef="Event_Message" />
    <bpmn:intermediateCatchEvent id="Event_Message" name="Nachricht"><bpmn:messageEventDefinition id="Def_Message" messageRef="Message_NoName" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_5" sourceRef="Event_Message" targetRef="Task_Feel" />
    <bpmn:userTask id="Task_Feel" name="FEEL-Gruppe" camunda:candidateGroups="=[&quot;case-manager:&quot; + kommuneId]" />
    <bpmn:sequenceFlow id="Flow_6" sourceRef="Task_Feel" targetRef="Call_Nothing" />
    <bpmn:callActivity id="Call_Nothing" name="Aufruf" />
    <bpmn:sequenceFlow id="Flow_7" sourceRef="Call_Nothing" targetRef="Sub_Each" />
    <bpmn:subProcess id="Sub_Each" name="Je Element">
      <bpmn:multiInstanceLoopCharacteristics />
      <bpmn:startEvent id="StartEvent_Each" name="Start" />
      <bpmn:sequenceFlow id="Flow_Each" sourceRef="StartEvent_Each" targetRef="EndEvent_Each" />
      <bpmn:endEvent id="EndEvent_Each" name="Ende" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="Flow_8" sourceRef="Sub_Each" targetRef="EndEvent_Done" />
    <bpmn:endEvent id="EndEvent_Done" name="Fertig" />
  </bpmn:process>
</bpmn:definitions>`,
  );
  try {
    const r = lint('--json', file);
    expect(r.code).toBe(1);
    const errors = r.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}@${f.elementId}`).sort();
    expect(errors).toEqual([
      'camunda-compat/history-time-to-live@kim-engine',
      'operaton/called-element@Call_Nothing',
      'operaton/decision-reference@Task_Rule',
      'operaton/feel-expression@Flow_Feel',
      'operaton/feel-expression@Task_Feel',
      'operaton/java-delegate@Task_Class',
      'operaton/message-reference@Event_Message',
      'operaton/multi-instance@Sub_Each',
      'operaton/timer@Event_Timer',
    ]);
    const byRule = Object.fromEntries(r.findings.map((f) => [f.rule, f.message]));
    expect(byRule['camunda-compat/history-time-to-live']).toBe('Prozess braucht eine Aufbewahrungsdauer der Historie (camunda:historyTimeToLive)');
    expect(byRule['operaton/feel-expression']).toBe('FEEL-Ausdruck (=…) – in BPMN-Modellen gelten JUEL-Ausdrücke (${…})');
  } finally {
    fs.rmSync(file, { force: true });
  }
});
