/**
 * The BPMN lint (scripts/lint-bpmn.ts with .bpmnlintrc) on the fixture model and on broken models.
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

const wrap = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_Broken" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="kim-broken" name="Kaputt" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-lint-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('.bpmnlintrc extends the recommended rules and the camunda-compat rules of the engine we run (8.6; the target 8.9 is checked in addition, see below)', () => {
  expect(JSON.parse(fs.readFileSync(path.join(ROOT, '.bpmnlintrc'), 'utf8'))).toMatchObject({
    extends: ['bpmnlint:recommended', 'plugin:camunda-compat/camunda-cloud-8-6'],
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
    <bpmn:serviceTask id="Task_Do" name="Tun"><bpmn:extensionElements><zeebe:taskDefinition type="kim.do" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Do" targetRef="EndEvent_Done" />
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
  expect(errorsOf('kim-broken.bpmn')).toEqual(['camunda-compat/implementation@Task_NoType', 'end-event-required@kim-broken', 'no-implicit-end@Task_NoType']);
  expect(errorsOf('kim-ok.bpmn')).toEqual([]);
  expect(errorsOf('kim-not-xml.bpmn')).toEqual(['xml@-']);

  const text = lint(broken);
  expect(text.code).toBe(1);
  expect(text.stderr).toMatch(/kim-broken\.bpmn: Fehler bei Element Task_NoType: Implementierung fehlt/);
  expect(text.stderr).toMatch(/BPMN-Prüfung: 1 Modell\(e\), 3 Fehler/);
});

test('every model is also checked against the target version 8.9: its own findings are added, marked as such', () => {
  const listener = path.join(tmp, '..', `kim-listener-${process.pid}.bpmn`);
  fs.writeFileSync(
    listener,
    wrap(`
    <bpmn:startEvent id="StartEvent_Started" name="Start" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_Listen" />
    <bpmn:userTask id="Task_Listen" name="Mit Listener"><bpmn:extensionElements><zeebe:userTask /><zeebe:formDefinition formId="f" /><zeebe:taskListeners><zeebe:taskListener eventType="completing" /></zeebe:taskListeners></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Listen" targetRef="EndEvent_Done" />
    <bpmn:endEvent id="EndEvent_Done" name="Fertig" />`),
  );
  try {
    const r = lint('--json', listener);
    expect(r.code).toBe(1);
    const byRule = Object.fromEntries(r.findings.filter((f) => f.severity === 'error').map((f) => [f.rule, f.message]));
    // 8.6 (the engine here) knows no task listeners; 8.9 knows them and misses the listener's job type.
    expect(byRule['camunda-compat/no-task-listeners']).toBe('Task-Listener werden von dieser Engine-Version nicht unterstützt');
    expect(byRule['camunda-compat/task-listener']).toBe('Task-Listener ist unvollständig (Ereignis oder Job-Typ fehlt) (Zielversion Camunda 8.9)');
  } finally {
    fs.rmSync(listener, { force: true });
  }
});
