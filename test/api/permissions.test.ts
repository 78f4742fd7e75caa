/**
 * The permission matrix against the real server and database: every role × every resource × every
 * verb × own / other site / other commune, with the expected status, and no foreign row in any list.
 * The expectations are written out here from the issue's rules, independent of server/auth/policy.ts.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Stack } from '../../server/stack';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack } from '../support/stack';
import { CaseFixture, caseFixture, grantCaseAccess, q, taskFor } from './fixtures';

type Verb = 'list' | 'read' | 'create' | 'update' | 'delete';
type Where = 'own' | 'otherSite' | 'otherKommune';
const RESOURCES = ['clients', 'cases', 'consents', 'referrals', 'conferences', 'notes', 'documents', 'organisations', 'users', 'sites', 'audit-log', 'system-gaps'] as const;
type Res = (typeof RESOURCES)[number];
const CASE_CONTENT: Res[] = ['clients', 'cases', 'consents', 'referrals', 'conferences', 'notes', 'documents'];

// L list, R read, C create, U update, D delete
const RIGHTS: Record<string, Partial<Record<Res, string>>> = {
  case_manager: { clients: 'LRCU', cases: 'LRCU', consents: 'LRCU', referrals: 'LRCUD', conferences: 'LRCUD', notes: 'LRCUD', documents: 'LRCD', organisations: 'LR', users: 'LR', sites: 'LR', 'system-gaps': 'LRC' },
  coordinator: { clients: 'LR', cases: 'LR', consents: 'LR', referrals: 'LR', conferences: 'LR', notes: 'LR', documents: 'LR', organisations: 'LR', users: 'LR', sites: 'LR', 'audit-log': 'LR', 'system-gaps': 'LRCUD' },
  abh: { clients: 'LR', cases: 'LR', documents: 'LR', organisations: 'LR', sites: 'LR' },
  ebh: { clients: 'LR', cases: 'LR', documents: 'LR', organisations: 'LR', sites: 'LR' },
  land: {},
  admin: { organisations: 'LRCUD', users: 'LRCUD', sites: 'LRCU' },
};
const LETTER: Record<Verb, string> = { list: 'L', read: 'R', create: 'C', update: 'U', delete: 'D' };
const has = (role: string, res: Res, v: Verb) => (RIGHTS[role][res] ?? '').includes(LETTER[v]);
/** A verb no role has is not a route at all: 405. */
const anyHas = (res: Res, v: Verb) => Object.keys(RIGHTS).some((r) => has(r, res, v));

let stack: Stack;
const fx: Record<string, CaseFixture> = {};
const tenant: Record<string, Record<'organisations' | 'users' | 'sites' | 'audit-log' | 'system-gaps', string>> = {};
const sessions: Record<string, Session> = {};

interface Actor {
  username: string;
  role: string;
  kommuneId: string | null;
  siteId: string | null;
  /** Fixture sites for own / other site / other commune. */
  sites: Record<Where, string>;
  linkedCase?: string;
}
const ACTORS: Actor[] = [
  { username: 'cm.duisburg', role: 'case_manager', kommuneId: 'duisburg', siteId: 'duisburg-nord', sites: { own: 'duisburg-nord', otherSite: 'duisburg-sued', otherKommune: 'mettmann-ratingen' } },
  { username: 'cm2.duisburg', role: 'case_manager', kommuneId: 'duisburg', siteId: 'duisburg-sued', sites: { own: 'duisburg-sued', otherSite: 'duisburg-nord', otherKommune: 'mettmann-ratingen' } },
  { username: 'koord.duisburg', role: 'coordinator', kommuneId: 'duisburg', siteId: null, sites: { own: 'duisburg-nord', otherSite: 'duisburg-sued', otherKommune: 'mettmann-ratingen' } },
  { username: 'abh.duisburg', role: 'abh', kommuneId: 'duisburg', siteId: null, sites: { own: 'duisburg-nord', otherSite: 'duisburg-sued', otherKommune: 'mettmann-ratingen' } },
  { username: 'ebh.duisburg', role: 'ebh', kommuneId: 'duisburg', siteId: null, sites: { own: 'duisburg-sued', otherSite: 'duisburg-nord', otherKommune: 'mettmann-ratingen' } },
  { username: 'admin.duisburg', role: 'admin', kommuneId: 'duisburg', siteId: null, sites: { own: 'duisburg-nord', otherSite: 'duisburg-sued', otherKommune: 'mettmann-ratingen' } },
  { username: 'cm.mettmann', role: 'case_manager', kommuneId: 'mettmann', siteId: 'mettmann-ratingen', sites: { own: 'mettmann-ratingen', otherSite: 'mettmann-velbert', otherKommune: 'duisburg-nord' } },
  { username: 'koord.mettmann', role: 'coordinator', kommuneId: 'mettmann', siteId: null, sites: { own: 'mettmann-ratingen', otherSite: 'mettmann-velbert', otherKommune: 'duisburg-nord' } },
  { username: 'land.nrw', role: 'land', kommuneId: null, siteId: null, sites: { own: 'duisburg-nord', otherSite: 'duisburg-sued', otherKommune: 'mettmann-ratingen' } },
];

const tag = () => crypto.randomBytes(3).toString('hex');

let processesDir: string;
let startedAt: Date;

beforeAll(async () => {
  // POST /api/cases and POST /api/referrals start kim-intake / kim-referral: the models are deployed
  // (no workers: the instances wait at their first step and are canceled afterwards).
  processesDir = processesDirWith(['kim-intake', 'kim-referral']);
  startedAt = new Date();
  stack = await startTestStack({ workers: false, processesDir });
  for (const site of ['duisburg-nord', 'duisburg-sued', 'mettmann-ratingen', 'mettmann-velbert']) fx[site] = await caseFixture(stack, site);
  // ABH works a task on the Nord case, EBH one on the Süd case: that is all they reach.
  await taskFor(stack, fx['duisburg-nord'].caseId, 'abh:duisburg');
  await taskFor(stack, fx['duisburg-sued'].caseId, 'ebh:duisburg');
  ACTORS.find((a) => a.username === 'abh.duisburg')!.linkedCase = fx['duisburg-nord'].caseId;
  ACTORS.find((a) => a.username === 'ebh.duisburg')!.linkedCase = fx['duisburg-sued'].caseId;
  for (const a of ACTORS) sessions[a.username] = await login(stack.url, a.username);
  // Coordinators reach a person's case content only under a stated reason: they state one for each
  // fixture case of their commune (without one, see test/api/case-workspace.test.ts).
  for (const k of ['duisburg', 'mettmann']) await grantCaseAccess(stack, `koord.${k}`, Object.values(fx).filter((x) => x.kommuneId === k).map((x) => x.caseId));
  for (const k of ['duisburg', 'mettmann']) {
    const audit = await stack.db.auditLog.findFirstOrThrow({ where: { kommuneId: k } });
    const gap = await stack.db.systemGap.findFirstOrThrow({ where: { kommuneId: k } });
    const koord = await stack.db.user.findUniqueOrThrow({ where: { username: `koord.${k}` } });
    tenant[k] = {
      organisations: fx[k === 'duisburg' ? 'duisburg-nord' : 'mettmann-ratingen'].organisationId,
      users: koord.id,
      sites: k === 'duisburg' ? 'duisburg-nord' : 'mettmann-ratingen',
      'audit-log': String(audit.id),
      'system-gaps': gap.id,
    };
  }
});
afterAll(async () => {
  // Instances started through the API are canceled, so that their engine has no work left.
  if (stack) {
    const started = [
      ...(await stack.db.case.findMany({ where: { createdAt: { gte: startedAt }, processInstanceKey: { not: null } }, select: { processInstanceKey: true } })),
      ...(await stack.db.referral.findMany({ where: { createdAt: { gte: startedAt }, processInstanceKey: { not: null } }, select: { processInstanceKey: true } })),
    ];
    for (const r of started) await stack.engine.runtime.cancel(r.processInstanceKey!).catch(() => undefined);
  }
  await stack?.stop();
  fs.rmSync(processesDir, { recursive: true, force: true });
});

const FIXTURE_KEY: Record<string, keyof CaseFixture> = {
  clients: 'clientId',
  cases: 'caseId',
  consents: 'consentId',
  referrals: 'referralId',
  conferences: 'conferenceId',
  notes: 'noteId',
  documents: 'documentId',
};

function kommuneOf(a: Actor, where: Where): string {
  return fx[a.sites[where]].kommuneId;
}

/** The row a request about `where` addresses. */
function target(a: Actor, res: Res, where: Where): string {
  if (CASE_CONTENT.includes(res)) return String(fx[a.sites[where]][FIXTURE_KEY[res]]);
  return tenant[kommuneOf(a, where)][res as keyof (typeof tenant)[string]];
}

/** Does the actor reach the row at `where` (independent of the verb)? */
function reaches(a: Actor, res: Res, where: Where): boolean {
  const f = fx[a.sites[where]];
  if (!a.kommuneId || f.kommuneId !== a.kommuneId) return false;
  if (!CASE_CONTENT.includes(res)) return where !== 'otherKommune';
  if (a.role === 'case_manager') return f.siteId === a.siteId;
  if (a.role === 'coordinator') return true;
  // ABH/EBH: their fixture step (Task_PreCheckFile) needs no documents (policy.AUTHORITY_STEP_DOCUMENTS).
  if (a.role === 'abh' || a.role === 'ebh') return f.caseId === a.linkedCase && res !== 'documents';
  return false;
}

const UPDATES: Record<Res, (a: Actor, where: Where) => Promise<Record<string, unknown>>> = {
  clients: async () => ({ phone: '0203 123456' }),
  cases: async () => ({ kindOfHelp: 'CaseManagement' }),
  consents: async () => ({ purposes: ['Vermittlung', 'Fallkonferenz'] }),
  referrals: async () => ({ outcome: 'Termin vereinbart' }),
  conferences: async () => ({ location: 'Raum 2.14' }),
  notes: async () => ({ text: 'Notiz ergänzt' }),
  documents: async () => ({ title: 'Pass (Kopie)' }),
  organisations: async () => ({ phone: '0203 000000' }),
  users: async (a, where) => ({ displayName: `Koordination ${kommuneOf(a, where)}` }),
  sites: async (a, where) => ({ name: (await stack.db.site.findUniqueOrThrow({ where: { id: tenant[kommuneOf(a, where)].sites } })).name }),
  'audit-log': async () => ({ action: 'x' }),
  'system-gaps': async () => ({ status: 'in_pruefung' }),
};

function createBody(a: Actor, res: Res, where: Where): Record<string, unknown> {
  const f = fx[a.sites[where]];
  const orgOfActor = a.kommuneId === 'mettmann' ? fx['mettmann-ratingen'].organisationId : fx['duisburg-nord'].organisationId;
  switch (res) {
    case 'clients':
      return { firstName: 'Neu', lastName: `Person ${tag()}` };
    case 'cases':
      // Starts kim-intake for the person at `where` (a person of another site or commune: 400).
      return { clientId: f.clientId };
    case 'consents':
      return { caseId: f.caseId, recipients: [orgOfActor], dataCategories: ['Stammdaten'], purposes: ['Vermittlung'], validFrom: '2026-01-01' };
    case 'referrals':
      return { caseId: f.caseId, organisationId: orgOfActor, lifeArea: 'Arbeit', purpose: 'Beratung' };
    case 'conferences':
      return { caseId: f.caseId, title: 'Konferenz', scheduledAt: '2030-02-01T09:00:00Z' };
    case 'notes':
      return { caseId: f.caseId, text: 'Neue Notiz' };
    case 'documents':
      return { caseId: f.caseId, title: 'Meldebescheinigung', kind: 'meldebescheinigung', fileName: 'meldung.pdf', mimeType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4').toString('base64') };
    case 'organisations':
      return { name: `Beratungsstelle ${tag()}`, type: 'Beratungsstelle' };
    case 'users':
      return { username: `neu.${tag()}`, displayName: 'Neue Person', role: 'abh', password: 'sehr-geheim-123' };
    case 'sites':
      return { id: `standort-${tag()}`, name: 'Neuer Standort' };
    case 'audit-log':
      return { action: 'x', entity: 'y' };
    case 'system-gaps':
      return { lifeArea: 'Wohnen', title: 'Lücke', description: 'Beschreibung' };
  }
}

/** A fresh row the actor may delete (so deleting never removes shared fixtures). */
async function disposable(a: Actor, res: Res, where: Where): Promise<string> {
  const f = fx[a.sites[where]];
  const me = await stack.db.user.findUniqueOrThrow({ where: { username: a.username } });
  const k = kommuneOf(a, where);
  switch (res) {
    case 'referrals':
      return (await stack.db.referral.create({ data: { caseId: f.caseId, organisationId: f.organisationId, lifeArea: 'Arbeit', purpose: 'x' } })).id;
    case 'conferences':
      return (await stack.db.conference.create({ data: { caseId: f.caseId, title: 'x', scheduledAt: new Date() } })).id;
    case 'notes':
      return (await stack.db.note.create({ data: { caseId: f.caseId, authorId: me.id, text: 'x' } })).id;
    case 'documents':
      return (await stack.db.document.create({ data: { caseId: f.caseId, title: 'x', kind: 'x', fileName: 'x.pdf', mimeType: 'application/pdf' } })).id;
    case 'organisations':
      return (await stack.db.organisation.create({ data: { kommuneId: k, name: `Weg ${tag()}`, type: 'Sonstige' } })).id;
    case 'users':
      return (await stack.db.user.create({ data: { username: `weg.${tag()}`, displayName: 'x', passwordHash: 'x', role: 'abh', kommuneId: k } })).id;
    case 'system-gaps':
      return (await stack.db.systemGap.create({ data: { kommuneId: k, lifeArea: 'Sonstiges', title: 'x', description: 'x' } })).id;
    default:
      throw new Error(`no disposable ${res}`);
  }
}

/** Owner of listed rows, looked up in the database. */
async function owners(res: Res, ids: string[]): Promise<Map<string, { kommuneId: string; siteIds: string[]; caseIds: string[] }>> {
  const db = stack.db;
  const m = new Map<string, { kommuneId: string; siteIds: string[]; caseIds: string[] }>();
  const caseSel = { select: { id: true, kommuneId: true, siteId: true } } as const;
  const child = (rows: Array<{ id: string; case: { id: string; kommuneId: string; siteId: string } }>) =>
    rows.forEach((r) => m.set(r.id, { kommuneId: r.case.kommuneId, siteIds: [r.case.siteId], caseIds: [r.case.id] }));
  const where = { id: { in: ids } };
  switch (res) {
    case 'clients':
      for (const c of await db.client.findMany({ where, select: { id: true, kommuneId: true, siteId: true, cases: { select: { id: true } } } }))
        m.set(c.id, { kommuneId: c.kommuneId, siteIds: [c.siteId], caseIds: c.cases.map((x) => x.id) });
      break;
    case 'cases':
      for (const c of await db.case.findMany({ where, select: { id: true, kommuneId: true, siteId: true } })) m.set(c.id, { kommuneId: c.kommuneId, siteIds: [c.siteId], caseIds: [c.id] });
      break;
    case 'consents':
      child(await db.consent.findMany({ where, select: { id: true, case: caseSel } }));
      break;
    case 'referrals':
      child(await db.referral.findMany({ where, select: { id: true, case: caseSel } }));
      break;
    case 'conferences':
      child(await db.conference.findMany({ where, select: { id: true, case: caseSel } }));
      break;
    case 'notes':
      child(await db.note.findMany({ where, select: { id: true, case: caseSel } }));
      break;
    case 'documents':
      child(await db.document.findMany({ where, select: { id: true, case: caseSel } }));
      break;
    case 'organisations':
      for (const o of await db.organisation.findMany({ where, select: { id: true, kommuneId: true } })) m.set(o.id, { kommuneId: o.kommuneId, siteIds: [], caseIds: [] });
      break;
    case 'users':
      for (const o of await db.user.findMany({ where, select: { id: true, kommuneId: true } })) m.set(o.id, { kommuneId: o.kommuneId ?? '', siteIds: [], caseIds: [] });
      break;
    case 'sites':
      for (const o of await db.site.findMany({ where, select: { id: true, kommuneId: true } })) m.set(o.id, { kommuneId: o.kommuneId, siteIds: [o.id], caseIds: [] });
      break;
    case 'audit-log':
      for (const o of await db.auditLog.findMany({ where: { id: { in: ids.map((i) => BigInt(i)) } }, select: { id: true, kommuneId: true } }))
        m.set(String(o.id), { kommuneId: o.kommuneId ?? '', siteIds: [], caseIds: [] });
      break;
    case 'system-gaps':
      for (const o of await db.systemGap.findMany({ where, select: { id: true, kommuneId: true } })) m.set(o.id, { kommuneId: o.kommuneId, siteIds: [], caseIds: [] });
      break;
  }
  return m;
}

function mayHoldRow(a: Actor, res: Res, o: { kommuneId: string; siteIds: string[]; caseIds: string[] }): boolean {
  if (o.kommuneId !== a.kommuneId) return false;
  if (!CASE_CONTENT.includes(res)) return true;
  if (a.role === 'case_manager') return o.siteIds.includes(a.siteId!);
  if (a.role === 'coordinator') return true;
  return !!a.linkedCase && o.caseIds.includes(a.linkedCase);
}

const WHERES: Where[] = ['own', 'otherSite', 'otherKommune'];

describe.each(ACTORS.map((a) => [a.username, a] as const))('%s', (_name, a) => {
  test.each(RESOURCES.map((r) => [r]))('%s: list, read, create, update, delete', async (res) => {
    const s = sessions[a.username];
    const failures: string[] = [];
    const check = (what: string, got: number, want: number, body?: string) => {
      if (got !== want) failures.push(`${what}: ${got} statt ${want}${body ? ` – ${body.slice(0, 200)}` : ''}`);
    };

    // list: the whole (first 200 rows) list holds no foreign row; a filter on the fixtures returns exactly the reachable ones.
    const list = await s.get(`/api/${res}?range=[0,199]`);
    if (!has(a.role, res, 'list')) check('list', list.status, 403);
    else {
      check('list', list.status, 200);
      expect(list.headers.get('content-range')).toMatch(new RegExp(`^${res} \\d+-\\d+/\\d+$`));
      const rows = (await list.json()) as Array<{ id: string }>;
      const own = await owners(res, rows.map((r) => String(r.id)));
      for (const r of rows) {
        const o = own.get(String(r.id));
        if (!o || !mayHoldRow(a, res, o)) failures.push(`list enthält fremde Zeile ${res}/${r.id}`);
      }
      const ids = WHERES.map((w) => target(a, res, w));
      const filtered = await s.get(`/api/${res}?filter=${q({ id: ids })}&range=[0,49]`);
      const got = ((await filtered.json()) as Array<{ id: string }>).map((r) => String(r.id)).sort();
      const want = [...new Set(WHERES.filter((w) => reaches(a, res, w)).map((w) => target(a, res, w)))].sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`list gefiltert: ${JSON.stringify(got)} statt ${JSON.stringify(want)}`);
    }

    for (const where of WHERES) {
      const id = target(a, res, where);
      // read
      const read = await s.get(`/api/${res}/${id}`);
      check(`read ${where}`, read.status, !has(a.role, res, 'read') ? 403 : reaches(a, res, where) ? 200 : 404);

      // update
      const upd = await s.put(`/api/${res}/${id}`, await UPDATES[res](a, where));
      check(`update ${where}`, upd.status, !anyHas(res, 'update') ? 405 : !has(a.role, res, 'update') ? 403 : reaches(a, res, where) ? 200 : 404, await upd.clone().text());

      // delete
      const allowed = has(a.role, res, 'delete') && reaches(a, res, where);
      const delId = allowed ? await disposable(a, res, where) : id;
      // Deleting a document needs a reason.
      const del =
        res === 'documents'
          ? await fetch(`${stack.url}/api/${res}/${delId}`, { method: 'DELETE', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Test' }) })
          : await s.del(`/api/${res}/${delId}`);
      check(`delete ${where}`, del.status, !anyHas(res, 'delete') ? 405 : !has(a.role, res, 'delete') ? 403 : allowed ? 200 : 404, await del.clone().text());

      // create: case content refers to the case (or client) at `where`; other resources only exist in the own commune.
      if (where !== 'own' && !CASE_CONTENT.includes(res)) continue;
      if (where !== 'own' && res === 'clients') continue;
      const cr = await s.post(`/api/${res}`, createBody(a, res, where));
      check(`create ${where}`, cr.status, !anyHas(res, 'create') ? 405 : !has(a.role, res, 'create') ? 403 : reaches(a, res, where) ? 201 : 400, await cr.clone().text());
    }
    expect(failures).toEqual([]);
  });
});

test('a signed-out request gets 401 on every resource', async () => {
  for (const res of RESOURCES) {
    const r = await fetch(`${stack.url}/api/${res}`);
    expect(r.status).toBe(401);
  }
});

// Steering (/api/steuerung, see test/api/steering.test.ts for every route and the commune check):
// the coordination of the commune only; case managers read the closing notices of their own site.
test.each(ACTORS.map((a) => [a.username, a] as const))('%s: steering', async (_name, a) => {
  const s = sessions[a.username];
  expect((await s.get('/api/steuerung/themen')).status).toBe(a.role === 'coordinator' ? 200 : 403);
  expect((await s.get('/api/steuerung/sitzungen')).status).toBe(a.role === 'coordinator' ? 200 : 403);
  expect((await s.get('/api/steuerung/rueckmeldungen')).status).toBe(a.role === 'case_manager' ? 200 : 403);
});

// Dashboards, the state's view and exports: the coordination its commune, the state every commune
// (both only suppressed figures), staff posts the coordination and administration; everybody else 403.
const REPORTS: Array<[string, Partial<Record<string, number>>]> = [
  ['/api/dashboards/kommune', { coordinator: 200 }],
  ['/api/dashboards/land', { land: 200 }],
  ['/api/dashboards/kommune/csv', { coordinator: 200 }],
  ['/api/dashboards/land/csv', { land: 200 }],
  ['/api/export/runs', { coordinator: 200, land: 200 }],
  ['/api/export/configs', { coordinator: 200, land: 200 }],
  ['/api/export/sachbericht?year=2026', { coordinator: 200, land: 200 }],
  ['/api/dashboards/staff-posts?year=2026', { coordinator: 200, admin: 200 }],
];

test.each(ACTORS.map((a) => [a.username, a] as const))('%s: dashboards and exports', async (_name, a) => {
  const s = sessions[a.username];
  const got: Record<string, number> = {};
  const want: Record<string, number> = {};
  for (const [p, allowed] of REPORTS) {
    got[p] = (await s.get(p)).status;
    want[p] = allowed[a.role] ?? 403;
  }
  expect(got).toEqual(want);
});
