/**
 * Shared by the tests of the quick checks (naturalisation and residence): a stack with only one
 * decision deployed, sessions signed in once per user, and a decision evaluated twice – through the
 * product's service and directly through Operaton's REST API – where both must agree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VorpruefungInput as ResidenceInput } from '../../processes/kim-bleiberecht/contract';
import { ROOT } from '../../server/config';
import type { Stack, StackOptions } from '../../server/stack';
import { login, Session, startTestStack } from './stack';

/** A stack whose processes folder holds only a copy of processes/<processId>/<dmnFile>; `stop` also removes the folder. */
export async function decisionStack(processId: string, dmnFile: string, opts: Partial<StackOptions> = {}): Promise<{ stack: Stack; stop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${processId}-`));
  fs.copyFileSync(path.join(ROOT, 'processes', processId, dmnFile), path.join(dir, dmnFile));
  const stack = await startTestStack({ processesDir: dir, workers: false, ...opts });
  return {
    stack,
    stop: async () => {
      await stack.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A decision under test for a whole file: its stack (only the decision deployed, no HTTP), and
 * `evaluate` – through the product's service and through the REST API, which must agree.
 */
export function decisionUnderTest<I, R>(processId: string, dmnFile: string, decisionId: string, service: (stack: Stack) => { evaluate(tenant: string, input: I): Promise<R> }, tenant = 'duisburg') {
  let started: { stack: Stack; stop: () => Promise<void> } | undefined;
  let svc: { evaluate(tenant: string, input: I): Promise<R> };
  beforeAll(async () => {
    started = await decisionStack(processId, dmnFile, { http: false });
    svc = service(started.stack);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    evaluate: (variables: Record<string, unknown>): Promise<R> => evaluateBoth(started!.stack, tenant, decisionId, () => svc.evaluate(tenant, variables as I), variables),
    viaRest: (id: string, variables: Record<string, unknown>) => evaluateViaRest(started!.stack, tenant, id, variables),
    /** Through the service only, in another commune (engine tenant). */
    inTenant: (other: string, input: I): Promise<R> => svc.evaluate(other, input),
  };
}

/** A quick-check API under test for a whole file: its address, the stack (only the decision deployed) and sessions. */
export function decisionApiUnderTest(processId: string, dmnFile: string, url: string): QuickCheckApi {
  let started: { stack: Stack; stop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    started = await decisionStack(processId, dmnFile);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const stack = () => started!.stack;
  return { url, stack, as: sessionsOf(() => stack().url) };
}

/** Sessions by user name, each user signed in once. */
export function sessionsOf(url: () => string): (username: string) => Promise<Session> {
  const sessions = new Map<string, Session>();
  return async (username) => {
    if (!sessions.has(username)) sessions.set(username, await login(url(), username));
    return sessions.get(username)!;
  };
}

interface TypedValue {
  value: unknown;
  type: string;
}

/** Plain values as typed variables of the REST API, written out here so the test does not use the product's conversion. */
function typed(variables: Record<string, unknown>): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const [k, v] of Object.entries(variables)) {
    if (v === undefined) continue;
    if (v === null) out[k] = { value: null, type: 'Null' };
    else if (typeof v === 'boolean') out[k] = { value: v, type: 'Boolean' };
    else if (typeof v === 'number') out[k] = { value: v, type: Number.isInteger(v) ? 'Integer' : 'Double' };
    else out[k] = { value: String(v), type: 'String' };
  }
  return out;
}

/** POST /decision-definition/key/…/tenant-id/…/evaluate on the engine itself. */
export async function evaluateViaRest(stack: Stack, tenant: string, decisionId: string, variables: Record<string, unknown>): Promise<{ status: number; body: Array<Record<string, TypedValue>> }> {
  const res = await fetch(`${stack.engine.url}/decision-definition/key/${decisionId}/tenant-id/${tenant}/evaluate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ variables: typed(variables) }),
  });
  return { status: res.status, body: (await res.json()) as Array<Record<string, TypedValue>> };
}

/**
 * Evaluates through the service and through the REST API, checks that the engine answers with the
 * one variable `vorpruefung` and that both agree; returns the service's answer.
 */
export async function evaluateBoth<R>(stack: Stack, tenant: string, decisionId: string, viaService: () => Promise<R>, variables: Record<string, unknown>): Promise<R> {
  const answer = await viaService();
  const rest = await evaluateViaRest(stack, tenant, decisionId, variables);
  expect(rest.status).toBe(200);
  expect(rest.body).toHaveLength(1);
  expect(Object.keys(rest.body[0])).toEqual(['vorpruefung']);
  expect(rest.body[0].vorpruefung.value).toEqual(answer);
  return answer;
}

/**
 * Residence pre-check: everything of both paragraphs met on 30 June 2025 – 20 years old, tolerated
 * since 2023, here since January 2019 (6 years), school, A2, livelihood, FDGO.
 */
export const RESIDENCE_ALL_MET = {
  stichtag: '2025-06-30',
  geburtsdatum: '2005-05-10',
  aufenthaltSeit: '2019-01-15',
  nichtAnrechenbareTage: 0,
  aufenthaltsstatus: 'DULDUNG',
  duldungSeit: '2023-01-01',
  schulbesuchOderAbschluss: true,
  minderjaehrigesKindImHaushalt: false,
  sprachniveauMuendlich: 'A2',
  lebensunterhaltUeberwiegendGesichert: true,
  ausnahmeKrankheitBehinderungAlter: false,
  bekenntnisFdgo: true,
  schulpflichtigeKinderOhneSchulbesuch: false,
  identitaetstaeuschung: false,
  ausweisungsinteresseSchwer: false,
} satisfies ResidenceInput;

interface Problem {
  type: string;
  title: string;
  status: number;
  errors?: Record<string, string>;
}

export interface QuickCheckApi {
  url: string;
  stack: () => Stack;
  as: (username: string) => Promise<Session>;
}

/** What the two quick-check APIs share, with each one's names and values. */
export interface QuickCheckContract {
  /** A body the decision answers with 200. */
  allMet: Record<string, unknown>;
  inputNames: readonly string[];
  forbidden: { users: string[]; title: string };
  /** Fields with a value that is no date; the message names `example`. */
  notDates: Array<[string, unknown]>;
  dateExample: string;
  /** The language level field and values it refuses. */
  level: { field: string; refused: string[] };
  /** Yes/no fields with a value that is not a boolean. */
  notYesNo: Record<string, unknown>;
  /** Fields that are no input of the decision. */
  personal: Record<string, unknown>;
  /** Who runs the audited check, and one input value that must not reach the log. */
  audit: { user: string; role: string; action: string; decisionId: string; field: string; value: string };
}

/** POSTs a body that must be refused with a German 400; returns the field messages. */
export function refusedBy(contract: Pick<QuickCheckApi, 'url' | 'as'>) {
  return async (body: unknown): Promise<Record<string, string>> => {
    const res = await (await contract.as('cm.duisburg')).post(contract.url, body);
    expect(res.status).toBe(400);
    const problem = (await res.json()) as Problem;
    expect(problem.type).toBe('urn:kim:problem:validation');
    expect(problem.title).toBe('Die Eingaben sind unvollständig oder ungültig. Bitte prüfen Sie die markierten Felder.');
    return problem.errors ?? {};
  };
}

/**
 * The tests every quick check must pass: other roles get 403 before their input is read, no session
 * 401, no or a wrong CSRF token 403, dates and levels and yes/no fields with German messages at the
 * field, personal data refused, and an audit entry per check without its inputs (none for refused ones).
 */
export function quickCheckContractTests(api: QuickCheckApi, contract: QuickCheckContract) {
  const c = { ...api, ...contract };
  const bad = refusedBy(c);
  const post = (headers: Record<string, string>) => fetch(`${c.stack().url}${c.url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(c.allMet) });

  test.each(c.forbidden.users)('%s may not run the pre-check (403)', async (username) => {
    const res = await (await c.as(username)).post(c.url, c.allMet);
    expect(res.status).toBe(403);
    const body = (await res.json()) as Problem;
    expect(body.type).toBe('urn:kim:problem:forbidden');
    expect(body.title).toBe(c.forbidden.title);
  });

  test('without sign-in: 401; without or with a wrong CSRF header: 403', async () => {
    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as Problem).title).toBe('Bitte melden Sie sich an.');
    const s = await c.as('cm.duisburg');
    const noCsrf = await post({ cookie: s.cookie });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as Problem).type).toBe('urn:kim:problem:csrf');
    expect((await post({ cookie: s.cookie, 'x-csrf-token': 'x'.repeat(s.csrf.length) })).status).toBe(403);
  });

  describe('validation: 400 with German messages per field', () => {
    test.each(c.notDates)('%s = %p is not a date', async (field, value) => {
      const errors = await bad({ ...c.allMet, [field]: value });
      expect(errors[field]).toBe(`Bitte ein gültiges Datum im Format JJJJ-MM-TT angeben, z. B. ${c.dateExample}.`);
    });

    test.each(c.level.refused)('unknown language level %p', async (level) => {
      expect((await bad({ ...c.allMet, [c.level.field]: level }))[c.level.field]).toBe('Sprachniveau muss A1, A2, B1, B2, C1 oder C2 sein (oder leer bleiben).');
    });

    test('yes/no fields take booleans only', async () => {
      expect(await bad({ ...c.allMet, ...c.notYesNo })).toEqual(Object.fromEntries(Object.keys(c.notYesNo).map((k) => [k, 'Bitte ja oder nein angeben (true/false).'])));
    });

    test('personal data is refused: only the decision inputs are accepted', async () => {
      const errors = await bad({ ...c.allMet, ...c.personal });
      expect(errors._).toBe(`Nur die Angaben der Vorprüfung sind erlaubt, keine personenbezogenen Daten. Unbekannt: ${Object.keys(c.personal).join(', ')}. Erlaubt: ${c.inputNames.join(', ')}.`);
    });
  });

  test('every pre-check is audit-logged without its inputs; rejected requests write nothing', async () => {
    const { db } = c.stack();
    const s = await c.as(c.audit.user);
    const before = await db.auditLog.count({ where: { action: c.audit.action } });
    const res = await s.post(c.url, { ...c.allMet, [c.audit.field]: c.audit.value });
    expect(res.status).toBe(200);
    const rows = await db.auditLog.findMany({ where: { action: c.audit.action }, orderBy: { id: 'asc' } });
    expect(rows.length).toBe(before + 1);
    const row = rows[rows.length - 1];
    expect(row).toMatchObject({ username: c.audit.user, role: c.audit.role, entity: 'Entscheidung', entityId: c.audit.decisionId, fields: [], reason: null });
    expect(row.requestId).toBe(res.headers.get('x-request-id'));
    expect(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(c.audit.value);
    await (await c.as(c.forbidden.users[0])).post(c.url, c.allMet);
    await s.post(c.url, { ...c.allMet, [c.level.field]: 'X' });
    expect(await db.auditLog.count({ where: { action: c.audit.action } })).toBe(before + 1);
  });
}
