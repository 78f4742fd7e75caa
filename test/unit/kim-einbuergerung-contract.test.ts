/**
 * kim-einbuergerung: contract.ts and the model agree – every element id, topic and form id in the
 * contract is in the BPMN (and every form file exists), and the variables never carry names or notes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { inspectBpmn } from '../../server/engine/bpmn';
import { CORRELATION, DECISION_ID, ELEMENTS, FORMS, JOB_TYPES, MESSAGES, PROCESS_ID, REFERRAL_PROCESS_ID } from '../../processes/kim-einbuergerung/contract';
import { workers } from '../../workers';

const dir = path.join(ROOT, 'processes', PROCESS_ID);
const xml = fs.readFileSync(path.join(dir, `${PROCESS_ID}.bpmn`), 'utf8');
const info = inspectBpmn(xml);

test('every element id of the contract is in the model', () => {
  const ids = new Set(info.elements.map((e) => e.id));
  for (const id of Object.values(ELEMENTS)) expect(ids).toContain(id);
});

test('every topic is in the model and has exactly one worker', () => {
  for (const t of Object.values(JOB_TYPES)) {
    expect(info.topics).toContain(t);
    expect(workers.filter((w) => w.type === t)).toHaveLength(1);
  }
  expect([...info.topics].sort()).toEqual([...new Set(Object.values(JOB_TYPES))].sort());
});

test('every form id is used by a user task and exists as a file with that id', () => {
  for (const f of Object.values(FORMS)) {
    expect(info.userTasks.map((u) => u.formRef)).toContain(f);
    const form = JSON.parse(fs.readFileSync(path.join(dir, 'forms', `${f}.form`), 'utf8'));
    expect(form.id).toBe(f);
  }
  expect(info.userTasks).toHaveLength(Object.values(FORMS).length);
  for (const u of info.userTasks) expect(u.formRefBinding).toBe('deployment');
});

test('business rule task, call activity, groups and timer as the issue asks', () => {
  expect(info.businessRuleTasks).toEqual([
    expect.objectContaining({ id: ELEMENTS.preCheck, decisionRef: DECISION_ID, resultVariable: 'vorpruefung', mapDecisionResult: 'singleEntry', binding: 'latest' }),
  ]);
  const groups = new Set(info.userTasks.map((u) => u.candidateGroups));
  expect(groups).toEqual(new Set(['case-manager:${kommuneId}', 'abh:${kommuneId}', 'ebh:${kommuneId}']));
  expect(info.timers).toEqual([expect.objectContaining({ elementId: ELEMENTS.resubmissionDue, kind: 'timeDate' })]);
  // the call passes ids only and takes nothing back
  const call = info.callActivities.find((c) => c.id === ELEMENTS.callLanguageReferral)!;
  expect(call).toEqual(expect.objectContaining({ calledElement: REFERRAL_PROCESS_ID, binding: 'latest', outputs: [] }));
  expect(call.inputs.map((i) => [i.source, i.target, i.all])).toEqual([
    ['caseId', 'caseId', false],
    ['clientId', 'clientId', false],
    ['kommuneId', 'kommuneId', false],
    ['referralId', 'referralId', false],
  ]);
});

test('no messages, so no correlation', () => {
  expect(info.messageNames).toEqual([]);
  expect(MESSAGES).toEqual({});
  expect(CORRELATION).toEqual({});
});
