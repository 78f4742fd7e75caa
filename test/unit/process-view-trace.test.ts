/**
 * The process view derives its state from one instance's activity history: active and completed
 * elements, and the sequence flows taken – each started element instance was reached over the
 * incoming flow whose source instance ended most recently before it (engine order on ties).
 */
import { traceState, type SequenceFlow } from '../../server/models/process-view.service';
import type { ActivityTrace } from '../../server/engine/port';

let n = 0;
const at = (activityId: string, startTime: string, endTime: string | null, canceled = false): ActivityTrace => ({
  activityId,
  activityType: 'task',
  activityInstanceId: `${activityId}:${++n}`,
  startTime: `2026-03-01T10:00:${startTime}.000Z`,
  endTime: endTime === null ? null : `2026-03-01T10:00:${endTime}.000Z`,
  canceled,
  calledProcessInstanceKey: null,
});
const f = (id: string, sourceRef: string, targetRef: string): SequenceFlow => ({ id, sourceRef, targetRef });

// Start → Gateway → (yes) A → End, (no) B → End; A has a boundary timer T → C.
const FLOWS = [f('F_Start', 'Start', 'Gateway'), f('F_Yes', 'Gateway', 'A'), f('F_No', 'Gateway', 'B'), f('F_A', 'A', 'End'), f('F_B', 'B', 'End'), f('F_T', 'T', 'C')];

test('running: completed elements and the flows up to the active one; the branch not chosen is not taken', () => {
  const s = traceState([at('Start', '00', '00'), at('Gateway', '00', '01'), at('A', '01', null)], FLOWS, true);
  expect(s.active).toEqual(['A']);
  expect(s.completed.sort()).toEqual(['Gateway', 'Start']);
  expect(s.takenFlows.sort()).toEqual(['F_Start', 'F_Yes']);
});

test('an interrupted activity (boundary timer) does not take its outgoing flow; the timer path does', () => {
  const s = traceState([at('Start', '00', '00'), at('Gateway', '00', '00'), at('A', '00', '05', true), at('T', '05', '05'), at('C', '05', null)], FLOWS, true);
  expect(s.takenFlows.sort()).toEqual(['F_Start', 'F_T', 'F_Yes']);
  expect(s.completed).not.toContain('A');
  expect(s.active).toEqual(['C']);
});

test('ended instance: nothing active; a multi-instance body counts as its element', () => {
  const s = traceState(
    [at('Start', '00', '00'), at('Gateway', '00', '00'), at('B#multiInstanceBody', '01', '04'), at('B', '01', '02'), at('B', '01', '04'), at('End', '04', '04')],
    FLOWS,
    false,
  );
  expect(s.active).toEqual([]);
  expect(s.completed.sort()).toEqual(['B', 'End', 'Gateway', 'Start']);
  expect(s.takenFlows.sort()).toEqual(['F_B', 'F_No', 'F_Start']);
});

test('a terminated instance shows no active steps even though its last activity never ended', () => {
  const s = traceState([at('Start', '00', '00'), at('Gateway', '00', '00'), at('A', '00', null)], FLOWS, false);
  expect(s.active).toEqual([]);
  expect(s.takenFlows.sort()).toEqual(['F_Start', 'F_Yes']);
});

test('a gateway whose direct flow to the join was not taken: only the path over the task counts', () => {
  // X → (yes) Task → J, X → (no, direct) J; the yes path ran. All steps in the same millisecond
  // except the task: the order of the history decides ties.
  const flows = [f('F_In', 'Start', 'X'), f('F_Yes', 'X', 'Task'), f('F_Direct', 'X', 'J'), f('F_Task', 'Task', 'J'), f('F_End', 'J', 'End')];
  const s = traceState([at('Start', '00', '00'), at('X', '00', '00'), at('Task', '00', '03'), at('J', '03', '03'), at('End', '03', '03')], flows, false);
  expect(s.takenFlows.sort()).toEqual(['F_End', 'F_In', 'F_Task', 'F_Yes']);
  const instant = traceState([at('Start', '00', '00'), at('X', '00', '00'), at('Task', '00', '00'), at('J', '00', '00'), at('End', '00', '00')], flows, false);
  expect(instant.takenFlows.sort()).toEqual(['F_End', 'F_In', 'F_Task', 'F_Yes']);
  // The no-path: the direct flow, not the task's.
  const no = traceState([at('Start', '00', '00'), at('X', '00', '00'), at('J', '00', '00'), at('End', '00', '00')], flows, false);
  expect(no.takenFlows.sort()).toEqual(['F_Direct', 'F_End', 'F_In']);
});
