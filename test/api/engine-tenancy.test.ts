/**
 * No engine data crosses communes. Duisburg and Mettmann each have a running instance of the same
 * process (waiting at a user task, with an incident of a worker's step), a case it belongs to and a
 * draft; Duisburg has released a variant of its own. Then every user of one commune – one per role,
 * and the Land – calls every API operation that reads or changes engine data with the other
 * commune's ids: reads never return the other commune's definitions, instances, tasks, incidents or
 * cases, calls naming them are refused (403/404, 400 for a foreign id in a request body), and
 * afterwards the other commune's engine and app state is exactly as before.
 *
 * Each commune's case also has a residence path (kim-bleiberecht, started by its case manager, with a
 * tracked deadline): the start, the case's path and deadlines, the overview of the next days and the
 * quick check on the decision kim-bleiberecht-vorpruefung are probed the same way – the decision is
 * evaluated in the caller's commune only, a commune named in its body is refused.
 *
 * The operations come from /api/openapi.json: everything under /api/models and /api/tasks, the
 * process view, and what the description marks with x-kim-engine. An operation without a probe here
 * fails the test, so a new endpoint cannot slip past it.
 */
import fs from 'node:fs';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { ensureSecondCoordinator } from '../support/modeler';
import { Session, startTestStack } from '../support/stack';
import { engineCaseFixture, ensureMettmannRoles, expectJson, failingTenancyWorker, sessionCache, TENANCY_PID as PID, tenancyProcessesDir } from './fixtures';

const VARIANT = 'Fall sichten (Duisburger Variante)';
const VARIANT_FORM = 'Notiz (Duisburger Formular)';
type Commune = 'duisburg' | 'mettmann';

/** What one commune has: the ids another commune must never see or touch. */
interface CommuneData {
  kommuneId: Commune;
  caseId: string;
  clientId: string;
  organisationId: string;
  instanceKey: string;
  taskId: string;
  incidentId: string;
  definitionKeys: string[];
  versions: number[];
  /** The case's residence path: its row, its engine instance and its open task. */
  residenceId: string;
  residenceInstanceKey: string;
  residenceTaskId: string;
  /** Strings that identify the commune's data in a response. */
  markers: string[];
}

let stack: Stack;
let dir: string;
const data = {} as Record<Commune, CommuneData>;

const USERS: Record<Commune, string[]> = {
  duisburg: ['cm.duisburg', 'koord.duisburg', 'abh.duisburg', 'ebh.duisburg', 'admin.duisburg'],
  mettmann: ['cm.mettmann', 'koord.mettmann', 'abh.mettmann', 'ebh.mettmann', 'admin.mettmann'],
};
const SITE: Record<Commune, string> = { duisburg: 'duisburg-nord', mettmann: 'mettmann-ratingen' };

const session = sessionCache(() => stack.url);

const json = expectJson;

async function setUpCommune(kommuneId: Commune): Promise<Omit<CommuneData, 'definitionKeys' | 'versions' | 'markers'>> {
  const f = await engineCaseFixture(stack, SITE[kommuneId], `cm.${kommuneId}`);
  const { caseId, clientId, organisationId, instanceKey, taskId, incidentId, residenceId, residenceInstanceKey, residenceTaskId } = f;
  return { kommuneId, caseId, clientId, organisationId, instanceKey, taskId, incidentId, residenceId, residenceInstanceKey, residenceTaskId };
}

beforeAll(async () => {
  dir = tenancyProcessesDir();
  stack = await startTestStack({ processesDir: dir, workerDefs: [...registry, failingTenancyWorker] });
  await ensureSecondCoordinator(stack);
  await ensureMettmannRoles(stack);
  const base = { duisburg: await setUpCommune('duisburg'), mettmann: await setUpCommune('mettmann') };

  // Duisburg releases a variant of its own (four eyes), then both communes start a new draft.
  const koord = await session('koord.duisburg');
  const d = await json<{ xml: string; revision: number; forms: Record<string, Record<string, unknown>> }>(await koord.post(`/api/models/${PID}/draft`), 201);
  const forms = JSON.parse(JSON.stringify(d.forms).replace('"Notiz"', JSON.stringify(VARIANT_FORM))) as typeof d.forms;
  await json(await koord.put(`/api/models/${PID}/draft`, { xml: d.xml.replace('name="Fall sichten"', `name="${VARIANT}"`), forms, revision: d.revision }));
  await json(await koord.post(`/api/models/${PID}/draft/submit`, { comment: 'Duisburger Variante' }));
  await json(await (await session('koord2.duisburg')).post(`/api/models/${PID}/draft/approve`, { comment: 'Geprüft' }), 201);
  await json(await koord.post(`/api/models/${PID}/draft`), 201);
  await json(await (await session('koord.mettmann')).post(`/api/models/${PID}/draft`), 201);

  for (const k of ['duisburg', 'mettmann'] as const) {
    const defs = await stack.engine.watch.definitions(k, PID);
    const deployments = (await stack.db.processDefinition.findMany({ where: { tenantId: k }, select: { deploymentId: true } })).map((r) => r.deploymentId!);
    data[k] = {
      ...base[k],
      definitionKeys: defs.map((x) => x.key),
      versions: defs.map((x) => x.version),
      markers: [
        base[k].caseId,
        base[k].clientId,
        base[k].instanceKey,
        base[k].taskId,
        base[k].incidentId,
        base[k].residenceId,
        base[k].residenceInstanceKey,
        base[k].residenceTaskId,
        ...defs.map((x) => x.key),
        ...deployments,
        ...(k === 'duisburg' ? [VARIANT, VARIANT_FORM] : []),
      ],
    };
  }
}, 240_000);

afterAll(async () => {
  for (const k of ['duisburg', 'mettmann'] as const) {
    for (const key of data[k] ? [data[k].instanceKey, data[k].residenceInstanceKey] : []) await stack?.engine.runtime.cancel(key).catch(() => undefined);
  }
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// The operations and how to call them with the other commune's ids

interface Probe {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  /**
   * What the call names: "foreign" – an object of the other commune in the path (must be refused with
   * 403/404); "foreign-body" – one in the body (403/404, or 400 at the field); "scoped" – only a
   * process id or version number, which the server resolves within the caller's commune.
   */
  names: 'foreign' | 'foreign-body' | 'scoped';
}

type ProbeFor = (f: CommuneData, me: Commune | null) => Probe[];

const NOT_ENGINE_DATA: Record<string, string> = {
  'GET /api/tasks/events': 'Server-Sent Events: Signale ohne Aufgabendaten ({kommuneId, groups}); wer welche Signale bekommt, prüft der Test der Live-Aktualisierung',
};

const ownCaseManager = (me: Commune | null) => (me ? `cm.${me}` : 'cm.duisburg');

/** Operations whose object the fixture case does not have even for its own commune (nothing to reach). */
const NOTHING_TO_REACH: Record<string, string> = {
  'GET /api/einbuergerung/cases/{caseId}': 'der Testfall hat keine Einbürgerungsvorbereitung',
};

const PROBES: Record<string, ProbeFor> = {
  'GET /api/models': () => [{ names: 'scoped' }],
  'GET /api/models/element-templates': () => [{ names: 'scoped' }],
  'GET /api/models/{processId}': () => [{ params: { processId: PID }, names: 'scoped' }],
  'GET /api/models/{processId}/versions/{version}': (f) => [...f.versions, 99].map((v) => ({ params: { processId: PID, version: String(v) }, names: 'scoped' as const })),
  'GET /api/models/{processId}/draft': () => [{ params: { processId: PID }, names: 'scoped' }],
  'POST /api/models/{processId}/draft': () => [{ params: { processId: PID }, names: 'scoped' }],
  'PUT /api/models/{processId}/draft': () => [{ params: { processId: PID }, body: { xml: `<x name="${VARIANT}"/>`, revision: 999 }, names: 'scoped' }],
  'POST /api/models/{processId}/draft/check': () => [{ params: { processId: PID }, body: {}, names: 'scoped' }],
  'POST /api/models/{processId}/draft/submit': () => [{ params: { processId: PID }, body: { comment: 'Versuch im Test' }, names: 'scoped' }],
  'POST /api/models/{processId}/draft/reject': () => [{ params: { processId: PID }, body: { comment: 'Versuch im Test' }, names: 'scoped' }],
  'POST /api/models/{processId}/draft/approve': () => [{ params: { processId: PID }, body: { comment: 'Versuch im Test' }, names: 'scoped' }],
  'DELETE /api/models/{processId}/draft': () => [{ params: { processId: PID }, names: 'scoped' }],
  'GET /api/models/{processId}/migration': (f) => [{ params: { processId: PID }, query: `from=1&to=${Math.max(...f.versions)}`, names: 'scoped' }],
  'POST /api/models/{processId}/migration': (f) => [{ params: { processId: PID }, body: { from: 1, to: Math.max(...f.versions) }, names: 'scoped' }],
  'GET /api/models/{processId}/incidents': () => [{ params: { processId: PID }, names: 'scoped' }],
  'POST /api/models/{processId}/incidents/{id}/retry': (f) => [{ params: { processId: PID, id: f.incidentId }, names: 'foreign' }],
  'GET /api/tasks': (f) => [
    { query: `filter=${encodeURIComponent(JSON.stringify({ view: 'all' }))}&range=${encodeURIComponent('[0,199]')}`, names: 'scoped' },
    { query: `filter=${encodeURIComponent(JSON.stringify({ caseId: f.caseId }))}`, names: 'scoped' },
    { query: `filter=${encodeURIComponent(JSON.stringify({ processDefinitionId: PID, view: 'all' }))}`, names: 'scoped' },
  ],
  'GET /api/tasks/{id}': (f) => [{ params: { id: f.taskId }, names: 'foreign' }],
  'GET /api/tasks/{id}/form': (f) => [{ params: { id: f.taskId }, names: 'foreign' }],
  'PUT /api/tasks/{id}/draft': (f) => [{ params: { id: f.taskId }, body: { data: { notiz: 'fremd' } }, names: 'foreign' }],
  'POST /api/tasks/{id}/claim': (f) => [{ params: { id: f.taskId }, names: 'foreign' }],
  'POST /api/tasks/{id}/unclaim': (f) => [{ params: { id: f.taskId }, names: 'foreign' }],
  'POST /api/tasks/{id}/complete': (f) => [{ params: { id: f.taskId }, query: 'next=false', body: { variables: { notiz: 'fremd' } }, names: 'foreign' }],
  'POST /api/tasks/{id}/assign': (f, me) => [{ params: { id: f.taskId }, body: { assignee: ownCaseManager(me), reason: 'Vertretung im Test' }, names: 'foreign' }],
  'GET /api/cases/{id}/processes': (f) => [{ params: { id: f.caseId }, names: 'foreign' }],
  'POST /api/cases': (f) => [{ body: { clientId: f.clientId }, names: 'foreign-body' }],
  'POST /api/referrals': (f) => [{ body: { caseId: f.caseId, organisationId: f.organisationId, lifeArea: 'Arbeit', purpose: 'Arbeitsvermittlung' }, names: 'foreign-body' }],
  'POST /api/conferences/start': (f) => [{ body: { caseId: f.caseId, anlass: 'Abstimmung im Test', agencies: [f.organisationId] }, names: 'foreign-body' }],
  'POST /api/einbuergerung/start': (f) => [{ body: { caseId: f.caseId }, names: 'foreign-body' }],
  'GET /api/einbuergerung/cases/{caseId}': (f) => [{ params: { caseId: f.caseId }, names: 'foreign' }],
  // kim-bleiberecht and its decision: evaluated in the caller's commune; a commune in the body is refused.
  'POST /api/bleiberecht/vorpruefung': (f) => [
    { body: { stichtag: '2025-06-30', aufenthaltsstatus: 'DULDUNG' }, names: 'scoped' },
    { body: { stichtag: '2025-06-30', kommuneId: f.kommuneId }, names: 'foreign-body' },
  ],
  'POST /api/bleiberecht/start': (f) => [{ body: { caseId: f.caseId }, names: 'foreign-body' }],
  'GET /api/bleiberecht/cases/{caseId}': (f) => [{ params: { caseId: f.caseId }, names: 'foreign' }],
  'GET /api/cases/{id}/fristen': (f) => [{ params: { id: f.caseId }, names: 'foreign' }],
  'GET /api/fristen': () => [{ query: 'tage=366', names: 'scoped' }],
};

interface Operation {
  key: string;
  method: string;
  path: string;
}

/** The operations of the API description that read or change engine data. */
async function engineOperations(): Promise<Operation[]> {
  const doc = await json<{ paths: Record<string, Record<string, { 'x-kim-engine'?: boolean }>> }>(await (await session('koord.duisburg')).get('/api/openapi.json'));
  const out: Operation[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const engine = p.startsWith('/api/models') || p.startsWith('/api/tasks') || p === '/api/cases/{id}/processes' || op['x-kim-engine'] === true;
      if (engine) out.push({ key: `${method.toUpperCase()} ${p}`, method: method.toUpperCase(), path: p });
    }
  }
  // Reads first, then changes; discarding a draft last (the other calls may need one).
  const rank = (o: Operation) => (o.method === 'GET' ? 0 : o.method === 'DELETE' ? 2 : 1);
  return out.sort((a, b) => rank(a) - rank(b));
}

// ---------------------------------------------------------------------------------------------
// The other commune's state, before and after

async function snapshot(f: CommuneData) {
  const [defs, incidents, [instance], task, taskDrafts, draft, releases, kase, referrals, conferences, naturalisations, running, residence, residenceTask, residenceDeadlines, residenceRunning] = await Promise.all([
    stack.engine.watch.definitions(f.kommuneId, PID),
    stack.engine.watch.incidents({ tenantId: f.kommuneId }),
    stack.engine.watch.instances([f.instanceKey]),
    stack.db.task.findUniqueOrThrow({ where: { id: f.taskId }, select: { assignee: true, state: true, processDefinitionKey: true } }),
    stack.db.taskDraft.count({ where: { taskId: f.taskId } }),
    stack.db.processDraft.findUnique({ where: { kommuneId_processId: { kommuneId: f.kommuneId, processId: PID } }, select: { revision: true, status: true, xml: true } }),
    stack.db.processRelease.count({ where: { kommuneId: f.kommuneId } }),
    stack.db.case.findUniqueOrThrow({ where: { id: f.caseId }, select: { processInstanceKey: true, phase: true } }),
    stack.db.referral.count({ where: { caseId: f.caseId } }),
    stack.db.conference.count({ where: { caseId: f.caseId } }),
    stack.db.naturalisation.count({ where: { caseId: f.caseId } }),
    stack.engine.watch.runningCounts(f.kommuneId, PID),
    stack.db.residencePath.findMany({ where: { caseId: f.caseId }, select: { id: true, status: true, processInstanceKey: true }, orderBy: { createdAt: 'asc' } }),
    stack.db.task.findUniqueOrThrow({ where: { id: f.residenceTaskId }, select: { assignee: true, state: true } }),
    stack.db.residenceDeadline.findMany({ where: { caseId: f.caseId }, select: { kind: true, date: true } }),
    stack.engine.runtime.isRunning(f.residenceInstanceKey),
  ]);
  return {
    definitions: defs.map((d) => d.key),
    incidents: incidents.map((i) => i.id).sort(),
    instance: instance && { definition: instance.processDefinitionKey, state: instance.state },
    running,
    task,
    taskDrafts,
    draft,
    releases,
    kase,
    referrals,
    conferences,
    naturalisations,
    residence,
    residenceTask,
    residenceDeadlines,
    residenceRunning,
  };
}

function url(op: Operation, p: Probe): string {
  let u = op.path;
  for (const [k, v] of Object.entries(p.params ?? {})) u = u.replace(`{${k}}`, encodeURIComponent(v));
  if (/\{\w+\}/.test(u)) throw new Error(`${op.key}: Pfadparameter ohne Wert in ${u}`);
  return p.query ? `${u}?${p.query}` : u;
}

async function call(s: Session, op: Operation, p: Probe): Promise<Response> {
  const u = url(op, p);
  switch (op.method) {
    case 'GET':
      return s.get(u);
    case 'POST':
      return s.post(u, p.body);
    case 'PUT':
      return s.put(u, p.body);
    case 'DELETE':
      return s.del(u);
    default:
      throw new Error(`${op.key}: Methode ${op.method} nicht vorgesehen`);
  }
}

/** Calls every operation as `username` with the ids of `foreign`; returns what went wrong. */
async function probeAll(username: string, me: Commune | null, foreign: CommuneData, ops: Operation[]): Promise<string[]> {
  const s = await session(username);
  const problems: string[] = [];
  for (const op of ops) {
    if (NOT_ENGINE_DATA[op.key]) continue;
    for (const p of PROBES[op.key](foreign, me)) {
      const res = await call(s, op, p);
      const text = await res.text();
      const what = `${username}: ${op.method} ${url(op, p)} → ${res.status}`;
      if (res.status >= 500) problems.push(`${what} (Serverfehler: ${text.slice(0, 200)})`);
      if (res.ok) {
        const leaked = foreign.markers.filter((m) => text.includes(m));
        if (leaked.length) problems.push(`${what} enthält Daten von ${foreign.kommuneId}: ${leaked.join(', ')}`);
      }
      const refused = p.names === 'foreign' ? [403, 404] : p.names === 'foreign-body' ? [400, 403, 404] : null;
      if (refused && !refused.includes(res.status)) problems.push(`${what} – erwartet ${refused.join('/')}`);
    }
  }
  return problems;
}

test('every engine operation of the API description has a probe', async () => {
  const ops = await engineOperations();
  expect(ops.length).toBeGreaterThan(20);
  const missing = ops.filter((o) => !PROBES[o.key] && !NOT_ENGINE_DATA[o.key]).map((o) => o.key);
  expect(missing).toEqual([]);
  // The probes name real operations (no stale rows).
  expect(Object.keys(PROBES).filter((k) => !ops.some((o) => o.key === k))).toEqual([]);
});

test('the owning commune reaches its own data through the same operations (the probes name real objects)', async () => {
  const ops = await engineOperations();
  for (const k of ['duisburg', 'mettmann'] as const) {
    const f = data[k];
    const reads = ops.filter((o) => o.method === 'GET' && PROBES[o.key] && !NOTHING_TO_REACH[o.key]);
    for (const op of reads) {
      for (const p of PROBES[op.key](f, k)) {
        if (p.names !== 'foreign') continue;
        const statuses = await Promise.all([`koord.${k}`, `cm.${k}`].map(async (u) => (await call(await session(u), op, p)).status));
        expect({ op: op.key, k, reached: statuses.some((st) => st === 200) }).toEqual({ op: op.key, k, reached: true });
      }
    }
    // The commune's own lists show its own objects.
    const koord = await session(`koord.${k}`);
    expect(JSON.stringify(await json(await koord.get(`/api/models/${PID}/incidents`)))).toContain(f.incidentId);
    expect(JSON.stringify(await json(await koord.get(`/api/models/${PID}`)))).toContain(f.definitionKeys[0]);
  }
  expect(data.duisburg.versions).toEqual([2, 1]);
  expect(data.mettmann.versions).toEqual([1]);
});

test('reading its own engine data, a commune never gets the other commune\'s (variant, form, definitions)', async () => {
  const ops = await engineOperations();
  const problems: string[] = [];
  for (const [me, other] of [
    ['mettmann', 'duisburg'],
    ['duisburg', 'mettmann'],
  ] as const) {
    for (const username of USERS[me]) {
      const s = await session(username);
      for (const op of ops.filter((o) => o.method === 'GET' && PROBES[o.key])) {
        for (const p of PROBES[op.key](data[me], me)) {
          const res = await call(s, op, p);
          const text = await res.text();
          const leaked = data[other].markers.filter((m) => text.includes(m));
          if (leaked.length) problems.push(`${username}: GET ${url(op, p)} → ${res.status} enthält Daten von ${other}: ${leaked.join(', ')}`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
});

for (const [me, other] of [
  ['mettmann', 'duisburg'],
  ['duisburg', 'mettmann'],
] as const) {
  test(`users of ${me} (every role) and the Land neither see nor change ${other}'s engine data`, async () => {
    const ops = await engineOperations();
    const foreign = data[other];
    const before = await snapshot(foreign);
    const problems: string[] = [];
    for (const username of USERS[me]) problems.push(...(await probeAll(username, me, foreign, ops)));
    problems.push(...(await probeAll('land.nrw', null, foreign, ops)));
    expect(problems).toEqual([]);
    expect(await snapshot(foreign)).toEqual(before);
    // The other commune's instance still waits where it waited, with its incident open.
    expect((await stack.engine.watch.incidents({ tenantId: other, processInstanceKey: foreign.instanceKey })).map((i) => i.id)).toEqual([foreign.incidentId]);
    expect(await stack.engine.runtime.isRunning(foreign.instanceKey)).toBe(true);
  }, 300_000);
}
