/**
 * Contract test: BPMN models under processes/ and the worker registry must agree. The same check is
 * also run on the test fixture and on broken models.
 */
import path from 'node:path';
import { ROOT } from '../../server/config';
import { inspectBpmn } from '../../server/engine/bpmn';
import { ENGINE_JOB_TYPES, workers } from '../../workers';
import { checkContract, loadModels, Model } from './contract-check';

const PROCESSES = path.join(ROOT, 'processes');
const FIXTURE_PROCESSES = path.join(ROOT, 'test', 'fixtures', 'processes');
const registryTopics = workers.map((w) => w.type);

const model = (body: string, formIds: string[] = []): Model => ({
  file: 'kim-broken/kim-broken.bpmn',
  formIds,
  xml: `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Broken" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="kim-broken" isExecutable="true" camunda:historyTimeToLive="3650">${body}</bpmn:process>
</bpmn:definitions>`,
});

describe('processes/ and workers/index.ts', () => {
  const models = loadModels(PROCESSES);

  test('every topic has a worker, every worker is used, every user task has a form and candidate groups', () => {
    expect(models.length).toBeGreaterThanOrEqual(5);
    const result = checkContract(models, registryTopics, ENGINE_JOB_TYPES);
    expect(result.problems).toEqual([]);
  });

  test('the registry has unique topics, and every topic the engine serves itself is registered', () => {
    expect(new Set(registryTopics).size).toBe(registryTopics.length);
    for (const t of ENGINE_JOB_TYPES) expect(registryTopics).toContain(t);
  });

  test('every message of a model is in its contract.ts, and CORRELATION names the variable of each', () => {
    for (const m of models) {
      const id = m.file.split(path.sep)[0];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const contract = require(path.join(PROCESSES, id, 'contract')) as { MSG?: Record<string, string>; MESSAGES?: Record<string, string>; CORRELATION?: Record<string, { variable: string; local: boolean }> };
      const messages = Object.values(contract.MSG ?? contract.MESSAGES ?? {}).sort();
      expect(inspectBpmn(m.xml).messageNames.sort()).toEqual(messages);
      expect(Object.keys(contract.CORRELATION ?? {}).sort()).toEqual(messages);
      for (const c of Object.values(contract.CORRELATION ?? {})) expect(c).toEqual({ variable: expect.stringMatching(/^[a-z]\w*$/), local: expect.any(Boolean) });
    }
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
  // Independent of what the product registry holds today: the engine's own topics plus the workers
  // the fixture's own test registers (test/process/inbox.test.ts).
  const engineOnly = [...ENGINE_JOB_TYPES];
  const fixtureWorkers = [...engineOnly, 'kim.test-prepare', 'kim.test-after'];

  test('the fixture model passes with the workers its test registers', () => {
    expect(fixture.map((m) => m.file)).toEqual([path.join('kim-test-inbox', 'kim-test-inbox.bpmn')]);
    expect(fixture[0].formIds).toEqual(['test-check-first-contact']);
    const result = checkContract(fixture, fixtureWorkers, ENGINE_JOB_TYPES);
    expect(result).toEqual({ problems: [], topics: ['kim.test-after', 'kim.test-prepare'], userTasks: 1 });
  });

  test('the fixture against the product registry: its test topics have no worker', () => {
    const problems = checkContract(fixture, registryTopics, ENGINE_JOB_TYPES).problems;
    expect(problems.filter((p) => p.startsWith('kim-test-inbox/'))).toEqual([
      'kim-test-inbox/kim-test-inbox.bpmn: Task_Prepare: Unbekanntes Topic „kim.test-prepare“: dafür gibt es keinen Worker. Bitte einen automatischen Schritt aus der Vorlagenliste wählen.',
      'kim-test-inbox/kim-test-inbox.bpmn: Task_After: Unbekanntes Topic „kim.test-after“: dafür gibt es keinen Worker. Bitte einen automatischen Schritt aus der Vorlagenliste wählen.',
    ]);
  });

  test('a worker no model uses is reported, unless the engine serves its topic', () => {
    expect(checkContract(fixture, [...fixtureWorkers, 'kim.orphan'], ENGINE_JOB_TYPES).problems).toEqual(['Worker „kim.orphan“ wird von keinem Modell benutzt']);
    expect(checkContract(fixture, [...fixtureWorkers, 'kim.orphan'], new Set([...ENGINE_JOB_TYPES, 'kim.orphan'])).problems).toEqual([]);
  });

  test('an unknown topic and a service task that is no external task are reported', () => {
    const broken = model(`
      <bpmn:serviceTask id="Task_Unknown" camunda:type="external" camunda:topic="kim.does-not-exist" />
      <bpmn:serviceTask id="Task_NoTopic" camunda:type="external" />
      <bpmn:serviceTask id="Task_Class" camunda:class="de.kim.Delegate" />`);
    const result = checkContract([broken], engineOnly, ENGINE_JOB_TYPES);
    expect(result.topics).toEqual(['kim.does-not-exist']);
    expect(result.problems).toEqual([
      'kim-broken/kim-broken.bpmn: Task_Unknown: Unbekanntes Topic „kim.does-not-exist“: dafür gibt es keinen Worker. Bitte einen automatischen Schritt aus der Vorlagenliste wählen.',
      'kim-broken/kim-broken.bpmn: Task_NoTopic: Kein Topic angegeben – bitte eine Vorlage (automatischen Schritt) aus der Liste wählen.',
      'kim-broken/kim-broken.bpmn: Task_Class: Automatischer Schritt ohne Topic – bitte eine Vorlage aus der Liste wählen.',
    ]);
  });

  test('user tasks without form, with a missing form or without candidate groups are reported', () => {
    const broken = model(
      `
      <bpmn:userTask id="Task_NoForm" camunda:candidateGroups="case-manager:\${kommuneId}" />
      <bpmn:userTask id="Task_MissingForm" camunda:formRef="nowhere" camunda:formRefBinding="deployment" camunda:candidateGroups="case-manager" />
      <bpmn:userTask id="Task_NoGroups" camunda:formRef="present" camunda:formRefBinding="deployment" />`,
      ['present'],
    );
    expect(checkContract([broken], engineOnly, ENGINE_JOB_TYPES)).toEqual({
      topics: [],
      userTasks: 3,
      problems: [
        'kim-broken/kim-broken.bpmn: Task_NoForm: Die Benutzeraufgabe braucht ein verknüpftes Formular (Formular-ID).',
        'kim-broken/kim-broken.bpmn: Task_MissingForm: Das Formular „nowhere“ gibt es nicht – bitte ein vorhandenes verknüpfen oder im Entwurf anlegen.',
        'kim-broken/kim-broken.bpmn: Task_NoGroups: Die Benutzeraufgabe braucht Kandidatengruppen (z. B. case-manager:duisburg).',
      ],
    });
  });
});
