/**
 * One task: what the step needs (organisation, referral number, decision, documents … – the step
 * context the server reads from the app database), its Camunda form (form-js) prefilled from it, the
 * case and the user's draft, "Entwurf speichern", "Abschließen" (validated inline; after completion
 * the next task of the same case opens if it is the user's) or a one-click completion such as
 * "Daten bestätigen", and beside it the case context as far as the role may see it. One request
 * (GET /api/tasks/:id/form) brings task, form, values and context. Usable from 390 px to 1440 px.
 */
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, RecordContextProvider, Title, useNotify, useRedirect } from 'react-admin';
import { useParams } from 'react-router-dom';
import { Alert, Box, Button, Card, CardContent, Chip, CircularProgress, Divider, Link as MuiLink, List, ListItem, ListItemText, Stack, Typography } from '@mui/material';
import DoneAllIcon from '@mui/icons-material/DoneAll';
import SaveIcon from '@mui/icons-material/Save';
import TaskAltIcon from '@mui/icons-material/TaskAlt';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import { CamundaForm, CamundaFormHandle } from '../../forms/CamundaForm';
import { apiCall, session } from '../../providers/http';
import { assigneeLabel, ClaimButton, TaskRecord, UnclaimButton } from './TaskButtons';
import { ReassignButton } from './ReassignButton';
import { categoryDe, documentTypeDe, kindOfHelpDe, label, PHASE_DE } from '../cases/labels';

const AUTHORITY_ROLES = ['abh', 'ebh'];

type Row = Record<string, unknown>;

interface TaskFormResponse {
  task: TaskRecord & { candidateGroups: string[]; kommuneId: string | null };
  form: { formKey: string; formId: string; version: number; schema: unknown } | null;
  data: Row;
  draft: { data: Row; updatedAt: string } | null;
  context: { case: Row | null; client: Row | null; consents: Row[] | null; notes: Row[] | null } | null;
  processName?: string;
  step?: StepContext | null;
}

interface StepContext {
  title: string;
  facts: Array<{ label: string; value: string }>;
  lists: Array<{ title: string; items: string[] }>;
  hints: string[];
  action: { label: string; variables: Row } | null;
}

interface CompleteResponse {
  nextTask: { id: string; name: string; assignee: string | null } | null;
}

const dateFmt = (v: unknown) => (v ? new Date(String(v)).toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' }) : '—');
const dateTimeFmt = (v: unknown) =>
  v ? `${new Date(String(v)).toLocaleString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })} Uhr` : '—';

function CaseContext({ ctx, caseId }: { ctx: TaskFormResponse['context']; caseId: string | null }) {
  if (!ctx?.case) {
    // Coordinators steer under pseudonyms: the person's file opens with a stated reason (the case file asks for it).
    if (session.user?.role === 'coordinator' && caseId) {
      return (
        <Stack spacing={1} aria-label="Fallkontext" component="section">
          <Typography variant="body2">Die Fallakte einer Person öffnen Koordinierende nur mit Begründung (z. B. Fachaufsicht oder Vertretung); der Zugriff wird protokolliert.</Typography>
          <Link to={`/cases/${encodeURIComponent(caseId)}/show`}>Fallakte mit Begründung öffnen</Link>
        </Stack>
      );
    }
    if (!caseId) {
      // Steering steps (Baustein 1) work on themes and measures, never on a person's case.
      return (
        <Stack spacing={1} aria-label="Fallkontext" component="section">
          <Typography variant="body2">Diese Aufgabe gehört zur Steuerung und zu keinem Einzelfall; sie zeigt keine Personendaten.</Typography>
          {session.user?.role === 'coordinator' && <Link to="/steuerung/themen">Zu den Themen der Steuerung</Link>}
        </Stack>
      );
    }
    return <Typography variant="body2">Zu dieser Aufgabe gibt es keine für Sie sichtbare Fallakte.</Typography>;
  }
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
      {/* Phase and kind of help are the case manager's business, not the authority's step. */}
      {!AUTHORITY_ROLES.includes(String(session.user?.role)) && (
        <Typography variant="body2">
          <strong>Phase:</strong> {label(PHASE_DE, c.phase)} · <strong>Hilfeart:</strong> {kindOfHelpDe(c)}
        </Typography>
      )}
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
                    {(k.dataCategories as string[]).map(categoryDe).join(', ')} · {k.validUntil ? `bis ${dateFmt(k.validUntil)}` : 'unbefristet'}
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
      {/* The authorities work the task's data only; the case file is not theirs to open. */}
      {!AUTHORITY_ROLES.includes(String(session.user?.role)) && <Link to={`/cases/${encodeURIComponent(String(c.id))}/show`}>Fallakte öffnen</Link>}
    </Stack>
  );
}

/**
 * The documents an authority's step needs (ABH/EBH do not open the case file): the API lists only
 * the kinds the step needs, and only under a consent naming the authority.
 */
function StepDocuments({ caseId }: { caseId: string }) {
  const q = useQuery({
    queryKey: ['tasks', 'documents', caseId],
    queryFn: () => apiCall<Row[]>(`/api/documents?filter=${encodeURIComponent(JSON.stringify({ caseId }))}&range=${encodeURIComponent('[0,49]')}`),
    retry: false,
  });
  return (
    <Box component="section" aria-labelledby="step-documents-heading" data-testid="step-documents" sx={{ mb: 2 }}>
      <Typography id="step-documents-heading" component="h2" variant="subtitle1" sx={{ fontWeight: 600 }}>
        Unterlagen zu diesem Schritt
      </Typography>
      {q.isPending ? (
        <Typography role="status" variant="body2">
          Unterlagen werden geladen …
        </Typography>
      ) : q.isError || !q.data.length ? (
        <Typography variant="body2">Für diesen Schritt sind Ihrer Behörde keine Unterlagen freigegeben (dafür braucht es eine Einwilligung der Person).</Typography>
      ) : (
        <List dense disablePadding>
          {q.data.map((d) => (
            <ListItem key={String(d.id)} disableGutters>
              <ListItemText
                primary={
                  <MuiLink href={`/api/documents/${encodeURIComponent(String(d.id))}/content`} download={String(d.fileName)}>
                    {String(d.title)} herunterladen
                  </MuiLink>
                }
                secondary={documentTypeDe(d.kind)}
              />
            </ListItem>
          ))}
        </List>
      )}
    </Box>
  );
}

/** What this step needs, above the form (on a phone it comes first). */
function StepPanel({ step }: { step: StepContext }) {
  if (!step.facts.length && !step.lists.length && !step.hints.length) return null;
  return (
    <Box component="section" aria-labelledby="step-heading" data-testid="step-context" sx={{ mb: 2, p: 1.5, borderRadius: 1, bgcolor: 'action.hover' }}>
      <Typography id="step-heading" component="h2" variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
        {step.title}
      </Typography>
      {step.hints.map((h) => (
        <Alert key={h} severity="info" sx={{ mb: 1 }}>
          {h}
        </Alert>
      ))}
      {step.facts.length > 0 && (
        <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: 'minmax(10rem, max-content) 1fr' }, columnGap: 2, rowGap: { xs: 0, sm: 0.5 }, m: 0 }}>
          {step.facts.map((f) => (
            <Box key={f.label} sx={{ display: 'contents' }}>
              <Typography component="dt" variant="body2" sx={{ fontWeight: 600, mt: { xs: 0.75, sm: 0 } }}>
                {f.label}
              </Typography>
              <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
                {f.value}
              </Typography>
            </Box>
          ))}
        </Box>
      )}
      {step.lists.map((l) => (
        <Box key={l.title} sx={{ mt: 1.5 }}>
          <Typography component="h3" variant="subtitle2">
            {l.title}
          </Typography>
          <List dense disablePadding sx={{ listStyle: 'disc', pl: 3 }}>
            {l.items.map((it) => (
              <ListItem key={it} disableGutters sx={{ display: 'list-item', py: 0 }}>
                <Typography variant="body2" sx={{ overflowWrap: 'anywhere' }}>
                  {it}
                </Typography>
              </ListItem>
            ))}
          </List>
        </Box>
      ))}
    </Box>
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
  // Coordinators work the tasks routed to their own groups (steering, system gaps) and only reassign the others (as the server's assertCanWorkTask).
  const ownGroup = task.candidateGroups.some((g) => session.user?.groups.includes(g));
  const mayWork = task.state === 'CREATED' && (!task.assignee || task.assignee === me) && (session.user?.role !== 'coordinator' || ownGroup || task.assignee === me);

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

  // One click, fixed values the server offered (e.g. "Daten bestätigen": the data as held is right).
  const action = res.step?.action ?? null;
  const onAction = () => {
    if (!action) return;
    setInvalid(null);
    complete.mutate(action.variables);
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
      <Box sx={{ maxWidth: 1440, mx: 'auto', minWidth: 0 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap', my: 1 }}>
        <Button component={Link} to="/tasks" startIcon={<ArrowBackIcon aria-hidden />}>
          Zur Aufgabenliste
        </Button>
        <Box sx={{ flex: 1 }} />
        <ClaimButton />
        <UnclaimButton />
        <ReassignButton />
      </Box>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: 'minmax(0, 1fr)', md: 'minmax(0, 3fr) minmax(0, 2fr)' }, gap: 2, alignItems: 'start' }}>
        <Card component="section" aria-labelledby="task-heading" sx={{ minWidth: 0 }}>
          <CardContent sx={{ px: { xs: 1.5, sm: 2 } }}>
            <Typography id="task-heading" component="h1" variant="h5" sx={{ overflowWrap: 'anywhere' }}>
              {task.name}
            </Typography>
            <Typography variant="body2" sx={{ mb: 1 }}>
              {res.processName ?? 'Prozess'} · erstellt {dateTimeFmt(task.createdAt)} · fällig {dateTimeFmt(task.dueDate)} · Bearbeitung: {assigneeLabel(task)}
            </Typography>
            <Divider sx={{ mb: 2 }} />
            {res.step && <StepPanel step={res.step} />}
            {AUTHORITY_ROLES.includes(String(session.user?.role)) && task.caseId && <StepDocuments caseId={task.caseId} />}
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
                {action && (
                  <Button variant="contained" color="success" startIcon={<DoneAllIcon aria-hidden />} onClick={onAction} disabled={complete.isPending}>
                    {action.label}
                  </Button>
                )}
                {res.form && (
                  <Button variant="outlined" startIcon={<SaveIcon aria-hidden />} onClick={onSaveDraft} disabled={saveDraft.isPending || complete.isPending}>
                    Entwurf speichern
                  </Button>
                )}
                <Button variant={action ? 'outlined' : 'contained'} startIcon={complete.isPending ? <CircularProgress size={16} aria-hidden /> : <TaskAltIcon aria-hidden />} onClick={onComplete} disabled={complete.isPending}>
                  Abschließen
                </Button>
                <Typography variant="body2" role="status" data-testid="draft-status">
                  {complete.isPending ? 'Wird abgeschlossen …' : savedAt ? `Entwurf gespeichert ${dateTimeFmt(savedAt)}` : ''}
                </Typography>
              </Box>
            )}
          </CardContent>
        </Card>
        <Card sx={{ minWidth: 0 }}>
          <CardContent sx={{ px: { xs: 1.5, sm: 2 } }}>
            <CaseContext ctx={res.context} caseId={task.caseId} />
          </CardContent>
        </Card>
      </Box>
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
