/**
 * "Stellen (VZÄ)": the commune's staff posts per Baustein and year (Vollzeitäquivalente), kept by the
 * coordination or the administration, for the Sachbericht / Verwendungsnachweis.
 */
import { FormEvent, useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Title, usePermissions } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, MenuItem, TextField, Typography } from '@mui/material';
import { apiCall, session } from '../providers/http';
import { ProblemAlert } from '../forms/ProblemAlert';
import { fieldError, FormProblem, toProblem } from '../forms/problem';
import type { StaffPosts } from './types';

const parseFte = (s: string) => Number(s.trim().replace(',', '.'));
const showFte = (n: number) => String(n).replace('.', ',');

export function StaffPostsPage() {
  // The role as react-admin knows it (re-renders once the permissions are loaded).
  const { permissions } = usePermissions();
  const role = String(permissions ?? session.user?.role ?? '');
  const allowed = role === 'coordinator' || role === 'admin';
  const [year, setYear] = useState(new Date().getFullYear());
  const [values, setValues] = useState<Record<number, string>>({});
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [saved, setSaved] = useState(false);
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['staff-posts', year], queryFn: () => apiCall<StaffPosts>(`/api/dashboards/staff-posts?year=${year}`), enabled: allowed });
  useEffect(() => {
    if (q.data) setValues(Object.fromEntries(q.data.posts.map((p) => [p.baustein, showFte(p.fte)])));
  }, [q.data]);
  const save = useMutation({
    mutationFn: () => {
      const posts = [1, 2, 3].map((b) => ({ baustein: b, fte: parseFte(values[b] ?? '0') }));
      const bad = posts.find((p) => !Number.isFinite(p.fte));
      if (bad) return Promise.reject(Object.assign(new Error('Bitte Zahlen eintragen, z. B. 2,5.'), { fields: {} }));
      return apiCall<StaffPosts>('/api/dashboards/staff-posts', { method: 'PUT', body: { year, posts } });
    },
    onSuccess: async (d) => {
      setProblem(null);
      setSaved(true);
      qc.setQueryData(['staff-posts', year], d);
    },
    onError: (e) => {
      setSaved(false);
      setProblem(toProblem(e));
    },
  });
  if (!allowed) {
    return (
      <Box sx={{ mt: 2 }}>
        <Title title="Stellen (VZÄ)" />
        <Alert severity="info">Die Stellen je Baustein pflegen die Koordination und die Administration der Kommune.</Alert>
      </Box>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const years = Array.from({ length: 6 }, (_, i) => new Date().getFullYear() + 1 - i);
  return (
    <Card sx={{ mt: 2 }}>
      <Title title="Stellen (VZÄ)" />
      <CardContent>
        <Typography component="h1" variant="h5" gutterBottom>
          Stellen (VZÄ) je Baustein{q.data ? ` – ${q.data.kommune}` : ''}
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Vollzeitäquivalente der KIM-Stellen im Jahr, z. B. 2,5 für zwei volle und eine halbe Stelle. Sie erscheinen im Sachbericht / Verwendungsnachweis.
        </Typography>
        <Box component="form" noValidate onSubmit={submit} aria-label="Stellen speichern" sx={{ display: 'grid', gap: 2, maxWidth: 560 }}>
          <TextField id="staff-year" select label="Jahr" value={year} onChange={(e) => {
              setSaved(false);
              setYear(Number(e.target.value));
            }} size="small" sx={{ maxWidth: 160 }}>
            {years.map((y) => (
              <MenuItem key={y} value={y}>
                {y}
              </MenuItem>
            ))}
          </TextField>
          {(q.data?.posts ?? []).map((p, i) => (
            <TextField
              key={p.baustein}
              id={`staff-${p.baustein}`}
              label={p.label}
              value={values[p.baustein] ?? ''}
              onChange={(e) => {
                setSaved(false);
                setValues((v) => ({ ...v, [p.baustein]: e.target.value }));
              }}
              slotProps={{ htmlInput: { inputMode: 'decimal' } }}
              error={!!fieldError(problem, `posts.${i}.fte`)}
              helperText={fieldError(problem, `posts.${i}.fte`) ?? (p.updatedBy ? `zuletzt geändert von ${p.updatedBy} am ${new Date(p.updatedAt!).toLocaleDateString('de-DE')}` : 'noch nicht eingetragen')}
            />
          ))}
          <Box>
            <Button type="submit" variant="contained" disabled={save.isPending || !q.data}>
              Speichern
            </Button>
          </Box>
          <ProblemAlert problem={problem} shown={['posts', 'year']} />
          {saved && <Alert severity="success">Gespeichert.</Alert>}
        </Box>
      </CardContent>
    </Card>
  );
}
