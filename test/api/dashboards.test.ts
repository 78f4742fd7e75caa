/**
 * Dashboards, the state's view and the export for "Datenbank KIM" on real PostgreSQL: the figures of
 * a commune built here case by case (its own tenant "Testdorf", a year no other data touches), per
 * site and per commune; tenancy and roles; small counts suppressed with secondary suppression – an
 * independent attacker (test/support/disclosure.ts) tries to recompute every suppressed value from
 * the published cells and totals; exports recorded, downloadable again, audit-logged, and free of
 * names, free text and ids; schedules that run once per period; staff posts; the demo history.
 */
import crypto from 'node:crypto';
import { hashPassword } from '../../server/auth/auth.service';
import { startExportSchedule, buildExportService } from '../../server/export/export.schedule';
import { seedHistory } from '../../prisma/seed-history';
import type { Stack } from '../../server/stack';
import { recomputableCells, PublishedTable } from '../support/disclosure';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';

let stack: Stack;
const tag = crypto.randomBytes(3).toString('hex');
const K = 'testdorf';
const SITES = { A: 'testdorf-a', B: 'testdorf-b' } as const;
const FROM = '2001-01';
const TO = '2001-12';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

type Area = 'Arbeit' | 'Sprache' | 'Wohnen';
interface Spec {
  site: keyof typeof SITES;
  kind: 'CaseManagement' | 'Kurzberatung';
  phase: 'Clearing' | 'Umsetzung' | 'Abschluss';
  opened: string;
  closed?: string;
  goalsReached?: 'ja' | 'teilweise' | 'nein';
  needs: Area[];
  /** Days from first contact to the first goal. */
  goalAfter?: number;
}
/** The known cases of Testdorf, all opened in 2001. */
const SPECS: Spec[] = [
  ...Array.from({ length: 12 }, (_, i): Spec => ({ site: 'A', kind: 'CaseManagement', phase: i < 5 ? 'Clearing' : 'Umsetzung', opened: '2001-03-15T10:00:00Z', needs: ['Arbeit', 'Sprache'], goalAfter: i < 6 ? 10 : i < 10 ? 40 : undefined })),
  ...(['ja', 'ja', 'ja', 'teilweise', 'teilweise', 'nein'] as const).map((g): Spec => ({ site: 'A', kind: 'CaseManagement', phase: 'Abschluss', opened: '2001-01-15T10:00:00Z', closed: '2001-08-15T10:00:00Z', goalsReached: g, needs: ['Wohnen'] })),
  ...Array.from({ length: 3 }, (_, i): Spec => ({ site: 'B', kind: 'CaseManagement', phase: i < 1 ? 'Clearing' : 'Umsetzung', opened: '2001-03-15T10:00:00Z', needs: ['Arbeit'] })),
  ...Array.from({ length: 6 }, (): Spec => ({ site: 'B', kind: 'Kurzberatung', phase: 'Abschluss', opened: '2001-05-15T10:00:00Z', closed: '2001-05-20T10:00:00Z', needs: ['Wohnen'] })),
];
/** Referrals of the open site-A cases, sent in April 2001. */
const REFERRALS: Array<{ org: 'jc' | 'vhs'; status: 'angenommen' | 'abgelehnt' | 'gesendet' | 'abgeschlossen'; n: number }> = [
  { org: 'jc', status: 'angenommen', n: 8 },
  { org: 'jc', status: 'abgelehnt', n: 2 },
  { org: 'jc', status: 'gesendet', n: 5 },
  { org: 'vhs', status: 'angenommen', n: 3 },
  { org: 'vhs', status: 'abgeschlossen', n: 3 },
];
/** Free texts and names that must never leave in an export. */
const SECRETS: string[] = [];
const caseIdsA: string[] = [];

async function seedTestdorf() {
  const db = stack.db;
  await db.kommune.create({ data: { id: K, name: 'Gemeinde Testdorf' } });
  await db.site.createMany({ data: [{ id: SITES.A, kommuneId: K, name: 'Standort Am Markt' }, { id: SITES.B, kommuneId: K, name: 'Standort Bahnhof' }] });
  const hash = await hashPassword(process.env.KIM_DEMO_PASSWORD || 'kim-demo');
  await db.user.create({ data: { username: 'koord.testdorf', displayName: 'Koordination Testdorf', role: 'coordinator', kommuneId: K, groups: ['coordinator', `coordinator:${K}`], passwordHash: hash } });
  await db.user.create({ data: { username: 'admin.testdorf', displayName: 'Administration Testdorf', role: 'admin', kommuneId: K, groups: [], passwordHash: hash } });
  const jc = await db.organisation.create({ data: { kommuneId: K, name: 'Jobcenter Testdorf', type: 'Jobcenter' } });
  const vhs = await db.organisation.create({ data: { kommuneId: K, name: 'Sprachschule Testdorf', type: 'Sprachkurstraeger' } });
  for (const [i, s] of SPECS.entries()) {
    const first = `Vorname${tag}${i}`;
    const last = `Geheimname${tag}${i}`;
    const pseudonym = `TD-${tag}-${i}`;
    const reference = `TD-AZ-${tag}-${i}`;
    SECRETS.push(first, last, pseudonym, reference);
    const client = await db.client.create({ data: { kommuneId: K, siteId: SITES[s.site], pseudonym, firstName: first, lastName: last, phone: `0201 ${tag}${i}` } });
    const opened = new Date(s.opened);
    const kase = await db.case.create({
      data: {
        reference,
        clientId: client.id,
        kommuneId: K,
        siteId: SITES[s.site],
        phase: s.phase,
        kindOfHelp: s.kind,
        openedAt: opened,
        closedAt: s.closed ? new Date(s.closed) : null,
        goalsReached: s.goalsReached ?? null,
        outcome: s.closed ? `Freitext Abschluss ${tag}` : null,
      },
    });
    SECRETS.push(kase.id, client.id);
    if (s.site === 'A' && s.phase !== 'Abschluss') caseIdsA.push(kase.id);
    for (const area of s.needs) {
      const need = await db.need.create({ data: { caseId: kase.id, lifeArea: area, description: `Freitext Bedarf ${tag}` } });
      if (s.goalAfter !== undefined) await db.goal.create({ data: { caseId: kase.id, needId: need.id, lifeArea: area, description: `Freitext Ziel ${tag}`, createdAt: new Date(opened.getTime() + s.goalAfter * 86_400_000) } });
    }
    await db.note.create({ data: { caseId: kase.id, text: `Freitext Notiz ${tag}` } });
  }
  SECRETS.push(`Freitext Abschluss ${tag}`, `Freitext Bedarf ${tag}`, `Freitext Ziel ${tag}`, `Freitext Notiz ${tag}`, `Freitext Vermittlung ${tag}`, `0201 ${tag}`);
  let k = 0;
  for (const r of REFERRALS)
    for (let i = 0; i < r.n; i++) {
      const sentAt = new Date('2001-04-10T09:00:00Z');
      await db.referral.create({
        data: { caseId: caseIdsA[k++ % caseIdsA.length], organisationId: r.org === 'jc' ? jc.id : vhs.id, lifeArea: r.org === 'jc' ? 'Arbeit' : 'Sprache', purpose: `Freitext Vermittlung ${tag}`, status: r.status, sentAt, dueDate: new Date('2001-05-01') },
      });
    }
  // Two open agreements of a conference at site B (overdue), one overdue inbox task at site A.
  const caseB = await db.case.findFirstOrThrow({ where: { kommuneId: K, siteId: SITES.B, closedAt: null } });
  await db.conference.create({
    data: {
      caseId: caseB.id,
      title: `Freitext Konferenz ${tag}`,
      status: 'durchgefuehrt',
      scheduledAt: new Date('2001-06-01T08:00:00Z'),
      agreements: { create: [1, 2].map((position) => ({ position, description: `Freitext Vereinbarung ${tag}`, dueDate: new Date('2001-07-01'), status: 'offen' as const })) },
    },
  });
  SECRETS.push(`Freitext Konferenz ${tag}`, `Freitext Vereinbarung ${tag}`);
  await db.task.create({
    data: { id: `td-${tag}`, processInstanceKey: `td-${tag}`, processDefinitionKey: '1', processDefinitionId: 'kim-case', processVersion: 1, elementId: 'Task_X', name: 'Prüfen', candidateGroups: [`case-manager:${K}`], caseId: caseIdsA[0], kommuneId: K, dueDate: new Date('2001-06-01') },
  });
}

beforeAll(async () => {
  // The stack's own export timer stays quiet: the schedule test runs its own on a short interval.
  stack = await startTestStack({ workers: false, config: testConfig({ KIM_EXPORT_INTERVAL_MS: '86400000' }) });
  await seedTestdorf();
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

interface Table extends PublishedTable {
  id: string;
  title: string;
  suppressible: boolean;
  rows: Array<{ key: string; label: string }>;
  columns: Array<{ key: string; label: string }>;
  total: number | null;
  columnTotalLabel: string;
  rowTotalLabel: string;
  suppressedCount: number;
}
interface Dash {
  view: string;
  from: string;
  to: string;
  minCount: number;
  sites: Array<{ key: string; label: string }>;
  tables: Table[];
}
const sessions: Record<string, Session> = {};
const as = async (u: string) => (sessions[u] ??= await login(stack.url, u));
const get = async <T>(u: string, p: string): Promise<T> => {
  const res = await (await as(u)).get(p);
  if (res.status !== 200) throw new Error(`${u} GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const tableOf = (d: Dash, id: string) => d.tables.find((t) => t.id === id)!;

/** Raw counts of Testdorf from the specs above: unit (site key) × category. */
function expected(): Record<string, Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, Record<string, number>>> = {};
  const add = (table: string, unit: string, cat: string, n = 1) => {
    out[table] ??= {};
    out[table][unit] ??= {};
    out[table][unit][cat] = (out[table][unit][cat] ?? 0) + n;
  };
  for (const s of SPECS) {
    const site = SITES[s.site];
    if (!s.closed) add('offene-faelle', site, s.phase);
    add('neue-faelle', site, s.opened.slice(0, 7));
    add('hilfeart', site, s.kind);
    for (const a of s.needs) add('lebensbereiche', site, a);
    if (s.kind === 'CaseManagement') {
      const d = s.goalAfter;
      add('dauer-foerderplan', site, d === undefined ? 'ohne' : d <= 14 ? 'b14' : d <= 30 ? 'b30' : d <= 60 ? 'b60' : d <= 90 ? 'b90' : 'ueber90');
      if (s.goalsReached) add('zielerreichung', site, s.goalsReached);
    }
  }
  for (const r of REFERRALS) add('vermittlungen', r.org === 'jc' ? 'Jobcenter Testdorf' : 'Sprachschule Testdorf', r.status === 'abgeschlossen' ? 'angenommen' : r.status === 'gesendet' ? 'offen' : r.status, r.n);
  add('ueberfaellig', SITES.A, 'vermittlungen', 5);
  add('ueberfaellig', SITES.A, 'aufgaben', 1);
  add('ueberfaellig', SITES.B, 'vereinbarungen', 2);
  return out;
}

/** Every published value is the true one or suppressed; every small count is suppressed; nothing can be recomputed. */
function checkTable(t: Table, raw: Record<string, Record<string, number>> | undefined, unitsInColumns = false) {
  const rawAt = (i: number, j: number) => {
    const [u, c] = unitsInColumns ? [t.columns[j].key, t.rows[i].key] : [t.rows[i].key, t.columns[j].key];
    return raw?.[u]?.[c] ?? 0;
  };
  t.cells.forEach((row, i) =>
    row.forEach((v, j) => {
      const want = rawAt(i, j);
      if (v !== null) expect({ table: t.id, i, j, v }).toEqual({ table: t.id, i, j, v: want });
      if (want > 0 && want < 5) expect({ table: t.id, i, j, v }).toEqual({ table: t.id, i, j, v: null });
    }),
  );
  const shown = [...t.cells.flat(), ...(t.rowTotals ?? []), ...(t.columnTotals ?? []), t.total];
  for (const v of shown) if (v !== null) expect(v === 0 || v >= 5).toBe(true);
  expect({ table: t.id, leaks: recomputableCells(t) }).toEqual({ table: t.id, leaks: [] });
}

describe('the commune dashboard (coordination)', () => {
  test('figures per site match the known cases; small counts suppressed; nothing can be recomputed', async () => {
    const d = await get<Dash>('koord.testdorf', `/api/dashboards/kommune?from=${FROM}&to=${TO}`);
    expect(d).toMatchObject({ view: 'kommune', from: FROM, to: TO, minCount: 5 });
    expect(d.sites.map((s) => s.key).sort()).toEqual([SITES.A, SITES.B]);
    const exp = expected();
    for (const id of ['offene-faelle', 'neue-faelle', 'hilfeart', 'lebensbereiche', 'vermittlungen', 'dauer-foerderplan', 'zielerreichung', 'ueberfaellig']) {
      const t = tableOf(d, id);
      expect(t.suppressible).toBe(true);
      checkTable(t, exp[id], id === 'neue-faelle');
    }
    // Commune totals are large enough to be shown, and exact.
    const kinds = tableOf(d, 'hilfeart');
    expect(kinds.columnTotalLabel).toBe('Gemeinde Testdorf gesamt');
    expect(Object.fromEntries(kinds.columns.map((c, j) => [c.key, kinds.columnTotals![j]]))).toMatchObject({ CaseManagement: 21, Kurzberatung: 6, Verweisberatung: 0 });
    expect(kinds.total).toBe(27);
    const months = tableOf(d, 'neue-faelle');
    expect(months.rows).toHaveLength(12);
    expect(months.rowTotals![months.rows.findIndex((r) => r.key === '2001-03')]).toBe(15);
    const partners = tableOf(d, 'vermittlungen');
    expect(partners.rows.map((r) => r.label)).toEqual(['Jobcenter Testdorf', 'Sprachschule Testdorf']);
    expect(partners.columns.map((c) => c.label)).toEqual(['angenommen', 'abgelehnt', 'ohne Antwort']);
    // The residence path per paragraph (§ 25a, § 25b): applications and decisions.
    const b3 = tableOf(d, 'baustein3');
    const b3keys = [...b3.rows, ...b3.columns].map((x) => x.key);
    expect(b3keys).toEqual(expect.arrayContaining(['br_vorbereitung', 'br_beantragt_25a', 'br_beantragt_25b', 'br_entschieden_25a', 'br_entschieden_25b']));
    expect(b3keys).not.toContain('br_beantragt');
    // Steering counts no persons: never suppressed.
    expect(tableOf(d, 'steuerung-themen').suppressible).toBe(false);
  });

  test('secondary suppression: hiding only the small counts would leak them, the dashboard hides enough', async () => {
    const d = await get<Dash>('koord.testdorf', `/api/dashboards/kommune?from=${FROM}&to=${TO}`);
    const t = tableOf(d, 'offene-faelle');
    const raw = expected()['offene-faelle'];
    const full = t.rows.map((r) => t.columns.map((c) => raw[r.key]?.[c.key] ?? 0));
    const small = (v: number) => (v > 0 && v < 5 ? null : v);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const naive: PublishedTable = {
      cells: full.map((r) => r.map(small)),
      rowTotals: full.map((r) => small(sum(r))),
      columnTotals: t.columns.map((_, j) => small(sum(full.map((r) => r[j])))),
      total: small(sum(full.flat())),
    };
    expect(recomputableCells(naive).length).toBeGreaterThan(0);
    const primary = [...naive.cells.flat(), ...naive.rowTotals!, ...naive.columnTotals!].filter((v) => v === null).length;
    expect(t.suppressedCount).toBeGreaterThan(primary);
    expect(recomputableCells(t)).toEqual([]);
    // The commune's figures per phase stay visible.
    expect(t.columnTotals).toEqual([0, 6, 0, 9, 0]);
    expect(t.total).toBe(15);
  });

  test('site filter and tenancy: own sites only, no other commune in any figure', async () => {
    const one = await get<Dash>('koord.testdorf', `/api/dashboards/kommune?from=${FROM}&to=${TO}&siteId=${SITES.A}`);
    const kinds = tableOf(one, 'hilfeart');
    expect(kinds.rows.map((r) => r.key)).toEqual([SITES.A]);
    expect(kinds.total).toBe(18);
    expect(kinds.columnTotalLabel).toBe('Summe');
    const koord = await as('koord.testdorf');
    const foreign = await koord.get(`/api/dashboards/kommune?siteId=duisburg-nord`);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { title: string }).title).toMatch(/eigenen Kommune/);
    const du = await get<Dash>('koord.duisburg', `/api/dashboards/kommune?from=${FROM}&to=${TO}`);
    const raw = JSON.stringify(du);
    expect(raw).not.toContain('Testdorf');
    expect(tableOf(du, 'hilfeart').total).toBe(0);
    expect(du.sites.every((s) => s.key.startsWith('duisburg-'))).toBe(true);
  });

  test('CSV for Excel: BOM, semicolons, German headers, "< 5" for suppressed values; audit-logged', async () => {
    const koord = await as('koord.testdorf');
    const res = await koord.get(`/api/dashboards/kommune/csv?from=${FROM}&to=${TO}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="kim-kennzahlen-testdorf_2001-01_bis_2001-12\.csv"/);
    const buf = Buffer.from(await res.arrayBuffer());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8').slice(1);
    expect(text).toContain('Kennzahl;Offene Fälle nach Phase');
    expect(text).toContain('Standort;Zugang;Clearing;Förderplanung;Umsetzung;Abschluss;Summe');
    expect(text).toContain('Gemeinde Testdorf gesamt;0;6;0;9;0;15');
    expect(text).toContain('< 5');
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(await stack.db.auditLog.count({ where: { username: 'koord.testdorf', action: 'export', entity: 'Dashboard' } })).toBeGreaterThan(0);
  });
});

describe('the state (land.nrw)', () => {
  test('every commune and NRW; suppressed with secondary suppression in every table', async () => {
    const d = await get<Dash>('land.nrw', `/api/dashboards/land?from=${FROM}&to=${TO}`);
    expect(d.view).toBe('land');
    const kinds = tableOf(d, 'hilfeart');
    expect(kinds.rows.map((r) => r.key).sort()).toEqual(['duisburg', 'mettmann', K]);
    expect(kinds.columnTotalLabel).toBe('NRW gesamt');
    const td = kinds.rows.findIndex((r) => r.key === K);
    expect(kinds.rowTotals![td]).toBe(27);
    // Testdorf's row is the sum of its sites (the other communes have no cases in 2001).
    const exp = expected();
    for (const t of d.tables) {
      expect({ table: t.id, leaks: recomputableCells(t) }).toEqual({ table: t.id, leaks: [] });
      if (!t.suppressible || t.id === 'neue-faelle' || t.id === 'vermittlungen' || !exp[t.id]) continue;
      const i = t.rows.findIndex((r) => r.key === K);
      t.columns.forEach((c, j) => {
        const want = Object.values(exp[t.id]).reduce((n, cats) => n + (cats[c.key] ?? 0), 0);
        const v = t.cells[i][j];
        if (v !== null) expect({ table: t.id, c: c.key, v }).toEqual({ table: t.id, c: c.key, v: want });
        if (want > 0 && want < 5) expect({ table: t.id, c: c.key, v }).toEqual({ table: t.id, c: c.key, v: null });
      });
    }
    // Today's figures (all communes' real demo data) are suppressed and safe too.
    const today = await get<Dash>('land.nrw', '/api/dashboards/land');
    for (const t of today.tables) {
      for (const v of [...t.cells.flat(), ...(t.rowTotals ?? []), ...(t.columnTotals ?? [])]) if (t.suppressible && v !== null) expect(v === 0 || v >= 5).toBe(true);
      expect({ table: t.id, leaks: recomputableCells(t) }).toEqual({ table: t.id, leaks: [] });
    }
    expect(JSON.stringify(today)).not.toMatch(UUID);
  });

  test('roles: coordination its commune, land all; everybody else 403; signed out 401; bad input 400', async () => {
    expect((await (await as('koord.testdorf')).get('/api/dashboards/land')).status).toBe(403);
    expect((await (await as('land.nrw')).get('/api/dashboards/kommune')).status).toBe(403);
    for (const u of ['cm.duisburg', 'abh.duisburg', 'ebh.duisburg', 'admin.duisburg']) {
      const s = await as(u);
      for (const p of ['/api/dashboards/kommune', '/api/dashboards/land', '/api/dashboards/kommune/csv', '/api/export/runs', '/api/export/configs', '/api/export/sachbericht?year=2001']) {
        expect({ u, p, status: (await s.get(p)).status }).toEqual({ u, p, status: 403 });
      }
      expect((await s.post('/api/export/runs', { indicators: ['hilfeart'], from: FROM, to: TO, format: 'csv' })).status).toBe(403);
    }
    for (const p of ['/api/dashboards/kommune', '/api/dashboards/land', '/api/export/runs', '/api/dashboards/indicators']) expect((await fetch(`${stack.url}${p}`)).status).toBe(401);
    const bad = await (await as('koord.testdorf')).get('/api/dashboards/kommune?from=2001-13');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors.from).toMatch(/JJJJ-MM/);
    const reversed = await (await as('land.nrw')).get('/api/dashboards/land?from=2001-06&to=2001-01');
    expect(reversed.status).toBe(400);
  });
});

describe('the export for "Datenbank KIM"', () => {
  const ALL = ['offene-faelle', 'neue-faelle', 'hilfeart', 'lebensbereiche', 'vermittlungen', 'dauer-foerderplan', 'zielerreichung', 'ueberfaellig', 'baustein3', 'steuerung-themen', 'steuerung-massnahmen', 'sachbericht'];

  test('CSV and JSON: recorded (who, when, what), downloadable again, audit-logged; no names, free text or ids', async () => {
    const koord = await as('koord.testdorf');
    for (const format of ['csv', 'json'] as const) {
      const res = await koord.post('/api/export/runs', { indicators: ALL, from: FROM, to: TO, format });
      expect(res.status).toBe(201);
      const run = (await res.json()) as { id: string; requestedBy: string; trigger: string; indicators: string[]; from: string; to: string; fileName: string; createdAt: string };
      expect(run).toMatchObject({ requestedBy: 'koord.testdorf', trigger: 'manuell', indicators: ALL, from: FROM, to: TO });
      const list = (await (await koord.get('/api/export/runs')).json()) as Array<{ id: string }>;
      expect(list.map((r) => r.id)).toContain(run.id);
      const file = await koord.get(`/api/export/runs/${run.id}/download`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toContain(run.fileName);
      const again = Buffer.from(await file.arrayBuffer());
      const stored = await stack.db.exportRun.findUniqueOrThrow({ where: { id: run.id } });
      expect(Buffer.compare(again, Buffer.from(stored.content))).toBe(0);
      const text = again.toString('utf8');
      for (const s of SECRETS) expect({ format, leaked: text.includes(s) ? s : null }).toEqual({ format, leaked: null });
      expect(text).not.toMatch(UUID);
      if (format === 'csv') {
        expect(text.charCodeAt(0)).toBe(0xfeff);
        const lines = text.slice(1).trim().split('\r\n');
        expect(lines[0]).toBe('Kennzahl;Kennung;Von;Bis;Gebiet;Gliederung;Ausprägung;Anzahl;Geheimhaltung');
        expect(lines).toContain('Art der Hilfe;hilfeart;2001-01;2001-12;Gemeinde Testdorf;insgesamt;Case Management;21;nein');
        const suppressed = lines.filter((l) => l.endsWith(';ja'));
        expect(suppressed.length).toBeGreaterThan(0);
        expect(suppressed.every((l) => l.split(';')[7] === '< 5')).toBe(true);
        expect(lines.some((l) => l.startsWith('Sachbericht: Fallzahlen (Baustein 2 und 3);sachbericht-fallzahlen;2001-01;2001-12;Gemeinde Testdorf;insgesamt;Baustein 2: neue Fälle (alle Arten der Hilfe);27;'))).toBe(true);
      } else {
        const j = JSON.parse(text) as { werte: Array<{ kennung: string; anzahl: number | null; geheimhaltung: boolean; gliederung: string }> };
        expect(j.werte.length).toBeGreaterThan(50);
        for (const w of j.werte) {
          expect(w.geheimhaltung).toBe(w.anzahl === null);
          if (w.anzahl !== null && !w.kennung.startsWith('steuerung') && w.kennung !== 'sachbericht-steuerung' && w.kennung !== 'sachbericht-stellen') expect(w.anzahl === 0 || w.anzahl >= 5).toBe(true);
        }
      }
      const audit = await stack.db.auditLog.findMany({ where: { entity: 'ExportRun', entityId: run.id } });
      expect(audit.map((a) => [a.action, a.username]).sort()).toEqual([
        ['download', 'koord.testdorf'],
        ['export', 'koord.testdorf'],
      ]);
    }
  });

  test('exports stay with who made them: other communes and the state cannot list or download them', async () => {
    const koord = await as('koord.testdorf');
    const run = (await (await koord.post('/api/export/runs', { indicators: ['hilfeart'], from: FROM, to: TO, format: 'json' })).json()) as { id: string };
    for (const u of ['koord.duisburg', 'land.nrw']) {
      const s = await as(u);
      expect((await s.get(`/api/export/runs/${run.id}/download`)).status).toBe(404);
      expect(((await (await s.get('/api/export/runs')).json()) as Array<{ id: string }>).map((r) => r.id)).not.toContain(run.id);
    }
    // The state's export covers every commune (suppressed) and is its own.
    const land = await as('land.nrw');
    const lr = (await (await land.post('/api/export/runs', { indicators: ['hilfeart', 'sachbericht'], from: FROM, to: TO, format: 'csv' })).json()) as { id: string };
    const csv = await (await land.get(`/api/export/runs/${lr.id}/download`)).text();
    expect(csv).toContain('Art der Hilfe;hilfeart;2001-01;2001-12;Gemeinde Testdorf;insgesamt;Case Management;21;nein');
    expect(csv).toContain(';NRW gesamt;insgesamt;Case Management;21;nein');
    expect((await koord.get(`/api/export/runs/${lr.id}/download`)).status).toBe(404);
    const bad = await koord.post('/api/export/runs', { indicators: ['namen'], from: FROM, to: TO, format: 'xml' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { errors: Record<string, string> };
    expect(Object.keys(body.errors).sort()).toEqual(['format', 'indicators.0']);
  });

  test('a schedule exports the previous period once – on a short timer, and with two server nodes', async () => {
    const koord = await as('koord.testdorf');
    const res = await koord.post('/api/export/configs', { indicators: ['hilfeart', 'lebensbereiche'], format: 'csv', schedule: 'monatlich', firstRunNow: true });
    expect(res.status).toBe(201);
    const config = (await res.json()) as { id: string; nextRunAt: string };
    const node1 = buildExportService(stack.db, stack.services.audit).exports;
    const node2 = buildExportService(stack.db, stack.services.audit).exports;
    const timer = startExportSchedule(node1, stack.log, 100);
    try {
      const run = await until(() => stack.db.exportRun.findFirst({ where: { configId: config.id } }), 'Export nach Zeitplan');
      const now = new Date();
      const cur = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' }).format(now).slice(0, 7);
      const prev = new Date(Date.UTC(Number(cur.slice(0, 4)), Number(cur.slice(5)) - 2, 1)).toISOString().slice(0, 7);
      expect(run).toMatchObject({ trigger: 'zeitplan', requestedBy: 'koord.testdorf', kommuneId: K, from: prev, to: prev, format: 'csv' });
      const after = await stack.db.exportConfig.findUniqueOrThrow({ where: { id: config.id } });
      expect(after.nextRunAt.getTime()).toBeGreaterThan(now.getTime());
      expect(await stack.db.auditLog.count({ where: { entity: 'ExportRun', entityId: run.id, action: 'export', reason: { startsWith: 'Zeitplan' } } })).toBe(1);
      // Due again (as if a month had passed) – two nodes at once make one export of the period.
      await timer.stop();
      await stack.db.exportRun.deleteMany({ where: { configId: config.id } });
      await stack.db.exportConfig.update({ where: { id: config.id }, data: { nextRunAt: new Date(Date.now() - 1000) } });
      const made = await Promise.all([node1.runDue(), node2.runDue(), node1.runDue()]);
      expect(made.reduce((a, b) => a + b, 0)).toBe(1);
      expect(await stack.db.exportRun.count({ where: { configId: config.id } })).toBe(1);
      const listed = (await (await koord.get('/api/export/runs')).json()) as Array<{ configId: string | null; trigger: string }>;
      expect(listed.some((r) => r.configId === config.id && r.trigger === 'zeitplan')).toBe(true);
      // Ending the schedule.
      expect((await (await as('koord.duisburg')).del(`/api/export/configs/${config.id}`)).status).toBe(404);
      expect((await koord.del(`/api/export/configs/${config.id}`)).status).toBe(204);
      expect(((await (await koord.get('/api/export/configs')).json()) as unknown[]).length).toBe(0);
    } finally {
      await timer.stop();
    }
  });
});

describe('Sachbericht and staff posts (VZÄ)', () => {
  test('coordination and administration keep the staff posts; the Sachbericht shows them with the year\'s figures', async () => {
    const admin = await as('admin.testdorf');
    const put = await admin.put('/api/dashboards/staff-posts', { year: 2001, posts: [{ baustein: 1, fte: 1.5 }, { baustein: 2, fte: 4 }, { baustein: 3, fte: 0.75 }] });
    expect(put.status).toBe(200);
    const koord = await as('koord.testdorf');
    const got = (await (await koord.get('/api/dashboards/staff-posts?year=2001')).json()) as { posts: Array<{ baustein: number; fte: number; updatedBy: string }> };
    expect(got.posts.map((p) => [p.baustein, p.fte, p.updatedBy])).toEqual([
      [1, 1.5, 'admin.testdorf'],
      [2, 4, 'admin.testdorf'],
      [3, 0.75, 'admin.testdorf'],
    ]);
    expect(await stack.db.auditLog.count({ where: { entity: 'StaffPost', entityId: `${K}:2001`, username: 'admin.testdorf' } })).toBe(1);
    const sb = (await (await koord.get('/api/export/sachbericht?year=2001')).json()) as { tables: Table[] };
    const cases = sb.tables.find((t) => t.id === 'sachbericht-fallzahlen')!;
    const fig = (t: Table, key: string) => t.cells[t.rows.findIndex((r) => r.key === key)][0];
    expect(fig(cases, 'faelle_neu')).toBe(27);
    expect(fig(cases, 'faelle_cm')).toBe(21);
    expect(fig(cases, 'faelle_abgeschlossen')).toBe(12);
    expect(fig(cases, 'vermittlungen')).toBe(21);
    expect(fig(cases, 'fallkonferenzen')).toBeNull();
    const posts = sb.tables.find((t) => t.id === 'sachbericht-stellen')!;
    expect(posts.cells.map((r) => r[0])).toEqual([1.5, 4, 0.75]);
    // The state sees every commune with the NRW sum per figure.
    const land = (await (await (await as('land.nrw')).get('/api/export/sachbericht?year=2001')).json()) as { tables: Table[] };
    const lp = land.tables.find((t) => t.id === 'sachbericht-stellen')!;
    expect(lp.rowTotals).toEqual([1.5, 4, 0.75]);
    for (const t of land.tables) expect({ table: t.id, leaks: recomputableCells(t) }).toEqual({ table: t.id, leaks: [] });
    // Others may not; wrong input is named.
    expect((await (await as('land.nrw')).put('/api/dashboards/staff-posts', { year: 2001, posts: [{ baustein: 1, fte: 1 }] })).status).toBe(403);
    expect((await (await as('cm.duisburg')).get('/api/dashboards/staff-posts?year=2001')).status).toBe(403);
    const bad = await koord.put('/api/dashboards/staff-posts', { year: 2001, posts: [{ baustein: 4, fte: -1 }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toEqual({ 'posts.0.baustein': 'Baustein 1, 2 oder 3', 'posts.0.fte': 'Nicht negativ' });
  });
});

describe('the demo history (npm start)', () => {
  test('a year of anonymous history: real shapes, nothing suppressed at commune level, small site cells suppressed; seeding twice adds nothing', async () => {
    const first = await seedHistory(stack.db);
    expect(first.cases).toBeGreaterThan(800);
    expect(await seedHistory(stack.db)).toEqual({ cases: 0 });
    let siteCellsSuppressed = 0;
    for (const k of ['duisburg', 'mettmann']) {
      const d = await get<Dash>(`koord.${k}`, '/api/dashboards/kommune');
      for (const t of d.tables) {
        if (!t.suppressible) continue;
        const communeLevel = t.id === 'vermittlungen' ? [...t.cells.flat(), ...(t.columnTotals ?? [])] : t.id === 'neue-faelle' ? (t.rowTotals ?? []) : (t.columnTotals ?? []);
        expect({ k, table: t.id, suppressed: communeLevel.filter((v) => v === null).length }).toEqual({ k, table: t.id, suppressed: 0 });
        if (t.id !== 'ueberfaellig') expect({ k, table: t.id, shapes: communeLevel.some((v) => v !== null && v > 0) }).toEqual({ k, table: t.id, shapes: true });
        if (t.id !== 'vermittlungen') siteCellsSuppressed += t.cells.flat().filter((v) => v === null).length;
        expect({ table: t.id, leaks: recomputableCells(t) }).toEqual({ table: t.id, leaks: [] });
      }
    }
    expect(siteCellsSuppressed).toBeGreaterThan(0);
    const land = await get<Dash>('land.nrw', '/api/dashboards/land');
    // (Testdorf's few overdue items above would hide others' cells in the state's overdue table.)
    for (const t of land.tables.filter((x) => x.suppressible && x.id !== 'ueberfaellig')) {
      const rows = t.rows.map((r, i) => ({ r, i })).filter(({ r }) => r.key === 'duisburg' || r.key === 'mettmann');
      const cells = t.id === 'neue-faelle' ? t.cells.flatMap((row) => t.columns.map((c, j) => (c.key === K ? 0 : row[j]))) : rows.flatMap(({ i }) => t.cells[i]);
      expect({ table: t.id, suppressed: cells.filter((v) => v === null).length }).toEqual({ table: t.id, suppressed: 0 });
    }
  }, 240_000);
});
