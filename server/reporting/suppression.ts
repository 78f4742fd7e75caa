/**
 * Statistical disclosure control for every figure the product reports (statistics, dashboards,
 * exports for "Datenbank KIM", Sachbericht): the one place that decides which counts are shown.
 *
 * Primary suppression: a count of 1 to MIN_COUNT − 1 persons is never shown (0 is: it names nobody).
 * Secondary suppression: a table publishes row and column totals, so a hidden cell could be
 * recomputed from them. Seen as a linear system, a table with totals is a bipartite graph – one node
 * per row and per column (the totals row and the totals column included), one edge per cell, every
 * node's cells summing up to its total. Hidden values form a subgraph; a hidden value is determined
 * by the published ones exactly when its edge is a bridge of that subgraph (no cycle of hidden cells
 * runs through it). So every primary cell that is a bridge gets the cheapest path of further hidden
 * cells between its two ends – small inner cells first, totals only when nothing else closes the
 * cycle – until no primary cell is a bridge. Deterministic: the same table always hides the same cells.
 */

/** Smallest count that is shown; smaller ones (except 0) are suppressed. */
export const MIN_COUNT = 5;

/** How a suppressed value is shown in charts, tables and CSV files. */
export const SUPPRESSED_LABEL = `< ${MIN_COUNT}`;

/** A count that must not be shown on its own. */
export const isSmall = (n: number, k = MIN_COUNT) => n > 0 && n < k;

/** Primary suppression of a single count (for lists that publish no totals): null when small. */
export const suppressCount = (n: number, k = MIN_COUNT): number | null => (isSmall(n, k) ? null : n);

/** Which totals a table publishes. */
export interface Margins {
  /** One total per row (e.g. per site: all phases). */
  rows: boolean;
  /** One total per column (e.g. the commune or NRW). */
  columns: boolean;
  /** The grand total. */
  total: boolean;
}

export interface SuppressedTable {
  /** rows × columns; null = suppressed. */
  cells: Array<Array<number | null>>;
  rowTotals: Array<number | null> | null;
  columnTotals: Array<number | null> | null;
  total: number | null | undefined;
  /** Number of values hidden to protect small ones (not small themselves). */
  secondary: number;
}

/** Cost of hiding a published value to protect another: inner cells by size, zeros and totals last. */
function cost(value: number, kind: 'cell' | 'margin' | 'grand'): number {
  if (kind === 'grand') return 1e12 + value;
  if (kind === 'margin') return 1e8 + value;
  return value === 0 ? 1e5 : value;
}

/**
 * Suppresses a count table with its totals (computed here as sums of the cells) so that no small
 * count is shown or can be recomputed from what is shown.
 */
export function suppressTable(cells: number[][], margins: Margins, k = MIN_COUNT): SuppressedTable {
  const R = cells.length;
  const C = R ? cells[0].length : 0;
  if (!R || !C) return { cells: cells.map((r) => r.map((v) => v)), rowTotals: margins.rows ? cells.map(() => 0) : null, columnTotals: margins.columns ? [] : null, total: margins.total ? 0 : undefined, secondary: 0 };
  // The augmented (R+1) × (C+1) table: index R is the totals row, C the totals column.
  const value = (i: number, j: number): number => {
    if (i < R && j < C) return cells[i][j];
    if (i < R) return cells[i].reduce((a, b) => a + b, 0);
    if (j < C) return cells.reduce((a, r) => a + r[j], 0);
    return cells.reduce((a, r) => a + r.reduce((x, y) => x + y, 0), 0);
  };
  const published = (i: number, j: number): boolean => (i < R && j < C) || (i < R ? margins.rows : j < C ? margins.columns : margins.total);
  const kind = (i: number, j: number) => (i < R && j < C ? 'cell' : i === R && j === C ? 'grand' : 'margin');
  const W = C + 1;
  const edge = (i: number, j: number) => i * W + j;
  const N = (R + 1) * W;
  const vals = Array.from({ length: N }, (_, e) => value(Math.floor(e / W), e % W));
  // unknown: everything an observer does not see (hidden or never published).
  const unknown = Array.from({ length: N }, (_, e) => !published(Math.floor(e / W), e % W));
  const primary: number[] = [];
  for (let e = 0; e < N; e++) {
    const i = Math.floor(e / W);
    const j = e % W;
    if (published(i, j) && isSmall(vals[e], k)) {
      unknown[e] = true;
      primary.push(e);
    }
  }
  // Nodes: rows 0..R, then columns R+1..R+1+C. Edge e joins row(e) and column(e).
  const rowNode = (e: number) => Math.floor(e / W);
  const colNode = (e: number) => R + 1 + (e % W);
  const nodes = R + 1 + W;
  const incident: number[][] = Array.from({ length: nodes }, () => []);
  for (let e = 0; e < N; e++) {
    incident[rowNode(e)].push(e);
    incident[colNode(e)].push(e);
  }
  const other = (e: number, n: number) => (rowNode(e) === n ? colNode(e) : rowNode(e));

  /** Is there a path of unknown edges from a to b without edge `skip`? */
  const connected = (a: number, b: number, skip: number): boolean => {
    const seen = new Uint8Array(nodes);
    const stack = [a];
    seen[a] = 1;
    while (stack.length) {
      const n = stack.pop()!;
      if (n === b) return true;
      for (const e of incident[n]) {
        if (e === skip || !unknown[e]) continue;
        const m = other(e, n);
        if (!seen[m]) {
          seen[m] = 1;
          stack.push(m);
        }
      }
    }
    return false;
  };

  /** Cheapest path from a to b without `skip`: unknown edges cost nothing, others their cost. */
  const cheapestPath = (a: number, b: number, skip: number): number[] => {
    const dist = new Array<number>(nodes).fill(Infinity);
    const via = new Array<number>(nodes).fill(-1);
    const done = new Uint8Array(nodes);
    dist[a] = 0;
    for (;;) {
      let n = -1;
      for (let x = 0; x < nodes; x++) if (!done[x] && dist[x] < Infinity && (n < 0 || dist[x] < dist[n])) n = x;
      if (n < 0 || n === b) break;
      done[n] = 1;
      for (const e of incident[n]) {
        if (e === skip) continue;
        const m = other(e, n);
        const w = unknown[e] ? 0 : cost(vals[e], kind(rowNode(e), e % W));
        if (dist[n] + w < dist[m]) {
          dist[m] = dist[n] + w;
          via[m] = e;
        }
      }
    }
    const path: number[] = [];
    for (let n = b; n !== a; ) {
      const e = via[n];
      if (e < 0) return [];
      path.push(e);
      n = other(e, n);
    }
    return path;
  };

  let secondary = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of primary) {
      if (connected(rowNode(e), colNode(e), e)) continue;
      for (const p of cheapestPath(rowNode(e), colNode(e), e)) {
        if (!unknown[p]) {
          unknown[p] = true;
          secondary++;
          changed = true;
        }
      }
    }
  }

  const shown = (i: number, j: number) => (unknown[edge(i, j)] ? null : vals[edge(i, j)]);
  return {
    cells: Array.from({ length: R }, (_, i) => Array.from({ length: C }, (_, j) => shown(i, j))),
    rowTotals: margins.rows ? Array.from({ length: R }, (_, i) => shown(i, C)) : null,
    columnTotals: margins.columns ? Array.from({ length: C }, (_, j) => shown(R, j)) : null,
    total: margins.total ? shown(R, C) : undefined,
    secondary,
  };
}
