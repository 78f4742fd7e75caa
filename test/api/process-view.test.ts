/**
 * The process view of a case (GET /api/cases/:id/processes) on the real engine: the element states
 * come from the engine's activity history, the sequence flows taken are derived from it. A case
 * manager opens a case over HTTP (kim-intake), completes tasks; the view's active and completed
 * elements match what the engine and the inbox projection say. Another commune gets 404, EBH/ABH and
 * the Land 403; reads are audit-logged.
 */
import fs from 'node:fs';
import { ELEMENTS as CASE } from '../../processes/kim-case/contract';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import type { CaseProcessesView, ProcessInstanceView } from '../../server/models/process-view.service';
import { inspectBpmn } from '../../server/engine/bpmn';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, until } from '../support/stack';
import { caseFixture, q } from './fixtures';

let stack: Stack;
let cm: Session;
let dir: string;
const tag = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  dir = processesDirWith(['kim-intake', 'kim-case']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry });
  cm = await login(stack.url, 'cm.duisburg');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.status} statt ${status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

interface Task {
  id: string;
  elementId: string;
  processInstanceKey: string;
}

async function work(caseId: string, elementId: string, variables: Record<string, unknown>): Promise<Task> {
  const t = await until(async () => (await json<Task[]>(await cm.get(`/api/tasks?filter=${q({ caseId })}&range=[0,49]`))).find((r) => r.elementId === elementId), `Aufgabe ${elementId}`, 60_000);
  await json(await cm.post(`/api/tasks/${t.id}/claim`));
  await json(await cm.post(`/api/tasks/${t.id}/complete`, { variables }));
  return t;
}

const view = async (caseId: string, s: Session = cm) => json<CaseProcessesView>(await s.get(`/api/cases/${caseId}/processes`));
const instance = (v: CaseProcessesView, processId: string) => v.processes.find((p) => p.processDefinitionId === processId);

/** The open user tasks of an instance according to the inbox projection (written by the engine's task listener). */
async function openTaskElements(processInstanceKey: string): Promise<string[]> {
  const rows = await stack.db.task.findMany({ where: { processInstanceKey, state: 'CREATED' }, select: { elementId: true } });
  return rows.map((r) => r.elementId).sort();
}

/** User tasks among the active elements of a view (the model says which elements are user tasks). */
function activeUserTasks(p: ProcessInstanceView): string[] {
  const userTasks = new Set(inspectBpmn(p.bpmnXml ?? '').userTasks.map((t) => t.id));
  return p.active.filter((id) => userTasks.has(id)).sort();
}

/** The id of the sequence flow from one element to another in the view's model. */
function flow(p: ProcessInstanceView, from: string, to: string): string {
  const f = inspectBpmn(p.bpmnXml ?? '').sequenceFlows.find((x) => x.sourceRef === from && x.targetRef === to);
  if (!f) throw new Error(`Kein Sequenzfluss ${from} → ${to}`);
  return f.id;
}

test('the view follows the real engine state of kim-intake and the kim-case it calls', async () => {
  const started = await json<{ caseId: string; processInstanceKey: string }>(
    await cm.post('/api/cases', { client: { firstName: 'Nour', lastName: `Prozessansicht ${tag}`, birthDate: '1990-02-03', languages: ['Arabisch'] } }),
    201,
  );
  const { caseId, processInstanceKey } = started;

  // 1. The first task is active, the start event and the flow to the task are done.
  const first = await until(async () => {
    const v = await view(caseId);
    const p = instance(v, 'kim-intake');
    return p?.active.includes(INTAKE.documentFirstContact) ? v : null;
  }, 'Erstkontakt dokumentieren aktiv in der Prozessansicht');
  const intake1 = instance(first, 'kim-intake')!;
  expect(intake1).toMatchObject({ processInstanceKey, state: 'ACTIVE', parentProcessInstanceKey: null, incidents: [] });
  expect(intake1.version).toBeGreaterThanOrEqual(1);
  expect(intake1.bpmnXml).toContain(`id="${INTAKE.documentFirstContact}"`);
  expect(intake1.completed).toContain(INTAKE.start);
  expect(intake1.completed).not.toContain(INTAKE.documentFirstContact);
  expect(intake1.takenFlows).toEqual([flow(intake1, INTAKE.start, INTAKE.documentFirstContact)]);
  expect(intake1.activeSteps).toEqual([{ elementId: INTAKE.documentFirstContact, name: 'Erstkontakt dokumentieren' }]);
  expect(activeUserTasks(intake1)).toEqual(await openTaskElements(processInstanceKey));

  // 2. Complete it: the task moves to completed, the next one is active – exactly the engine's open tasks.
  await work(caseId, INTAKE.documentFirstContact, { lebensbereiche: ['Sprache', 'Arbeit'], kurzfristigLoesbar: false, rechtskreisuebergreifend: true, bekannteBeratung: [], dolmetschBedarf: false });
  const second = await until(async () => {
    const p = instance(await view(caseId), 'kim-intake');
    return p?.active.includes(INTAKE.captureConsent) ? p : null;
  }, 'Einwilligung erfassen aktiv');
  expect(second.completed).toEqual(expect.arrayContaining([INTAKE.start, INTAKE.documentFirstContact, INTAKE.recordFirstContact]));
  expect(second.active).not.toContain(INTAKE.documentFirstContact);
  // The path so far, derived from the activity history; the flow out of the active task is not taken yet.
  expect(second.takenFlows).toEqual(
    expect.arrayContaining([flow(second, INTAKE.start, INTAKE.documentFirstContact), flow(second, INTAKE.documentFirstContact, INTAKE.recordFirstContact), flow(second, INTAKE.recordFirstContact, INTAKE.captureConsent)]),
  );
  expect(second.takenFlows).not.toContain(flow(second, INTAKE.captureConsent, INTAKE.consentGiven));
  expect(activeUserTasks(second)).toEqual(await openTaskElements(processInstanceKey));

  // 3. Consent given: kim-intake calls kim-case. Both instances are in the view, the child with its parent.
  await work(caseId, INTAKE.captureConsent, {
    einwilligung: 'erteilt',
    einwilligungEmpfaenger: ['Jobcenter'],
    einwilligungZwecke: ['Vermittlung'],
    einwilligungDatenkategorien: ['Stammdaten'],
    einwilligungGueltigBis: '2030-12-31',
  });
  const third = await until(async () => {
    const v = await view(caseId);
    return instance(v, 'kim-case')?.active.includes(CASE.createSupportPlan) ? v : null;
  }, 'kim-case mit „Förderplan erstellen“ aktiv', 60_000);
  const intake3 = instance(third, 'kim-intake')!;
  const kase = instance(third, 'kim-case')!;
  expect(intake3.active).toEqual([INTAKE.callCase]);
  expect(intake3.completed).toEqual(expect.arrayContaining([INTAKE.captureConsent, INTAKE.checkExistingSupport]));
  expect(kase).toMatchObject({ state: 'ACTIVE', parentProcessInstanceKey: processInstanceKey });
  expect(kase.completed).toContain(CASE.start);
  expect(activeUserTasks(kase)).toEqual(await openTaskElements(kase.processInstanceKey));
  expect(third.pending).toEqual([]);

  // 4. The gateway's branch taken is on the path, the other one is not.
  expect(intake3.takenFlows).toContain(flow(intake3, INTAKE.consentGiven, INTAKE.recordConsent));
  expect(intake3.takenFlows).not.toContain(flow(intake3, INTAKE.consentGiven, INTAKE.recordConsentRefusal));
  expect(kase.takenFlows.length).toBeGreaterThanOrEqual(1);

  // 5. Access: coordinators of the commune see it; another commune, EBH/ABH and the Land do not.
  const koord = await login(stack.url, 'koord.duisburg');
  expect(instance(await view(caseId, koord), 'kim-case')?.active).toContain(CASE.createSupportPlan);
  for (const username of ['cm.mettmann', 'koord.mettmann']) expect((await (await login(stack.url, username)).get(`/api/cases/${caseId}/processes`)).status).toBe(404);
  const otherSite = await login(stack.url, 'cm2.duisburg');
  expect((await otherSite.get(`/api/cases/${caseId}/processes`)).status).toBe(404);
  for (const username of ['ebh.duisburg', 'abh.duisburg', 'land.nrw']) {
    const res = await (await login(stack.url, username)).get(`/api/cases/${caseId}/processes`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { title: string }).title).toMatch(/Prozessansicht|Kommune/);
  }

  // 6. Every read of the view is in the case's audit trail.
  const reads = await stack.db.auditLog.findMany({ where: { caseId, action: 'cases.process_read' } });
  expect(reads.map((r) => r.username)).toEqual(expect.arrayContaining(['cm.duisburg', 'koord.duisburg']));
  expect(reads.map((r) => r.username)).not.toContain('cm.mettmann');
  expect(reads.map((r) => r.username)).not.toContain('koord.mettmann');
}, 180_000);

test('a case without process instances has an empty view; an unknown case is 404', async () => {
  const fx = await caseFixture(stack, 'duisburg-nord');
  expect(await view(fx.caseId)).toEqual({ caseId: fx.caseId, processes: [], pending: [] });
  expect((await cm.get('/api/cases/00000000-0000-4000-8000-000000000000/processes')).status).toBe(404);
  expect((await cm.get('/api/cases/kein-fall/processes')).status).toBe(404);
});
