/**
 * "Neue Erstberatung" (case managers only): a new person or a known person of the own site →
 * POST /api/cases starts kim-intake → the new case opens. The API's field messages appear at the
 * fields; what was typed stays in the form when the request fails.
 */
import { FormEvent, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Title, useGetList, useNotify, useRedirect } from 'react-admin';
import {
  Alert,
  Autocomplete,
  Box,
  Button,
  Card,
  CardContent,
  Checkbox,
  CircularProgress,
  FormControl,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
  TextField,
  Typography,
} from '@mui/material';
import { apiCall, session } from '../../providers/http';
import { fieldError, FormProblem, toProblem } from '../../forms/problem';
import { ProblemAlert } from '../../forms/ProblemAlert';
import { GermanDateField } from '../../inputs/GermanDateInput';

type Row = Record<string, unknown>;

interface NewClient {
  firstName: string;
  lastName: string;
  birthDate: string;
  gender: string;
  nationality: string;
  languages: string;
  interpreterNeeded: boolean;
  phone: string;
  email: string;
  address: string;
}

const EMPTY: NewClient = { firstName: '', lastName: '', birthDate: '', gender: '', nationality: '', languages: '', interpreterNeeded: false, phone: '', email: '', address: '' };

const TEXT_FIELDS: Array<{ key: keyof NewClient; label: string; type?: string; required?: boolean; helper?: string; wide?: boolean }> = [
  { key: 'firstName', label: 'Vorname', required: true },
  { key: 'lastName', label: 'Nachname', required: true },
  { key: 'birthDate', label: 'Geburtsdatum', type: 'date' },
  { key: 'gender', label: 'Geschlecht' },
  { key: 'nationality', label: 'Staatsangehörigkeit' },
  { key: 'languages', label: 'Sprachen', helper: 'Mehrere Sprachen durch Komma trennen, z. B. Arabisch, Deutsch' },
  { key: 'phone', label: 'Telefon', type: 'tel' },
  { key: 'email', label: 'E-Mail', type: 'email' },
  { key: 'address', label: 'Anschrift', wide: true },
];

/** The body of POST /api/cases for a new person: empty optional fields are left out. */
function clientBody(c: NewClient): Row {
  const out: Row = { firstName: c.firstName.trim(), lastName: c.lastName.trim() };
  for (const k of ['birthDate', 'gender', 'nationality', 'phone', 'email', 'address'] as const) if (c[k].trim()) out[k] = c[k].trim();
  const languages = c.languages
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (languages.length) out.languages = languages;
  if (c.interpreterNeeded) out.interpreterNeeded = true;
  return out;
}

const personLabel = (r: Row) => {
  const name = [r.firstName, r.lastName].filter(Boolean).join(' ') || String(r.pseudonym ?? '—');
  const born = typeof r.birthDate === 'string' && r.birthDate ? `, geb. ${new Date(r.birthDate).toLocaleDateString('de-DE', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' })}` : '';
  return `${name}${born}`;
};

function ExistingClientPicker({ value, onChange, error }: { value: Row | null; onChange: (r: Row | null) => void; error?: string }) {
  const [q, setQ] = useState('');
  const { data, isFetching, error: loadError } = useGetList<Row & { id: string }>('clients', {
    pagination: { page: 1, perPage: 20 },
    sort: { field: 'lastName', order: 'ASC' },
    filter: q.trim() ? { q: q.trim() } : {},
  });
  return (
    <Autocomplete
      options={data ?? []}
      value={value as (Row & { id: string }) | null}
      onChange={(_, v) => onChange(v)}
      inputValue={q}
      onInputChange={(_, v) => setQ(v)}
      getOptionLabel={(o) => personLabel(o)}
      isOptionEqualToValue={(a, b) => a.id === b.id}
      filterOptions={(x) => x}
      loading={isFetching}
      loadingText="Personen werden geladen …"
      noOptionsText={loadError ? 'Die Personen konnten nicht geladen werden.' : 'Keine Person gefunden.'}
      renderInput={(params) => (
        <TextField
          {...params}
          label="Person suchen (Name)"
          required
          error={!!error}
          helperText={error ?? 'Personen Ihres Standorts'}
          slotProps={{
            ...params.slotProps,
            input: {
              ...params.slotProps.input,
              endAdornment: (
                <>
                  {isFetching ? <CircularProgress color="inherit" size={18} aria-label="Wird geladen" /> : null}
                  {params.slotProps.input.endAdornment}
                </>
              ),
            },
          }}
        />
      )}
    />
  );
}

export function IntakeCreate() {
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [client, setClient] = useState<NewClient>(EMPTY);
  const [existing, setExisting] = useState<Row | null>(null);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const redirect = useRedirect();
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () =>
      apiCall<{ caseId: string; reference: string }>('/api/cases', {
        method: 'POST',
        body: mode === 'new' ? { client: clientBody(client) } : { clientId: existing?.id },
      }),
    onSuccess: (r) => {
      notify(`Erstberatung begonnen: Fall ${r.reference} ist angelegt, die erste Aufgabe steht im Aufgabeneingang.`, { type: 'success' });
      redirect('show', 'cases', r.caseId);
    },
    // The inputs stay as typed; the messages go to the fields.
    onError: (e) => setProblem(toProblem(e)),
  });

  if (session.user?.role !== 'case_manager') {
    return (
      <Box sx={{ p: 2 }}>
        <Title title="Neue Erstberatung" />
        <Alert severity="info">Eine Erstberatung können nur Fallmanagerinnen und Fallmanager beginnen.</Alert>
      </Box>
    );
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'existing' && !existing) {
      setProblem({ title: 'Bitte wählen Sie eine bestehende Person aus.', fields: { clientId: 'Bitte eine Person auswählen.' } });
      return;
    }
    setProblem(null);
    m.mutate();
  };
  const set = (k: keyof NewClient) => (e: { target: { value: string } }) => setClient((c) => ({ ...c, [k]: e.target.value }));
  const shown = ['clientId', 'client', ...TEXT_FIELDS.map((f) => `client.${f.key}`)];

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Neue Erstberatung" />
      <CardContent>
        <Typography component="h1" variant="h5" gutterBottom>
          Neue Erstberatung
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Legt den Fall an Ihrem Standort an und startet den Erstkontakt. Die weiteren Schritte (Erstkontakt dokumentieren, Einwilligung, Hilfeart) erscheinen danach im Aufgabeneingang.
        </Typography>
        <Box component="form" noValidate onSubmit={submit} aria-label="Neue Erstberatung" aria-busy={m.isPending}>
          <FormControl component="fieldset" sx={{ mb: 2 }}>
            <FormLabel component="legend">Person</FormLabel>
            <RadioGroup row value={mode} onChange={(e) => setMode(e.target.value as 'new' | 'existing')} name="mode">
              <FormControlLabel value="new" control={<Radio />} label="Neue Person erfassen" />
              <FormControlLabel value="existing" control={<Radio />} label="Bestehende Person wählen" />
            </RadioGroup>
          </FormControl>
          {mode === 'new' ? (
            <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
              {TEXT_FIELDS.map((f) => {
                const err = fieldError(problem, `client.${f.key}`);
                // Dates typed the German way (TT.MM.JJJJ), whatever the browser's language.
                if (f.type === 'date') {
                  return (
                    <GermanDateField
                      key={f.key}
                      id={`intake-${f.key}`}
                      label={f.label}
                      value={client[f.key] as string}
                      onChange={(iso) => setClient((c) => ({ ...c, [f.key]: iso }))}
                      error={!!err}
                      helperText={err ?? f.helper}
                      shrinkLabel
                    />
                  );
                }
                return (
                  <TextField
                    key={f.key}
                    id={`intake-${f.key}`}
                    label={f.label}
                    type={f.type ?? 'text'}
                    required={f.required}
                    value={client[f.key] as string}
                    onChange={set(f.key)}
                    error={!!err}
                    helperText={err ?? f.helper}
                    sx={f.wide ? { gridColumn: { md: '1 / -1' } } : undefined}
                  />
                );
              })}
              <FormControlLabel
                control={<Checkbox checked={client.interpreterNeeded} onChange={(e) => setClient((c) => ({ ...c, interpreterNeeded: e.target.checked }))} />}
                label="Dolmetschung nötig"
              />
            </Box>
          ) : (
            <ExistingClientPicker value={existing} onChange={setExisting} error={fieldError(problem, 'clientId')} />
          )}
          <ProblemAlert problem={problem} shown={shown} first={[problem?.fields.client]} />
          <Box sx={{ display: 'flex', gap: 2, mt: 2, alignItems: 'center' }}>
            <Button type="submit" variant="contained" disabled={m.isPending}>
              {m.isPending ? 'Erstberatung wird gestartet …' : 'Erstberatung starten'}
            </Button>
            {m.isPending && <CircularProgress size={20} aria-label="Wird gestartet" />}
          </Box>
        </Box>
      </CardContent>
    </Card>
  );
}
