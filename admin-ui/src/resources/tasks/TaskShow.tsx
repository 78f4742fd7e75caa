/**
 * One task: its Camunda form (form-js) prefilled from the case and the user's draft, "Entwurf
 * speichern", "Abschließen" (validated inline; after completion the next task of the same case opens
 * if it is the user's), and beside it the case context as far as the role may see it. One request
 * (GET /api/tasks/:id/form) brings task, form, values and context.
 */
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, RecordContextProvider, Title, useNotify, useRedirect } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Box, Button, Card, CardContent, Chip, CircularProgress, Divider, List, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import SaveIcon from '@mui/icons-material/Save';
import TaskAltIcon from '@mui/icons-material/TaskAlt';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { CamundaForm, CamundaFormHandle } from '../../forms/CamundaForm';
import { apiCall, session } from '../../providers/http';
import { ClaimButton, TaskRecord, UnclaimButton } from './TaskButtons';
import { ReassignButton } from './ReassignButton';

type Row = Record<string, unknown>;

interface TaskFormResponse {
  task: TaskRecord & { candidateGroups: string[]; kommuneId: string | null };
  form: { formKey: string; formId: string; version: number; schema: unknown } | null;
  data: Row;
  draft: { data: Row; updatedAt: string } | null;
  context: { case: Row | null; client: Row | null; consents: Row[] | null; notes: Row[] | null } | null;
}

interface CompleteResponse {
  nextTask: { id: string; name: string; assignee: string | null } | null;
}

const dateFmt = (v: unknown) => (v ? new Date(String(v)).toLocaleDateString('de-DE') : '—');
const dateTimeFmt = (v: unknown) => (v ? new Date(String(v)).toLocaleString('de-DE', { dateStyle: 'short', timeStyle: 'short' }) : '—');

const KIND_OF_HELP: Record<string, string> = { CaseManagement: 'Case Management', Kurzberatung: 'Kurzberatung', Verweisberatung: 'Verweisberatung' };
/** Case phases whose stored value is not their German spelling. */
const PHASE: Record<string, string> = { Foerderplanung: 'Förderplanung' };

function CaseContext({ ctx }: { ctx: TaskFormResponse['context'] }) {
  if (!ctx?.case) return <Typography variant="body2">Zu dieser Aufgabe gibt es keine für Sie sichtbare Fallakte.</Typography>;
  const c = ctx.case;
  const client = ctx.client;
  const needs = Array.isArray(c.needs) ? (c.needs as Row[]) : null;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Stack spacing={1.5} aria-label="Fallkontext" component="section">
      <Typography component="h2" variant="h6">
        Fall {String(c.reference ?? '')}
      </Typography>
      {client && (
        <Typography variant="body2">
          <strong>Person:</strong> {[client.firstName, client.lastName].filter(Boolean).join(' ') || String(client.pseudonym ?? '—')}
          {client.birthDate ? `, geb. ${dateFmt(client.birthDate)}` : ''}
          {Array.isArray(client.languages) && client.languages.length ? ` · Sprachen: ${(client.languages as string[]).join(', ')}` : ''}
        </Typography>
      )}
      <Typography variant="body2">
        <strong>Phase:</strong> {PHASE[String(c.phase)] ?? String(c.phase ?? '—')} · <strong>Hilfeart:</strong> {KIND_OF_HELP[String(c.kindOfHelp)] ?? String(c.kindOfHelp ?? '—')}
      </Typography>
      {needs && (
        <Box>
          <Typography component="h3" variant="subtitle2">
            Bedarfe
          </Typography>
          {needs.length ? (
            <List dense disablePadding>
              {needs.map((n) => (
                <ListItem key={String(n.id)} disableGutters>
                  <ListItemText primary={String(n.lifeArea)} secondary={String(n.description ?? '')} />
                </ListItem>
              ))}
            </List>
          ) : (
            <Typography variant="body2">Keine Bedarfe erfasst.</Typography>
          )}
        </Box>
      )}
      {ctx.consents && (
        <Box>
          <Typography component="h3" variant="subtitle2">
            Einwilligungen
          </Typography>
          {ctx.consents.length ? (
            ctx.consents.map((k) => {
              const valid = !k.revokedAt && String(k.validFrom).slice(0, 10) <= today && (!k.validUntil || String(k.validUntil).slice(0, 10) >= today);
              return (
                <Box key={String(k.id)} sx={{ display: 'flex', gap: 1, alignItems: 'center', mb: 0.5 }}>
                  <Chip size="small" color={valid ? 'success' : 'default'} label={k.revokedAt ? 'widerrufen' : valid ? 'gültig' : 'nicht gültig'} />
                  <Typography variant="body2">
                    {(k.dataCategories as string[]).join(', ')} · bis {dateFmt(k.validUntil)}
                  </Typography>
                </Box>
              );
            })
          ) : (
            <Typography variant="body2">Keine Einwilligung erfasst.</Typography>
          )}
        </Box>
      )}
      {ctx.notes && (
        <Box>
          <Typography component="h3" variant="subtitle2">
            Letzte Notizen
          </Typography>
          {ctx.notes.length ? (
            ctx.notes.map((n) => (
              <Typography key={String(n.id)} variant="body2" sx={{ mb: 0.5 }}>
                <em>{dateTimeFmt(n.createdAt)}:</em> {String(n.text).slice(0, 300)}
              </Typography>
            ))
          ) : (
            <Typography variant="body2">Keine Notizen.</Typography>
          )}
        </Box>
      )}
      <Link to={`/cases/${encodeURIComponent(String(c.id))}/show`}>Fallakte öffnen</Link>
    </Stack>
  );
}

function TaskWorkspace({ res }: { res: TaskFormResponse }) {
  const notify = useNotify();
  const redirect = useRedirect();
  const queryClient = useQueryClient();
  const formRef = useRef<CamundaFormHandle>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(res.draft?.updatedAt ?? null);
  const task = res.task;
  const me = session.user?.username;
  const mayWork = task.state === 'CREATED' && (!task.assignee || task.assignee === me) && session.user?.role !== 'coordinator';

  const saveDraft = useMutation({
    mutationFn: (data: Row) => apiCall<{ updatedAt: string }>(`/api/tasks/${encodeURIComponent(task.id)}/draft`, { method: 'PUT', body: { data } }),
    onSuccess: (r) => setSavedAt(r.updatedAt),
  });

  const complete = useMutation({
    mutationFn: (variables: Row) => apiCall<CompleteResponse>(`/api/tasks/${encodeURIComponent(task.id)}/complete`, { method: 'POST', body: { variables } }),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      const next = r.nextTask;
      if (next && (!next.assignee || next.assignee === me)) {
        notify(`Aufgabe abgeschlossen. Nächste Aufgabe: ${next.name}`, { type: 'success' });
        redirect(`/tasks/${encodeURIComponent(next.id)}/show`);
      } else {
        notify('Aufgabe abgeschlossen.', { type: 'success' });
        redirect('list', 'tasks');
      }
    },
    onError: (e: Error) => {
      // Nothing typed is lost: the form keeps its values and they are saved as a draft.
      notify(`${e.message} Ihre Eingaben bleiben erhalten.`, { type: 'error' });
      const data = formRef.current?.data();
      if (data) saveDraft.mutate(data);
    },
  });

  const onComplete = () => {
    const r = formRef.current?.submit() ?? { data: {}, errors: {} };
    const missing = Object.keys(r.errors ?? {});
    if (missing.length) {
      setInvalid('Bitte prüfen Sie die markierten Felder. Die Aufgabe wurde noch nicht abgeschlossen.');
      return;
    }
    setInvalid(null);
    complete.mutate(res.form ? r.data : {});
  };

  const onSaveDraft = () => {
    const data = formRef.current?.data() ?? {};
    saveDraft.mutate(data, {
      onSuccess: () => notify('Entwurf gespeichert.', { type: 'success' }),
      onError: (e: Error) => notify(`${e.message} Der Entwurf wurde nicht gespeichert; Ihre Eingaben bleiben im Formular.`, { type: 'error' }),
    });
  };

  return (
    <RecordContextProvider value={task}>
      <Title title={`Aufgabe: ${task.name}`} />
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap', my: 1 }}>
        <Button component={Link} to="/tasks" startIcon={<ArrowBackIcon aria-hidden />}>
          Zur Aufgabenliste
        </Button>
        <Box sx={{ flex: 1 }} />
        <ClaimButton />
        <UnclaimButton />
        <ReassignButton />
      </Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '3fr 2fr' }, gap: 2, alignItems: 'start' }}>
        <Card component="section" aria-labelledby="task-heading">
          <CardContent>
            <Typography id="task-heading" component="h1" variant="h5">
              {task.name}
            </Typography>
            <Typography variant="body2" sx={{ mb: 1 }}>
              Prozess {task.processDefinitionId} · erstellt {dateTimeFmt(task.createdAt)} · fällig {dateTimeFmt(task.dueDate)} · Bearbeitung: {task.assignee ?? 'offen'}
            </Typography>
            <Divider sx={{ mb: 2 }} />
            {res.form ? (
              <CamundaForm ref={formRef} schema={res.form.schema} data={res.data} readOnly={!mayWork} />
            ) : (
              <Typography variant="body2">Diese Aufgabe hat kein Formular.</Typography>
            )}
            {invalid && (
              <Alert severity="error" role="alert" sx={{ mt: 2 }}>
                {invalid}
              </Alert>
            )}
            {mayWork && (
              <Box sx={{ display: 'flex', gap: 1, mt: 2, alignItems: 'center', flexWrap: 'wrap' }}>
                {res.form && (
                  <Button variant="outlined" startIcon={<SaveIcon aria-hidden />} onClick={onSaveDraft} disabled={saveDraft.isPending || complete.isPending}>
                    Entwurf speichern
                  </Button>
                )}
                <Button variant="contained" startIcon={complete.isPending ? <CircularProgress size={16} aria-hidden /> : <TaskAltIcon aria-hidden />} onClick={onComplete} disabled={complete.isPending}>
                  Abschließen
                </Button>
                <Typography variant="body2" role="status" data-testid="draft-status">
                  {complete.isPending ? 'Wird abgeschlossen …' : savedAt ? `Entwurf gespeichert ${dateTimeFmt(savedAt)}` : ''}
                </Typography>
              </Box>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardContent>
            <CaseContext ctx={res.context} />
          </CardContent>
        </Card>
      </Box>
    </RecordContextProvider>
  );
}

export function TaskShow() {
  const { id } = useParams();
  const notify = useNotify();
  const redirect = useRedirect();
  const q = useQuery({
    queryKey: ['tasks', 'form', id],
    queryFn: () => apiCall<TaskFormResponse>(`/api/tasks/${encodeURIComponent(String(id))}/form`),
    retry: false,
    refetchOnWindowFocus: false,
  });
  useEffect(() => {
    // The API's own message (e.g. "Die Aufgabe wurde nicht gefunden.").
    if (!q.isError) return;
    notify((q.error as Error).message, { type: 'error' });
    redirect('list', 'tasks');
  }, [q.isError, q.error, notify, redirect]);
  if (q.isError) return null;
  if (!q.data) {
    return (
      <Box role="status" sx={{ display: 'flex', gap: 1, alignItems: 'center', p: 3 }}>
        <CircularProgress size={20} aria-hidden /> Aufgabe wird geladen …
      </Box>
    );
  }
  return <TaskWorkspace key={q.data.task.id} res={q.data} />;
}
