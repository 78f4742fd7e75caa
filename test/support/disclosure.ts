/**
 * The attacker's side of statistical disclosure control, written independently of
 * server/reporting/suppression.ts: given a published table (null = suppressed) with its totals, which
 * suppressed values can be recomputed from what is shown? Every row and column (the totals row and
 * column included) sums up to its total; the unknowns are the suppressed values and any total that
 * is not published. An unknown is determined exactly when its unit vector lies in the row space of
 * the system (Gaussian elimination) – this covers "total minus the other cells of the row" as well
 * as any chain of such steps across rows and columns.
 */
export interface PublishedTable {
  cells: Array<Array<number | null>>;
  /** null: the table publishes no row totals. */
  rowTotals: Array<number | null> | null;
  columnTotals: Array<number | null> | null;
  /** undefined: no grand total published. */
  total?: number | null;
}

export interface Recomputed {
  row: number | 'Summe';
  column: number | 'Summe';
  value: number;
}

const EPS = 1e-9;

export function recomputableCells(t: PublishedTable): Recomputed[] {
  const R = t.cells.length;
  const C = R ? t.cells[0].length : 0;
  // Augmented table; undefined = never published (an unknown nobody asked to protect).
  const get = (i: number, j: number): number | null | undefined => {
    if (i < R && j < C) return t.cells[i][j];
    if (i < R) return t.rowTotals ? t.rowTotals[i] : undefined;
    if (j < C) return t.columnTotals ? t.columnTotals[j] : undefined;
    return t.total;
  };
  const vars: Array<[number, number]> = [];
  const index = new Map<string, number>();
  for (let i = 0; i <= R; i++)
    for (let j = 0; j <= C; j++) {
      const v = get(i, j);
      if (v === null || v === undefined) {
        index.set(`${i},${j}`, vars.length);
        vars.push([i, j]);
      }
    }
  const n = vars.length;
  if (!n) return [];
  // One equation per line of the augmented table: inner values minus the line's total = 0.
  const rows: Array<{ a: number[]; b: number }> = [];
  const line = (members: Array<[number, number, number]>) => {
    const a = new Array<number>(n).fill(0);
    let b = 0;
    for (const [i, j, sign] of members) {
      const k = index.get(`${i},${j}`);
      if (k !== undefined) a[k] += sign;
      else b -= sign * (get(i, j) as number);
    }
    rows.push({ a, b });
  };
  for (let i = 0; i <= R; i++) line([...Array.from({ length: C }, (_, j) => [i, j, 1] as [number, number, number]), [i, C, -1]]);
  for (let j = 0; j <= C; j++) line([...Array.from({ length: R }, (_, i) => [i, j, 1] as [number, number, number]), [R, j, -1]]);

  // Reduced row echelon form with the right-hand side carried along.
  const pivots: Array<{ col: number; a: number[]; b: number }> = [];
  let m = rows.map((r) => ({ a: [...r.a], b: r.b }));
  for (let col = 0; col < n; col++) {
    const p = m.findIndex((r) => Math.abs(r.a[col]) > EPS);
    if (p < 0) continue;
    const piv = m[p];
    const f = piv.a[col];
    piv.a = piv.a.map((x) => x / f);
    piv.b /= f;
    m = m.filter((_, i) => i !== p);
    for (const r of [...m, ...pivots]) {
      const g = r.a[col];
      if (Math.abs(g) > EPS) {
        r.a = r.a.map((x, k) => x - g * piv.a[k]);
        r.b -= g * piv.b;
      }
    }
    pivots.push({ col, a: piv.a, b: piv.b });
  }
  const out: Recomputed[] = [];
  for (let k = 0; k < n; k++) {
    const [i, j] = vars[k];
    if (get(i, j) === undefined) continue;
    // Determined when a pivot row has this unknown as its only non-zero entry.
    const row = pivots.find((p) => p.col === k);
    if (row && row.a.every((x, c) => c === k || Math.abs(x) < EPS)) out.push({ row: i < R ? i : 'Summe', column: j < C ? j : 'Summe', value: Math.round(row.b) });
  }
  return out;
}
