/**
 * Small-count suppression with secondary suppression (server/reporting/suppression.ts), checked by an
 * independent attacker (test/support/disclosure.ts) that tries to recompute every suppressed value
 * from the published cells and totals.
 */
import { MIN_COUNT, suppressCount, suppressTable } from '../../server/reporting/suppression';
import { recomputableCells } from '../support/disclosure';

const ALL = { rows: true, columns: true, total: true };

test('primary suppression alone would leak: the row total gives the hidden cell back', () => {
  const cells = [
    [3, 20, 12],
    [15, 9, 30],
  ];
  // Primary only: the attacker recomputes 3 = 35 − 20 − 12.
  const naive = { cells: [[null, 20, 12], [15, 9, 30]], rowTotals: [35, 54], columnTotals: [18, 29, 42], total: 89 };
  expect(recomputableCells(naive)).toEqual(expect.arrayContaining([{ row: 0, column: 0, value: 3 }]));
  const t = suppressTable(cells, ALL);
  expect(t.cells[0][0]).toBeNull();
  expect(t.secondary).toBeGreaterThan(0);
  expect(recomputableCells(t)).toEqual([]);
  // The cheapest complements are inner cells; the totals stay visible.
  expect(t.rowTotals).toEqual([35, 54]);
  expect(t.columnTotals).toEqual([18, 29, 42]);
  expect(t.total).toBe(89);
});

test('zeros are shown, counts from 5 on are shown unless needed as complement', () => {
  expect(suppressCount(0)).toBe(0);
  expect(suppressCount(4)).toBeNull();
  expect(suppressCount(MIN_COUNT)).toBe(MIN_COUNT);
  const t = suppressTable([[0, 7], [5, 40]], ALL);
  expect(t).toMatchObject({ cells: [[0, 7], [5, 40]], rowTotals: [7, 45], columnTotals: [5, 47], total: 52, secondary: 0 });
});

test('a single row: the column totals repeat the row, so a second column is hidden in both', () => {
  const t = suppressTable([[2, 11, 8]], ALL);
  expect(t.cells[0][0]).toBeNull();
  expect(t.columnTotals![0]).toBeNull();
  expect(t.cells[0].filter((v) => v === null)).toHaveLength(2);
  expect(recomputableCells(t)).toEqual([]);
});

test('small totals are suppressed too and protected like cells', () => {
  const t = suppressTable([[1, 2], [30, 40], [25, 9]], ALL);
  expect(t.rowTotals![0]).toBeNull();
  expect(recomputableCells(t)).toEqual([]);
});

test('a table with row totals only (e.g. NRW per figure): a second hidden value per row', () => {
  const t = suppressTable([[3, 40, 17], [12, 6, 8]], { rows: true, columns: false, total: false });
  expect(t.columnTotals).toBeNull();
  expect(t.cells[0].filter((v) => v === null).length).toBeGreaterThanOrEqual(2);
  expect(recomputableCells(t)).toEqual([]);
});

test('property: random tables never show a small count and never leak one (fixed seed)', () => {
  let s = 20261201;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let run = 0; run < 300; run++) {
    const R = 1 + Math.floor(rnd() * 6);
    const C = 1 + Math.floor(rnd() * 7);
    const cells = Array.from({ length: R }, () => Array.from({ length: C }, () => (rnd() < 0.35 ? Math.floor(rnd() * 5) : Math.floor(rnd() * 60))));
    const margins = [ALL, { rows: true, columns: false, total: false }, { rows: false, columns: true, total: true }][run % 3];
    const t = suppressTable(cells, margins);
    const shown = [...t.cells.flat(), ...(t.rowTotals ?? []), ...(t.columnTotals ?? []), ...(t.total === undefined ? [] : [t.total])];
    for (const v of shown) if (v !== null) expect(v === 0 || v >= MIN_COUNT).toBe(true);
    // Every published value is the true one.
    t.cells.forEach((r, i) => r.forEach((v, j) => v !== null && expect(v).toBe(cells[i][j])));
    const leaks = recomputableCells(t);
    if (leaks.length) throw new Error(`Lauf ${run}: ${JSON.stringify(cells)} → ${JSON.stringify(t)} verrät ${JSON.stringify(leaks)}`);
  }
});
