/**
 * The BPMN reader (server/engine/bpmn.ts) on a small Camunda 7 model and on the product's models.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../server/config';
import { inspectBpmn, variablesRead } from '../../server/engine/bpmn';

const model = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://kim.nrw/test">
  <bpmn:message id="Message_Accepted" name="Msg_ReferralAccepted" />
  <bpmn:error id="Error_Consent" name="Einwilligung fehlt" errorCode="Err_ConsentMissing" />
  <bpmn:process id="p" name="Prozess" isExecutable="true" camunda:historyTimeToLive="3650">
    <bpmn:startEvent id="StartEvent_Started" name="Start" />
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Started" targetRef="Task_A" />
    <bpmn:userTask id="Task_A" name="Prüfen" camunda:formRef="f-a" camunda:formRefBinding="deployment" camunda:candidateGroups="ebh:\${kommuneId}" camunda:dueDate="\${bearbeitungsfrist}" />
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_A" targetRef="Gateway_Ok" />
    <bpmn:exclusiveGateway id="Gateway_Ok" name="Ok?" default="Flow_No" />
    <bpmn:sequenceFlow id="Flow_Yes" name="ja" sourceRef="Gateway_Ok" targetRef="Task_B">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${execution.getVariable('ok') == true}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_No" name="nein" sourceRef="Gateway_Ok" targetRef="Task_Rule" />
    <bpmn:serviceTask id="Task_B" name="Senden" camunda:type="external" camunda:topic="kim.send-referral">
      <bpmn:extensionElements>
        <camunda:properties><camunda:property name="result" value="angenommen" /></camunda:properties>
        <camunda:inputOutput>
          <camunda:inputParameter name="art">\${hilfeart.toLowerCase().concat('_x')}</camunda:inputParameter>
          <camunda:inputParameter name="leer" />
          <camunda:inputParameter name="um"><camunda:script scriptFormat="feel">string(date and time(conferenceAt) - duration(reminderBefore))</camunda:script></camunda:inputParameter>
        </camunda:inputOutput>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="Event_Consent" name="Einwilligung fehlt" attachedToRef="Task_B">
      <bpmn:errorEventDefinition id="Def_Consent" errorRef="Error_Consent" />
    </bpmn:boundaryEvent>
    <bpmn:businessRuleTask id="Task_Rule" name="Entscheiden" camunda:decisionRef="kim-intake-hilfeart" camunda:decisionRefBinding="latest" camunda:resultVariable="hilfeart" camunda:mapDecisionResult="singleEntry" />
    <bpmn:callActivity id="Call_Referral" name="Vermittlung" calledElement="kim-referral" camunda:calledElementBinding="latest">
      <bpmn:extensionElements>
        <camunda:in source="caseId" target="caseId" />
        <camunda:in variables="all" local="true" />
        <camunda:out variables="all" />
      </bpmn:extensionElements>
    </bpmn:callActivity>
    <bpmn:subProcess id="Sub_Track" name="Verfolgen">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${kim.list(agreementIds)}" camunda:elementVariable="agreementId" />
      <bpmn:eventBasedGateway id="Gateway_Wait" name="Warten">
        <bpmn:extensionElements>
          <camunda:executionListener event="start" expression="\${execution.setVariableLocal('agreementId', agreementId)}" />
        </bpmn:extensionElements>
      </bpmn:eventBasedGateway>
      <bpmn:intermediateCatchEvent id="Event_Accepted" name="Angenommen">
        <bpmn:messageEventDefinition id="Def_Accepted" messageRef="Message_Accepted" />
      </bpmn:intermediateCatchEvent>
      <bpmn:intermediateCatchEvent id="Event_Due" name="Fällig">
        <bpmn:timerEventDefinition id="Def_Due"><bpmn:timeDate xsi:type="bpmn:tFormalExpression">\${agreementDueAt}</bpmn:timeDate></bpmn:timerEventDefinition>
      </bpmn:intermediateCatchEvent>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="Event_Review" name="Wiedervorlage" cancelActivity="false" attachedToRef="Sub_Track">
      <bpmn:timerEventDefinition id="Def_Review"><bpmn:timeCycle>R/\${wiedervorlageIntervall}</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
  </bpmn:process>
</bpmn:definitions>`;

test('inspectBpmn reads processes, names, user tasks, external tasks, decisions, calls, flows, timers, messages and errors', () => {
  const info = inspectBpmn(model);
  expect(info.processes).toEqual([{ id: 'p', name: 'Prozess', executable: true, historyTimeToLive: '3650' }]);
  expect(info.elementNames).toMatchObject({ p: 'Prozess', Task_A: 'Prüfen', Task_B: 'Senden', Event_Accepted: 'Angenommen' });
  expect(info.elements.find((e) => e.id === 'Event_Accepted')).toEqual({ id: 'Event_Accepted', type: 'intermediateCatchEvent', name: 'Angenommen', parentId: 'Sub_Track' });
  expect(info.userTasks).toEqual([
    expect.objectContaining({ id: 'Task_A', name: 'Prüfen', formRef: 'f-a', formRefBinding: 'deployment', candidateGroups: 'ebh:${kommuneId}', dueDate: '${bearbeitungsfrist}' }),
  ]);
  expect(info.externalTasks).toEqual([expect.objectContaining({ id: 'Task_B', implementation: 'external', topic: 'kim.send-referral', properties: { result: 'angenommen' } })]);
  expect(info.topics).toEqual(['kim.send-referral']);
  expect(info.businessRuleTasks).toEqual([expect.objectContaining({ id: 'Task_Rule', decisionRef: 'kim-intake-hilfeart', binding: 'latest', resultVariable: 'hilfeart', mapDecisionResult: 'singleEntry' })]);
  expect(info.callActivities).toEqual([
    expect.objectContaining({
      id: 'Call_Referral',
      calledElement: 'kim-referral',
      binding: 'latest',
      inputs: [expect.objectContaining({ source: 'caseId', target: 'caseId', all: false }), expect.objectContaining({ all: true, local: true })],
      outputs: [expect.objectContaining({ all: true, local: false })],
    }),
  ]);
  expect(info.sequenceFlows.map((f) => [f.id, f.sourceRef, f.targetRef, f.condition ?? null, f.isDefault])).toEqual([
    ['Flow_1', 'StartEvent_Started', 'Task_A', null, false],
    ['Flow_2', 'Task_A', 'Gateway_Ok', null, false],
    ['Flow_Yes', 'Gateway_Ok', 'Task_B', "${execution.getVariable('ok') == true}", false],
    ['Flow_No', 'Gateway_Ok', 'Task_Rule', null, true],
  ]);
  expect(info.timers).toEqual([
    expect.objectContaining({ elementId: 'Event_Due', kind: 'timeDate', expression: '${agreementDueAt}' }),
    expect.objectContaining({ elementId: 'Event_Review', kind: 'timeCycle', expression: 'R/${wiedervorlageIntervall}', attachedToRef: 'Sub_Track', cancelActivity: false }),
  ]);
  expect(info.messages).toEqual([{ id: 'Message_Accepted', name: 'Msg_ReferralAccepted' }]);
  expect(info.messageUses).toEqual([{ elementId: 'Event_Accepted', elementType: 'intermediateCatchEvent', direction: 'catch', messageRef: 'Message_Accepted', messageName: 'Msg_ReferralAccepted' }]);
  expect(info.messageNames).toEqual(['Msg_ReferralAccepted']);
  expect(info.errorUses).toEqual([{ elementId: 'Event_Consent', elementType: 'boundaryEvent', errorRef: 'Error_Consent', errorCode: 'Err_ConsentMissing' }]);
  expect(info.errorCodes).toEqual(['Err_ConsentMissing']);
  expect(info.parameters).toEqual([
    { elementId: 'Task_B', direction: 'input', name: 'art', value: "${hilfeart.toLowerCase().concat('_x')}", script: undefined },
    { elementId: 'Task_B', direction: 'input', name: 'leer', value: undefined, script: undefined },
    { elementId: 'Task_B', direction: 'input', name: 'um', value: undefined, script: { format: 'feel', body: 'string(date and time(conferenceAt) - duration(reminderBefore))' } },
  ]);
  expect(info.multiInstances).toEqual([expect.objectContaining({ elementId: 'Sub_Track', sequential: false, collection: '${kim.list(agreementIds)}', elementVariable: 'agreementId' })]);
  expect(info.listeners).toEqual([expect.objectContaining({ elementId: 'Gateway_Wait', kind: 'execution', event: 'start' })]);
});

test('the variables every expression reads: JUEL names, names read through execution.getVariable, FEEL names; no methods, beans, keywords or literals', () => {
  const info = inspectBpmn(model);
  const read = [...new Set(info.expressions.flatMap((e) => variablesRead(e)))].sort();
  expect(read).toEqual(['agreementDueAt', 'agreementId', 'agreementIds', 'bearbeitungsfrist', 'conferenceAt', 'hilfeart', 'kommuneId', 'ok', 'reminderBefore', 'wiedervorlageIntervall']);
  expect(variablesRead({ language: 'juel', text: "${not empty execution.getVariable('frist') ? frist.concat('T23:59:59Z') : bearbeitungsfrist}" }).sort()).toEqual(['bearbeitungsfrist', 'frist']);
  expect(variablesRead({ language: 'feel', text: '{ tag: date(vorpruefung.termin), um8: tag + duration("PT8H") }.um8' })).toEqual(['vorpruefung']);
});

test('another prefix for the namespaces, and the operaton namespace, read the same', () => {
  const other = model
    .replace(/bpmn:/g, 'b:')
    .replace('xmlns:bpmn=', 'xmlns:b=')
    .replace(/camunda:/g, 'operaton:')
    .replace('xmlns:camunda="http://camunda.org/schema/1.0/bpmn"', 'xmlns:operaton="http://operaton.org/schema/1.0/bpmn"');
  const a = inspectBpmn(model);
  const b = inspectBpmn(other);
  expect(b.userTasks).toEqual(a.userTasks);
  expect(b.externalTasks).toEqual(a.externalTasks);
  expect(b.callActivities).toEqual(a.callActivities);
  expect(b.sequenceFlows).toEqual(a.sequenceFlows);
});

test('broken XML throws; XML without BPMN definitions has no process', () => {
  expect(() => inspectBpmn('<not-bpmn')).toThrow();
  expect(inspectBpmn('<x/>').processes).toEqual([]);
});

test('every model of the product reads with its processes, user tasks and topics', () => {
  const dir = path.join(ROOT, 'processes');
  for (const id of fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, `${d}.bpmn`)))) {
    const info = inspectBpmn(fs.readFileSync(path.join(dir, id, `${id}.bpmn`), 'utf8'));
    expect(info.processes).toEqual([expect.objectContaining({ id, executable: true, historyTimeToLive: '3650' })]);
    expect(info.userTasks.length).toBeGreaterThan(0);
    for (const ut of info.userTasks) expect(ut).toEqual(expect.objectContaining({ formRefBinding: 'deployment', candidateGroups: expect.stringMatching(/^[a-z-]+:\$\{kommuneId\}$/) }));
    for (const t of info.externalTasks) expect(t).toEqual(expect.objectContaining({ implementation: 'external', topic: expect.stringMatching(/^kim\.[a-z-]+$/) }));
  }
});
