import { inspectBpmn, prepareForInbox } from '../../server/camunda/bpmn';

const model = `<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
  <bpmn:process id="p" name="Prozess" isExecutable="true">
    <bpmn:userTask id="Task_A" name="Prüfen"><bpmn:extensionElements><zeebe:userTask /><zeebe:formDefinition formId="f-a" /><zeebe:assignmentDefinition candidateGroups="ebh:duisburg" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:serviceTask id="Task_B" name="Senden"><bpmn:extensionElements><zeebe:taskDefinition type="kim.send-referral" /></bpmn:extensionElements></bpmn:serviceTask>
  </bpmn:process>
  <bpmn:message id="Message_1" name="Msg_ReferralAccepted" />
  <bpmn:error id="Error_1" errorCode="Err_ConsentMissing" />
</bpmn:definitions>`;

test('inspectBpmn reads names, job types, user tasks, messages and error codes', () => {
  const info = inspectBpmn(model);
  expect(info.processes).toEqual([{ id: 'p', name: 'Prozess', executable: true }]);
  expect(info.elementNames).toMatchObject({ Task_A: 'Prüfen', Task_B: 'Senden' });
  expect(info.jobTypes).toEqual(['kim.send-referral']);
  expect(info.userTasks).toEqual([{ id: 'Task_A', name: 'Prüfen', formId: 'f-a', formKey: undefined, candidateGroups: 'ebh:duisburg' }]);
  expect(info.messages).toEqual(['Msg_ReferralAccepted']);
  expect(info.errorCodes).toEqual(['Err_ConsentMissing']);
});

test('prepareForInbox turns Camunda user tasks into job-based ones and leaves the rest', () => {
  const out = prepareForInbox(model);
  expect(out).not.toContain('zeebe:userTask');
  expect(out).toContain('<zeebe:formDefinition formId="f-a" />');
  expect(inspectBpmn(out).userTasks).toHaveLength(1);
});
