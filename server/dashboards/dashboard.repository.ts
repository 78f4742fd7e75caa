/**
 * The aggregations behind the dashboards and exports: one GROUP BY statement per indicator, run in
 * PostgreSQL, each returning (unit, category, count) – never a person, case or client id. The unit
 * is the site (commune view) or the commune (state view); for referrals in the commune view it is
 * the partner organisation. Nothing here decides who may see what (dashboard.service.ts does).
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';
import { todayInBerlin } from '../util/quick-check';
import type { IndicatorId } from './indicators';
import { addMonths, monthsOf, monthStart } from './period';

export interface AggregateScope {
  view: 'kommune' | 'land';
  /** Commune view: the commune (required). */
  kommuneId?: string;
  /** Commune view: only this site. */
  siteId?: string;
  /** Period as UTC instants [from, to): starts of months in Europe/Berlin. */
  from: Date;
  to: Date;
  now: Date;
  /** Today in Europe/Berlin, YYYY-MM-DD (due dates are calendar days). */
  today: string;
  /** The period's months ("YYYY-MM") and the instants they begin (ISO), for grouping by month. */
  months: string[];
  monthStarts: string[];
}

/** The scope of a report over whole months `from`..`to` ("YYYY-MM"). */
export function aggregateScope(a: { view: 'kommune' | 'land'; kommuneId?: string; siteId?: string; from: string; to: string; now: Date }): AggregateScope {
  const months = monthsOf(a.from, a.to);
  return {
    view: a.view,
    kommuneId: a.kommuneId,
    siteId: a.siteId,
    from: monthStart(a.from),
    to: monthStart(addMonths(a.to, 1)),
    now: a.now,
    today: todayInBerlin(a.now),
    months,
    monthStarts: months.map((m) => monthStart(m).toISOString()),
  };
}

export interface CountRow {
  unit: string;
  cat: string;
  n: number;
}

/** Indicators that count cases only: computed together in one scan (see caseScan). */
const CASE_SCAN: readonly IndicatorId[] = ['offene-faelle', 'neue-faelle', 'hilfeart', 'zielerreichung'];
/** Rough relative cost of the other statements over many cases (for spreading them over connections). */
const COST: Partial<Record<IndicatorId, number>> = { lebensbereiche: 2, vermittlungen: 2, 'dauer-foerderplan': 2, ueberfaellig: 1, baustein3: 0.5, 'steuerung-themen': 0.1, 'steuerung-massnahmen': 0.1 };

/** States of a measure that count as done (an overdue measure is one not done after its target date). */
export const MEASURE_DONE_STATES = ['umgesetzt', 'zurueckgewiesen'];

/** Task.caseId is text (no foreign key); only a UUID can be a case's id (and use its index). */
const UUID_TEXT = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';


export class DashboardRepository {
  constructor(private readonly db: Db) {}

  /** Unit of a case row: its site (commune view) or commune (state view). */
  private unit(s: AggregateScope, alias = 'c'): Prisma.Sql {
    return s.view === 'land' ? Prisma.raw(`${alias}."kommuneId"`) : Prisma.raw(`${alias}."siteId"`);
  }

  /** Rows of "Case" c in the scope. */
  private cases(s: AggregateScope): Prisma.Sql {
    if (s.view === 'land') return Prisma.sql`true`;
    const w = [Prisma.sql`c."kommuneId" = ${s.kommuneId}`];
    if (s.siteId) w.push(Prisma.sql`c."siteId" = ${s.siteId}`);
    return Prisma.join(w, ' and ');
  }

  private period(col: Prisma.Sql, s: AggregateScope): Prisma.Sql {
    return Prisma.sql`${col} >= ${s.from} and ${col} < ${s.to}`;
  }

  /** The statement of one indicator (also timed on its own by the benchmark). */
  statement(id: IndicatorId, s: AggregateScope): Prisma.Sql {
    const unit = this.unit(s);
    const where = this.cases(s);
    switch (id) {
      case 'offene-faelle':
        return Prisma.sql`select ${unit} as unit, c."phase"::text as cat, count(*)::int as n
          from "Case" c where ${where} and c."closedAt" is null group by 1, 2`;
      case 'neue-faelle':
        // The month by the period's month starts (binary search; no time zone arithmetic per row).
        return Prisma.sql`select ${unit} as unit, (${s.months}::text[])[width_bucket(c."openedAt", ${s.monthStarts}::timestamp[])] as cat, count(*)::int as n
          from "Case" c where ${where} and ${this.period(Prisma.sql`c."openedAt"`, s)} group by 1, 2`;
      case 'hilfeart':
        return Prisma.sql`select ${unit} as unit, c."kindOfHelp"::text as cat, count(*)::int as n
          from "Case" c where ${where} and ${this.period(Prisma.sql`c."openedAt"`, s)} group by 1, 2`;
      case 'lebensbereiche':
        return Prisma.sql`select ${unit} as unit, n."lifeArea"::text as cat, count(*)::int as n
          from "Case" c join "Need" n on n."caseId" = c."id"
          where ${where} and ${this.period(Prisma.sql`c."openedAt"`, s)} group by 1, 2`;
      case 'vermittlungen': {
        // Partners are organisations (no persons): the commune view names them.
        const u = s.view === 'land' ? unit : Prisma.sql`o."name"`;
        return Prisma.sql`select ${u} as unit,
            case when r."status" in ('angenommen', 'abgeschlossen') then 'angenommen' when r."status" = 'abgelehnt' then 'abgelehnt'
                 when r."status" = 'abgebrochen' then 'abgebrochen' else 'offen' end as cat,
            count(*)::int as n
          from "Referral" r join "Case" c on c."id" = r."caseId" ${s.view === 'land' ? Prisma.empty : Prisma.sql`join "Organisation" o on o."id" = r."organisationId"`}
          where ${where} and ${this.period(Prisma.sql`r."sentAt"`, s)} group by 1, 2`;
      }
      case 'dauer-foerderplan': {
        // The first goal of each case: looked up per case for one commune (few cases, by index),
        // aggregated once over all goals for the state's view (most cases).
        const first =
          s.view === 'land'
            ? Prisma.sql`left join (select g."caseId", min(g."createdAt") as first from "Goal" g group by 1) g on g."caseId" = c."id"`
            : Prisma.sql`left join lateral (select min(g."createdAt") as first from "Goal" g where g."caseId" = c."id") g on true`;
        return Prisma.sql`select ${unit} as unit,
            case when g.first is null then 'ohne'
                 when g.first - c."openedAt" <= interval '14 days' then 'b14'
                 when g.first - c."openedAt" <= interval '30 days' then 'b30'
                 when g.first - c."openedAt" <= interval '60 days' then 'b60'
                 when g.first - c."openedAt" <= interval '90 days' then 'b90'
                 else 'ueber90' end as cat,
            count(*)::int as n
          from "Case" c ${first}
          where ${where} and c."kindOfHelp" = 'CaseManagement' and ${this.period(Prisma.sql`c."openedAt"`, s)} group by 1, 2`;
      }
      case 'zielerreichung':
        return Prisma.sql`select ${unit} as unit, c."goalsReached" as cat, count(*)::int as n
          from "Case" c where ${where} and c."kindOfHelp" = 'CaseManagement' and c."goalsReached" in ('ja', 'teilweise', 'nein')
            and ${this.period(Prisma.sql`c."closedAt"`, s)} group by 1, 2`;
      case 'ueberfaellig': {
        // Inbox tasks without a case (e.g. the coordination's steering steps) count for the commune.
        const taskUnit = s.view === 'land' ? Prisma.sql`t."kommuneId"` : Prisma.sql`coalesce(c."siteId", '')`;
        const taskWhere =
          s.view === 'land'
            ? Prisma.sql`t."kommuneId" is not null`
            : s.siteId
              ? Prisma.sql`t."kommuneId" = ${s.kommuneId} and c."siteId" = ${s.siteId}`
              : Prisma.sql`t."kommuneId" = ${s.kommuneId}`;
        return Prisma.sql`
          select ${taskUnit} as unit, 'aufgaben' as cat, count(*)::int as n
            from "Task" t left join "Case" c on c."id" = case when t."caseId" ~* ${UUID_TEXT} then t."caseId"::uuid end
            where t."state" = 'CREATED' and t."dueDate" < ${s.now} and ${taskWhere} group by 1
          union all
          select ${unit}, 'vereinbarungen', count(*)::int
            from "Agreement" a join "Conference" f on f."id" = a."conferenceId" join "Case" c on c."id" = f."caseId"
            where ${where} and a."status" <> 'erledigt' and a."dueDate" < ${s.today}::date group by 1
          union all
          select ${unit}, 'vermittlungen', count(*)::int
            from "Referral" r join "Case" c on c."id" = r."caseId"
            where ${where} and r."status" in ('angelegt', 'gesendet') and r."sentAt" is not null and r."dueDate" < ${s.today}::date group by 1`;
      }
      case 'baustein3': {
        // The procedures carry their commune: the state's view needs no case; a site does.
        const from = (table: string, alias: string) =>
          s.view === 'land' ? Prisma.sql`${Prisma.raw(`"${table}" ${alias}`)}` : Prisma.sql`${Prisma.raw(`"${table}" ${alias}`)} join "Case" c on c."id" = ${Prisma.raw(`${alias}."caseId"`)}`;
        const u = (alias: string) => (s.view === 'land' ? Prisma.raw(`${alias}."kommuneId"`) : unit);
        return Prisma.sql`
          select ${u('n')} as unit,
              case when n."decision" is not null then 'eb_entschieden' when n."handedOverAt" is not null then 'eb_behoerde' else 'eb_vorbereitung' end as cat,
              count(*)::int as n
            from ${from('Naturalisation', 'n')}
            where ${where} and ${this.period(Prisma.sql`n."createdAt"`, s)} group by 1, 2
          union all
          select ${u('p')},
              case when p."decision" is not null and p."applicationFor" in ('25a', '25b') then 'br_entschieden_' || p."applicationFor"
                when p."submittedAt" is not null and p."applicationFor" in ('25a', '25b') then 'br_beantragt_' || p."applicationFor"
                when p."decision" is not null then 'br_entschieden' when p."submittedAt" is not null then 'br_beantragt' else 'br_vorbereitung' end,
              count(*)::int
            from ${from('ResidencePath', 'p')}
            where ${where} and ${this.period(Prisma.sql`p."createdAt"`, s)} group by 1, 2`;
      }
      case 'steuerung-themen':
        return Prisma.sql`select t."kommuneId" as unit, t."state"::text as cat, count(*)::int as n
          from "SteeringTheme" t where ${s.view === 'land' ? Prisma.sql`true` : Prisma.sql`t."kommuneId" = ${s.kommuneId}`} group by 1, 2`;
      case 'steuerung-massnahmen':
        return Prisma.sql`select m."kommuneId" as unit,
            case when m."targetDate" < ${s.today}::date and not (m."state"::text = any(${MEASURE_DONE_STATES}::text[])) then 'ueberfaellig' else m."state"::text end as cat,
            count(*)::int as n
          from "SteeringMeasure" m where ${s.view === 'land' ? Prisma.sql`true` : Prisma.sql`m."kommuneId" = ${s.kommuneId}`} group by 1, 2`;
    }
  }

  /**
   * Yearly figures of the Sachbericht / Verwendungsnachweis that count persons (Baustein 2 and 3),
   * per commune: unit = commune, cat = figure. `fromDay`/`toDay` bound DATE columns ([from, to)).
   */
  sachberichtStatement(s: AggregateScope & { fromDay: string; toDay: string }): Prisma.Sql {
    const k = s.view === 'land' ? Prisma.sql`true` : Prisma.sql`c."kommuneId" = ${s.kommuneId}`;
    const opened = this.period(Prisma.sql`c."openedAt"`, s);
    const day = (col: Prisma.Sql) => Prisma.sql`${col} >= ${s.fromDay}::date and ${col} < ${s.toDay}::date`;
    return Prisma.sql`
      select c."kommuneId" as unit, 'faelle_neu' as cat, count(*)::int as n from "Case" c where ${k} and ${opened} group by 1
      union all select c."kommuneId", 'faelle_cm', count(*)::int from "Case" c where ${k} and ${opened} and c."kindOfHelp" = 'CaseManagement' group by 1
      union all select c."kommuneId", 'faelle_abgeschlossen', count(*)::int from "Case" c where ${k} and ${this.period(Prisma.sql`c."closedAt"`, s)} group by 1
      union all select c."kommuneId", 'faelle_offen', count(*)::int from "Case" c where ${k} and c."openedAt" < ${s.to} and (c."closedAt" is null or c."closedAt" >= ${s.to}) group by 1
      union all select c."kommuneId", 'vermittlungen', count(*)::int from "Referral" r join "Case" c on c."id" = r."caseId" where ${k} and ${this.period(Prisma.sql`r."sentAt"`, s)} group by 1
      union all select c."kommuneId", 'fallkonferenzen', count(*)::int from "Conference" f join "Case" c on c."id" = f."caseId"
        where ${k} and f."status" = 'durchgefuehrt' and ${this.period(Prisma.sql`coalesce(f."recordedAt", f."scheduledAt")`, s)} group by 1
      union all select c."kommuneId", 'eb_begonnen', count(*)::int from "Naturalisation" x join "Case" c on c."id" = x."caseId" where ${k} and ${this.period(Prisma.sql`x."createdAt"`, s)} group by 1
      union all select c."kommuneId", 'eb_uebergeben', count(*)::int from "Naturalisation" x join "Case" c on c."id" = x."caseId" where ${k} and ${this.period(Prisma.sql`x."handedOverAt"`, s)} group by 1
      union all select c."kommuneId", 'eb_eingebuergert', count(*)::int from "Naturalisation" x join "Case" c on c."id" = x."caseId"
        where ${k} and x."decision" = 'eingebuergert' and ${day(Prisma.sql`x."decisionDate"`)} group by 1
      union all select c."kommuneId", 'br_begonnen', count(*)::int from "ResidencePath" x join "Case" c on c."id" = x."caseId" where ${k} and ${this.period(Prisma.sql`x."createdAt"`, s)} group by 1
      union all select c."kommuneId", 'br_beantragt_' || x."applicationFor", count(*)::int from "ResidencePath" x join "Case" c on c."id" = x."caseId"
        where ${k} and x."applicationFor" in ('25a', '25b') and ${this.period(Prisma.sql`x."submittedAt"`, s)} group by 1, 2
      union all select c."kommuneId", 'br_' || x."decision" || '_' || x."applicationFor", count(*)::int from "ResidencePath" x join "Case" c on c."id" = x."caseId"
        where ${k} and x."decision" in ('erteilt', 'abgelehnt') and x."applicationFor" in ('25a', '25b') and ${day(Prisma.sql`x."decisionDate"`)} group by 1, 2`;
  }

  /** Baustein 1 figures of the Sachbericht (no persons): gaps, themes, measures, steering group meetings. */
  steeringStatement(s: AggregateScope): Prisma.Sql {
    const k = (alias: string) => (s.view === 'land' ? Prisma.sql`true` : Prisma.sql`${Prisma.raw(alias)}."kommuneId" = ${s.kommuneId}`);
    const p = (col: string) => this.period(Prisma.raw(col), s);
    return Prisma.sql`
      select g."kommuneId" as unit, 'luecken' as cat, count(*)::int as n from "SystemGap" g where ${k('g')} and ${p('g."createdAt"')} group by 1
      union all select t."kommuneId", 'themen', count(*)::int from "SteeringTheme" t where ${k('t')} and ${p('t."createdAt"')} group by 1
      union all select t."kommuneId", 'themen_geschlossen', count(*)::int from "SteeringTheme" t where ${k('t')} and ${p('t."closedAt"')} group by 1
      union all select m."kommuneId", 'massnahmen_freigegeben', count(*)::int from "SteeringMeasure" m where ${k('m')} and ${p('m."approvedAt"')} group by 1
      union all select m."kommuneId", 'massnahmen_umgesetzt', count(*)::int from "SteeringMeasure" m where ${k('m')} and ${p('m."doneAt"')} group by 1
      union all select x."kommuneId", 'sitzungen', count(*)::int from "SteeringMeeting" x where ${k('x')} and x."status" = 'durchgefuehrt' and ${p('x."date"')} group by 1`;
  }

  /** Staff posts (VZÄ) of the communes (all when kommuneId is undefined) in a year. */
  staffPosts(year: number, kommuneId?: string) {
    return this.db.staffPost.findMany({ where: { year, ...(kommuneId ? { kommuneId } : {}) }, orderBy: [{ kommuneId: 'asc' }, { baustein: 'asc' }] });
  }

  /** Sets a commune's staff posts of a year (one row per Baustein). */
  async saveStaffPosts(kommuneId: string, year: number, posts: Array<{ baustein: number; fte: number }>, username: string): Promise<void> {
    await this.db.$transaction(
      posts.map((p) =>
        this.db.staffPost.upsert({
          where: { kommuneId_year_baustein: { kommuneId, year, baustein: p.baustein } },
          create: { kommuneId, year, baustein: p.baustein, fte: p.fte, updatedBy: username },
          update: { fte: p.fte, updatedBy: username },
        }),
      ),
    );
  }

  /**
   * Runs aggregations without JIT compilation and without parallel workers: over many cases the
   * planner's estimates cross the JIT threshold, and compiling costs more than these aggregations
   * take; and a report already runs several statements side by side (dashboard.service.ts), so
   * extra worker processes only compete with them for the cores.
   */
  async rows(sql: Prisma.Sql): Promise<CountRow[]> {
    return (await this.batch([sql])) as CountRow[];
  }

  private async batch(statements: Prisma.Sql[]): Promise<Array<CountRow & { ind?: string }>> {
    // A batch runs as one transaction: its time limit covers all its statements (Prisma's default of
    // 5 s is for short writes); a statement itself stops after 60 s.
    const results = await this.db.$transaction(
      [
        this.db.$executeRawUnsafe('set local jit = off'),
        this.db.$executeRawUnsafe('set local max_parallel_workers_per_gather = 0'),
        this.db.$executeRawUnsafe("set local statement_timeout = '60s'"),
        ...statements.map((q) => this.db.$queryRaw<Array<CountRow & { ind?: string }>>(q)),
      ],
      { maxWait: 30_000, timeout: 120_000 },
    );
    return results.slice(3).flat() as Array<CountRow & { ind?: string }>;
  }

  /** The session settings {@link rows} runs with (for a plain pg pool, e.g. the benchmark's). */
  static readonly SETTINGS = '-c jit=off -c max_parallel_workers_per_gather=0';

  /**
   * One scan of "Case" for the indicators that count cases only (open by phase, new per month, kind
   * of help, goal attainment): each case gives at most one category per indicator.
   */
  caseScan(ids: IndicatorId[], s: AggregateScope): Prisma.Sql {
    const opened = this.period(Prisma.sql`c."openedAt"`, s);
    const closed = this.period(Prisma.sql`c."closedAt"`, s);
    // One hash aggregation per grouping set; the set's own column is null where the case does not
    // count for that indicator (those groups are dropped).
    return Prisma.sql`select ind, unit, cat, n from (
        select x.unit,
          case grouping(x.open_phase, x.new_month, x.kind, x.goals)
            when 7 then 'offene-faelle' when 11 then 'neue-faelle' when 13 then 'hilfeart' else 'zielerreichung' end as ind,
          coalesce(x.open_phase, x.new_month, x.kind, x.goals) as cat,
          count(*)::int as n
        from (
          select ${this.unit(s)} as unit,
            case when c."closedAt" is null then c."phase"::text end as open_phase,
            case when ${opened} then (${s.months}::text[])[width_bucket(c."openedAt", ${s.monthStarts}::timestamp[])] end as new_month,
            case when ${opened} then c."kindOfHelp"::text end as kind,
            case when ${closed} and c."kindOfHelp" = 'CaseManagement' and c."goalsReached" in ('ja', 'teilweise', 'nein') then c."goalsReached" end as goals
          from "Case" c where ${this.cases(s)} and (c."closedAt" is null or ${opened} or ${closed})
        ) x
        group by grouping sets ((x.unit, x.open_phase), (x.unit, x.new_month), (x.unit, x.kind), (x.unit, x.goals))
      ) g
      where cat is not null and ind = any(${ids}::text[])`;
  }

  /** Every statement of a report, each returning (ind, unit, cat, n), with its rough relative cost. */
  statements(ids: IndicatorId[], s: AggregateScope): Array<{ sql: Prisma.Sql; cost: number }> {
    const scanned = ids.filter((id) => CASE_SCAN.includes(id));
    return [
      ...(scanned.length ? [{ sql: this.caseScan(scanned, s), cost: 4 }] : []),
      ...ids
        .filter((id) => !CASE_SCAN.includes(id))
        .map((id) => ({ sql: Prisma.sql`select ${id}::text as ind, x.unit, x.cat, x.n from (${this.statement(id, s)}) x`, cost: COST[id] ?? 1 })),
    ];
  }

  /** The statements in `lanes` batches of about equal cost (largest first into the lightest batch). */
  batches(ids: IndicatorId[], s: AggregateScope, lanes: number): Prisma.Sql[][] {
    const out = Array.from({ length: lanes }, () => ({ cost: 0, sql: [] as Prisma.Sql[] }));
    for (const st of this.statements(ids, s).sort((a, b) => b.cost - a.cost)) {
      const lightest = out.reduce((m, b) => (b.cost < m.cost ? b : m));
      lightest.cost += st.cost;
      lightest.sql.push(st.sql);
    }
    return out.map((b) => b.sql).filter((b) => b.length);
  }

  /**
   * The counts of a report's indicators: its statements in `lanes` batches that run side by side,
   * each batch one transaction on one connection (fewer round trips; the other connections of the
   * pool stay free for other requests).
   */
  async countsAll(ids: IndicatorId[], s: AggregateScope, lanes: number): Promise<Map<IndicatorId, CountRow[]>> {
    const results = await Promise.all(this.batches(ids, s, lanes).map((b) => this.batch(b)));
    const out = new Map<IndicatorId, CountRow[]>(ids.map((id) => [id, []]));
    for (const r of results.flat()) out.get(r.ind as IndicatorId)?.push({ unit: r.unit, cat: r.cat, n: r.n });
    return out;
  }

  async counts(id: IndicatorId, s: AggregateScope): Promise<CountRow[]> {
    return (await this.countsAll([id], s, 1)).get(id) ?? [];
  }

  /** The units of the view: the commune's sites (or the one site), or every commune. */
  async units(s: AggregateScope): Promise<Array<{ key: string; label: string }>> {
    if (s.view === 'land') return (await this.db.kommune.findMany({ orderBy: { name: 'asc' }, select: { id: true, name: true } })).map((k) => ({ key: k.id, label: k.name }));
    const sites = await this.db.site.findMany({ where: { kommuneId: s.kommuneId, ...(s.siteId ? { id: s.siteId } : {}) }, orderBy: { name: 'asc' }, select: { id: true, name: true } });
    return sites.map((x) => ({ key: x.id, label: x.name }));
  }

  kommune(id: string) {
    return this.db.kommune.findUnique({ where: { id }, select: { id: true, name: true } });
  }

  site(id: string) {
    return this.db.site.findUnique({ where: { id }, select: { id: true, kommuneId: true, name: true } });
  }
}
