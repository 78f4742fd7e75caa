/**
 * CSV as German Excel opens it: UTF-8 with byte order mark, ";" between fields, CRLF, decimal comma,
 * German headers; a suppressed value reads "< 5". Two shapes: the dashboard as one block per table
 * (rows × columns, like on screen) and the long shape of the export for "Datenbank KIM" (one value
 * per line, for loading into a database).
 */
import { SUPPRESSED_LABEL } from '../reporting/suppression';
import type { ReportTable } from './tables';

export const BOM = '\uFEFF';

const field = (v: string | number | null | undefined): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(v).replace('.', ',') : v;
  return /[";\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const csvLine = (fields: Array<string | number | null | undefined>) => fields.map(field).join(';');
const shown = (v: number | null) => (v === null ? SUPPRESSED_LABEL : v);

/** One block per table: title, explanation, header row, rows, totals row; blank line between. */
export function blocksCsv(meta: Array<[string, string]>, tables: ReportTable[]): string {
  const lines: string[] = meta.map(([k, v]) => csvLine([k, v]));
  for (const t of tables) {
    lines.push('', csvLine(['Kennzahl', t.title]), csvLine(['Erläuterung', t.description]));
    const hasRowTotals = !!t.rowTotals;
    lines.push(csvLine([t.rowHeader, ...t.columns.map((c) => c.label), ...(hasRowTotals ? [t.rowTotalLabel] : [])]));
    t.rows.forEach((r, i) => lines.push(csvLine([r.label, ...t.cells[i].map(shown), ...(hasRowTotals ? [shown(t.rowTotals![i])] : [])])));
    if (t.columnTotals) lines.push(csvLine([t.columnTotalLabel, ...t.columnTotals.map(shown), ...(hasRowTotals ? [shown(t.total ?? null)] : [])]));
  }
  if (tables.some((t) => t.suppressedCount > 0)) lines.push('', csvLine(['Hinweis', `${SUPPRESSED_LABEL}: weniger als 5 oder zum Schutz solcher Werte ausgeblendet`]));
  return BOM + lines.join('\r\n') + '\r\n';
}

export const LONG_HEADER = ['Kennzahl', 'Kennung', 'Von', 'Bis', 'Gebiet', 'Gliederung', 'Ausprägung', 'Anzahl', 'Geheimhaltung'];

export interface LongRow {
  title: string;
  id: string;
  from: string;
  to: string;
  area: string;
  group: string;
  category: string;
  value: number | null;
}

/**
 * The values of a table, one per line: every cell and total. "Gebiet" is the commune (or NRW),
 * "Gliederung" the unit inside it (site, partner) or "insgesamt", "Ausprägung" the category.
 */
export function longRows(t: ReportTable, meta: { from: string; to: string; area: string; unitsAreAreas: boolean }): LongRow[] {
  const out: LongRow[] = [];
  const unitsInColumns = t.unitsIn === 'columns';
  const push = (row: string, col: string, value: number | null, rowIsTotal: boolean, colIsTotal: boolean) => {
    const unit = unitsInColumns ? (colIsTotal ? t.rowTotalLabel : col) : rowIsTotal ? t.columnTotalLabel : row;
    const category = unitsInColumns ? (rowIsTotal ? 'Summe' : row) : colIsTotal ? 'Summe' : col;
    const unitIsTotal = unitsInColumns ? colIsTotal : rowIsTotal;
    const area = meta.unitsAreAreas && !unitIsTotal ? unit : meta.area;
    const group = meta.unitsAreAreas || unitIsTotal ? 'insgesamt' : unit;
    out.push({ title: t.title, id: t.id, from: meta.from, to: meta.to, area, group, category, value });
  };
  t.rows.forEach((r, i) => {
    t.columns.forEach((c, j) => push(r.label, c.label, t.cells[i][j], false, false));
    if (t.rowTotals) push(r.label, '', t.rowTotals[i], false, true);
  });
  if (t.columnTotals) {
    t.columns.forEach((c, j) => push('', c.label, t.columnTotals![j], true, false));
    if (t.rowTotals) push('', '', t.total ?? null, true, true);
  }
  return out;
}

export function longCsv(rows: LongRow[]): string {
  const lines = [csvLine(LONG_HEADER), ...rows.map((r) => csvLine([r.title, r.id, r.from, r.to, r.area, r.group, r.category, shown(r.value), r.value === null ? 'ja' : 'nein']))];
  return BOM + lines.join('\r\n') + '\r\n';
}
