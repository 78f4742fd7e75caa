/**
 * Process starts from the case file (case managers of the case's site only; others see no buttons):
 * "Vermittlung starten" (POST /api/referrals → kim-referral), "Fallkonferenz starten"
 * (POST /api/conferences/start → kim-fallkonferenz), "Einbürgerung vorbereiten"
 * (POST /api/einbuergerung/start → kim-einbuergerung) and "Bleiberecht vorbereiten"
 * (POST /api/bleiberecht/start → kim-bleiberecht). Each dialog keeps its inputs when the request
 * fails and shows the API's messages at the fields; after a start the case's lists refresh.
 */
import { FormEvent, ReactNode, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { HttpError, useGetList, useNotify, useRefresh } from 'react-admin';
import {
  Box,
  Button,
  Checkbox,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  MenuItem,
  TextField,
  Typography,
} from '@mui/material';
import { CODE_DE, DECISION_DE, DOCUMENT_KIND_DE, DOCUMENT_STATUS_DE, labelOf, STATUS_DE, Voraussetzung } from '../../../../processes/kim-einbuergerung/contract';
import { apiCall, session } from '../../providers/http';
import { fieldError, FormProblem, toProblem } from '../../forms/problem';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { GermanDateField } from '../../inputs/GermanDateInput';

type Row = Record<string, unknown>;

export const LIFE_AREAS: Array<{ id: string; name: string }> = [
  { id: 'Aufenthalt', name: 'Aufenthalt' },
  { id: 'Sprache', name: 'Sprache' },
  { id: 'Bildung', name: 'Bildung' },
  { id: 'Arbeit', name: 'Arbeit' },
  { id: 'Wohnen', name: 'Wohnen' },
  { id: 'Gesundheit', name: 'Gesundheit' },
  { id: 'FamilieKitaSchule', name: 'Familie, Kita und Schule' },
  { id: 'Finanzen', name: 'Finanzen' },
  { id: 'Sonstiges', name: 'Sonstiges' },
];

/** Process starts are for case managers of the case's own site, on open cases. */
export function mayStartProcesses(c: Row | undefined): boolean {
  const u = session.user;
  return !!c && !!u && u.role === 'case_manager' && !!u.siteId && c.siteId === u.siteId && !c.closedAt;
}

interface StartDialogProps {
  id: string;
  title: string;
  open: boolean;
  onClose: () => void;
  onSubmit: () => void;
  pending: boolean;
  submitLabel: string;
  children: ReactNode;
}

function StartDialog({ id, title, open, onClose, onSubmit, pending, submitLabel, children }: StartDialogProps) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <Dialog open={open} onClose={pending ? undefined : onClose} aria-labelledby={`${id}-title`} fullWidth maxWidth="sm">
      <Box component="form" noValidate onSubmit={submit} aria-busy={pending}>
        <DialogTitle id={`${id}-title`}>{title}</DialogTitle>
        <DialogContent>{children}</DialogContent>
        <DialogActions>
          {pending && <CircularProgress size={20} aria-label="Wird gestartet" />}
          <Button onClick={onClose} disabled={pending}>
            Abbrechen
          </Button>
          <Button type="submit" variant="contained" disabled={pending}>
            {pending ? 'Wird gestartet …' : submitLabel}
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

function useOrganisations(enabled: boolean) {
  return useGetList<Row & { id: string }>('organisations', { pagination: { page: 1, perPage: 200 }, sort: { field: 'name', order: 'ASC' }, filter: { active: true } }, { enabled });
}

function ReferralStart({ caseId }: { caseId: string }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ organisationId: '', lifeArea: '', purpose: '', dueDate: '' });
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const orgs = useOrganisations(open);
  const refresh = useRefresh();
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () =>
      apiCall<Row>('/api/referrals', {
        method: 'POST',
        body: { caseId, organisationId: form.organisationId || undefined, lifeArea: form.lifeArea || undefined, purpose: form.purpose, ...(form.dueDate ? { dueDate: form.dueDate } : {}) },
      }),
    onSuccess: () => {
      notify('Vermittlung gestartet. Den Stand sehen Sie unter „Vermittlungen“.', { type: 'success' });
      setOpen(false);
      setForm({ organisationId: '', lifeArea: '', purpose: '', dueDate: '' });
      setProblem(null);
      refresh();
    },
    onError: (e) => setProblem(toProblem(e)),
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const err = (k: string) => fieldError(problem, k);
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Vermittlung starten
      </Button>
      <StartDialog id="referral-start" title="Vermittlung starten" open={open} onClose={() => setOpen(false)} onSubmit={() => m.mutate()} pending={m.isPending} submitLabel="Vermittlung starten">
        <DialogContentText sx={{ mb: 2 }}>
          Ob mit Daten vermittelt wird, prüft der Prozess anhand der Einwilligung. Das Angebot erhält eine E-Mail mit einem Link für die Antwort.
        </DialogContentText>
        <Box sx={{ display: 'grid', gap: 2 }}>
          <TextField
            select
            id="referral-organisation"
            label="Angebot / Organisation"
            required
            value={form.organisationId}
            onChange={set('organisationId')}
            error={!!err('organisationId') || orgs.isError}
            helperText={err('organisationId') ?? (orgs.isError ? 'Die Organisationen konnten nicht geladen werden. Bitte schließen Sie den Dialog und versuchen Sie es erneut.' : orgs.isPending ? 'Organisationen werden geladen …' : undefined)}
          >
            {(orgs.data ?? []).map((o) => (
              <MenuItem key={o.id} value={o.id}>
                {String(o.name)}
              </MenuItem>
            ))}
          </TextField>
          <TextField select id="referral-lifeArea" label="Lebensbereich" required value={form.lifeArea} onChange={set('lifeArea')} error={!!err('lifeArea')} helperText={err('lifeArea')}>
            {LIFE_AREAS.map((l) => (
              <MenuItem key={l.id} value={l.id}>
                {l.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField id="referral-purpose" label="Zweck der Vermittlung" required multiline minRows={2} value={form.purpose} onChange={set('purpose')} error={!!err('purpose')} helperText={err('purpose')} />
          <GermanDateField
            id="referral-dueDate"
            label="Fällig bis"
            value={form.dueDate}
            onChange={(iso) => setForm((f) => ({ ...f, dueDate: iso }))}
            error={!!err('dueDate')}
            helperText={err('dueDate') ?? 'optional'}
            shrinkLabel
          />
        </Box>
        <ProblemAlert problem={problem} shown={['organisationId', 'lifeArea', 'purpose', 'dueDate']} />
      </StartDialog>
    </>
  );
}

function ConferenceStart({ caseId }: { caseId: string }) {
  const [open, setOpen] = useState(false);
  const [anlass, setAnlass] = useState('');
  const [agencies, setAgencies] = useState<string[]>([]);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const orgs = useOrganisations(open);
  const refresh = useRefresh();
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () => apiCall<Row>('/api/conferences/start', { method: 'POST', body: { caseId, anlass, agencies } }),
    onSuccess: () => {
      notify('Fallkonferenz gestartet. Die Planung erscheint im Aufgabeneingang.', { type: 'success' });
      setOpen(false);
      setAnlass('');
      setAgencies([]);
      setProblem(null);
      refresh();
    },
    onError: (e) => setProblem(toProblem(e)),
  });
  const toggle = (id: string) => setAgencies((a) => (a.includes(id) ? a.filter((x) => x !== id) : [...a, id]));
  const agenciesError = fieldError(problem, 'agencies');
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Fallkonferenz starten
      </Button>
      <StartDialog id="conference-start" title="Fallkonferenz starten" open={open} onClose={() => setOpen(false)} onSubmit={() => m.mutate()} pending={m.isPending} submitLabel="Fallkonferenz starten">
        <TextField
          id="conference-anlass"
          label="Anlass"
          required
          fullWidth
          multiline
          minRows={2}
          value={anlass}
          onChange={(e) => setAnlass(e.target.value)}
          error={!!fieldError(problem, 'anlass')}
          helperText={fieldError(problem, 'anlass')}
          sx={{ mt: 1 }}
        />
        <FormControl component="fieldset" error={!!agenciesError} sx={{ mt: 2 }} required>
          <FormLabel component="legend">Einzuladende Stellen</FormLabel>
          {orgs.isPending && <Typography role="status">Organisationen werden geladen …</Typography>}
          {orgs.isError && <FormHelperText>Die Organisationen konnten nicht geladen werden. Bitte schließen Sie den Dialog und versuchen Sie es erneut.</FormHelperText>}
          <FormGroup>
            {(orgs.data ?? []).map((o) => (
              <FormControlLabel key={o.id} control={<Checkbox checked={agencies.includes(o.id)} onChange={() => toggle(o.id)} />} label={String(o.name)} />
            ))}
          </FormGroup>
          {agenciesError && <FormHelperText>{agenciesError}</FormHelperText>}
        </FormControl>
        <ProblemAlert problem={problem} shown={['anlass', 'agencies', 'caseId']} />
      </StartDialog>
    </>
  );
}

/** Starts without inputs: POST /api/<kind>/start with the case; the case's query <kind> reloads. */
const SIMPLE_STARTS = {
  einbuergerung: {
    button: 'Einbürgerung vorbereiten',
    submitLabel: 'Vorbereitung starten',
    text: 'Startet die Einbürgerungsvorbereitung für diesen Fall: Voraussetzungen erfassen, Aufenthaltsdaten durch die Ausländerbehörde bestätigen lassen, Vorprüfung und Übergabe an die Einbürgerungsbehörde.',
    started: 'Einbürgerungsvorbereitung gestartet. Die Voraussetzungen werden im Aufgabeneingang erfasst.',
  },
  // kim-bleiberecht; its state and dates are in the case file's tab "Aufenthalt" (resources/residence).
  bleiberecht: {
    button: 'Bleiberecht vorbereiten',
    submitLabel: 'Verfahren beginnen',
    text: 'Beginnt das Bleiberechtsverfahren (§§ 25a, 25b AufenthG) für diesen Fall: Angaben der Person erfassen, Bestätigung durch die Ausländerbehörde, Vorprüfung, Antrag vorbereiten und übergeben. Die Fristen des Falls werden überwacht und rechtzeitig erinnert.',
    started: 'Bleiberechtsverfahren begonnen. Die Angaben zum Aufenthalt erfassen Sie im Aufgabeneingang.',
  },
} as const;

/** A start without inputs: a button, a dialog that says what begins, the API's message when it fails. */
function SimpleStart({ caseId, kind }: { caseId: string; kind: keyof typeof SIMPLE_STARTS }) {
  const start = SIMPLE_STARTS[kind];
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  const queryClient = useQueryClient();
  const m = useMutation({
    mutationFn: () => apiCall<Row>(`/api/${kind}/start`, { method: 'POST', body: { caseId } }),
    onSuccess: () => {
      notify(start.started, { type: 'success' });
      setOpen(false);
      setProblem(null);
      void queryClient.invalidateQueries({ queryKey: [kind, caseId] });
      refresh();
    },
    onError: (e) => setProblem(toProblem(e)),
  });
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        {start.button}
      </Button>
      <StartDialog id={`${kind}-start`} title={start.button} open={open} onClose={() => setOpen(false)} onSubmit={() => m.mutate()} pending={m.isPending} submitLabel={start.submitLabel}>
        <DialogContentText>{start.text}</DialogContentText>
        <ProblemAlert problem={problem} shown={[]} />
      </StartDialog>
    </>
  );
}

/** The start buttons; nothing for roles or sites that may not start processes. */
export function CaseStartActions({ record }: { record: Row }) {
  if (!mayStartProcesses(record)) return null;
  const caseId = String(record.id);
  return (
    <Box component="section" aria-label="Prozesse starten" sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 2 }}>
      <ReferralStart caseId={caseId} />
      <ConferenceStart caseId={caseId} />
      <SimpleStart caseId={caseId} kind="einbuergerung" />
      <SimpleStart caseId={caseId} kind="bleiberecht" />
    </Box>
  );
}


/** The case's naturalisation preparation, if any (GET /api/einbuergerung/cases/:caseId). */
export function EinbuergerungStatus({ caseId }: { caseId: string }) {
  const q = useQuery({
    queryKey: ['einbuergerung', caseId],
    queryFn: async () => {
      try {
        return await apiCall<Row>(`/api/einbuergerung/cases/${encodeURIComponent(caseId)}`);
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) return null;
        throw e;
      }
    },
    retry: false,
  });
  if (q.isPending) return <Typography role="status">Einbürgerungsvorbereitung wird geladen …</Typography>;
  if (q.isError) return <Typography variant="body2">{(q.error as Error).message}</Typography>;
  const n = q.data;
  if (!n) return <Typography variant="body2">Keine Einbürgerungsvorbereitung.</Typography>;
  const missing = (n.fehlendeVoraussetzungen as string[] | undefined) ?? [];
  const status = String(n.status ?? '');
  const day = (iso: unknown) => (typeof iso === 'string' && iso ? new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString('de-DE', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' }) : '');
  const lines: Array<[string, string]> = [['Stand', labelOf(STATUS_DE, status)]];
  if (typeof n.entscheidung === 'string' && n.entscheidung) lines.push(['Entscheidung', `${labelOf(DECISION_DE, n.entscheidung)}${day(n.entscheidungsdatum) ? ` am ${day(n.entscheidungsdatum)}` : ''}`]);
  if (typeof n.klientinInformiertAm === 'string' && n.klientinInformiertAm) lines.push(['Klient*in informiert', `am ${new Date(n.klientinInformiertAm).toLocaleDateString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' })}`]);
  if (n.eligible !== null && n.eligible !== undefined) lines.push(['Vorprüfung', n.eligible ? 'alle Voraussetzungen erfüllt' : `es fehlen: ${missing.map((c) => CODE_DE[c as Voraussetzung] ?? c).join(', ')}`]);
  // The earliest application date matters while it lies ahead (only the time is missing).
  if (!n.eligible && day(n.fruehesterAntragstermin)) lines.push(['Frühester Antragstermin', day(n.fruehesterAntragstermin)]);
  return (
    <Box data-testid="einbuergerung-status">
      {lines.map(([k, v]) => (
        <Typography key={k} variant="body2">
          <strong>{k}:</strong> {v}
        </Typography>
      ))}
      {Array.isArray(n.dokumente) && n.dokumente.length > 0 && (
        <>
          <Typography component="h3" variant="subtitle2" sx={{ mt: 1 }}>
            Unterlagen
          </Typography>
          <Box component="ul" sx={{ m: 0, pl: 3 }}>
            {(n.dokumente as Row[]).map((d) => (
              <Typography component="li" variant="body2" key={String(d.art)}>
                {labelOf(DOCUMENT_KIND_DE, String(d.art))}: {labelOf(DOCUMENT_STATUS_DE, String(d.status))}
                {d.nachgefordert ? ' (von der Einbürgerungsbehörde nachgefordert)' : ''}
              </Typography>
            ))}
          </Box>
        </>
      )}
    </Box>
  );
}
