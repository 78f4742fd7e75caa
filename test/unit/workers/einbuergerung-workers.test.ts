/**
 * The kim-einbuergerung workers against the real test database (no engine involved): every handler
 * with the same job delivered twice – one after the other and concurrently – has one side effect
 * (one step row, one audit row, one referral); invalid input fails without retries.
 */
import { DEFAULT_DOCUMENTS } from '../../../processes/kim-einbuergerung/contract';
import type { Stack } from '../../../server/stack';
import type { WorkerDeps } from '../../../workers/deps';
import { createLanguageCourseReferral } from '../../../workers/kim.create-language-course-referral';
import { handOverNaturalisation } from '../../../workers/kim.hand-over-naturalisation';
import { recordClientInformed } from '../../../workers/kim.record-client-informed';
import { recordEbhPrecheck } from '../../../workers/kim.record-ebh-precheck';
import { recordNaturalisationDecision } from '../../../workers/kim.record-naturalisation-decision';
import { recordNaturalisationPrecheck } from '../../../workers/kim.record-naturalisation-precheck';
import { recordResidenceFacts } from '../../../workers/kim.record-residence-facts';
import { recordTestRegistration } from '../../../workers/kim.record-test-registration';
import { saveDocumentChecklist } from '../../../workers/kim.save-document-checklist';
import { saveNaturalisationRequirements } from '../../../workers/kim.save-naturalisation-requirements';
import type { Job, WorkerDefinition } from '../../../workers/runtime';
import { startTestStack } from '../../support/stack';

let stack: Stack;
let deps: WorkerDeps;
beforeAll(async () => {
  stack = await startTestStack({ workers: false, http: false });
  deps = { inbox: stack.services.inbox, log: stack.log, einbuergerung: stack.services.einbuergerung };
});
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
async function newNaturalisation() {
  n++;
  const client = await stack.db.client.create({ data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-EW-${process.pid}-${n}`, firstName: 'Unit', lastName: `E${n}` } });
  const c = await stack.db.case.create({ data: { reference: `DU-EW-${process.pid}-${n}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord' } });
  const row = await stack.db.naturalisation.create({ data: { caseId: c.id, kommuneId: 'duisburg' } });
  return { caseId: c.id, id: row.id };
}
let k = 0;
const job = (variables: Record<string, unknown>): Job => ({
  key: `${process.pid}${++k}${Date.now()}`,
  type: 't',
  processInstanceKey: '1',
  processDefinitionKey: '1',
  bpmnProcessId: 'kim-einbuergerung',
  elementId: 'Task_X',
  activityInstanceId: 'Task_X:1',
  tenantId: null,
  retries: null,
  lockExpiresAt: 0,
  properties: {},
  variables,
});
const effects = async (id: string, caseId: string) => ({
  steps: await stack.db.naturalisationStep.count({ where: { naturalisationId: id } }),
  audit: await stack.db.auditLog.count({ where: { caseId, action: { startsWith: 'einbuergerung.' } } }),
});

async function deliverTwice(w: WorkerDefinition<WorkerDeps>, vars: (id: string) => Record<string, unknown>) {
  const { id, caseId } = await newNaturalisation();
  const j = job({ einbuergerungId: id, ...vars(id) });
  const first = await w.handler(j, deps);
  const second = await w.handler(j, deps);
  expect(second).toEqual(first);
  expect(first.kind).toBe('complete');
  const seq = await effects(id, caseId);
  expect(seq.steps).toBe(1);
  // concurrently: a new job key, delivered twice at the same time
  const j2 = job({ einbuergerungId: id, ...vars(id) });
  const [a, b] = await Promise.all([w.handler(j2, deps), w.handler(j2, deps)]);
  expect(a).toEqual(b);
  expect((await effects(id, caseId)).steps).toBe(2);
  return { id, caseId, first };
}

const facts = { aufenthaltSeit: '2016-01-01', aufenthaltstitel: 'niederlassungserlaubnis', aufenthaltstitelGeeignet: true };

test.each([
  ['requirements', saveNaturalisationRequirements, () => facts],
  ['residence', recordResidenceFacts, () => ({ ...facts, aufenthaltPruefung: 'korrigiert' })],
  ['pre-check', recordNaturalisationPrecheck, () => ({ vorpruefungErfuellt: false, fehlendeVoraussetzungen: 'SPRACHE,EINBUERGERUNGSTEST', fruehesterAntragstermin: '2021-01-01' })],
  ['test registration', recordTestRegistration, () => ({ testTermin: '2026-05-12', teststelle: 'VHS' })],
  ['documents', saveDocumentChecklist, () => ({ dokumente: [{ art: 'reisepass', status: 'apostille_noetig' }] })],
  ['hand-over', handOverNaturalisation, () => ({})],
  ['EBH pre-check', recordEbhPrecheck, () => ({ ebhErgebnis: 'unterlagen_nachfordern', nachgeforderteUnterlagen: ['geburtsurkunde'], nachforderungFrist: '2030-01-31' })],
  ['decision', recordNaturalisationDecision, () => ({ entscheidung: 'eingebuergert', entscheidungsdatum: '2026-02-01' })],
  ['client informed', recordClientInformed, () => ({ informiertAm: '2026-02-03' })],
] as Array<[string, WorkerDefinition<WorkerDeps>, () => Record<string, unknown>]>)('%s: the same job twice (and concurrently) → one side effect', async (_name, w, vars) => {
  const { caseId } = await deliverTwice(w, vars);
  // one audit row per job (two jobs above)
  expect((await stack.db.auditLog.count({ where: { caseId, action: { startsWith: 'einbuergerung.' } } }))).toBe(2);
});

test('pre-check: gateway flags from the result, checklist opened once', async () => {
  const { id, first } = await deliverTwice(recordNaturalisationPrecheck, () => ({ vorpruefungErfuellt: false, fehlendeVoraussetzungen: 'AUFENTHALTSDAUER', fruehesterAntragstermin: '2027-01-01' }));
  expect(first).toEqual({ kind: 'complete', variables: { nurZeitFehlt: true, sprachkursNoetig: false, testNoetig: false } });
  expect(await stack.db.naturalisationDocument.count({ where: { naturalisationId: id } })).toBe(DEFAULT_DOCUMENTS.length);
});

test('documents: complete only when every document is vollstaendig; the list leaves the instance', async () => {
  const { id } = await newNaturalisation();
  const all = DEFAULT_DOCUMENTS.map((art) => ({ art, status: 'vollstaendig' }));
  expect(await saveDocumentChecklist.handler(job({ einbuergerungId: id, dokumente: all }), deps)).toEqual({ kind: 'complete', variables: { unterlagenVollstaendig: true, dokumente: null } });
  expect(await saveDocumentChecklist.handler(job({ einbuergerungId: id, dokumente: [{ art: 'lebenslauf', status: 'uebersetzung_noetig' }] }), deps)).toEqual({ kind: 'complete', variables: { unterlagenVollstaendig: false, dokumente: null } });
  const bad = await saveDocumentChecklist.handler(job({ einbuergerungId: id, dokumente: [{ art: 'reisepass', status: 'irgendwas' }] }), deps);
  expect(bad).toMatchObject({ kind: 'fail', retries: 0 });
});

test('language course referral: one Referral per job, the id back to the model', async () => {
  const org = await stack.db.organisation.upsert({
    where: { kommuneId_name: { kommuneId: 'duisburg', name: 'Sprachkursträger (Test Einbürgerung)' } },
    create: { kommuneId: 'duisburg', name: 'Sprachkursträger (Test Einbürgerung)', type: 'Sprachkurstraeger', email: 'kurs@example.org' },
    update: {},
  });
  void org;
  const { id, caseId } = await newNaturalisation();
  const j = job({ einbuergerungId: id });
  const [a, b] = await Promise.all([createLanguageCourseReferral.handler(j, deps), createLanguageCourseReferral.handler(j, deps)]);
  expect(a).toEqual(b);
  const again = await createLanguageCourseReferral.handler(j, deps);
  expect(again).toEqual(a);
  const refs = await stack.db.referral.findMany({ where: { caseId } });
  expect(refs).toHaveLength(1);
  expect(a).toEqual({ kind: 'complete', variables: { referralId: refs[0].id } });
  expect(refs[0]).toMatchObject({ lifeArea: 'Sprache', status: 'angelegt' });
});

test('a missing einbuergerungId or an unknown one: no side effect', async () => {
  expect(await handOverNaturalisation.handler(job({}), deps)).toMatchObject({ kind: 'fail', retries: 0 });
  await expect(handOverNaturalisation.handler(job({ einbuergerungId: '00000000-0000-4000-8000-000000000000' }), deps)).rejects.toThrow();
});
