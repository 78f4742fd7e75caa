/**
 * "Kennzahlen": the coordination's dashboard of its commune (per site, filter by site) and the
 * state's dashboard (every commune and NRW) – one card per indicator with its chart and, beside it,
 * the same numbers as a table; filters by period (and site); CSV for Excel. Small counts read "< 5".
 */
import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Title, usePermissions } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Chip, LinearProgress, MenuItem, TextField, Typography } from '@mui/material';
import DownloadIcon from '@mui/icons-material/Download';
import { apiCall, session } from '../providers/http';
import { SUPPRESSED_HINT } from './model';
import { MonthSelect } from './MonthSelect';
import { ReportChart } from './ReportChart';
import { ReportTableView } from './ReportTableView';
import type { Dashboard, ReportTable } from './types';

interface Filters {
  from: string;
  to: string;
  siteId: string;
}

const query = (f: Filters) => {
  const p = new URLSearchParams();
  if (f.from) p.set('from', f.from);
  if (f.to) p.set('to', f.to);
  if (f.siteId) p.set('siteId', f.siteId);
  const s = p.toString();
  return s ? `?${s}` : '';
};

export function ReportCard({ table, period }: { table: ReportTable; period: string }) {
  const headingId = `report-${table.id}`;
  return (
    <Card component="section" aria-labelledby={headingId} data-testid={`report-${table.id}`} sx={{ minWidth: 0 }}>
      <CardContent>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'baseline', gap: 1 }}>
          <Typography id={headingId} component="h2" variant="h6">
            {table.title}
          </Typography>
          <Chip size="small" variant="outlined" label={table.snapshot ? 'Stand heute' : period} />
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {table.description}
        </Typography>
        {table.columns.length === 0 || table.rows.length === 0 ? (
          <Typography>Noch keine Einträge.</Typography>
        ) : (
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: table.chart ? { xs: 'minmax(0, 1fr)', lg: 'minmax(0, 1fr) minmax(0, 1fr)' } : 'minmax(0, 1fr)', alignItems: 'start' }}>
            {table.chart && <ReportChart table={table} />}
            <ReportTableView table={table} />
          </Box>
        )}
      </CardContent>
    </Card>
  );
}

export function DashboardPage() {
  // The role as react-admin knows it (re-renders once the permissions are loaded).
  const { permissions } = usePermissions();
  const role = String(permissions ?? session.user?.role ?? '');
  const view = role === 'land' ? 'land' : 'kommune';
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', siteId: '' });
  const q = useQuery({
    queryKey: ['dashboard', view, filters],
    queryFn: () => apiCall<Dashboard>(`/api/dashboards/${view}${query(filters)}`),
    placeholderData: keepPreviousData,
    enabled: role === 'land' || role === 'coordinator',
  });
  const d = q.data;
  const title = view === 'land' ? 'Landesübersicht KIM' : `Kennzahlen ${d?.kommune?.label ?? ''}`.trim();
  if (role !== 'land' && role !== 'coordinator') {
    return (
      <Box sx={{ mt: 2 }}>
        <Title title="Kennzahlen" />
        <Alert severity="info">Die Kennzahlen sehen die Koordination (eigene Kommune) und das Land.</Alert>
      </Box>
    );
  }
  return (
    <Box sx={{ mt: 2, mb: 2, display: 'grid', gap: 2, minWidth: 0 }} data-testid="dashboard">
      <Title title={title} />
      <Box component="header">
        <Typography component="h1" variant="h5">
          {title}
        </Typography>
        <Typography color="text.secondary" data-testid="dashboard-scope">
          {d ? `${d.site ? `${d.site.label} · ` : ''}Zeitraum: ${d.periodLabel}` : 'Wird geladen …'}
          {view === 'land' ? ' · alle Kommunen und NRW gesamt, nur anonymisierte Zahlen' : ''}
        </Typography>
      </Box>
      <Card component="section" aria-label="Filter und Export">
        <CardContent sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center' }}>
          <MonthSelect id="dashboard-from" label="Zeitraum von" value={filters.from || d?.from || ''} onChange={(from) => setFilters((f) => ({ ...f, from }))} />
          <MonthSelect id="dashboard-to" label="bis" value={filters.to || d?.to || ''} onChange={(to) => setFilters((f) => ({ ...f, to }))} />
          {view === 'kommune' && (
            <TextField id="dashboard-site" select label="Standort" size="small" value={filters.siteId} onChange={(e) => setFilters((f) => ({ ...f, siteId: e.target.value }))} sx={{ width: 320, maxWidth: '100%' }}>
              <MenuItem value="">Alle Standorte</MenuItem>
              {(d?.sites ?? []).map((s) => (
                <MenuItem key={s.key} value={s.key}>
                  {s.label}
                </MenuItem>
              ))}
            </TextField>
          )}
          <Button component="a" href={`/api/dashboards/${view}/csv${query(filters)}`} download variant="outlined" startIcon={<DownloadIcon />}>
            CSV herunterladen
          </Button>
        </CardContent>
      </Card>
      {q.isFetching && <LinearProgress aria-label="Kennzahlen werden geladen" />}
      {q.isError && <Alert severity="error">{(q.error as Error).message}</Alert>}
      {d && (
        <>
          <Alert severity="info" data-testid="suppression-hint">
            Zum Schutz der Personen werden kleine Zahlen nicht gezeigt. {SUPPRESSED_HINT}
          </Alert>
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: 'minmax(0, 1fr)' }} data-loaded={!q.isFetching} data-testid="dashboard-tables">
            {d.tables.map((t) => (
              <ReportCard key={t.id} table={t} period={d.periodLabel} />
            ))}
          </Box>
        </>
      )}
    </Box>
  );
}
