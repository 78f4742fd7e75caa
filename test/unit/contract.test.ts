/**
 * Contract test: BPMN models under processes/ and the worker registry must agree. processes/ may
 * still be empty; the same check is therefore also run on the test fixture and on broken models.
 */
import path from 'node:path';
import { ROOT } from '../../server/config';
import { ENGINE_JOB_TYPES, workers } from '../../workers';
import { checkContract, loadModels, Model } from './contract-check';

const PROCESSES = path.join(ROOT, 'processes');
const FIXTURE_PROCESSES = path.join(ROOT, 'test', 'fixtures', 'processes');
const registryTypes = workers.map((w) => w.type);

const model = (body: string, formIds: string[] = []): Model => ({
  file: 'kim-broken/kim-broken.bpmn',
  formIds,
  xml: `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_Broken" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="kim-broken" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`,
});

describe('processes/ and workers/index.ts', () => {
  const models = loadModels(PROCESSES);

  test('every job type has a worker, every worker is used, every user task has a form and candidate groups', () => {
    const result = checkContract(models, registryTypes, ENGINE_JOB_TYPES);
    expect(result.problems).toEqual([]);
  });

  test('the registry has unique job types and the user-task job type counts as engine-made', () => {
    expect(new Set(registryTypes).size).toBe(registryTypes.length);
    expect(ENGINE_JOB_TYPES.has('io.camunda.zeebe:userTask')).toBe(true);
    for (const t of ENGINE_JOB_TYPES) expect(registryTypes).toContain(t);
  });

  test('each process folder holds a model named after the process it contains', () => {
    for (const m of models) {
      const folder = m.file.split(path.sep)[0];
      expect(m.file).toBe(path.join(folder, `${folder}.bpmn`));
      expect(m.xml).toContain(`id="${folder}"`);
    }
  });
});

describe('the check itself', () => {
  const fixture = loadModels(FIXTURE_PROCESSES);
  // Independent of what the product registry holds today: the engine-made job types plus the
  // workers the fixture's own test registers (test/process/inbox.test.ts).
  const engineOnly = [...ENGINE_JOB_TYPES];
  const fixtureWorkers = [...engineOnly, 'kim.test-prepare', 'kim.test-after'];

  test('the fixture model passes with the workers its test registers', () => {
    expect(fixture.map((m) => m.file)).toEqual([path.join('kim-test-inbox', 'kim-test-inbox.bpmn')]);
    expect(fixture[0].formIds).toEqual(['test-check-first-contact']);
    const result = checkContract(fixture, fixtureWorkers, ENGINE_JOB_TYPES);
    expect(result).toEqual({ problems: [], jobTypes: ['kim.test-after', 'kim.test-prepare'], userTasks: 1 });
  });

  test('the fixture against the product registry: its test job types have no worker', () => {
    const problems = checkContract(fixture, registryTypes, ENGINE_JOB_TYPES).problems;
    expect(problems.filter((p) => p.startsWith('kim-test-inbox/'))).toEqual([
      'kim-test-inbox/kim-test-inbox.bpmn: Job-Typ „kim.test-prepare“ hat keinen Worker in workers/index.ts',
      'kim-test-inbox/kim-test-inbox.bpmn: Job-Typ „kim.test-after“ hat keinen Worker in workers/index.ts',
    ]);
  });

  test('a worker no model uses is reported, unless the engine creates its jobs', () => {
    expect(checkContract(fixture, [...fixtureWorkers, 'kim.orphan'], ENGINE_JOB_TYPES).problems).toEqual(['Worker „kim.orphan“ wird von keinem Modell benutzt']);
    expect(checkContract(fixture, [...fixtureWorkers, 'kim.orphan'], new Set([...ENGINE_JOB_TYPES, 'kim.orphan'])).problems).toEqual([]);
  });

  test('an unknown job type in a broken model is reported', () => {
    const broken = model('<bpmn:serviceTask id="Task_Unknown"><bpmn:extensionElements><zeebe:taskDefinition type="kim.does-not-exist" /></bpmn:extensionElements></bpmn:serviceTask>');
    const result = checkContract([broken], engineOnly, ENGINE_JOB_TYPES);
    expect(result.jobTypes).toEqual(['kim.does-not-exist']);
    expect(result.problems).toEqual(['kim-broken/kim-broken.bpmn: Job-Typ „kim.does-not-exist“ hat keinen Worker in workers/index.ts']);
  });

  test('user tasks without form, with a missing form or without candidate groups are reported', () => {
    const broken = model(`
      <bpmn:userTask id="Task_NoForm"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="case-manager" /></bpmn:extensionElements></bpmn:userTask>
      <bpmn:userTask id="Task_MissingForm"><bpmn:extensionElements><zeebe:formDefinition formId="nowhere" /><zeebe:assignmentDefinition candidateGroups="case-manager" /></bpmn:extensionElements></bpmn:userTask>
      <bpmn:userTask id="Task_NoGroups"><bpmn:extensionElements><zeebe:formDefinition formId="present" /></bpmn:extensionElements></bpmn:userTask>`,
    ['present']);
    expect(checkContract([broken], engineOnly, ENGINE_JOB_TYPES)).toEqual({
      jobTypes: [],
      userTasks: 3,
      problems: [
        'kim-broken/kim-broken.bpmn: Benutzeraufgabe Task_NoForm hat kein Formular (zeebe:formDefinition formId)',
        'kim-broken/kim-broken.bpmn: Benutzeraufgabe Task_MissingForm verweist auf Formular „nowhere“, das im Prozessordner fehlt',
        'kim-broken/kim-broken.bpmn: Benutzeraufgabe Task_NoGroups hat keine Kandidatengruppen (zeebe:assignmentDefinition candidateGroups)',
      ],
    });
  });
});
