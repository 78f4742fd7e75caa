/**
 * The numbers of a report as a real table (caption, column and row headers, totals), the accessible
 * counterpart of its chart. Suppressed values read "< 5". Wide tables scroll inside their own box
 * (reachable by keyboard), never the page.
 */
import { Box, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { arrange, formatValue } from './model';
import type { ReportTable } from './types';

export function ReportTableView({ table, caption }: { table: ReportTable; caption?: string }) {
  const a = arrange(table);
  const hasCategoryTotals = !!a.categoryTotals;
  const num = { textAlign: 'right' as const, whiteSpace: 'nowrap' as const, fontVariantNumeric: 'tabular-nums' };
  // Long site names wrap in the header instead of widening the table.
  const head = { textAlign: 'right' as const, minWidth: 72, maxWidth: 160, verticalAlign: 'bottom', hyphens: 'auto' as const };
  return (
    <Box role="region" aria-label={`Tabelle: ${table.title}`} tabIndex={0} sx={{ overflowX: 'auto', position: 'relative', maxWidth: '100%', '&:focus-visible': { outline: '2px solid', outlineColor: 'primary.main' } }}>
      <Table size="small" data-testid={`report-table-${table.id}`} sx={{ '& th, & td': { px: 1 } }}>
        <caption style={{ captionSide: 'top', textAlign: 'left', padding: '0 0 4px 0' }}>{caption ?? `${table.title} (Zahlen)`}</caption>
        <TableHead>
          <TableRow>
            <TableCell component="th" scope="col">
              {a.categoryHeader}
            </TableCell>
            {a.series.map((s) => (
              <TableCell key={s} component="th" scope="col" sx={head}>
                {s}
              </TableCell>
            ))}
            {hasCategoryTotals && (
              <TableCell component="th" scope="col" sx={{ ...head, fontWeight: 700 }}>
                {a.categoryTotalLabel}
              </TableCell>
            )}
          </TableRow>
        </TableHead>
        <TableBody>
          {a.categories.map((c, i) => (
            <TableRow key={c}>
              <TableCell component="th" scope="row">
                {c}
              </TableCell>
              {a.values[i].map((v, j) => (
                <TableCell key={j} sx={num} data-suppressed={v === null || undefined}>
                  {formatValue(v)}
                </TableCell>
              ))}
              {hasCategoryTotals && (
                <TableCell sx={{ ...num, fontWeight: 700 }} data-suppressed={a.categoryTotals![i] === null || undefined}>
                  {formatValue(a.categoryTotals![i])}
                </TableCell>
              )}
            </TableRow>
          ))}
          {a.seriesTotals && (
            <TableRow>
              <TableCell component="th" scope="row" sx={{ fontWeight: 700 }}>
                {a.seriesTotalLabel}
              </TableCell>
              {a.seriesTotals.map((v, j) => (
                <TableCell key={j} sx={{ ...num, fontWeight: 700 }} data-suppressed={v === null || undefined}>
                  {formatValue(v)}
                </TableCell>
              ))}
              {hasCategoryTotals && <TableCell sx={{ ...num, fontWeight: 700 }}>{formatValue(a.total)}</TableCell>}
            </TableRow>
          )}
        </TableBody>
      </Table>
    </Box>
  );
}
