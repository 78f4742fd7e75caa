/**
 * kim-einbuergerung through the API with sign-in: the ABH (abh.duisburg) and the EBH (ebh.duisburg)
 * read only the data of the tasks routed to their group – their inbox holds only their group's tasks,
 * the linked case and client come with the minimal fields, the naturalisation view shows only what
 * their step needs, other cases are 404 and notes 403. POST /api/einbuergerung/start is the entry.
 */
import fs from 'node:fs';
import { DEFAULT_DOCUMENTS, ELEMENTS as E } from '../../processes/kim-einbuergerung/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, until } from '../support/stack';

let stack: Stack;
let dir: string;
let cm: Session;
let abh: Session;
let ebh: Session;
let caseId: string;
let clientId: string;
let otherCaseId: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-einbuergerung']);
  stack = await startTestStack({ processesDir: dir, workerDefs: registry });
  [cm, abh, ebh] = await Promise.all(['cm.duisburg', 'abh.duisburg', 'ebh.duisburg'].map((u) => login(stack.url, u)));
  const tag = `${process.pid}-${Date.now()}`;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-EBH-${tag}`, firstName: 'Leyla', lastName: 'Geheim', phone: '0203 999', address: 'Geheimweg 1' } });
  clientId = client.id;
  caseId = (await stack.db.case.create({ data: { reference: `DU-EBH-${tag}`, clientId, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung' } })).id;
  await stack.db.note.create({ data: { caseId, text: 'Vertrauliche Notiz: Gesundheit' } });
  otherCaseId = (await stack.db.case.create({ data: { reference: `DU-EBH-O-${tag}`, clientId, kommuneId: 'duisburg', siteId: 'duisburg-nord' } })).id;
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const task = (elementId: string) => until(() => stack.db.task.findFirst({ where: { caseId, elementId, state: 'CREATED' } }), `Aufgabe ${elementId}`, 60_000);
async function complete(s: Session, elementId: string, variables: Record<string, unknown>) {
  const t = await task(elementId);
  const res = await s.post(`/api/tasks/${t.id}/complete`, { variables });
  expect(res.status).toBe(200);
}
const tasksOf = async (s: Session) => {
  const res = await s.get(`/api/tasks?filter=${encodeURIComponent('{"view":"all"}')}&range=[0,199]`);
  expect(res.status).toBe(200);
  return (await res.json()) as Array<{ id: string; caseId: string; candidateGroups: string[]; assignee: string | null; elementId: string }>;
};

async function expectOnlyTaskData(s: Session, group: string, step: string) {
  const tasks = await tasksOf(s);
  expect(tasks.map((t) => t.elementId)).toContain(step);
  for (const t of tasks) expect(t.candidateGroups.includes(group) || t.assignee === s.user.username).toBe(true);
  const kase = await s.get(`/api/cases/${caseId}`);
  expect(kase.status).toBe(200);
  expect(Object.keys(await kase.json()).sort()).toEqual(['clientId', 'closedAt', 'id', 'kindOfHelp', 'kommuneId', 'openedAt', 'phase', 'reference', 'siteId']);
  const client = await s.get(`/api/clients/${clientId}`);
  expect(client.status).toBe(200);
  const c = await client.json();
  expect(c).not.toHaveProperty('phone');
  expect(c).not.toHaveProperty('address');
  expect((await s.get(`/api/cases/${otherCaseId}`)).status).toBe(404);
  expect((await s.get(`/api/einbuergerung/cases/${otherCaseId}`)).status).toBe(404);
  expect([403, 404]).toContain((await s.get(`/api/notes?filter=${encodeURIComponent(JSON.stringify({ caseId }))}`)).status);
  expect([403, 404]).toContain((await s.post('/api/einbuergerung/start', { caseId })).status);
}

test('start through the API; the ABH sees its step with the residence facts only, the EBH its steps with the pre-check and checklist only', async () => {
  expect((await cm.post('/api/einbuergerung/start', { caseId: 'kein-fall' })).status).toBe(400);
  expect((await cm.post('/api/einbuergerung/start', { caseId, name: 'Leyla' })).status).toBe(400);
  const started = await cm.post('/api/einbuergerung/start', { caseId });
  expect(started.status).toBe(201);
  const { einbuergerungId } = (await started.json()) as { einbuergerungId: string };
  expect((await cm.post('/api/einbuergerung/start', { caseId })).status).toBe(409);

  // before any ABH/EBH task: nothing to see
  expect((await abh.get(`/api/cases/${caseId}`)).status).toBe(404);
  expect((await ebh.get(`/api/einbuergerung/cases/${caseId}`)).status).toBe(404);

  await complete(cm, E.recordRequirements, {
    aufenthaltSeit: '2015-03-01', aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true, sprachniveau: 'B2', einbuergerungstestBestanden: true,
    vollzeitMonateLetzte24: 24, bewaehrungsstrafeMonate: 0, verurteilungTagessaetze: 0, bekenntnisAbgegeben: true,
  });

  // ABH step
  await task(E.confirmResidence);
  await expectOnlyTaskData(abh, 'abh:duisburg', E.confirmResidence);
  const abhView = await abh.get(`/api/einbuergerung/cases/${caseId}`);
  expect(abhView.status).toBe(200);
  expect(await abhView.json()).toEqual({ id: einbuergerungId, caseId, status: 'abh_pruefung', aufenthaltSeit: '2015-03-01', aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true });
  expect((await ebh.get(`/api/einbuergerung/cases/${caseId}`)).status).toBe(404);
  expect((await tasksOf(ebh)).some((t) => t.caseId === caseId)).toBe(false);
  // the case manager cannot complete the ABH's step
  expect([403, 404]).toContain((await cm.post(`/api/tasks/${(await task(E.confirmResidence)).id}/complete`, { variables: {} })).status);
  await complete(abh, E.confirmResidence, { aufenthaltPruefung: 'bestaetigt', aufenthaltSeit: '2015-03-01', aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true });

  await complete(cm, E.checkCompleteness, { dokumente: DEFAULT_DOCUMENTS.map((art) => ({ art, status: 'vollstaendig' })) });

  // EBH step
  await task(E.ebhPreCheck);
  await expectOnlyTaskData(ebh, 'ebh:duisburg', E.ebhPreCheck);
  const ebhView = (await (await ebh.get(`/api/einbuergerung/cases/${caseId}`)).json()) as Record<string, unknown>;
  expect(ebhView).toMatchObject({ id: einbuergerungId, eligible: true, fehlendeVoraussetzungen: [], status: 'ebh_pruefung' });
  expect((ebhView.dokumente as unknown[]).length).toBe(DEFAULT_DOCUMENTS.length);
  for (const hidden of ['processInstanceKey', 'teststelle', 'sprachkursVermittlungId', 'notes', 'needs', 'goals']) expect(ebhView).not.toHaveProperty(hidden);
  // the ABH's task is done: its access ended with it
  expect((await abh.get(`/api/cases/${caseId}`)).status).toBe(404);
  expect((await abh.get(`/api/einbuergerung/cases/${caseId}`)).status).toBe(404);

  await complete(ebh, E.ebhPreCheck, { ebhErgebnis: 'annehmen' });
  await complete(ebh, E.recordDecision, { entscheidung: 'eingebuergert', entscheidungsdatum: '2026-02-01' });
  await complete(cm, E.informClient, { informiertAm: '2026-02-03', informationsweg: 'telefon' });
  await until(async () => (await stack.db.naturalisation.findUniqueOrThrow({ where: { id: einbuergerungId } })).status === 'abgeschlossen', 'abgeschlossen');
  // reads were audit-logged
  expect(await stack.db.auditLog.count({ where: { action: 'einbuergerung.read', caseId } })).toBeGreaterThanOrEqual(2);
});
