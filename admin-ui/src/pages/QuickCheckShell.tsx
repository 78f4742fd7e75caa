/**
 * The frame both quick checks share ("Einbürgerung – Schnellprüfung", "Bleiberecht prüfen"): who may
 * use it, the form with the decision's inputs (dates in German form TT.MM.JJJJ whatever the
 * browser's language, choices, counts, yes/no boxes), the request body of exactly those inputs, the
 * German messages of the API at their fields, and the result region that screen readers hear. Each
 * page describes its inputs as data and words the engine's answer.
 */
import { FormEvent, ReactNode, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Title } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Checkbox, CircularProgress, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, MenuItem, TextField, Typography } from '@mui/material';
import { apiCall, session } from '../providers/http';
import { fieldError, FormProblem, toProblem } from '../forms/problem';
import { ProblemAlert } from '../forms/ProblemAlert';
import { GermanDateField, todayInGermany } from '../inputs/GermanDateInput';

export { formatGermanDate as deDate } from '../inputs/GermanDateInput';

/** A typed count as the API wants it: a number, or the text as typed so the API names the problem at the field. */
const countOrText = (typed: string): number | string | undefined => {
  const v = typed.trim();
  if (!v) return undefined;
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
};

type FieldError = (field: string) => string | undefined;

/** One input of a decision: a date (German form; `today` starts it at today), a choice, a count, or a yes/no box. */
export type QuickField =
  | { kind: 'date'; key: string; label: string; help?: string; today?: boolean }
  | { kind: 'select'; key: string; label: string; empty: string; options: ReadonlyArray<readonly [string, string]> }
  | { kind: 'count'; key: string; label: string; help: string; max?: number }
  | { kind: 'yesNo'; key: string; label: string };

/** Yes/no inputs from [name, label] pairs. */
export const yesNoFields = (pairs: ReadonlyArray<readonly [string, string]>): QuickField[] => pairs.map(([key, label]) => ({ kind: 'yesNo', key, label }));

type Input = Exclude<QuickField, { kind: 'yesNo' }>;

function Field({ f, id, value, set, error }: { f: Input; id: string; value: string; set: (v: string) => void; error: FieldError }) {
  const message = error(f.key);
  if (f.kind === 'date') return <GermanDateField id={id} label={f.label} value={value} onChange={set} error={!!message} helperText={message ?? f.help} shrinkLabel />;
  if (f.kind === 'select') {
    return (
      <TextField id={id} select label={f.label} value={value} onChange={(e) => set(e.target.value)} error={!!message} helperText={message}>
        <MenuItem value="">{f.empty}</MenuItem>
        {f.options.map(([v, label]) => (
          <MenuItem key={v} value={v}>
            {label}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  return (
    <TextField
      id={id}
      label={f.label}
      type="number"
      value={value}
      onChange={(e) => set(e.target.value)}
      error={!!message}
      helperText={message ?? f.help}
      slotProps={{ htmlInput: { min: 0, max: f.max, step: 1, inputMode: 'numeric' } }}
    />
  );
}

/** The request body: every yes/no box, filled dates and choices as given, counts as numbers (or as typed). */
function bodyOf(fields: readonly QuickField[], values: Record<string, string>, flags: Record<string, boolean>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = f.kind === 'yesNo' ? flags[f.key] : f.kind === 'count' ? countOrText(values[f.key]) : values[f.key] || undefined;
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

export interface QuickCheckShellProps<R> {
  /** Page title and accessible name of the form; the first heading when `heading` is not given. */
  title: string;
  heading?: string;
  /** Names the inputs' ids (<name>-<input>) and the result region's test id (<name>-result). */
  name: string;
  roles: readonly string[];
  notAllowed: string;
  intro: ReactNode;
  submitLabel: string;
  endpoint: string;
  /** The decision's inputs, in the order shown; the yes/no boxes come together below the others. */
  fields: readonly QuickField[];
  result: (answer: R) => ReactNode;
}

export function QuickCheckShell<R>(props: QuickCheckShellProps<R>) {
  const inputs = props.fields.filter((f): f is Input => f.kind !== 'yesNo');
  const boxes = props.fields.filter((f) => f.kind === 'yesNo');
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(inputs.map((f) => [f.key, f.kind === 'date' && f.today ? todayInGermany() : ''])));
  const [flags, setFlags] = useState<Record<string, boolean>>(() => Object.fromEntries(boxes.map((f) => [f.key, false])));
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const m = useMutation({
    mutationFn: () => apiCall<R>(props.endpoint, { method: 'POST', body: bodyOf(props.fields, values, flags) }),
    onSuccess: () => setProblem(null),
    onError: (e) => setProblem(toProblem(e)),
  });
  const allowed = props.roles.includes(session.user?.role ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  const err: FieldError = (k) => fieldError(problem, k);
  const answer = m.isSuccess && !m.isPending ? m.data : null;
  const shown = props.fields.map((f) => f.key);

  return (
    <Card sx={{ mt: 2 }}>
      <Title title={props.title} />
      <CardContent>
        <Typography component="h1" variant="h5" gutterBottom>
          {props.heading ?? props.title}
        </Typography>
        {!allowed ? (
          <Alert severity="info">{props.notAllowed}</Alert>
        ) : (
          <>
            <Typography variant="body2" sx={{ mb: 2 }}>
              {props.intro}
            </Typography>
            <Box component="form" noValidate onSubmit={submit} aria-label={props.title} aria-busy={m.isPending}>
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'repeat(3, minmax(0, 1fr))' } }}>
                {inputs.map((f) => (
                  <Field key={f.key} f={f} id={`${props.name}-${f.key}`} value={values[f.key]} set={(v) => setValues((x) => ({ ...x, [f.key]: v }))} error={err} />
                ))}
              </Box>
              <FormControl component="fieldset" sx={{ mt: 2 }}>
                <FormLabel component="legend">Angaben (ja, wenn angehakt)</FormLabel>
                <FormGroup>
                  {boxes.map(({ key, label }) => (
                    <Box key={key}>
                      <FormControlLabel sx={{ my: 0.5 }} control={<Checkbox checked={flags[key]} onChange={(e) => setFlags((x) => ({ ...x, [key]: e.target.checked }))} />} label={label} />
                      {err(key) && <FormHelperText error>{err(key)}</FormHelperText>}
                    </Box>
                  ))}
                </FormGroup>
              </FormControl>
              <ProblemAlert problem={problem} shown={shown} />
              <Box sx={{ display: 'flex', gap: 2, mt: 2, alignItems: 'center' }}>
                <Button type="submit" variant="contained" disabled={m.isPending}>
                  {m.isPending ? 'Wird geprüft …' : props.submitLabel}
                </Button>
                {m.isPending && <CircularProgress size={20} aria-label="Wird geprüft" />}
              </Box>
            </Box>
            <Box role="status" aria-live="polite" sx={{ mt: 3 }} data-testid={`${props.name}-result`}>
              {answer && (
                <Box component="section" aria-label="Ergebnis">
                  <Typography component="h2" variant="h6">
                    Ergebnis
                  </Typography>
                  {props.result(answer)}
                </Box>
              )}
            </Box>
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** "Noch nicht erfüllt:" with the missing requirements in German words, or that everything checked is met. */
export function MetOrMissing(props: { met: boolean; metText: string; missing: string[] }) {
  return props.met ? (
    <Alert severity="success">{props.metText}</Alert>
  ) : (
    <Alert severity="warning">
      Noch nicht erfüllt:
      <ul style={{ margin: 0 }}>
        {props.missing.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </Alert>
  );
}
