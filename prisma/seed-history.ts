/**
 * Demo history for the dashboards: a year of anonymous case work in both demo communes, so every
 * chart shows real shapes on first start – cases opened each month at every site and in every
 * phase, needs in all life areas, Förderpläne with goals, referrals with partners' answers, case
 * conferences with agreements, naturalisation and residence procedures. Counts are large enough that
 * no cell is suppressed at commune level, while some site-level cells stay small (and are).
 *
 * Anonymous: clients carry only invented names and a pseudonym, no contact data; texts are generic.
 * Dates are relative to the day of seeding (the last twelve months). Idempotent per commune (its
 * history references "DU-V-…" / "ME-V-…"); bulk inserts. `scale` multiplies the volume (benchmarks).
 */
import crypto from 'node:crypto';
import type { Db } from '../server/db/prisma';
import { addMonths, currentMonth, monthStart } from '../server/dashboards/period';

type LifeArea = 'Aufenthalt' | 'Sprache' | 'Bildung' | 'Arbeit' | 'Wohnen' | 'Gesundheit' | 'FamilieKitaSchule' | 'Finanzen' | 'Sonstiges';
type Kind = 'CaseManagement' | 'Verweisberatung' | 'Kurzberatung' | 'Einbuergerung';

/** New cases per month and site at scale 1 (the sites of prisma/seed.ts). */
const PER_MONTH: Record<string, number> = { 'duisburg-nord': 22, 'duisburg-mitte': 15, 'duisburg-sued': 18, 'mettmann-ratingen': 24, 'mettmann-velbert': 15 };
const PREFIX: Record<string, string> = { duisburg: 'DU', mettmann: 'ME' };

const LIFE_AREA_WEIGHTS: Array<[LifeArea, number]> = [
  ['Arbeit', 22],
  ['Sprache', 20],
  ['Aufenthalt', 20],
  ['Wohnen', 12],
  ['FamilieKitaSchule', 10],
  ['Bildung', 8],
  ['Finanzen', 7],
  ['Gesundheit', 5],
  ['Sonstiges', 3],
];
const KIND_WEIGHTS: Array<[Kind, number]> = [
  ['CaseManagement', 55],
  ['Verweisberatung', 16],
  ['Kurzberatung', 14],
  ['Einbuergerung', 15],
];
const NEED_TEXT: Record<LifeArea, string> = {
  Aufenthalt: 'Aufenthaltsrechtliche Fragen klären',
  Sprache: 'Deutschkenntnisse für Alltag und Beruf verbessern',
  Bildung: 'Schul- oder Berufsabschluss nachholen bzw. anerkennen lassen',
  Arbeit: 'Zugang zu Arbeit oder Ausbildung finden',
  Wohnen: 'Angemessenen Wohnraum finden oder sichern',
  Gesundheit: 'Gesundheitliche Versorgung anbinden',
  FamilieKitaSchule: 'Kita- oder Schulplatz für Kinder sichern',
  Finanzen: 'Finanzielle Lage ordnen, Leistungen beantragen',
  Sonstiges: 'Sonstiges Anliegen klären',
};
const GOAL_TEXT: Record<LifeArea, string> = {
  Aufenthalt: 'Aufenthaltsstatus gesichert',
  Sprache: 'Sprachkurs abgeschlossen',
  Bildung: 'Abschluss anerkannt oder Bildungsangebot begonnen',
  Arbeit: 'Beschäftigung oder Ausbildung begonnen',
  Wohnen: 'Wohnung gefunden bzw. gesichert',
  Gesundheit: 'Behandlung begonnen',
  FamilieKitaSchule: 'Betreuungs- bzw. Schulplatz vorhanden',
  Finanzen: 'Leistungen bewilligt, Schulden geregelt',
  Sonstiges: 'Anliegen geklärt',
};
/** The life area a referral to a partner of this type usually serves. */
const PARTNER_AREA: Record<string, LifeArea> = {
  Jobcenter: 'Arbeit',
  AgenturFuerArbeit: 'Arbeit',
  Jugendamt: 'FamilieKitaSchule',
  Sozialamt: 'Finanzen',
  Auslaenderbehoerde: 'Aufenthalt',
  Einbuergerungsbehoerde: 'Aufenthalt',
  MBE: 'Sonstiges',
  JMD: 'Bildung',
  Sprachkurstraeger: 'Sprache',
  Schule: 'FamilieKitaSchule',
  Beratungsstelle: 'Finanzen',
  Sonstige: 'Sonstiges',
};
/** Days from first contact to the first goal of the Förderplan: share per range. */
const PLAN_DAYS: Array<[[number, number], number]> = [
  [[5, 14], 15],
  [[15, 30], 35],
  [[31, 60], 30],
  [[61, 90], 12],
  [[91, 150], 8],
];

const FIRST = ['Amal', 'Bogdan', 'Celine', 'Darius', 'Emine', 'Fares', 'Galyna', 'Hamid', 'Ilir', 'Jana', 'Karim', 'Leyla', 'Mihai', 'Nour', 'Oksana', 'Parwin', 'Rami', 'Samira', 'Taras', 'Yusuf'];
const LAST = ['Abbasi', 'Bondarenko', 'Cakir', 'Dogan', 'Ebrahimi', 'Fedorova', 'Georgiev', 'Hashemi', 'Ivanenko', 'Jaber', 'Kurt', 'Lazar', 'Mansour', 'Nikolic', 'Osmani', 'Popa', 'Qasemi', 'Radu', 'Sahin', 'Tkachenko'];

const DAY = 86_400_000;

/** mulberry32: a fixed sequence per commune, so the history has the same shape every time. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, weights: Array<[T, number]>): T => {
  const total = weights.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of weights) if ((x -= w) < 0) return v;
  return weights[weights.length - 1][0];
};
const dateOnly = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Bulk insert: every chunk is one statement with one JSON parameter, turned into rows by PostgreSQL
 * (columns named by the rows' keys; the others keep their defaults).
 */
async function insertRows(tx: Tx, table: string, rows: Array<Record<string, unknown>>, size = 5000) {
  if (!rows.length) return;
  const cols = Object.keys(rows[0])
    .map((c) => `"${c}"`)
    .join(', ');
  for (let i = 0; i < rows.length; i += size) {
    await tx.$executeRawUnsafe(`insert into "${table}" (${cols}) select ${cols} from json_populate_recordset(null::"${table}", $1::json)`, JSON.stringify(rows.slice(i, i + size)));
  }
}

export interface HistoryCommune {
  kommuneId: string;
  /** Reference prefix, e.g. "DU" → cases "DU-V-000001". */
  prefix: string;
  /** New cases per month and site (scale 1). */
  perMonth: Record<string, number>;
}

export const DEMO_COMMUNES: HistoryCommune[] = Object.entries(PREFIX).map(([kommuneId, prefix]) => ({
  kommuneId,
  prefix,
  perMonth: Object.fromEntries(Object.entries(PER_MONTH).filter(([site]) => site.startsWith(`${kommuneId}-`))),
}));

export interface HistoryOptions {
  /** Multiplies the number of cases (1 ≈ 1 000 cases over both demo communes). */
  scale?: number;
  now?: Date;
  /** Communes to seed (default: the demo communes); each needs its sites and partner organisations. */
  communes?: HistoryCommune[];
}

/** Seeds the history of every commune that has none yet; returns the number of cases added. */
export async function seedHistory(db: Db, opts: HistoryOptions = {}): Promise<{ cases: number }> {
  const now = opts.now ?? new Date();
  const scale = opts.scale ?? 1;
  let added = 0;
  for (const [n, c] of (opts.communes ?? DEMO_COMMUNES).entries()) {
    const prefix = `${c.prefix}-V-`;
    if (await db.case.findFirst({ where: { kommuneId: c.kommuneId, reference: { startsWith: prefix } }, select: { id: true } })) continue;
    const sites = Object.keys(c.perMonth).sort();
    const orgs = await db.organisation.findMany({ where: { kommuneId: c.kommuneId, active: true }, select: { id: true, type: true }, orderBy: { name: 'asc' } });
    if (!sites.length || !orgs.length) continue;
    const managers = new Map((await db.user.findMany({ where: { kommuneId: c.kommuneId, role: 'case_manager' }, select: { id: true, siteId: true } })).map((u) => [u.siteId, u.id]));
    added += await seedCommune(db, { kommuneId: c.kommuneId, prefix, perMonth: c.perMonth, sites, orgs, managers, now, scale, r: rng(1201 * (n + 1)) });
  }
  return { cases: added };
}

interface CommuneInput {
  kommuneId: string;
  prefix: string;
  perMonth: Record<string, number>;
  sites: string[];
  orgs: Array<{ id: string; type: string }>;
  managers: Map<string | null, string>;
  now: Date;
  scale: number;
  r: () => number;
}

async function seedCommune(db: Db, c: CommuneInput): Promise<number> {
  const { r, now, kommuneId } = c;
  const clients: Array<Record<string, unknown>> = [];
  const cases: Array<Record<string, unknown>> = [];
  const needs: Array<Record<string, unknown>> = [];
  const goals: Array<Record<string, unknown>> = [];
  const referrals: Array<Record<string, unknown>> = [];
  const conferences: Array<Record<string, unknown>> = [];
  const agreements: Array<Record<string, unknown>> = [];
  const naturalisations: Array<Record<string, unknown>> = [];
  const residence: Array<Record<string, unknown>> = [];
  // Partners in turn, so that every partner gets enough referrals to be reported.
  const partnerCycle = c.orgs;
  let partnerTurn = 0;
  const answers = new Map<string, number>();
  const cur = currentMonth(now);
  let seq = 0;
  const at = (t: number) => new Date(Math.min(t, now.getTime()));

  for (let age = 11; age >= 0; age--) {
    const ym = addMonths(cur, -age);
    const start = monthStart(ym).getTime();
    const end = Math.min(monthStart(addMonths(ym, 1)).getTime(), now.getTime() - 2 * 3600_000);
    const month = Number(ym.slice(5));
    // Slowly growing demand, fewer first contacts in the summer holidays and around Christmas.
    const season = month === 8 ? 0.75 : month === 12 ? 0.8 : 1;
    const trend = 0.8 + (0.4 * (11 - age)) / 11;
    for (const siteId of c.sites) {
      const n = Math.round(c.perMonth[siteId] * c.scale * season * trend * (0.85 + 0.3 * r()));
      for (let i = 0; i < n; i++) {
        seq++;
        const openedAt = new Date(start + r() * Math.max(end - start, 3600_000));
        if (openedAt.getTime() > now.getTime()) continue;
        const ageDays = (now.getTime() - openedAt.getTime()) / DAY;
        const kind = pick(r, KIND_WEIGHTS);
        const ref = String(seq).padStart(6, '0');
        const clientId = crypto.randomUUID();
        const caseId = crypto.randomUUID();
        clients.push({
          id: clientId,
          kommuneId,
          siteId,
          pseudonym: `V-${c.prefix.slice(0, -3)}-${ref}`,
          firstName: FIRST[Math.floor(r() * FIRST.length)],
          lastName: LAST[Math.floor(r() * LAST.length)],
          languages: [],
          createdAt: openedAt,
          updatedAt: openedAt,
        });
        // Timeline in days after the first contact.
        const cm = kind === 'CaseManagement' || kind === 'Einbuergerung';
        const [lo, hi] = pick(r, PLAN_DAYS);
        const t2 = lo + r() * (hi - lo);
        const t1 = cm ? Math.min(t2 - 2, 2 + r() * 12) : 1 + r() * 3;
        const t3 = t2 + 7 + r() * 14;
        const t4 = cm ? t3 + 60 + r() * 160 : kind === 'Kurzberatung' ? 2 + r() * 10 : t1 + 20 + r() * 30;
        const tc = t4 + (cm ? 3 + r() * 20 : 0);
        const closed = tc < ageDays;
        const phase = closed || t4 < ageDays ? 'Abschluss' : !cm ? (t1 < ageDays ? 'Clearing' : 'Zugang') : t3 < ageDays ? 'Umsetzung' : t2 < ageDays ? 'Foerderplanung' : t1 < ageDays ? 'Clearing' : 'Zugang';
        const closedAt = closed ? at(openedAt.getTime() + tc * DAY) : null;
        const goalsReached = closed && cm ? pick(r, [['ja', 55], ['teilweise', 30], ['nein', 15]] as Array<[string, number]>) : null;
        cases.push({
          id: caseId,
          reference: `${c.prefix}${ref}`,
          clientId,
          kommuneId,
          siteId,
          phase,
          kindOfHelp: kind,
          caseManagerId: c.managers.get(siteId) ?? null,
          openedAt,
          closedAt,
          goalsReached,
          deletionDate: closedAt ? new Date(Date.UTC(closedAt.getUTCFullYear() + 3, closedAt.getUTCMonth(), closedAt.getUTCDate())) : null,
          createdAt: openedAt,
          updatedAt: closedAt ?? openedAt,
        });
        // Needs: named in the first contact or found in the clearing.
        const areas = new Set<LifeArea>();
        if (kind === 'Einbuergerung') areas.add('Aufenthalt');
        const wanted = cm ? 2 + (r() < 0.4 ? 1 : 0) : 1;
        while (areas.size < wanted) areas.add(pick(r, LIFE_AREA_WEIGHTS));
        const needAt = at(openedAt.getTime() + (cm ? Math.min(t1, ageDays) : 0) * DAY);
        for (const area of areas) {
          const needId = crypto.randomUUID();
          needs.push({ id: needId, caseId, lifeArea: area, description: NEED_TEXT[area], createdAt: needAt, updatedAt: needAt });
          if (cm && t2 < ageDays) {
            const goalAt = new Date(openedAt.getTime() + t2 * DAY);
            const reached = goalsReached === 'ja' || (goalsReached === 'teilweise' && r() < 0.5);
            goals.push({
              id: crypto.randomUUID(),
              caseId,
              needId,
              lifeArea: area,
              description: GOAL_TEXT[area],
              dueDate: dateOnly(new Date(goalAt.getTime() + 120 * DAY)),
              status: closed ? (reached ? 'erreicht' : 'nicht_erreicht') : phase === 'Umsetzung' || phase === 'Abschluss' ? 'laufend' : 'offen',
              resultDate: closedAt ? dateOnly(closedAt) : null,
              createdAt: goalAt,
              updatedAt: closedAt ?? goalAt,
            });
          }
        }
        // Referrals: from the Förderplan's implementation, or the one referral of a Verweisberatung.
        const refCount = cm ? (t3 < ageDays ? 1 + (r() < 0.45 ? 1 : 0) : 0) : kind === 'Verweisberatung' && t1 + 1 < ageDays ? 1 : 0;
        for (let k = 0; k < refCount; k++) {
          const org = partnerCycle[partnerTurn++ % partnerCycle.length];
          const sentAt = new Date(openedAt.getTime() + ((cm ? t3 : t1 + 1) + k * 7 + r() * 10) * DAY);
          if (sentAt > now) continue;
          const waited = (now.getTime() - sentAt.getTime()) / DAY;
          // Per partner a fixed mix of the answers given: 6 of 10 accepted, 2 declined, 2 never answered.
          const turn = waited < 10 ? -1 : (answers.get(org.id) ?? 0) % 10;
          if (turn >= 0) answers.set(org.id, turn + 1);
          const answer = turn < 0 || turn >= 8 ? 'offen' : turn < 6 ? 'angenommen' : 'abgelehnt';
          const answeredAt = answer === 'offen' ? null : new Date(sentAt.getTime() + (3 + r() * 7) * DAY);
          referrals.push({
            id: crypto.randomUUID(),
            caseId,
            organisationId: org.id,
            lifeArea: PARTNER_AREA[org.type] ?? 'Sonstiges',
            purpose: `Vermittlung: ${NEED_TEXT[PARTNER_AREA[org.type] ?? 'Sonstiges']}`,
            withData: false,
            status: answer === 'offen' ? 'gesendet' : answer === 'abgelehnt' ? 'abgelehnt' : closed ? 'abgeschlossen' : 'angenommen',
            dueDate: dateOnly(new Date(sentAt.getTime() + 21 * DAY)),
            sentAt,
            answeredAt,
            createdAt: sentAt,
            updatedAt: answeredAt ?? sentAt,
          });
        }
        // A case conference for about every fifth case in implementation.
        if (cm && t3 + 20 < ageDays && r() < 0.22) {
          const conferenceId = crypto.randomUUID();
          const scheduledAt = new Date(openedAt.getTime() + (t3 + 20) * DAY);
          scheduledAt.setUTCHours(8, 0, 0, 0);
          const held = scheduledAt < now;
          conferences.push({
            id: conferenceId,
            caseId,
            title: 'Fallkonferenz',
            scheduledAt,
            status: held ? 'durchgefuehrt' : 'eingeladen',
            recordedAt: held ? new Date(scheduledAt.getTime() + DAY) : null,
            createdAt: new Date(scheduledAt.getTime() - 14 * DAY),
            updatedAt: scheduledAt,
          });
          if (held) {
            for (let k = 0; k < 1 + (r() < 0.5 ? 1 : 0); k++) {
              const due = new Date(scheduledAt.getTime() + (21 + r() * 30) * DAY);
              const done = closed || r() < 0.55;
              agreements.push({
                id: crypto.randomUUID(),
                conferenceId,
                organisationId: partnerCycle[(partnerTurn + k) % partnerCycle.length].id,
                description: 'Vereinbarung aus der Fallkonferenz',
                dueDate: dateOnly(due),
                status: done ? 'erledigt' : 'offen',
                doneAt: done ? at(due.getTime() - 3 * DAY) : null,
                position: k + 1,
              });
            }
          }
        }
        // Baustein 3: the naturalisation of an Einbürgerung case, a residence path for some others.
        if (kind === 'Einbuergerung' && t1 < ageDays) {
          const createdAt = new Date(openedAt.getTime() + t1 * DAY);
          const handedOverAt = t3 + 30 < ageDays ? new Date(openedAt.getTime() + (t3 + 30) * DAY) : null;
          const decided = handedOverAt && t3 + 150 < ageDays ? new Date(openedAt.getTime() + (t3 + 150) * DAY) : null;
          naturalisations.push({
            id: crypto.randomUUID(),
            caseId,
            kommuneId,
            status: decided ? 'entschieden' : handedOverAt ? 'ebh_pruefung' : 'vorbereitung',
            eligible: true,
            handedOverAt,
            decision: decided ? (r() < 0.85 ? 'eingebuergert' : 'abgelehnt') : null,
            decisionDate: decided ? dateOnly(decided) : null,
            createdAt,
            updatedAt: decided ?? handedOverAt ?? createdAt,
          });
        } else if (kind === 'CaseManagement' && areas.has('Aufenthalt') && t2 < ageDays && r() < 0.9) {
          const createdAt = new Date(openedAt.getTime() + t2 * DAY);
          const submittedAt = t2 + 70 < ageDays ? new Date(openedAt.getTime() + (t2 + 70) * DAY) : null;
          const decided = submittedAt && t2 + 160 < ageDays ? new Date(openedAt.getTime() + (t2 + 160) * DAY) : null;
          residence.push({
            id: crypto.randomUUID(),
            caseId,
            kommuneId,
            status: decided ? 'entschieden' : submittedAt ? 'antrag_gestellt' : 'vorbereitung',
            residenceStatus: 'DULDUNG',
            applicationFor: r() < 0.45 ? '25a' : '25b',
            submittedAt,
            decision: decided ? (r() < 0.75 ? 'erteilt' : 'abgelehnt') : null,
            decisionDate: decided ? dateOnly(decided) : null,
            createdAt,
            updatedAt: decided ?? submittedAt ?? createdAt,
          });
        }
      }
    }
  }
  // Bulk inserts, parents first; one transaction, so a failed run leaves no half history behind.
  await db.$transaction(
    async (tx) => {
      await insertRows(tx, 'Client', clients);
      await insertRows(tx, 'Case', cases);
      await insertRows(tx, 'Need', needs);
      await insertRows(tx, 'Goal', goals);
      await insertRows(tx, 'Referral', referrals);
      await insertRows(tx, 'Conference', conferences);
      await insertRows(tx, 'Agreement', agreements);
      await insertRows(tx, 'Naturalisation', naturalisations);
      await insertRows(tx, 'ResidencePath', residence);
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
  return cases.length;
}
