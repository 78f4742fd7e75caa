/**
 * The commune dashboard (coordination: its commune, per site), the state's dashboard (land: every
 * commune and NRW) and the Sachbericht figures. Aggregation happens in PostgreSQL
 * (dashboard.repository.ts); here: who sees which scope, the period, and the tables with their
 * suppression (tables.ts). Also the staff posts (VZÄ) per Baustein the Sachbericht needs.
 */
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/policy';
import { badRequest, forbidden } from '../errors';
import { MIN_COUNT, SUPPRESSED_LABEL } from '../reporting/suppression';
import { aggregateScope, type AggregateScope, type DashboardRepository } from './dashboard.repository';
import { INDICATOR_IDS, IndicatorId } from './indicators';
import { defaultPeriod, monthsOf, addMonths, periodLabel } from './period';
import { assertCanKeepStaffPosts, assertLand, reportScope, ReportScope } from './policy';
import type { Dashboard, Labelled, ReportTable } from './dashboard.types';
import { finishTable, indicatorTable, TableContext } from './tables';

export type { Dashboard } from './dashboard.types';

export interface PeriodQuery {
  from?: string;
  to?: string;
}


export const SACHBERICHT_PERSON_FIGURES: Record<string, string> = {
  faelle_neu: 'Baustein 2: neue Fälle (alle Arten der Hilfe)',
  faelle_cm: 'Baustein 2: davon Case Management',
  faelle_abgeschlossen: 'Baustein 2: abgeschlossene Fälle',
  faelle_offen: 'Baustein 2: offene Fälle am Ende des Zeitraums',
  vermittlungen: 'Baustein 2: Vermittlungen',
  fallkonferenzen: 'Baustein 2: durchgeführte Fallkonferenzen',
  eb_begonnen: 'Baustein 3: begonnene Einbürgerungsvorbereitungen',
  eb_uebergeben: 'Baustein 3: an die Einbürgerungsbehörde übergeben',
  eb_eingebuergert: 'Baustein 3: Einbürgerungen',
  br_begonnen: 'Baustein 3: begonnene Bleiberechtsverfahren',
  br_beantragt_25a: 'Baustein 3: Anträge nach § 25a AufenthG bei der Ausländerbehörde',
  br_beantragt_25b: 'Baustein 3: Anträge nach § 25b AufenthG bei der Ausländerbehörde',
  br_erteilt_25a: 'Baustein 3: Aufenthaltserlaubnisse nach § 25a AufenthG erteilt',
  br_erteilt_25b: 'Baustein 3: Aufenthaltserlaubnisse nach § 25b AufenthG erteilt',
  br_abgelehnt_25a: 'Baustein 3: Anträge nach § 25a AufenthG abgelehnt',
  br_abgelehnt_25b: 'Baustein 3: Anträge nach § 25b AufenthG abgelehnt',
};
export const SACHBERICHT_STEERING_FIGURES: Record<string, string> = {
  luecken: 'Baustein 1: gemeldete Systemlücken',
  themen: 'Baustein 1: neue Themen der Steuerung',
  themen_geschlossen: 'Baustein 1: geschlossene Themen',
  massnahmen_freigegeben: 'Baustein 1: von der Lenkungsgruppe freigegebene Maßnahmen',
  massnahmen_umgesetzt: 'Baustein 1: umgesetzte Maßnahmen',
  sitzungen: 'Baustein 1: Sitzungen der Lenkungsgruppe',
};
export const BAUSTEIN_DE: Record<number, string> = {
  1: 'Baustein 1: Strategische Steuerung und Koordination',
  2: 'Baustein 2: Case Management',
  3: 'Baustein 3: Ausländer- und Einbürgerungsbehörde',
};

/**
 * Statements of one report run side by side, but never on every connection of the pool: other
 * requests (the inbox) keep getting theirs while a large report is computed.
 */
export const QUERY_CONCURRENCY = 3;

/** A resolved scope of one report: who it covers and for which months. */
export interface ResolvedScope {
  scope: ReportScope;
  siteId?: string;
  from: string;
  to: string;
}

export class DashboardService {
  constructor(
    private readonly repo: DashboardRepository,
    private readonly audit: AuditService,
  ) {}

  /** Checks and fills in the period: whole months, "von" not after "bis", at most 10 years. */
  period(q: PeriodQuery, now = new Date()): { from: string; to: string } {
    const d = defaultPeriod(now);
    const from = q.from ?? (q.to ? addMonths(q.to, -11) : d.from);
    const to = q.to ?? (q.from ? (addMonths(from, 11) < d.to ? addMonths(from, 11) : d.to) : d.to);
    if (from > to) throw badRequest('„bis“ darf nicht vor „von“ liegen.', { to: '„bis“ darf nicht vor „von“ liegen.' });
    if (monthsOf(from, to).length > 120) throw badRequest('Der Zeitraum darf höchstens zehn Jahre umfassen.', { from: 'Höchstens zehn Jahre' });
    return { from, to };
  }

  /** The coordination's dashboard of its commune (optionally one site). */
  async kommune(a: Actor, q: PeriodQuery & { siteId?: string }, now = new Date()): Promise<Dashboard> {
    const scope = reportScope(a);
    if (scope.view !== 'kommune') throw forbidden('Das Land sieht die Landesübersicht (alle Kommunen, nur unterdrückte Zahlen).');
    if (q.siteId) {
      const site = await this.repo.site(q.siteId);
      if (!site || site.kommuneId !== scope.kommuneId) throw forbidden('Koordinierende sehen nur die Standorte ihrer eigenen Kommune.');
    }
    return this.build({ scope, siteId: q.siteId, ...this.period(q, now) }, [...INDICATOR_IDS], now);
  }

  /** The state's dashboard: every commune and NRW. */
  async land(a: Actor, q: PeriodQuery, now = new Date()): Promise<Dashboard> {
    assertLand(a);
    return this.build({ scope: { view: 'land' }, ...this.period(q, now) }, [...INDICATOR_IDS], now);
  }

  private aggregateScope(r: ResolvedScope, now: Date): AggregateScope {
    return aggregateScope({ view: r.scope.view, kommuneId: r.scope.view === 'kommune' ? r.scope.kommuneId : undefined, siteId: r.siteId, from: r.from, to: r.to, now });
  }

  private async context(r: ResolvedScope, s: AggregateScope): Promise<{ ctx: TableContext; kommune: Labelled | null; sites: Labelled[] }> {
    const units = await this.repo.units({ ...s, siteId: undefined });
    const k = r.scope.view === 'kommune' ? await this.repo.kommune(r.scope.kommuneId) : null;
    const kommune = k ? { key: k.id, label: k.name } : null;
    const shown = r.siteId ? units.filter((u) => u.key === r.siteId) : units;
    return {
      ctx: { view: r.scope.view, units: shown, kommune: kommune ?? undefined, siteFiltered: !!r.siteId, months: monthsOf(r.from, r.to) },
      kommune,
      sites: r.scope.view === 'kommune' ? units : [],
    };
  }

  /** The tables of the given indicators for a scope (also what an export writes). */
  async build(r: ResolvedScope, ids: IndicatorId[], now = new Date()): Promise<Dashboard> {
    const s = this.aggregateScope(r, now);
    const [{ ctx, kommune, sites }, counts] = await Promise.all([this.context(r, s), this.repo.countsAll(ids, s, QUERY_CONCURRENCY)]);
    return {
      view: r.scope.view,
      kommune,
      site: r.siteId ? (ctx.units[0] ?? null) : null,
      sites,
      from: r.from,
      to: r.to,
      periodLabel: periodLabel(r.from, r.to),
      generatedAt: now.toISOString(),
      minCount: MIN_COUNT,
      suppressedLabel: SUPPRESSED_LABEL,
      tables: ids.map((id) => indicatorTable(id, counts.get(id) ?? [], ctx)),
    };
  }

  /**
   * The figures of the Sachbericht / Verwendungsnachweis for a period (usually a calendar year):
   * cases, referrals, conferences and the Baustein 3 procedures (suppressed), the steering figures
   * of Baustein 1, and the staff posts (VZÄ) per Baustein of the period's last year.
   */
  async sachbericht(r: ResolvedScope, now = new Date()): Promise<ReportTable[]> {
    const s = { ...this.aggregateScope({ ...r, siteId: undefined }, now) };
    const fromDay = `${r.from}-01`;
    const toDay = `${addMonths(r.to, 1)}-01`;
    const year = Number(r.to.slice(0, 4));
    const kommuneId = r.scope.view === 'kommune' ? r.scope.kommuneId : undefined;
    const [units, persons, steering, posts] = await Promise.all([
      this.repo.units(s),
      this.repo.rows(this.repo.sachberichtStatement({ ...s, fromDay, toDay })),
      this.repo.rows(this.repo.steeringStatement(s)),
      this.repo.staffPosts(year, kommuneId),
    ]);
    let columns: Labelled[] = units;
    if (r.scope.view === 'kommune') {
      const k = await this.repo.kommune(r.scope.kommuneId);
      columns = k ? [{ key: k.id, label: k.name }] : [];
    }
    const land = r.scope.view === 'land';
    // Land: one column per commune and the NRW total per figure; a commune: its one column.
    const margins = { rows: land, columns: false, total: false };
    const matrix = (figures: Record<string, string>, rows: Array<{ unit: string; cat: string; n: number }>) => {
      const m = new Map(rows.map((x) => [`${x.unit}\u0000${x.cat}`, x.n]));
      return Object.keys(figures).map((f) => columns.map((c) => m.get(`${c.key}\u0000${f}`) ?? 0));
    };
    const figureRows = (figures: Record<string, string>) => Object.entries(figures).map(([key, label]) => ({ key, label }));
    const common = { snapshot: false, chart: null, rowHeader: 'Kennzahl', columnHeader: 'Kommune', unitsIn: 'columns' as const, columns, rowTotalLabel: 'NRW gesamt', columnTotalLabel: 'Summe' };
    const period = periodLabel(r.from, r.to);
    return [
      finishTable(
        {
          ...common,
          id: 'sachbericht-fallzahlen',
          title: 'Sachbericht: Fallzahlen (Baustein 2 und 3)',
          description: `Fälle, Vermittlungen, Fallkonferenzen und Verfahren in Baustein 3 im Zeitraum ${period}.`,
          suppressible: true,
          unit: 'Anzahl',
          rows: figureRows(SACHBERICHT_PERSON_FIGURES),
        },
        matrix(SACHBERICHT_PERSON_FIGURES, persons),
        margins,
      ),
      finishTable(
        {
          ...common,
          id: 'sachbericht-steuerung',
          title: 'Sachbericht: Steuerung (Baustein 1)',
          description: `Systemlücken, Themen, Maßnahmen und Sitzungen der Lenkungsgruppe im Zeitraum ${period} (keine Personendaten, daher nicht unterdrückt).`,
          suppressible: false,
          unit: 'Anzahl',
          rows: figureRows(SACHBERICHT_STEERING_FIGURES),
        },
        matrix(SACHBERICHT_STEERING_FIGURES, steering),
        margins,
      ),
      finishTable(
        {
          ...common,
          id: 'sachbericht-stellen',
          title: `Sachbericht: Stellen (VZÄ) ${year}`,
          description: `Vollzeitäquivalente je Baustein im Jahr ${year}, wie die Kommunen sie eingetragen haben.`,
          suppressible: false,
          unit: 'VZÄ',
          rows: Object.entries(BAUSTEIN_DE).map(([key, label]) => ({ key, label })),
        },
        [1, 2, 3].map((b) => columns.map((c) => posts.find((p) => p.kommuneId === c.key && p.baustein === b)?.fte ?? 0)),
        margins,
      ),
    ];
  }

  /** The name of the area a scope covers (a commune's name, or NRW). */
  async areaLabel(scope: ReportScope): Promise<string> {
    if (scope.view === 'land') return 'NRW gesamt';
    return (await this.repo.kommune(scope.kommuneId))?.name ?? scope.kommuneId;
  }

  /** The Sachbericht as a report of its own (GET /api/export/sachbericht). */
  async sachberichtFor(a: Actor, year: number, now = new Date()) {
    const scope = reportScope(a);
    const r: ResolvedScope = { scope, from: `${year}-01`, to: `${year}-12` };
    return { year, view: scope.view, minCount: MIN_COUNT, suppressedLabel: SUPPRESSED_LABEL, generatedAt: now.toISOString(), tables: await this.sachbericht(r, now) };
  }

  /** Staff posts of the actor's commune in a year, one row per Baustein (0 when not entered yet). */
  async staffPosts(a: Actor, year: number) {
    const kommuneId = assertCanKeepStaffPosts(a);
    const rows = await this.repo.staffPosts(year, kommuneId);
    const k = await this.repo.kommune(kommuneId);
    return {
      year,
      kommune: k?.name ?? kommuneId,
      posts: [1, 2, 3].map((b) => {
        const r = rows.find((x) => x.baustein === b);
        return { baustein: b, label: BAUSTEIN_DE[b], fte: r?.fte ?? 0, updatedBy: r?.updatedBy ?? null, updatedAt: r?.updatedAt ?? null };
      }),
    };
  }

  async saveStaffPosts(a: Actor, year: number, posts: Array<{ baustein: number; fte: number }>, requestId?: string) {
    const kommuneId = assertCanKeepStaffPosts(a);
    await this.repo.saveStaffPosts(kommuneId, year, posts, a.username);
    await this.audit.write(a, { action: 'update', entity: 'StaffPost', entityId: `${kommuneId}:${year}`, fields: posts.map((p) => `baustein${p.baustein}`), requestId });
    return this.staffPosts(a, year);
  }
}
