/**
 * A process started by a case manager's own action gives its first tasks to that person ("Meine
 * Aufgaben"), on the real engine with the real models: the start variable `gestartetVon` is the
 * models' camunda:assignee. An instance started without it (a call activity, the modeler) keeps
 * its tasks as group tasks.
 */
import fs from 'node:fs';
import type { Stack } from '../../server/stack';
import { STARTER_VARIABLE } from '../../server/engine/starter';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import { ELEMENTS as NAT } from '../../processes/kim-einbuergerung/contract';
import { actorOf, completeTask, openTask, processesDirWith } from '../support/processes';
import { login, Session, startTestStack, until } from '../support/stack';

let stack: Stack;
let dir: string;
let cm: Session;

beforeAll(async () => {
  dir = processesDirWith(['kim-intake', 'kim-case', 'kim-referral', 'kim-einbuergerung']);
  stack = await startTestStack({ processesDir: dir });
  cm = await login(stack.url, 'cm.duisburg');
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The engine's own assignee of a task (its REST API, not the inbox projection). */
async function engineAssignee(taskId: string): Promise<string | null> {
  const res = await fetch(`${stack.engine.url}/task/${taskId}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { assignee: string | null }).assignee ?? null;
}

async function inboxIds(s: Session, view: 'mine' | 'group') {
  const res = await s.get(`/api/tasks?filter=${encodeURIComponent(JSON.stringify({ view }))}&range=[0,99]`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Array<{ id: string }>).map((t) => t.id);
}

test('a new Erstberatung: the intake\'s tasks are the starter\'s own ("Meine Aufgaben"), not group tasks', async () => {
  const res = await cm.post('/api/cases', { client: { firstName: 'Test', lastName: `Starter ${process.pid}`, languages: ['ar'] } });
  expect(res.status).toBe(201);
  const { caseId } = (await res.json()) as { caseId: string };
  const first = await openTask(stack, caseId, INTAKE.documentFirstContact);
  expect(first.assignee).toBe('cm.duisburg');
  expect(await engineAssignee(first.id)).toBe('cm.duisburg');
  // Still a task of the case managers' group (a coordinator can reassign it).
  expect(first.candidateGroups).toEqual(['case-manager:duisburg']);
  expect(await inboxIds(cm, 'mine')).toContain(first.id);
  expect(await inboxIds(cm, 'group')).not.toContain(first.id);
  // A colleague of the same commune does not get it in the group inbox either.
  const colleague = await login(stack.url, 'cm2.duisburg');
  expect(await inboxIds(colleague, 'group')).not.toContain(first.id);

  // The next task of the intake follows the same rule.
  const actor = await actorOf(stack, 'cm.duisburg');
  await completeTask(stack, actor, caseId, INTAKE.documentFirstContact, { lebensbereiche: ['Arbeit'], kurzfristigLoesbar: false, rechtskreisuebergreifend: true, bekannteBeratung: [] });
  const consent = await openTask(stack, caseId, INTAKE.captureConsent);
  expect(consent.assignee).toBe('cm.duisburg');

  // The naturalisation preparation started from the case file: its first task is the starter's too.
  const nat = await cm.post('/api/einbuergerung/start', { caseId });
  expect(nat.status).toBeLessThan(300);
  const requirements = await openTask(stack, caseId, NAT.recordRequirements);
  expect(requirements.assignee).toBe('cm.duisburg');
  expect(await engineAssignee(requirements.id)).toBe('cm.duisburg');
});

test('an instance started without the starter variable keeps its first task as a group task', async () => {
  const kase = await stack.db.case.findFirstOrThrow({ where: { kommuneId: 'duisburg', closedAt: null } });
  const pi = await stack.engine.runtime.start('kim-intake', 'duisburg', { caseId: kase.id, clientId: kase.clientId, kommuneId: 'duisburg', bearbeitungsfrist: 'P7D', wiedervorlageIntervall: 'P3M' });
  const t = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: pi.processInstanceKey, elementId: INTAKE.documentFirstContact } }), 'erste Aufgabe');
  expect(t.assignee).toBeNull();
  expect(await inboxIds(cm, 'group')).toContain(t.id);
  // The variable's name is the one the models read.
  expect(fs.readFileSync(`${dir}/kim-intake/kim-intake.bpmn`, 'utf8')).toContain(`camunda:assignee="\${execution.getVariable('${STARTER_VARIABLE}')}"`);
  await stack.engine.runtime.cancel(pi.processInstanceKey);
});
