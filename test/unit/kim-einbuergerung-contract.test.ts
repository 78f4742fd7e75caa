/**
 * kim-einbuergerung: contract.ts and the model agree – every element id, job type and form id in the
 * contract is in the BPMN (and every form file exists), and the variables never carry names or notes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { ELEMENTS, FORMS, JOB_TYPES, PROCESS_ID, DECISION_ID, REFERRAL_PROCESS_ID } from '../../processes/kim-einbuergerung/contract';
import { workers } from '../../workers';

const dir = path.join(ROOT, 'processes', PROCESS_ID);
const xml = fs.readFileSync(path.join(dir, `${PROCESS_ID}.bpmn`), 'utf8');

test('every element id of the contract is in the model', () => {
  for (const id of Object.values(ELEMENTS)) expect(xml).toContain(`id="${id}"`);
});

test('every job type is in the model and has exactly one worker', () => {
  for (const t of Object.values(JOB_TYPES)) {
    expect(xml).toContain(`type="${t}"`);
    expect(workers.filter((w) => w.type === t)).toHaveLength(1);
  }
});

test('every form id is used by a user task and exists as a file with that id', () => {
  for (const f of Object.values(FORMS)) {
    expect(xml).toContain(`formId="${f}"`);
    const form = JSON.parse(fs.readFileSync(path.join(dir, 'forms', `${f}.form`), 'utf8'));
    expect(form.id).toBe(f);
  }
  expect((xml.match(/<bpmn:userTask /g) ?? []).length).toBe(Object.values(FORMS).length);
});

test('business rule task, call activity and groups as the issue asks', () => {
  expect(xml).toContain(`decisionId="${DECISION_ID}" resultVariable="vorpruefung"`);
  expect(xml).toContain(`processId="${REFERRAL_PROCESS_ID}"`);
  expect(xml).toContain('candidateGroups="=[&#34;abh:&#34; + kommuneId]"');
  expect(xml).toContain('candidateGroups="=[&#34;ebh:&#34; + kommuneId]"');
  expect(xml).toContain('<bpmn:timeDate');
  // the call passes ids only
  const call = xml.slice(xml.indexOf('id="CallActivity_LanguageCourse"'), xml.indexOf('</bpmn:callActivity>'));
  expect([...call.matchAll(/target="(\w+)"/g)].map((m) => m[1])).toEqual(['caseId', 'clientId', 'kommuneId', 'referralId']);
});
