/**
 * From aggregated counts to the tables every view shows (dashboard, CSV, export): rows × columns
 * with German labels, row and column totals, and – for counts of persons – small-count suppression
 * with secondary suppression (server/reporting/suppression.ts). A suppressed value is null.
 */
import { suppressTable } from '../reporting/suppression';
import type { CountRow } from './dashboard.repository';
import { INDICATORS, IndicatorId } from './indicators';
import { monthLabel } from './period';
import type { Labelled, ReportTable } from './dashboard.types';

export type { Labelled, ReportTable } from './dashboard.types';


export interface TableContext {
  view: 'kommune' | 'land';
  /** The view's units: the commune's sites or all communes. */
  units: Labelled[];
  /** Commune view: the commune (its name labels commune totals and steering rows). */
  kommune?: Labelled;
  siteFiltered: boolean;
  months: string[];
}

const ALL_MARGINS = { rows: true, columns: true, total: true };
/**
 * Categories left out of a table when nobody is in them (a residence application without its
 * paragraph should not occur, but must not vanish from the figures if it does).
 */
const OPTIONAL = new Set(['abgebrochen', 'br_beantragt', 'br_entschieden']);
const NO_SITE = { key: '', label: 'Koordination (Aufgaben ohne Fall)' };

/** Totals without suppression (for figures that count no persons). */
export function plainTotals(cells: number[][]) {
  const rowTotals = cells.map((r) => r.reduce((a, b) => a + b, 0));
  const columnTotals = cells.length ? cells[0].map((_, j) => cells.reduce((a, r) => a + r[j], 0)) : [];
  return { cells, rowTotals, columnTotals, total: rowTotals.reduce((a, b) => a + b, 0) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** A table of rows × columns, suppressed when it counts persons. */
export function finishTable(
  base: Omit<ReportTable, 'cells' | 'rowTotals' | 'columnTotals' | 'total' | 'suppressedCount'>,
  matrix: number[][],
  margins = ALL_MARGINS,
): ReportTable {
  if (base.suppressible) {
    const s = suppressTable(matrix, margins);
    const all = [...s.cells.flat(), ...(s.rowTotals ?? []), ...(s.columnTotals ?? []), ...(s.total === undefined ? [] : [s.total])];
    return { ...base, cells: s.cells, rowTotals: s.rowTotals, columnTotals: s.columnTotals, total: s.total, suppressedCount: all.filter((v) => v === null).length };
  }
  const t = plainTotals(matrix);
  return {
    ...base,
    cells: t.cells.map((r) => r.map(round2)),
    rowTotals: margins.rows ? t.rowTotals.map(round2) : null,
    columnTotals: margins.columns ? t.columnTotals.map(round2) : null,
    total: margins.total ? round2(t.total) : undefined,
    suppressedCount: 0,
  };
}

export function indicatorTable(id: IndicatorId, counts: CountRow[], ctx: TableContext): ReportTable {
  const def = INDICATORS[id];
  // The units along one dimension.
  let units: Labelled[];
  if (def.rowsArePartners && ctx.view === 'kommune') {
    units = [...new Set(counts.map((c) => c.unit))].sort((a, b) => a.localeCompare(b, 'de')).map((name) => ({ key: name, label: name }));
  } else if (id === 'steuerung-themen' || id === 'steuerung-massnahmen') {
    units = ctx.view === 'land' ? ctx.units : [ctx.kommune!];
  } else {
    units = [...ctx.units];
    if (id === 'ueberfaellig' && ctx.view === 'kommune' && !ctx.siteFiltered && counts.some((c) => c.unit === '' && c.n > 0)) units.push(NO_SITE);
  }
  // The categories along the other.
  let cats: Labelled[];
  if (def.rowsAreMonths) cats = ctx.months.map((m) => ({ key: m, label: monthLabel(m) }));
  else {
    const used = new Set(counts.filter((c) => c.n > 0).map((c) => c.cat));
    cats = Object.entries(def.categories ?? {})
      .filter(([k]) => !OPTIONAL.has(k) || used.has(k))
      .map(([key, label]) => ({ key, label }));
  }
  const n = new Map(counts.map((c) => [`${c.unit}\u0000${c.cat}`, c.n]));
  const at = (u: string, c: string) => n.get(`${u}\u0000${c}`) ?? 0;

  const unitHeader = def.rowsArePartners && ctx.view === 'kommune' ? 'Partner' : ctx.view === 'land' ? 'Kommune' : id.startsWith('steuerung') ? 'Kommune' : 'Standort';
  const unitTotal = ctx.view === 'land' ? 'NRW gesamt' : ctx.siteFiltered ? 'Summe' : `${ctx.kommune?.label ?? 'Kommune'} gesamt`;
  const base = {
    id,
    title: def.title,
    description: def.description,
    snapshot: def.snapshot,
    suppressible: def.personBased,
    unit: def.unit,
    chart: { axis: def.chartAxis, layout: def.chartLayout },
  };
  if (def.rowsAreMonths) {
    return finishTable(
      { ...base, rowHeader: 'Monat', columnHeader: unitHeader, unitsIn: 'columns', rows: cats, columns: units, rowTotalLabel: unitTotal, columnTotalLabel: 'Summe' },
      cats.map((c) => units.map((u) => at(u.key, c.key))),
    );
  }
  return finishTable(
    { ...base, rowHeader: unitHeader, columnHeader: def.categoryHeader, unitsIn: 'rows', rows: units, columns: cats, rowTotalLabel: 'Summe', columnTotalLabel: unitTotal },
    units.map((u) => cats.map((c) => at(u.key, c.key))),
  );
}
