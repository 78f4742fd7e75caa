/**
 * "Einbürgerung – Schnellprüfung" (case managers, coordinators, EBH): the inputs of the decision
 * kim-einbuergerung-vorpruefung → POST /api/einbuergerung/vorpruefung (no process, no personal
 * data) → eligible, the missing requirements in German words, the earliest application date.
 */
import { FormEvent, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Title } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Checkbox, CircularProgress, FormControl, FormControlLabel, FormGroup, FormHelperText, FormLabel, MenuItem, TextField, Typography } from '@mui/material';
import { CODE_DE, SPRACHNIVEAUS, Voraussetzung, VorpruefungResult } from '../../../processes/kim-einbuergerung/contract';
import { apiCall, session } from '../providers/http';
import { fieldError, FormProblem, toProblem } from '../forms/problem';
import { ProblemAlert } from '../forms/ProblemAlert';

export const QUICK_CHECK_PATH = '/einbuergerung/schnellpruefung';
export const QUICK_CHECK_ROLES = ['case_manager', 'coordinator', 'ebh'];

const BOOLEANS = [
  ['aufenthaltstitelGeeignet', 'Geeigneter Aufenthaltstitel (z. B. Niederlassungserlaubnis)'],
  ['deutscherSchulabschluss', 'Deutscher Schulabschluss'],
  ['befreiungSpracheUndTest', 'Befreit von Sprachnachweis und Test (Krankheit, Behinderung oder Alter)'],
  ['einreiseAlsGastarbeiter', 'Eingereist als Gastarbeiterin/Gastarbeiter oder Vertragsarbeitnehmerin/Vertragsarbeitnehmer'],
  ['einbuergerungstestBestanden', 'Einbürgerungstest bestanden'],
  ['bezugSgb2oder12', 'Bezieht Leistungen nach SGB II oder SGB XII'],
  ['ehegatteVollzeitMitKind', 'Ehepartner/in arbeitet in Vollzeit, mit minderjährigem Kind im Haushalt'],
  ['freiheitsstrafeOhneBewaehrung', 'Verurteilt zu Freiheitsstrafe ohne Bewährung'],
  ['rassistischeMotivation', 'Verurteilung mit rassistischer, antisemitischer oder anderer menschenverachtender Motivation'],
  ['bekenntnisAbgegeben', 'Bekenntnis zur freiheitlichen demokratischen Grundordnung abgegeben'],
] as const;
type BoolKey = (typeof BOOLEANS)[number][0];

const NUMBERS = [
  ['vollzeitMonateLetzte24', 'Monate in Vollzeit in den letzten 24 Monaten', 24],
  ['bewaehrungsstrafeMonate', 'Bewährungsstrafe in Monaten', undefined],
  ['verurteilungTagessaetze', 'Geldstrafe in Tagessätzen', undefined],
] as const;
type NumKey = (typeof NUMBERS)[number][0];

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
const deDate = (iso: string) => new Date(`${iso}T00:00:00Z`).toLocaleDateString('de-DE', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' });

interface Inputs {
  stichtag: string;
  aufenthaltSeit: string;
  sprachniveau: string;
  flags: Record<BoolKey, boolean>;
  numbers: Record<NumKey, string>;
}

function body(i: Inputs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (i.stichtag) out.stichtag = i.stichtag;
  if (i.aufenthaltSeit) out.aufenthaltSeit = i.aufenthaltSeit;
  if (i.sprachniveau) out.sprachniveau = i.sprachniveau;
  for (const [k] of BOOLEANS) out[k] = i.flags[k];
  for (const [k] of NUMBERS) {
    const v = i.numbers[k].trim();
    // A non-number goes as typed: the API names the problem at the field.
    if (v) out[k] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

type Result = VorpruefungResult & { stichtag?: string };

export function QuickCheckPage() {
  const [inputs, setInputs] = useState<Inputs>({
    stichtag: today(),
    aufenthaltSeit: '',
    sprachniveau: '',
    flags: Object.fromEntries(BOOLEANS.map(([k]) => [k, false])) as Record<BoolKey, boolean>,
    numbers: Object.fromEntries(NUMBERS.map(([k]) => [k, ''])) as Record<NumKey, string>,
  });
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const m = useMutation({
    mutationFn: () => apiCall<Result>('/api/einbuergerung/vorpruefung', { method: 'POST', body: body(inputs) }),
    onSuccess: () => setProblem(null),
    onError: (e) => setProblem(toProblem(e)),
  });
  const allowed = QUICK_CHECK_ROLES.includes(session.user?.role ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate();
  };
  const err = (k: string) => fieldError(problem, k);
  const result = m.isSuccess && !m.isPending ? m.data : null;
  const shown = ['stichtag', 'aufenthaltSeit', 'sprachniveau', ...BOOLEANS.map(([k]) => k), ...NUMBERS.map(([k]) => k)];

  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Einbürgerung – Schnellprüfung" />
      <CardContent>
        <Typography component="h1" variant="h5" gutterBottom>
          Einbürgerung – Schnellprüfung
        </Typography>
        {!allowed ? (
          <Alert severity="info">Die Schnellprüfung steht dem Fallmanagement, der Koordination und der Einbürgerungsbehörde zur Verfügung.</Alert>
        ) : (
          <>
            <Typography variant="body2" sx={{ mb: 2 }}>
              Prüft die Voraussetzungen nach § 10 StAG mit derselben Entscheidungstabelle wie der Prozess. Es werden keine Namen oder personenbezogenen Daten übertragen und nichts gespeichert. Leere Angaben gelten als „nein“ bzw. 0.
            </Typography>
            <Box component="form" noValidate onSubmit={submit} aria-label="Schnellprüfung" aria-busy={m.isPending}>
              <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr 1fr' } }}>
                <TextField
                  id="qc-stichtag"
                  label="Stichtag"
                  type="date"
                  value={inputs.stichtag}
                  onChange={(e) => setInputs((i) => ({ ...i, stichtag: e.target.value }))}
                  error={!!err('stichtag')}
                  helperText={err('stichtag') ?? 'Standard: heute'}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <TextField
                  id="qc-aufenthaltSeit"
                  label="Rechtmäßiger Aufenthalt seit"
                  type="date"
                  value={inputs.aufenthaltSeit}
                  onChange={(e) => setInputs((i) => ({ ...i, aufenthaltSeit: e.target.value }))}
                  error={!!err('aufenthaltSeit')}
                  helperText={err('aufenthaltSeit')}
                  slotProps={{ inputLabel: { shrink: true } }}
                />
                <TextField
                  id="qc-sprachniveau"
                  select
                  label="Sprachniveau Deutsch"
                  value={inputs.sprachniveau}
                  onChange={(e) => setInputs((i) => ({ ...i, sprachniveau: e.target.value }))}
                  error={!!err('sprachniveau')}
                  helperText={err('sprachniveau')}
                >
                  <MenuItem value="">kein Nachweis</MenuItem>
                  {SPRACHNIVEAUS.map((s) => (
                    <MenuItem key={s} value={s}>
                      {s}
                    </MenuItem>
                  ))}
                </TextField>
                {NUMBERS.map(([k, label, max]) => (
                  <TextField
                    key={k}
                    id={`qc-${k}`}
                    label={label}
                    type="number"
                    value={inputs.numbers[k]}
                    onChange={(e) => setInputs((i) => ({ ...i, numbers: { ...i.numbers, [k]: e.target.value } }))}
                    error={!!err(k)}
                    helperText={err(k) ?? (max !== undefined ? `0 bis ${max}` : 'leer = 0')}
                    slotProps={{ htmlInput: { min: 0, max, step: 1, inputMode: 'numeric' } }}
                  />
                ))}
              </Box>
              <FormControl component="fieldset" sx={{ mt: 2 }}>
                <FormLabel component="legend">Angaben (ja, wenn angehakt)</FormLabel>
                <FormGroup>
                  {BOOLEANS.map(([k, label]) => (
                    <Box key={k}>
                      <FormControlLabel
                        control={<Checkbox checked={inputs.flags[k]} onChange={(e) => setInputs((i) => ({ ...i, flags: { ...i.flags, [k]: e.target.checked } }))} />}
                        label={label}
                      />
                      {err(k) && <FormHelperText error>{err(k)}</FormHelperText>}
                    </Box>
                  ))}
                </FormGroup>
              </FormControl>
              <ProblemAlert problem={problem} shown={shown} />
              <Box sx={{ display: 'flex', gap: 2, mt: 2, alignItems: 'center' }}>
                <Button type="submit" variant="contained" disabled={m.isPending}>
                  {m.isPending ? 'Wird geprüft …' : 'Voraussetzungen prüfen'}
                </Button>
                {m.isPending && <CircularProgress size={20} aria-label="Wird geprüft" />}
              </Box>
            </Box>
            <Box role="status" aria-live="polite" sx={{ mt: 3 }} data-testid="quick-check-result">
              {result && (
                <Box component="section" aria-label="Ergebnis">
                  <Typography component="h2" variant="h6">
                    Ergebnis
                  </Typography>
                  {result.eligible ? (
                    <Alert severity="success">Alle geprüften Voraussetzungen für die Einbürgerung sind erfüllt.</Alert>
                  ) : (
                    <Alert severity="warning">
                      Noch nicht erfüllt:
                      <ul style={{ margin: 0 }}>
                        {result.fehlendeVoraussetzungen.map((c) => (
                          <li key={c}>{CODE_DE[c as Voraussetzung] ?? c}</li>
                        ))}
                      </ul>
                    </Alert>
                  )}
                  <Typography sx={{ mt: 1 }}>
                    {result.fruehesterAntragstermin
                      ? `Frühester Antragstermin (nach Aufenthaltsdauer): ${deDate(result.fruehesterAntragstermin)}`
                      : 'Frühester Antragstermin: ohne Datum des Aufenthalts nicht bestimmbar.'}
                  </Typography>
                </Box>
              )}
            </Box>
          </>
        )}
      </CardContent>
    </Card>
  );
}
