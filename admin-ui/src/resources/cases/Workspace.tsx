/**
 * The case file as a workspace: a summary header (person by name or pseudonym as the role may see
 * it, phase, case manager, site, consent, next deadline) and tabs for needs and goals, the case's
 * open tasks, referrals, conferences, naturalisation, residence (only with data), consents,
 * documents, notes, the German history and the process view. Each tab shows only what the role may
 * read; writing controls are for the case manager of the case's site.
 */
import { ReactNode, useMemo, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { HttpError, useGetList, useGetOne, useNotify, useRecordContext, useRefresh } from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  MenuItem,
  Paper,
  Tab,
  Tabs,
  TextField,
  type Theme,
  Typography,
  useMediaQuery,
} from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { apiCall, apiUpload, session } from '../../providers/http';
import { CaseStartActions, EinbuergerungStatus, LIFE_AREAS } from './StartActions';
import { lazyComponent } from '../../lazy';
import { CaseMailStatus } from '../outbox/CaseMailStatus';
import { ResidenceTab, useResidencePath } from '../residence/ResidenceTab';
import { assigneeLabel } from '../tasks/TaskButtons';
import { GermanDateField } from '../../inputs/GermanDateInput';
import {
  CONFERENCE_STATUS_DE,
  categoryDe,
  CONSENT_DATA_CATEGORIES,
  CONSENT_PURPOSES,
  dateDe,
  dateTimeDe,
  DOCUMENT_TYPES,
  documentTypeDe,
  GOAL_STATUS_DE,
  GOAL_STATUSES,
  kindOfHelpDe,
  label,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENT_MB,
  NEED_ORIGIN_DE,
  PHASE_DE,
  referralStateDe,
} from './labels';

// The process view brings bpmn-js: loaded when its tab is opened, not with the case file.
const ProcessView = lazyComponent(() => import('./ProcessView'), 'ProcessView');

type Row = Record<string, unknown>;
const lifeAreaDe = (v: unknown) => LIFE_AREAS.find((l) => l.id === v)?.name ?? '—';
export const personName = (r: Row | undefined) => (r ? [r.firstName, r.lastName].filter(Boolean).join(' ') || String(r.pseudonym ?? '—') : '—');
const list = <T = Row,>(path: string) => apiCall<T[]>(path);
const enc = encodeURIComponent;

/** The signed-in case manager works on this case (own site, open). */
function mayWrite(c: Row): boolean {
  const u = session.user;
  return !!u && u.role === 'case_manager' && u.siteId === c.siteId && !c.closedAt;
}
const readsCaseContent = () => session.user?.role === 'case_manager' || session.user?.role === 'coordinator';

/** Display names of the commune's users (who wrote a note, added a need, uploaded a document). */
function useUserNames(): Map<string, string> {
  const { data } = useGetList('users', { pagination: { page: 1, perPage: 200 }, sort: { field: 'displayName', order: 'ASC' } }, { enabled: readsCaseContent() });
  return useMemo(() => new Map((data ?? []).map((u) => [String(u.id), String(u.displayName)])), [data]);
}

function ErrorText({ error }: { error: unknown }) {
  return <Alert severity="info">{(error as Error)?.message ?? 'Nicht verfügbar.'}</Alert>;
}

function SimpleTable({ caption, head, rows, empty }: { caption: string; head: string[]; rows: ReactNode[][]; empty: string }) {
  // On a phone a table would be cut off at the side: each row becomes a small card of label/value pairs.
  const narrow = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'), { noSsr: true });
  if (!rows.length) return <Typography variant="body2">{empty}</Typography>;
  if (narrow) {
    return (
      <Box component="ul" aria-label={caption} sx={{ listStyle: 'none', m: 0, p: 0 }}>
        {rows.map((r, i) => (
          <Paper component="li" variant="outlined" key={i} sx={{ p: 1.5, mb: 1 }}>
            <Box component="dl" sx={{ m: 0, display: 'grid', gap: 0.5 }}>
              {r.map((cell, j) =>
                cell === null || cell === '' ? null : head[j] ? (
                  <Box key={j}>
                    <Typography component="dt" variant="caption" color="text.secondary">
                      {head[j]}
                    </Typography>
                    <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
                      {cell}
                    </Typography>
                  </Box>
                ) : (
                  <Box key={j} component="dd" sx={{ m: 0 }}>
                    {cell}
                  </Box>
                ),
              )}
            </Box>
          </Paper>
        ))}
      </Box>
    );
  }
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Box component="table" sx={{ borderCollapse: 'collapse', width: '100%', minWidth: 480, '& td, & th': { textAlign: 'left', p: 0.75, borderBottom: 1, borderColor: 'divider', verticalAlign: 'top' } }}>
        <caption style={{ position: 'absolute', left: -10000 }}>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((c, j) => (
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </Box>
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// Summary header
// ---------------------------------------------------------------------------------------------

function useOpenTasks(caseId: string) {
  return useQuery({
    queryKey: ['cases', caseId, 'tasks'],
    queryFn: () => list<Row>(`/api/tasks?filter=${enc(JSON.stringify({ view: 'all', caseId }))}&range=${enc('[0,49]')}&sort=${enc('["dueDate","ASC"]')}`),
    retry: false,
    enabled: readsCaseContent(),
  });
}

function useConsents(caseId: string) {
  return useQuery({
    queryKey: ['cases', caseId, 'consents'],
    queryFn: () => list<Row>(`/api/consents?filter=${enc(JSON.stringify({ caseId }))}&range=${enc('[0,49]')}`),
    retry: false,
    enabled: readsCaseContent(),
  });
}

function consentState(c: Row, consents: Row[] | undefined): string {
  const today = new Date().toISOString().slice(0, 10);
  const valid = (consents ?? []).filter((k) => !k.revokedAt && String(k.validFrom).slice(0, 10) <= today && (!k.validUntil || String(k.validUntil).slice(0, 10) >= today));
  if (valid.length) {
    const until = valid.map((k) => k.validUntil).filter(Boolean).sort()[0];
    return until ? `erteilt (gültig bis ${dateDe(until)})` : 'erteilt';
  }
  if (c.consentRefusedAt) return 'verweigert – keine Datenweitergabe';
  if ((consents ?? []).length) return 'nicht mehr gültig (widerrufen oder abgelaufen)';
  return 'keine Einwilligung erfasst';
}

export function CaseSummary({ c }: { c: Row }) {
  const caseId = String(c.id);
  const client = useGetOne('clients', { id: String(c.clientId) }, { enabled: !!c.clientId, retry: false });
  const manager = useGetOne('users', { id: String(c.caseManagerId) }, { enabled: !!c.caseManagerId && readsCaseContent(), retry: false });
  const site = useGetOne('sites', { id: String(c.siteId) }, { retry: false });
  const tasks = useOpenTasks(caseId);
  const consents = useConsents(caseId);
  // The next deadline of the case: a task's due date or a date of the residence path (same query as its timeline).
  const fristen = useQuery({
    queryKey: ['fristen', caseId],
    queryFn: () => apiCall<Array<{ label: string; date: string }>>(`/api/cases/${enc(caseId)}/fristen`),
    retry: false,
    enabled: session.user?.role === 'case_manager',
  });
  const today = new Date().toISOString().slice(0, 10);
  const next = [
    ...(tasks.data ?? []).filter((t) => t.dueDate).map((t) => ({ date: String(t.dueDate), what: String(t.name ?? 'Aufgabe') })),
    ...(fristen.data ?? []).filter((f) => f.date >= today).map((f) => ({ date: f.date, what: f.label })),
  ].sort((a, b) => a.date.localeCompare(b.date))[0];
  const items: Array<[string, ReactNode]> = [
    ['Person', personName(client.data as Row | undefined)],
    ['Phase', label(PHASE_DE, c.phase)],
    ['Hilfeart', kindOfHelpDe(c)],
    ['Fallverantwortung', c.caseManagerId ? String((manager.data as Row | undefined)?.displayName ?? '—') : 'nicht zugeordnet'],
    ['Standort', String((site.data as Row | undefined)?.name ?? '—')],
    ...(readsCaseContent()
      ? ([
          ['Einwilligung', consents.isError ? '—' : consentState(c, consents.data)],
          ['Nächste Frist', tasks.isError ? '—' : next ? `${dateDe(next.date)} (${next.what})` : 'keine offene Frist'],
        ] as Array<[string, ReactNode]>)
      : []),
    ...(c.closedAt ? ([['Abgeschlossen', dateDe(c.closedAt)]] as Array<[string, ReactNode]>) : []),
  ];
  return (
    <Paper variant="outlined" component="header" sx={{ p: 2, mb: 2 }}>
      <Typography component="h1" variant="h5">
        Fall {String(c.reference)}
      </Typography>
      <Box component="dl" data-testid="case-summary" sx={{ display: 'grid', gridTemplateColumns: { xs: 'max-content minmax(0, 1fr)', md: 'repeat(2, max-content minmax(0, 1fr))', lg: 'repeat(3, max-content minmax(0, 1fr))' }, columnGap: 2, rowGap: 0.5, m: 0, mt: 1, '& dt': { fontWeight: 700 }, '& dd': { m: 0, overflowWrap: 'anywhere' } }}>
        {items.map(([k, v]) => (
          <Box key={k} sx={{ display: 'contents' }}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Box>
        ))}
      </Box>
    </Paper>
  );
}

// ---------------------------------------------------------------------------------------------
// Needs and goals
// ---------------------------------------------------------------------------------------------

function NeedDialog({ caseId, onClose }: { caseId: string; onClose: () => void }) {
  const [form, setForm] = useState({ lifeArea: '', description: '' });
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: () => apiCall(`/api/cases/${enc(caseId)}/needs`, { method: 'POST', body: form }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['cases', caseId, 'plan'] });
      onClose();
    },
  });
  const fields = ((m.error as HttpError | null)?.body as { errors?: Record<string, string> } | undefined)?.errors ?? {};
  return (
    <Dialog open onClose={onClose} aria-labelledby="need-title" fullWidth maxWidth="sm">
      <DialogTitle id="need-title">Bedarf ergänzen</DialogTitle>
      <DialogContent>
        <TextField select label="Lebensbereich" value={form.lifeArea} onChange={(e) => setForm({ ...form, lifeArea: e.target.value })} fullWidth margin="dense" required error={!!fields.lifeArea} helperText={fields.lifeArea}>
          {LIFE_AREAS.map((l) => (
            <MenuItem key={l.id} value={l.id}>
              {l.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField label="Beschreibung" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} fullWidth margin="dense" multiline minRows={2} required error={!!fields.description} helperText={fields.description} />
        {m.isError && <Alert severity="error">{(m.error as Error).message}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Abbrechen</Button>
        <Button variant="contained" onClick={() => m.mutate()} disabled={m.isPending}>
          Speichern
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function GoalDialog({ caseId, goal, need, onClose }: { caseId: string; goal?: Row; need?: Row; onClose: () => void }) {
  const [form, setForm] = useState({
    description: String(goal?.description ?? ''),
    status: String(goal?.status ?? 'offen'),
    dueDate: goal?.dueDate ? String(goal.dueDate).slice(0, 10) : '',
    resultDate: goal?.resultDate ? String(goal.resultDate).slice(0, 10) : new Date().toISOString().slice(0, 10),
  });
  const qc = useQueryClient();
  const finished = form.status === 'erreicht' || form.status === 'nicht_erreicht';
  const m = useMutation({
    mutationFn: () => {
      const body = { description: form.description, status: form.status, dueDate: form.dueDate || null, ...(finished ? { resultDate: form.resultDate || null } : {}) };
      return goal
        ? apiCall(`/api/goals/${enc(String(goal.id))}`, { method: 'PUT', body })
        : apiCall(`/api/cases/${enc(caseId)}/goals`, { method: 'POST', body: { ...body, lifeArea: need?.lifeArea, needId: need?.id } });
    },
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['cases', caseId, 'plan'] });
      onClose();
    },
  });
  const fields = ((m.error as HttpError | null)?.body as { errors?: Record<string, string> } | undefined)?.errors ?? {};
  return (
    <Dialog open onClose={onClose} aria-labelledby="goal-title" fullWidth maxWidth="sm">
      <DialogTitle id="goal-title">{goal ? 'Ziel bearbeiten' : 'Ziel vereinbaren'}</DialogTitle>
      <DialogContent>
        <TextField label="Ziel" value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} fullWidth margin="dense" multiline required error={!!fields.description} helperText={fields.description} />
        <TextField select label="Stand" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })} fullWidth margin="dense">
          {GOAL_STATUSES.map((s) => (
            <MenuItem key={s.id} value={s.id}>
              {s.name}
            </MenuItem>
          ))}
        </TextField>
        <GermanDateField label="Zieldatum" value={form.dueDate} onChange={(iso) => setForm((f) => ({ ...f, dueDate: iso }))} fullWidth sx={{ mt: 1, mb: 0.5 }} shrinkLabel />
        {finished && (
          <GermanDateField
            label={form.status === 'erreicht' ? 'Erreicht am' : 'Nicht erreicht – festgestellt am'}
            value={form.resultDate}
            onChange={(iso) => setForm((f) => ({ ...f, resultDate: iso }))}
            fullWidth
            sx={{ mt: 1, mb: 0.5 }}
            shrinkLabel
          />
        )}
        {m.isError && <Alert severity="error">{(m.error as Error).message}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Abbrechen</Button>
        <Button variant="contained" onClick={() => m.mutate()} disabled={m.isPending}>
          Speichern
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function goalLine(g: Row): string {
  const parts = [label(GOAL_STATUS_DE, g.status)];
  if (g.resultDate && (g.status === 'erreicht' || g.status === 'nicht_erreicht')) parts.push(`am ${dateDe(g.resultDate)}`);
  else if (g.dueDate) parts.push(`bis ${dateDe(g.dueDate)}`);
  return parts.join(' ');
}

function NeedsGoals({ c }: { c: Row }) {
  const caseId = String(c.id);
  const users = useUserNames();
  const q = useQuery({
    queryKey: ['cases', caseId, 'plan'],
    queryFn: async () => ({ needs: await list(`/api/cases/${enc(caseId)}/needs`), goals: await list(`/api/cases/${enc(caseId)}/goals`) }),
    retry: false,
  });
  const [dialog, setDialog] = useState<null | { kind: 'need' } | { kind: 'goal'; goal?: Row; need?: Row }>(null);
  if (q.isPending) return <Typography role="status">Bedarfe und Ziele werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  const { needs, goals } = q.data;
  const write = mayWrite(c);
  const belongs = (g: Row, n: Row) => (g.needId ? g.needId === n.id : g.lifeArea === n.lifeArea && !needs.some((x) => x.id !== n.id && x.lifeArea === n.lifeArea && needs.indexOf(x) < needs.indexOf(n)));
  const loose = goals.filter((g) => !needs.some((n) => belongs(g, n)));
  const origin = (n: Row) => {
    const who = n.createdById ? users.get(String(n.createdById)) : null;
    return `${label(NEED_ORIGIN_DE, n.origin, 'Im Erstkontakt genannt')} am ${dateDe(n.createdAt)}${who ? ` von ${who}` : ''}`;
  };
  const goalItem = (g: Row) => (
    <Box component="li" key={String(g.id)} sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1, py: 0.5 }}>
      <span>Ziel: {String(g.description ?? '')}</span>
      <Chip size="small" label={goalLine(g)} color={g.status === 'erreicht' ? 'success' : g.status === 'nicht_erreicht' ? 'warning' : 'default'} />
      {write && (
        <Button size="small" onClick={() => setDialog({ kind: 'goal', goal: g })} aria-label={`Ziel bearbeiten: ${String(g.description ?? '')}`}>
          Bearbeiten
        </Button>
      )}
    </Box>
  );
  return (
    <Box>
      {write && (
        <Button variant="outlined" onClick={() => setDialog({ kind: 'need' })} sx={{ mb: 1 }}>
          Bedarf ergänzen
        </Button>
      )}
      {needs.length === 0 && <Typography variant="body2">Keine Bedarfe erfasst.</Typography>}
      <Box component="ul" sx={{ pl: 0, listStyle: 'none' }}>
        {needs.map((n) => (
          <Paper component="li" variant="outlined" key={String(n.id)} sx={{ p: 1.5, mb: 1 }}>
            <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 700 }}>
              {lifeAreaDe(n.lifeArea)}
            </Typography>
            {n.description ? <Typography variant="body2">{String(n.description)}</Typography> : null}
            <Typography variant="caption" component="p" color="text.secondary">
              {origin(n)}
            </Typography>
            <Box component="ul" sx={{ pl: 2, m: 0 }}>
              {goals.filter((g) => belongs(g, n)).map(goalItem)}
            </Box>
            {write && (
              <Button size="small" onClick={() => setDialog({ kind: 'goal', need: n })}>
                Ziel vereinbaren
              </Button>
            )}
          </Paper>
        ))}
      </Box>
      {loose.length > 0 && (
        <Box component="ul" sx={{ pl: 2 }}>
          {loose.map(goalItem)}
        </Box>
      )}
      {dialog?.kind === 'need' && <NeedDialog caseId={caseId} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'goal' && <GoalDialog caseId={caseId} goal={dialog.goal} need={dialog.need} onClose={() => setDialog(null)} />}
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// Tasks, referrals, conferences, naturalisation, residence
// ---------------------------------------------------------------------------------------------

function CaseTasks({ caseId }: { caseId: string }) {
  const q = useOpenTasks(caseId);
  if (q.isPending) return <Typography role="status">Aufgaben werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  return (
    <SimpleTable
      caption="Offene Aufgaben des Falls"
      head={['Aufgabe', 'Fällig', 'Bearbeitung']}
      empty="Keine offenen Aufgaben."
      rows={q.data.map((t) => [
        <RouterLink key="l" to={`/tasks/${enc(String(t.id))}/show`}>
          {String(t.name ?? 'Aufgabe')}
        </RouterLink>,
        dateDe(t.dueDate),
        assigneeLabel(t as { assignee: string | null; assigneeName?: string | null }, 'offen für die Gruppe'),
      ])}
    />
  );
}

function Referrals({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: ['cases', caseId, 'referrals'], queryFn: () => list(`/api/referrals?filter=${enc(JSON.stringify({ caseId }))}&range=${enc('[0,99]')}`), retry: false });
  const orgs = useGetList('organisations', { pagination: { page: 1, perPage: 200 }, sort: { field: 'name', order: 'ASC' } });
  const orgName = (id: unknown) => String(orgs.data?.find((o) => o.id === id)?.name ?? '—');
  if (q.isPending) return <Typography role="status">Vermittlungen werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  return (
    <SimpleTable
      caption="Vermittlungen"
      head={['Stelle', 'Lebensbereich', 'Anliegen', 'Daten', 'Stand', 'Antwort der Stelle', 'Frist']}
      empty="Keine Vermittlungen."
      rows={q.data.map((r) => [
        orgName(r.organisationId),
        lifeAreaDe(r.lifeArea),
        String(r.purpose ?? '—'),
        r.withData ? 'mit Daten (Einwilligung)' : 'ohne Daten',
        referralStateDe(r),
        r.answeredAt ? `${dateDe(r.answeredAt)}: ${r.outcome ? String(r.outcome) : r.status === 'abgelehnt' ? 'abgelehnt' : 'angenommen'}` : 'noch keine Antwort',
        dateDe(r.dueDate),
      ])}
    />
  );
}

const RESPONSE_DE: Record<string, string> = { zugesagt: 'hat zugesagt', abgesagt: 'hat abgesagt' };

/** One conference: occasion, date, place and each invited agency with data sharing and its answer. */
function ConferenceCard({ id, row }: { id: string; row: Row }) {
  const q = useQuery({ queryKey: ['conferences', id], queryFn: () => apiCall<Row>(`/api/conferences/${enc(id)}`), retry: false });
  const participants = (q.data?.participants as Row[] | undefined) ?? [];
  const place = [row.location, row.videoLink ? `Video: ${String(row.videoLink)}` : null].filter(Boolean).join(' · ');
  return (
    <Paper component="li" variant="outlined" sx={{ p: 1.5, mb: 1 }}>
      <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 700, overflowWrap: 'anywhere' }}>
        {String(row.occasion ?? row.title ?? 'Fallkonferenz')}
      </Typography>
      <Typography variant="body2">
        <strong>Stand:</strong> {label(CONFERENCE_STATUS_DE, row.status)} · <strong>Termin:</strong> {row.scheduledAt ? `${dateTimeDe(row.scheduledAt)} Uhr` : 'noch nicht geplant'}
        {place ? (
          <>
            {' · '}
            <strong>Ort:</strong> {place}
          </>
        ) : null}
      </Typography>
      {q.isError ? null : (
        <Box component="ul" aria-label="Eingeladene Stellen" sx={{ pl: 2, m: 0, mt: 0.5 }}>
          {participants.map((p) => (
            <li key={String(p.id)}>
              <Typography variant="body2" component="span" sx={{ overflowWrap: 'anywhere' }}>
                {String(p.name ?? 'Stelle')} – {p.withData ? 'mit Daten (Einwilligung)' : 'ohne Daten'} – {typeof p.response === 'string' && RESPONSE_DE[p.response] ? `${RESPONSE_DE[p.response]}${p.respondedAt ? ` (${dateDe(p.respondedAt)})` : ''}` : row.status === 'geplant' ? 'noch nicht eingeladen' : 'noch keine Antwort'}
                {p.responseReason ? `: ${String(p.responseReason)}` : ''}
              </Typography>
            </li>
          ))}
        </Box>
      )}
    </Paper>
  );
}

function Conferences({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: ['cases', caseId, 'conferences'], queryFn: () => list(`/api/conferences?filter=${enc(JSON.stringify({ caseId }))}&range=${enc('[0,49]')}`), retry: false });
  if (q.isPending) return <Typography role="status">Fallkonferenzen werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  if (!q.data.length) return <Typography variant="body2">Keine Fallkonferenzen.</Typography>;
  return (
    <Box component="ul" aria-label="Fallkonferenzen" sx={{ pl: 0, m: 0, listStyle: 'none' }}>
      {q.data.map((r) => (
        <ConferenceCard key={String(r.id)} id={String(r.id)} row={r} />
      ))}
    </Box>
  );
}

function useNaturalisation(caseId: string) {
  return useQuery({
    queryKey: ['einbuergerung', caseId],
    queryFn: async () => {
      try {
        return await apiCall<Row>(`/api/einbuergerung/cases/${enc(caseId)}`);
      } catch (e) {
        if (e instanceof HttpError && (e.status === 404 || e.status === 403)) return null;
        throw e;
      }
    },
    retry: false,
  });
}

/** Residence facts, as far as they are recorded (the residence path itself is built elsewhere). */
function Residence({ n }: { n: Row }) {
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5, '& dt': { fontWeight: 700 }, '& dd': { m: 0 } }}>
      <dt>Aufenthalt seit</dt>
      <dd>{dateDe(n.aufenthaltSeit)}</dd>
      <dt>Aufenthaltstitel geeignet</dt>
      <dd>{n.aufenthaltstitelGeeignet == null ? '—' : n.aufenthaltstitelGeeignet ? 'ja' : 'nein'}</dd>
      <dt>Von der Ausländerbehörde bestätigt</dt>
      <dd>{n.aufenthaltBestaetigtAm ? `${dateDe(n.aufenthaltBestaetigtAm)}${n.aufenthaltKorrigiert ? ' (korrigiert)' : ''}` : 'noch nicht'}</dd>
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// Consents
// ---------------------------------------------------------------------------------------------

const purposeDe = (v: string) => (CONSENT_PURPOSES as Record<string, string>)[v] ?? v;

function CheckGroup(props: { title: string; options: Array<{ value: string; label: string }>; selected: string[]; onToggle: (value: string) => void; row?: boolean }) {
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0, mt: 1 }}>
      <Typography component="legend" variant="subtitle2">
        {props.title}
      </Typography>
      <FormGroup row={props.row}>
        {props.options.map((o) => (
          <FormControlLabel key={o.value} control={<Checkbox checked={props.selected.includes(o.value)} onChange={() => props.onToggle(o.value)} />} label={o.label} />
        ))}
      </FormGroup>
    </Box>
  );
}

function GiveConsent({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ recipients: [] as string[], dataCategories: [] as string[], purposes: [] as string[], validFrom: new Date().toISOString().slice(0, 10), validUntil: '' });
  const { data: orgs } = useGetList('organisations', { pagination: { page: 1, perPage: 200 }, sort: { field: 'name', order: 'ASC' } }, { enabled: open });
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () => apiCall('/api/consents', { method: 'POST', body: { caseId, ...form, validUntil: form.validUntil || undefined } }),
    onSuccess: () => {
      notify('Einwilligung gespeichert.', { type: 'success' });
      setOpen(false);
      onDone();
    },
  });
  const toggle = (key: 'recipients' | 'dataCategories' | 'purposes', v: string) => setForm((f) => ({ ...f, [key]: f[key].includes(v) ? f[key].filter((x) => x !== v) : [...f[key], v] }));
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)} sx={{ mb: 1 }}>
        Einwilligung erfassen
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="consent-title">
        <DialogTitle id="consent-title">Einwilligung erfassen</DialogTitle>
        <DialogContent>
          <CheckGroup title="Empfänger (Partnerorganisationen)" options={(orgs ?? []).map((o) => ({ value: String(o.id), label: String(o.name) }))} selected={form.recipients} onToggle={(v) => toggle('recipients', v)} />
          <CheckGroup title="Datenkategorien" row options={Object.entries(CONSENT_DATA_CATEGORIES).map(([value, l]) => ({ value, label: l }))} selected={form.dataCategories} onToggle={(v) => toggle('dataCategories', v)} />
          <CheckGroup title="Zwecke" row options={Object.entries(CONSENT_PURPOSES).map(([value, l]) => ({ value, label: l }))} selected={form.purposes} onToggle={(v) => toggle('purposes', v)} />
          <Box sx={{ display: 'flex', gap: 2, mt: 1, flexWrap: 'wrap' }}>
            <GermanDateField label="Gültig ab" value={form.validFrom} onChange={(iso) => setForm((f) => ({ ...f, validFrom: iso }))} shrinkLabel />
            <GermanDateField label="Gültig bis" value={form.validUntil} onChange={(iso) => setForm((f) => ({ ...f, validUntil: iso }))} shrinkLabel />
          </Box>
          {m.isError && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {(m.error as Error).message}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Abbrechen</Button>
          <Button variant="contained" onClick={() => m.mutate()} disabled={m.isPending}>
            Speichern
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function ReasonDialog(props: { id: string; title: string; text?: string; submitLabel: string; color?: 'error' | 'primary'; onSubmit: (reason: string) => Promise<unknown>; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const m = useMutation({ mutationFn: () => props.onSubmit(reason), onSuccess: props.onClose });
  return (
    <Dialog open onClose={props.onClose} aria-labelledby={`${props.id}-title`} fullWidth maxWidth="sm">
      <DialogTitle id={`${props.id}-title`}>{props.title}</DialogTitle>
      <DialogContent>
        {props.text && (
          <Typography variant="body2" sx={{ mb: 1 }}>
            {props.text}
          </Typography>
        )}
        <TextField label="Grund" value={reason} onChange={(e) => setReason(e.target.value)} fullWidth multiline required margin="dense" />
        {m.isError && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {(m.error as Error).message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Abbrechen</Button>
        <Button variant="contained" color={props.color ?? 'primary'} onClick={() => m.mutate()} disabled={m.isPending}>
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function Consents({ c }: { c: Row }) {
  const caseId = String(c.id);
  const q = useConsents(caseId);
  const qc = useQueryClient();
  const orgs = useGetList('organisations', { pagination: { page: 1, perPage: 200 }, sort: { field: 'name', order: 'ASC' } });
  const [revoke, setRevoke] = useState<Row | null>(null);
  const reload = () => qc.invalidateQueries({ queryKey: ['cases', caseId, 'consents'] });
  if (q.isPending) return <Typography role="status">Einwilligungen werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  const names = (ids: unknown) => ((ids as string[]) ?? []).map((id) => String(orgs.data?.find((o) => o.id === id)?.name ?? 'unbekannte Stelle')).join(', ');
  return (
    <Box>
      {mayWrite(c) && <GiveConsent caseId={caseId} onDone={reload} />}
      <SimpleTable
        caption="Einwilligungen"
        head={['Empfänger', 'Daten', 'Zwecke', 'gültig', 'Stand', '']}
        empty="Keine Einwilligung erfasst."
        rows={q.data.map((k) => [
          names(k.recipients),
          ((k.dataCategories as string[]) ?? []).map(categoryDe).join(', '),
          ((k.purposes as string[]) ?? []).map(purposeDe).join(', '),
          `${dateDe(k.validFrom)} – ${k.validUntil ? dateDe(k.validUntil) : 'unbefristet'}`,
          k.revokedAt ? `widerrufen am ${dateDe(k.revokedAt)}: ${String(k.revokeReason ?? '')}` : 'erteilt',
          !k.revokedAt && mayWrite(c) ? (
            <Button key="r" size="small" color="error" onClick={() => setRevoke(k)}>
              Widerrufen
            </Button>
          ) : null,
        ])}
      />
      {revoke && (
        <ReasonDialog
          id="revoke"
          title="Einwilligung widerrufen"
          text="Laufende Datenweitergaben auf Grundlage dieser Einwilligung werden gestoppt."
          submitLabel="Widerrufen"
          color="error"
          onSubmit={async (reason) => {
            await apiCall(`/api/consents/${enc(String(revoke.id))}/revoke`, { method: 'POST', body: { reason } });
            await reload();
          }}
          onClose={() => setRevoke(null)}
        />
      )}
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

function UploadDialog({ caseId, onClose, onDone }: { caseId: string; onClose: () => void; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [title, setTitle] = useState('');
  const [kind, setKind] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () => apiUpload(`/api/cases/${enc(caseId)}/documents?${new URLSearchParams({ title, kind, fileName: file?.name ?? '' })}`, file as File),
    onSuccess: () => {
      notify('Dokument hochgeladen.', { type: 'success' });
      onDone();
      onClose();
    },
  });
  const submit = () => {
    if (!file) return setLocal('Bitte eine Datei wählen.');
    if (file.size > MAX_DOCUMENT_BYTES) return setLocal(`Die Datei ist zu groß (höchstens ${MAX_DOCUMENT_MB} MB).`);
    setLocal(null);
    m.mutate();
  };
  const fields = ((m.error as HttpError | null)?.body as { errors?: Record<string, string> } | undefined)?.errors ?? {};
  return (
    <Dialog open onClose={onClose} aria-labelledby="upload-title" fullWidth maxWidth="sm">
      <DialogTitle id="upload-title">Dokument hochladen</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 1 }}>
          PDF, JPEG oder PNG, höchstens {MAX_DOCUMENT_MB} MB.
        </Typography>
        {/* A real button (a label is not reachable by keyboard) that opens the hidden file input. */}
        <Button variant="outlined" onClick={() => fileInput.current?.click()}>
          Datei wählen
        </Button>
        <input
          ref={fileInput}
          type="file"
          hidden
          tabIndex={-1}
          accept="application/pdf,image/jpeg,image/png"
          aria-label="Datei wählen"
          onChange={(e) => {
            const f = e.target.files?.[0] ?? null;
            setFile(f);
            if (f && !title) setTitle(f.name.replace(/\.[^.]+$/, ''));
          }}
        />
        <Typography variant="body2" component="span" sx={{ ml: 1 }}>
          {file ? `${file.name} (${(file.size / 1024 / 1024).toFixed(1).replace('.', ',')} MB)` : 'keine Datei gewählt'}
        </Typography>
        <TextField label="Titel" value={title} onChange={(e) => setTitle(e.target.value)} fullWidth margin="dense" required error={!!fields.title} helperText={fields.title} />
        <TextField select label="Dokumentart" value={kind} onChange={(e) => setKind(e.target.value)} fullWidth margin="dense" required error={!!fields.kind} helperText={fields.kind}>
          {Object.entries(DOCUMENT_TYPES).map(([id, name]) => (
            <MenuItem key={id} value={id}>
              {name}
            </MenuItem>
          ))}
        </TextField>
        {(local || m.isError) && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {local ?? (m.error as Error).message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Abbrechen</Button>
        <Button variant="contained" onClick={submit} disabled={m.isPending}>
          {m.isPending ? 'Wird hochgeladen …' : 'Hochladen'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function Documents({ c }: { c: Row }) {
  const caseId = String(c.id);
  const users = useUserNames();
  const qc = useQueryClient();
  const [upload, setUpload] = useState(false);
  const [remove, setRemove] = useState<Row | null>(null);
  const q = useQuery({ queryKey: ['cases', caseId, 'documents'], queryFn: () => list(`/api/documents?filter=${enc(JSON.stringify({ caseId }))}&range=${enc('[0,99]')}`), retry: false });
  const reload = () => qc.invalidateQueries({ queryKey: ['cases', caseId] });
  if (q.isPending) return <Typography role="status">Dokumente werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  const write = mayWrite(c);
  return (
    <Box>
      {write && (
        <Button variant="outlined" onClick={() => setUpload(true)} sx={{ mb: 1 }}>
          Dokument hochladen
        </Button>
      )}
      <SimpleTable
        caption="Dokumente"
        head={['Titel', 'Art', 'Hochgeladen', 'Größe', 'Datei', ...(write ? [''] : [])]}
        empty="Keine Dokumente."
        rows={q.data.map((d) => [
          String(d.title),
          documentTypeDe(d.kind),
          `${dateDe(d.createdAt)}${d.uploadedById && users.get(String(d.uploadedById)) ? ` von ${users.get(String(d.uploadedById))}` : ''}`,
          `${Math.max(1, Math.round(Number(d.size ?? 0) / 1024)).toLocaleString('de-DE')} KB`,
          <a key="d" href={`/api/documents/${enc(String(d.id))}/content`} download={String(d.fileName)}>
            {String(d.fileName)} herunterladen
          </a>,
          ...(write
            ? [
                <Button key="x" size="small" color="error" onClick={() => setRemove(d)} aria-label={`Dokument löschen: ${String(d.title)}`}>
                  Löschen
                </Button>,
              ]
            : []),
        ])}
      />
      {upload && <UploadDialog caseId={caseId} onClose={() => setUpload(false)} onDone={reload} />}
      {remove && (
        <ReasonDialog
          id="delete-document"
          title={`Dokument „${String(remove.title)}“ löschen`}
          text="Die Datei wird endgültig gelöscht. Der Grund wird im Verlauf des Falls festgehalten."
          submitLabel="Löschen"
          color="error"
          onSubmit={async (reason) => {
            await apiCall(`/api/documents/${enc(String(remove.id))}`, { method: 'DELETE', body: { reason } });
            await reload();
          }}
          onClose={() => setRemove(null)}
        />
      )}
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// Notes and history
// ---------------------------------------------------------------------------------------------

function Notes({ c }: { c: Row }) {
  const caseId = String(c.id);
  const users = useUserNames();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const q = useQuery({ queryKey: ['cases', caseId, 'notes'], queryFn: () => list(`/api/notes?filter=${enc(JSON.stringify({ caseId }))}&range=${enc('[0,49]')}&sort=${enc('["createdAt","DESC"]')}`), retry: false });
  const m = useMutation({
    mutationFn: () => apiCall('/api/notes', { method: 'POST', body: { caseId, text } }),
    onSuccess: () => {
      setText('');
      qc.invalidateQueries({ queryKey: ['cases', caseId] });
    },
  });
  if (q.isPending) return <Typography role="status">Notizen werden geladen …</Typography>;
  if (q.isError) return <ErrorText error={q.error} />;
  return (
    <Box>
      {mayWrite(c) && (
        <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', mb: 1, flexWrap: 'wrap' }}>
          <TextField label="Neue Notiz" value={text} onChange={(e) => setText(e.target.value)} multiline minRows={2} sx={{ flex: 1, minWidth: 240 }} error={m.isError} helperText={m.isError ? (m.error as Error).message : undefined} />
          <Button variant="outlined" onClick={() => m.mutate()} disabled={m.isPending || !text.trim()}>
            Notiz speichern
          </Button>
        </Box>
      )}
      <SimpleTable
        caption="Notizen"
        head={['Am', 'Von', 'Notiz']}
        empty="Keine Notizen."
        rows={q.data.map((n) => [dateTimeDe(n.createdAt), n.authorId ? (users.get(String(n.authorId)) ?? 'unbekannt') : 'System', <span key="t" style={{ whiteSpace: 'pre-wrap' }}>{String(n.text)}</span>])}
      />
    </Box>
  );
}

function History({ caseId }: { caseId: string }) {
  const [reads, setReads] = useState(false);
  const q = useQuery({
    queryKey: ['cases', caseId, 'audit', reads],
    queryFn: () => list(`/api/cases/${enc(caseId)}/audit?range=${enc('[0,99]')}${reads ? '&reads=true' : ''}`),
    retry: false,
  });
  return (
    <Box>
      <FormControlLabel control={<Checkbox checked={reads} onChange={(e) => setReads(e.target.checked)} />} label="Auch reine Lesezugriffe anzeigen" />
      {q.isPending ? (
        <Typography role="status">Verlauf wird geladen …</Typography>
      ) : q.isError ? (
        <ErrorText error={q.error} />
      ) : (
        <SimpleTable
          caption="Verlauf des Falls"
          head={['Wann', 'Wer', 'Was', 'Grund']}
          empty="Noch keine Einträge."
          rows={q.data.map((r) => [dateTimeDe(r.at), `${String(r.who)}${r.roleDe ? ` (${String(r.roleDe)})` : ''}`, String(r.text), r.reasonDe ? String(r.reasonDe) : '—'])}
        />
      )}
    </Box>
  );
}

// ---------------------------------------------------------------------------------------------
// The workspace
// ---------------------------------------------------------------------------------------------

interface TabDef {
  id: string;
  label: string;
  body: ReactNode;
}

export function CaseWorkspace() {
  const c = useRecordContext<Row>();
  const [tab, setTab] = useState('bedarfe');
  const caseId = String(c?.id ?? '');
  const naturalisation = useNaturalisation(caseId);
  const residencePath = useResidencePath(caseId);
  const refresh = useRefresh();
  void refresh;
  if (!c) return null;
  const full = readsCaseContent();
  const n = naturalisation.data;
  const tabs: TabDef[] = [
    ...(full ? [{ id: 'bedarfe', label: 'Bedarfe und Ziele', body: <NeedsGoals c={c} /> }] : []),
    ...(full ? [{ id: 'aufgaben', label: 'Aufgaben', body: <CaseTasks caseId={caseId} /> }] : []),
    ...(full ? [{ id: 'vermittlungen', label: 'Vermittlungen', body: <Referrals caseId={caseId} /> }] : []),
    ...(full ? [{ id: 'konferenzen', label: 'Fallkonferenzen', body: <Conferences caseId={caseId} /> }] : []),
    ...(full ? [{ id: 'einbuergerung', label: 'Einbürgerung', body: <EinbuergerungStatus caseId={caseId} /> }] : []),
    ...(full && ((n && n.aufenthaltSeit) || residencePath.data)
      ? [{ id: 'aufenthalt', label: 'Aufenthalt', body: <ResidenceTab caseId={caseId} path={residencePath.data ?? null} facts={n && n.aufenthaltSeit ? <Residence n={n} /> : null} /> }]
      : []),
    ...(full ? [{ id: 'einwilligungen', label: 'Einwilligungen', body: <Consents c={c} /> }] : []),
    { id: 'dokumente', label: 'Dokumente', body: <Documents c={c} /> },
    ...(full ? [{ id: 'notizen', label: 'Notizen', body: <Notes c={c} /> }] : []),
    ...(full ? [{ id: 'verlauf', label: 'Verlauf', body: <History caseId={caseId} /> }] : []),
    ...(full ? [{ id: 'prozesse', label: 'Prozessansicht', body: <ProcessView caseId={caseId} /> }] : []),
  ];
  const current = tabs.find((t) => t.id === tab) ?? tabs[0];
  // A keyboard user who opens a tab stays on it: if the panel's new content took the focus away
  // (it was on an element that is gone), it goes back to the tab just opened.
  const selectTab = (v: string) => {
    setTab(v);
    requestAnimationFrame(() => {
      const active = document.activeElement;
      if (!active || active === document.body || !active.isConnected) document.getElementById(`case-tab-${v}`)?.focus();
    });
  };
  return (
    // The scrollable tab row must not widen the page on a phone: the workspace never exceeds the viewport.
    <Box sx={{ p: { xs: 1, sm: 2 }, minWidth: 0, maxWidth: { xs: 'calc(100vw - 16px)', md: '100%' }, overflowX: 'hidden' }}>
      <CaseSummary c={c} />
      <CaseStartActions record={c} />
      {full && <CaseMailStatus caseId={caseId} />}
      <Box sx={{ borderBottom: 1, borderColor: 'divider', mt: 1 }}>
        <Tabs value={current.id} onChange={(_e, v: string) => selectTab(v)} variant="scrollable" scrollButtons="auto" allowScrollButtonsMobile aria-label="Bereiche der Fallakte">
          {tabs.map((t) => (
            <Tab key={t.id} value={t.id} label={t.label} id={`case-tab-${t.id}`} aria-controls={`case-panel-${t.id}`} />
          ))}
        </Tabs>
      </Box>
      <Box role="tabpanel" id={`case-panel-${current.id}`} aria-labelledby={`case-tab-${current.id}`} sx={{ pt: 2 }}>
        <Typography component="h2" variant="h6" sx={{ mb: 1 }}>
          {current.label}
        </Typography>
        {current.id === 'prozesse' ? (
          <Box component="section" aria-label="Prozessansicht">
            {current.body}
          </Box>
        ) : (
          current.body
        )}
      </Box>
    </Box>
  );
}
