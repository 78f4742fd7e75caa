/**
 * "Export Datenbank KIM": choose indicators and format, export a period now or set a schedule
 * (monthly, quarterly, yearly – each exports the period before); every export is listed with who
 * made it and when, and can be downloaded again. Below: the yearly figures of the Sachbericht /
 * Verwendungsnachweis. Only anonymised, suppressed figures – never names, free text or ids.
 */
import { FormEvent, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link as RouterLink } from 'react-router-dom';
import { Title, usePermissions } from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Checkbox,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormLabel,
  Link,
  MenuItem,
  Radio,
  RadioGroup,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { visuallyHidden } from '@mui/utils';
import { apiCall, session } from '../providers/http';
import { ProblemAlert } from '../forms/ProblemAlert';
import { fieldError, FormProblem, toProblem } from '../forms/problem';
import { ReportCard } from './DashboardPage';
import { addMonths, currentMonth, MonthSelect } from './MonthSelect';
import { STAFF_POSTS_PATH } from './paths';
import type { ExportConfig, ExportRun, IndicatorInfo, Sachbericht } from './types';

const SACHBERICHT = { id: 'sachbericht', title: 'Sachbericht / Verwendungsnachweis (Jahreszahlen)' };
const SCHEDULE_DE: Record<string, string> = { monatlich: 'monatlich (Vormonat)', vierteljaehrlich: 'vierteljährlich (Vorquartal)', jaehrlich: 'jährlich (Vorjahr)' };
const dateTime = (iso: string) => new Date(iso).toLocaleString('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'short' });
const monthDe = (ym: string) => `${ym.slice(5)}/${ym.slice(0, 4)}`;

function Section({ title, id, children }: { title: string; id: string; children: React.ReactNode }) {
  return (
    <Card component="section" aria-labelledby={id} sx={{ minWidth: 0 }}>
      <CardContent>
        <Typography id={id} component="h2" variant="h6" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

export function ExportPage() {
  // The role as react-admin knows it (re-renders once the permissions are loaded).
  const { permissions } = usePermissions();
  const role = String(permissions ?? session.user?.role ?? '');
  const allowed = role === 'land' || role === 'coordinator';
  const qc = useQueryClient();
  const indicators = useQuery({ queryKey: ['indicators'], queryFn: () => apiCall<IndicatorInfo[]>('/api/dashboards/indicators'), enabled: allowed });
  const runs = useQuery({ queryKey: ['export-runs'], queryFn: () => apiCall<ExportRun[]>('/api/export/runs'), enabled: allowed });
  const configs = useQuery({ queryKey: ['export-configs'], queryFn: () => apiCall<ExportConfig[]>('/api/export/configs'), enabled: allowed });
  const [chosen, setChosen] = useState<string[]>([]);
  const [format, setFormat] = useState<'csv' | 'json'>('csv');
  const [from, setFrom] = useState(addMonths(currentMonth(), -12));
  const [to, setTo] = useState(addMonths(currentMonth(), -1));
  const [schedule, setSchedule] = useState('monatlich');
  const [firstRunNow, setFirstRunNow] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [made, setMade] = useState<ExportRun | null>(null);
  const [year, setYear] = useState(new Date().getFullYear());
  const sachbericht = useQuery({ queryKey: ['sachbericht', year], queryFn: () => apiCall<Sachbericht>(`/api/export/sachbericht?year=${year}`), enabled: allowed });

  const options = [...(indicators.data ?? []).map((i) => ({ id: i.id, title: i.title })), SACHBERICHT];
  const titleOf = (id: string) => options.find((o) => o.id === id)?.title ?? 'Kennzahl';
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['export-runs'] }), qc.invalidateQueries({ queryKey: ['export-configs'] })]);
  const runNow = useMutation({
    mutationFn: () => apiCall<ExportRun>('/api/export/runs', { method: 'POST', body: { indicators: chosen, from, to, format } }),
    onSuccess: async (r) => {
      setProblem(null);
      setMade(r);
      await refresh();
    },
    onError: (e) => setProblem(toProblem(e)),
  });
  const saveSchedule = useMutation({
    mutationFn: () => apiCall<ExportConfig>('/api/export/configs', { method: 'POST', body: { indicators: chosen, format, schedule, firstRunNow } }),
    onSuccess: async () => {
      setProblem(null);
      await refresh();
    },
    onError: (e) => setProblem(toProblem(e)),
  });
  const removeSchedule = useMutation({
    mutationFn: (id: string) => apiCall(`/api/export/configs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: refresh,
    onError: (e) => setProblem(toProblem(e)),
  });

  if (!allowed) {
    return (
      <Box sx={{ mt: 2 }}>
        <Title title="Export Datenbank KIM" />
        <Alert severity="info">Exporte für die Datenbank KIM erstellen die Koordination (eigene Kommune) und das Land.</Alert>
      </Box>
    );
  }
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  const submitRun = (e: FormEvent) => {
    e.preventDefault();
    runNow.mutate();
  };
  const years = Array.from({ length: 6 }, (_, i) => new Date().getFullYear() - i);

  return (
    <Box sx={{ mt: 2, mb: 2, display: 'grid', gap: 2, minWidth: 0 }} data-testid="export-page">
      <Title title="Export Datenbank KIM" />
      <Box component="header">
        <Typography component="h1" variant="h5">
          Export für die Datenbank KIM
        </Typography>
        <Typography color="text.secondary">
          {role === 'land' ? 'Alle Kommunen und NRW gesamt' : 'Ihre Kommune'} · nur anonymisierte Zahlen, kleine Werte als „&lt; 5“ · keine Namen, Freitexte oder Kennungen von Personen
        </Typography>
      </Box>
      <ProblemAlert problem={problem} shown={['indicators', 'from', 'to']} />

      <Section title="Inhalt des Exports" id="export-content">
        <FormControl component="fieldset" error={!!fieldError(problem, 'indicators')}>
          <FormLabel component="legend">Kennzahlen</FormLabel>
          <FormGroup sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
            {options.map((o) => (
              <FormControlLabel key={o.id} control={<Checkbox checked={chosen.includes(o.id)} onChange={() => toggle(o.id)} />} label={o.title} />
            ))}
          </FormGroup>
          {fieldError(problem, 'indicators') && <Typography color="error">{fieldError(problem, 'indicators')}</Typography>}
        </FormControl>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, mt: 1 }}>
          <Button size="small" onClick={() => setChosen(options.map((o) => o.id))}>
            Alle auswählen
          </Button>
          <Button size="small" onClick={() => setChosen([])}>
            Auswahl leeren
          </Button>
        </Box>
        <FormControl component="fieldset" sx={{ mt: 2 }}>
          <FormLabel component="legend">Format</FormLabel>
          <RadioGroup row value={format} onChange={(e) => setFormat(e.target.value as 'csv' | 'json')}>
            <FormControlLabel value="csv" control={<Radio />} label="CSV (Excel, Semikolon)" />
            <FormControlLabel value="json" control={<Radio />} label="JSON" />
          </RadioGroup>
        </FormControl>
      </Section>

      <Section title="Einmalig exportieren" id="export-once">
        <Box component="form" noValidate onSubmit={submitRun} aria-label="Einmalig exportieren" sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'flex-start' }}>
          <MonthSelect id="export-from" label="Zeitraum von" value={from} onChange={setFrom} error={fieldError(problem, 'from')} />
          <MonthSelect id="export-to" label="bis" value={to} onChange={setTo} error={fieldError(problem, 'to')} />
          <Button type="submit" variant="contained" disabled={runNow.isPending}>
            Export erstellen
          </Button>
        </Box>
        {made && (
          <Alert severity="success" sx={{ mt: 2 }} data-testid="export-made">
            Export erstellt: <Link href={`/api/export/runs/${encodeURIComponent(made.id)}/download`} download={made.fileName}>{made.fileName}</Link>
          </Alert>
        )}
      </Section>

      <Section title="Regelmäßig exportieren (Zeitplan)" id="export-schedule">
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center' }}>
          <TextField id="export-schedule-select" select label="Zeitplan" size="small" value={schedule} onChange={(e) => setSchedule(e.target.value)} sx={{ width: 280, maxWidth: '100%' }}>
            {Object.entries(SCHEDULE_DE).map(([k, v]) => (
              <MenuItem key={k} value={k}>
                {v}
              </MenuItem>
            ))}
          </TextField>
          <FormControlLabel control={<Checkbox checked={firstRunNow} onChange={(e) => setFirstRunNow(e.target.checked)} />} label="Erstes Mal sofort (für den letzten abgeschlossenen Zeitraum)" />
          <Button variant="outlined" onClick={() => saveSchedule.mutate()} disabled={saveSchedule.isPending}>
            Zeitplan speichern
          </Button>
        </Box>
        {(configs.data ?? []).length === 0 ? (
          <Typography sx={{ mt: 2 }} color="text.secondary">
            Noch kein Zeitplan.
          </Typography>
        ) : (
          <Box sx={{ overflowX: 'auto', position: 'relative', mt: 2 }} role="region" aria-label="Zeitpläne" tabIndex={0}>
            <Table size="small" data-testid="export-configs">
              <caption style={{ captionSide: 'top', textAlign: 'left' }}>Gespeicherte Zeitpläne</caption>
              <TableHead>
                <TableRow>
                  <TableCell component="th" scope="col">Zeitplan</TableCell>
                  <TableCell component="th" scope="col">Kennzahlen</TableCell>
                  <TableCell component="th" scope="col">Format</TableCell>
                  <TableCell component="th" scope="col">Nächster Export</TableCell>
                  <TableCell component="th" scope="col">Angelegt von</TableCell>
                  <TableCell component="th" scope="col">
                    <Box component="span" sx={visuallyHidden}>
                      Aktion
                    </Box>
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {configs.data!.map((c) => (
                  <TableRow key={c.id}>
                    <TableCell>{SCHEDULE_DE[c.schedule] ?? 'Zeitplan'}</TableCell>
                    <TableCell>{c.indicators.map(titleOf).join(', ')}</TableCell>
                    <TableCell>{c.format.toUpperCase()}</TableCell>
                    <TableCell>{dateTime(c.nextRunAt)}</TableCell>
                    <TableCell>{c.createdBy}</TableCell>
                    <TableCell>
                      <Button size="small" color="error" onClick={() => removeSchedule.mutate(c.id)} aria-label={`Zeitplan ${SCHEDULE_DE[c.schedule] ?? ''} löschen`}>
                        Löschen
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </Section>

      <Section title="Bisherige Exporte" id="export-runs">
        {(runs.data ?? []).length === 0 ? (
          <Typography color="text.secondary">Noch keine Exporte.</Typography>
        ) : (
          <Box sx={{ overflowX: 'auto', position: 'relative' }} role="region" aria-label="Bisherige Exporte" tabIndex={0}>
            <Table size="small" data-testid="export-runs">
              <caption style={{ captionSide: 'top', textAlign: 'left' }}>Wer hat wann was exportiert</caption>
              <TableHead>
                <TableRow>
                  <TableCell component="th" scope="col">Erstellt</TableCell>
                  <TableCell component="th" scope="col">Von</TableCell>
                  <TableCell component="th" scope="col">Zeitraum</TableCell>
                  <TableCell component="th" scope="col">Kennzahlen</TableCell>
                  <TableCell component="th" scope="col">Datei</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {runs.data!.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell>{dateTime(r.createdAt)}</TableCell>
                    <TableCell>
                      {r.requestedBy}
                      {r.trigger === 'zeitplan' ? ' (Zeitplan)' : ''}
                    </TableCell>
                    <TableCell>{r.from === r.to ? monthDe(r.from) : `${monthDe(r.from)} – ${monthDe(r.to)}`}</TableCell>
                    <TableCell>{r.indicators.length === 1 ? titleOf(r.indicators[0]) : `${r.indicators.length} Kennzahlen`}</TableCell>
                    <TableCell>
                      <Link href={`/api/export/runs/${encodeURIComponent(r.id)}/download`} download={r.fileName}>
                        {r.format.toUpperCase()} herunterladen
                      </Link>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Box>
        )}
      </Section>

      <Section title="Sachbericht / Verwendungsnachweis" id="export-sachbericht">
        <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center', mb: 2 }}>
          <TextField id="sachbericht-year" select label="Jahr" size="small" value={year} onChange={(e) => setYear(Number(e.target.value))} sx={{ width: 120 }}>
            {years.map((y) => (
              <MenuItem key={y} value={y}>
                {y}
              </MenuItem>
            ))}
          </TextField>
          {role === 'coordinator' && (
            <Link component={RouterLink} to={STAFF_POSTS_PATH}>
              Stellen (VZÄ) je Baustein pflegen
            </Link>
          )}
        </Box>
        {sachbericht.isError && <Alert severity="error">{(sachbericht.error as Error).message}</Alert>}
        <Box sx={{ display: 'grid', gap: 2 }}>
          {(sachbericht.data?.tables ?? []).map((t) => (
            <ReportCard key={t.id} table={t} period={String(year)} />
          ))}
        </Box>
      </Section>
    </Box>
  );
}
