/**
 * One report table seen the way its chart reads it: the chart's categories (one bar group each)
 * and its series (one bar each) – the accessible table beside the chart shows the same numbers in
 * the same arrangement, categories as rows and series as columns.
 */
import type { ReportTable } from './types';

export const SUPPRESSED = '< 5';
export const SUPPRESSED_HINT = '„< 5“: weniger als 5 – oder ausgeblendet, damit sich ein kleiner Wert nicht aus den Summen errechnen lässt.';
/** More series than this: the chart shows the totals, the table every value. */
export const MAX_SERIES = 6;

export interface Arranged {
  categoryHeader: string;
  categories: string[];
  seriesHeader: string;
  series: string[];
  /** [category][series]; null = suppressed. */
  values: Array<Array<number | null>>;
  /** Sum per category over the series (null = suppressed); null when not published. */
  categoryTotals: Array<number | null> | null;
  categoryTotalLabel: string;
  /** Sum per series over the categories. */
  seriesTotals: Array<number | null> | null;
  seriesTotalLabel: string;
  total: number | null | undefined;
}

export function arrange(t: ReportTable): Arranged {
  const byRows = (t.chart?.axis ?? 'rows') === 'rows';
  if (byRows) {
    return {
      categoryHeader: t.rowHeader,
      categories: t.rows.map((r) => r.label),
      seriesHeader: t.columnHeader,
      series: t.columns.map((c) => c.label),
      values: t.cells,
      categoryTotals: t.rowTotals,
      categoryTotalLabel: t.rowTotalLabel,
      seriesTotals: t.columnTotals,
      seriesTotalLabel: t.columnTotalLabel,
      total: t.total,
    };
  }
  return {
    categoryHeader: t.columnHeader,
    categories: t.columns.map((c) => c.label),
    seriesHeader: t.rowHeader,
    series: t.rows.map((r) => r.label),
    values: t.columns.map((_, j) => t.rows.map((_, i) => t.cells[i][j])),
    categoryTotals: t.columnTotals,
    categoryTotalLabel: t.columnTotalLabel,
    seriesTotals: t.rowTotals,
    seriesTotalLabel: t.rowTotalLabel,
    total: t.total,
  };
}

const NUMBER = new Intl.NumberFormat('de-DE', { maximumFractionDigits: 2 });
export const formatValue = (v: number | null | undefined) => (v === null ? SUPPRESSED : v === undefined ? '' : NUMBER.format(v));

/** The bars of the chart: one series per table column – or, with many, the totals only. */
export function chartSeries(a: Arranged): { series: Array<{ label: string; values: Array<number | null> }>; totalsOnly: boolean } {
  if (a.series.length <= MAX_SERIES || !a.categoryTotals) return { series: a.series.map((label, j) => ({ label, values: a.values.map((row) => row[j]) })), totalsOnly: false };
  return { series: [{ label: a.categoryTotalLabel, values: a.categoryTotals }], totalsOnly: true };
}
