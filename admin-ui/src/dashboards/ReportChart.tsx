/**
 * The chart of a report (MUI X Charts, MIT community edition): grouped bars, one group per
 * category, one bar per series. A suppressed value has no bar; "< 5" stands in its place (label
 * and tooltip) – never a blank. The table beside it carries the same numbers for screen readers.
 */
import { BarChart } from '@mui/x-charts/BarChart';
import { Box, Typography } from '@mui/material';
import { arrange, chartSeries, formatValue, SUPPRESSED } from './model';
import type { ReportTable } from './types';

const LOCALE = { loading: 'Wird geladen …', noData: 'Keine Daten im Zeitraum' };
// Colour-blind safe palette (Okabe–Ito), dark enough against white for the bars.
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#E69F00'];

export function ReportChart({ table }: { table: ReportTable }) {
  const a = arrange(table);
  const { series, totalsOnly } = chartSeries(a);
  if (!a.categories.length || !series.length) return <Typography color="text.secondary">Keine Daten im Zeitraum.</Typography>;
  const horizontal = table.chart?.layout !== 'vertical';
  const longest = Math.max(...a.categories.map((c) => c.length));
  const band = { scaleType: 'band' as const, data: a.categories };
  const value = { label: table.unit, tickMinStep: 1 };
  const perGroup = Math.max(28, series.length * 16 + 14);
  const height = horizontal ? Math.max(200, a.categories.length * perGroup + 90) : 300;
  return (
    <Box
      role="img"
      aria-label={`Balkendiagramm: ${table.title}. ${totalsOnly ? `Gezeigt: ${a.categoryTotalLabel}. ` : ''}Die Zahlen stehen in der Tabelle.`}
      data-testid={`report-chart-${table.id}`}
      sx={{ width: '100%', minWidth: 0 }}
    >
      <BarChart
        layout={horizontal ? 'horizontal' : 'vertical'}
        height={height}
        skipAnimation
        localeText={LOCALE}
        colors={COLORS}
        margin={{ right: 24 }}
        xAxis={[horizontal ? value : { ...band, tickLabelStyle: { fontSize: 11 }, height: 40 }]}
        yAxis={[horizontal ? { ...band, width: Math.min(200, Math.max(70, longest * 6.5)), tickLabelStyle: { fontSize: 11 } } : { ...value, width: 50 }]}
        series={series.map((s) => ({
          label: s.label,
          data: s.values.map((v) => v ?? 0),
          valueFormatter: (_v: number | null, ctx: { dataIndex: number }) => formatValue(s.values[ctx.dataIndex]),
          barLabel: (item: { dataIndex: number }) => (s.values[item.dataIndex] === null ? SUPPRESSED : null),
          barLabelPlacement: 'outside' as const,
        }))}
        slotProps={{ legend: { direction: 'horizontal', position: { vertical: 'top', horizontal: 'start' } } }}
      />
      {totalsOnly && (
        <Typography variant="caption" color="text.secondary">
          Diagramm: {a.categoryTotalLabel}. Die Werte je {a.seriesHeader} stehen in der Tabelle.
        </Typography>
      )}
    </Box>
  );
}
