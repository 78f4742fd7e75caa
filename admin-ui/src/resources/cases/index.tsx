/**
 * "Fälle": the case list (coordinators see pseudonyms only) and the case file as a workspace
 * (Workspace.tsx). Coordinators open a person's case file only with a stated reason (AccessGate).
 */
import { ReactNode, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Datagrid, DateField, FunctionField, HttpError, List, RecordContextProvider, ReferenceField, SelectInput, Show, TextField, TextInput, useListContext, useNotify } from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormHelperText,
  FormLabel,
  Paper,
  Radio,
  RadioGroup,
  TextField as MuiTextField,
  type Theme,
  Typography,
  useMediaQuery,
} from '@mui/material';
import FolderSharedIcon from '@mui/icons-material/FolderShared';
import AddIcon from '@mui/icons-material/Add';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { apiCall, session } from '../../providers/http';
import { AUTHORITY_ROLES } from '../../roles';
import { IntakeCreate } from './IntakeCreate';
import { CaseWorkspace, personName } from './Workspace';
import { CASE_ACCESS_REASONS, KIND_OF_HELP, kindOfHelpDe, label, PHASE_DE, PHASES } from './labels';

type Row = Record<string, unknown>;
const dateOptions: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric' };
const phaseName = (v: unknown) => label(PHASE_DE, v);
const isCaseManager = () => session.user?.role === 'case_manager';

const caseFilters = [
  <TextInput key="q" source="q" label="Aktenzeichen" alwaysOn resettable />,
  <SelectInput key="phase" source="phase" label="Phase" choices={PHASES} alwaysOn emptyText="Alle Phasen" />,
  <SelectInput key="k" source="kindOfHelp" label="Hilfeart" choices={KIND_OF_HELP} alwaysOn emptyText="Alle Hilfearten" />,
];

/** "Neue Erstberatung" above the case list, for case managers only. */
function CaseListActions() {
  if (!isCaseManager()) return null;
  return (
    <Box sx={{ display: 'flex', justifyContent: 'flex-end', py: 1 }}>
      <Button component={RouterLink} to="/cases/create" variant="contained" startIcon={<AddIcon aria-hidden />}>
        Neue Erstberatung
      </Button>
    </Box>
  );
}

/** Phones: one card per case (file number as link, person, phase, kind of help) instead of a table wider than the screen. */
function CaseCards() {
  const { data, isPending } = useListContext<Row & { id: string }>();
  if (isPending) return null;
  if (!data?.length) return <Box sx={{ p: 2 }}>Keine Fälle gefunden.</Box>;
  return (
    <Box component="ul" aria-label="Fälle" sx={{ listStyle: 'none', m: 0, p: 1, display: 'grid', gap: 1 }}>
      {data.map((r) => (
        <RecordContextProvider value={r} key={r.id}>
          <Paper component="li" variant="outlined" sx={{ p: 1.5 }} data-testid="case-card">
            <RouterLink to={`/cases/${encodeURIComponent(String(r.id))}/show`}>{String(r.reference)}</RouterLink>
            <Typography variant="body2" component="div">
              <ReferenceField source="clientId" reference="clients" link={false}>
                <FunctionField<Row> render={(c) => personName(c)} />
              </ReferenceField>
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {phaseName(r.phase)} · {kindOfHelpDe(r)} · eröffnet {r.openedAt ? new Date(String(r.openedAt)).toLocaleDateString('de-DE', dateOptions) : '—'}
            </Typography>
          </Paper>
        </RecordContextProvider>
      ))}
    </Box>
  );
}

/**
 * The authorities (ABH, EBH) work their steps, not case files: what a step needs – facts, documents
 * under the person's consent – is in the task. A case address leads them there.
 */
const isAuthority = () => AUTHORITY_ROLES.includes(session.user?.role ?? '');
function AuthorityNotice() {
  return (
    <Alert severity="info" sx={{ m: 2 }}>
      Fallakten führt das Case-Management. Was Ihr Schritt braucht – Angaben und die freigegebenen Unterlagen –, steht in der Aufgabe.{' '}
      <RouterLink to="/tasks">Zu Ihren Aufgaben</RouterLink>
    </Alert>
  );
}

export function CaseList() {
  const small = useMediaQuery((theme: Theme) => theme.breakpoints.down('md'), { noSsr: true });
  if (isAuthority()) return <AuthorityNotice />;
  return (
    <List title="Fälle" filters={caseFilters} sort={{ field: 'openedAt', order: 'DESC' }} perPage={25} actions={<CaseListActions />} empty={false}>
      {small ? <CaseCards /> : <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>Keine Fälle gefunden.</Box>}>
        {/* The file number is a link: rows open on click, but only a link is reachable by keyboard. */}
        <FunctionField<Row>
          source="reference"
          label="Aktenzeichen"
          render={(r) => (
            <RouterLink to={`/cases/${encodeURIComponent(String(r.id))}/show`} onClick={(e) => e.stopPropagation()}>
              {String(r.reference)}
            </RouterLink>
          )}
        />
        <ReferenceField source="clientId" reference="clients" label="Person" link={false} sortable={false}>
          <FunctionField<Row> render={(r) => personName(r)} />
        </ReferenceField>
        <FunctionField<Row> source="phase" label="Phase" render={(r) => phaseName(r.phase)} />
        <FunctionField<Row> label="Hilfeart" render={(r) => kindOfHelpDe(r)} />
        <ReferenceField source="caseManagerId" reference="users" label="Fallverantwortung" link={false} sortable={false} emptyText="—">
          <TextField source="displayName" />
        </ReferenceField>
        <DateField source="openedAt" label="eröffnet" locales="de-DE" options={dateOptions} />
      </Datagrid>}
    </List>
  );
}

/**
 * Coordinators open a person's case file only with a stated reason: the API answers 403
 * reason_required, this dialog asks for the reason (choices and a note), grants access and then
 * shows the file. Cancel goes back to the case list.
 */
function AccessGate({ id, children }: { id: string; children: ReactNode }) {
  const coordinator = session.user?.role === 'coordinator';
  const navigate = useNavigate();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const q = useQuery({
    queryKey: ['cases', id, 'access'],
    queryFn: async () => {
      try {
        await apiCall(`/api/cases/${encodeURIComponent(id)}`);
        return 'granted' as const;
      } catch (e) {
        if (e instanceof HttpError && (e.body as { type?: string } | null)?.type === 'urn:kim:problem:reason_required') return 'reason' as const;
        throw e;
      }
    },
    enabled: coordinator,
    retry: false,
  });
  const m = useMutation({
    mutationFn: () => apiCall(`/api/cases/${encodeURIComponent(id)}/access`, { method: 'POST', body: { reason, note } }),
    onSuccess: () => q.refetch(),
  });
  if (!coordinator) return <>{children}</>;
  if (q.isPending) return <Typography role="status" sx={{ p: 2 }}>Zugriff wird geprüft …</Typography>;
  if (q.isError) return <Alert severity="error" sx={{ m: 2 }}>{(q.error as Error).message}</Alert>;
  if (q.data === 'granted') return <>{children}</>;
  const fields = ((m.error as HttpError | null)?.body as { errors?: Record<string, string> } | undefined)?.errors ?? {};
  return (
    <Dialog open aria-labelledby="access-title" fullWidth maxWidth="sm">
      <DialogTitle id="access-title">Fallakte mit Begründung öffnen</DialogTitle>
      <DialogContent>
        <Typography variant="body2" sx={{ mb: 1 }}>
          Koordinierende sehen Fälle unter Pseudonym. Die Fallakte einer Person öffnen Sie nur mit Grund; der Zugriff wird protokolliert, steht im Verlauf des Falls
          und gilt für einen Arbeitstag.
        </Typography>
        <FormControl error={!!fields.reason}>
          <FormLabel id="access-reason-label">Grund</FormLabel>
          <RadioGroup aria-labelledby="access-reason-label" value={reason} onChange={(e) => setReason(e.target.value)}>
            {Object.entries(CASE_ACCESS_REASONS).map(([v, l]) => (
              <FormControlLabel key={v} value={v} control={<Radio />} label={l} />
            ))}
          </RadioGroup>
          {fields.reason && <FormHelperText>{fields.reason}</FormHelperText>}
        </FormControl>
        <MuiTextField label="Begründung" value={note} onChange={(e) => setNote(e.target.value)} fullWidth multiline minRows={2} margin="dense" required error={!!fields.note} helperText={fields.note} />
        {m.isError && (
          <Alert severity="error" sx={{ mt: 1 }}>
            {(m.error as Error).message}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => navigate('/cases')}>Abbrechen</Button>
        <Button variant="contained" onClick={() => m.mutate()} disabled={m.isPending}>
          Fallakte öffnen
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function CaseShow() {
  const notify = useNotify();
  const { id } = useParams();
  if (isAuthority()) return <AuthorityNotice />;
  return (
    <AccessGate id={String(id)}>
      <Show title="Fallakte" actions={false} queryOptions={{ onError: (e: Error) => notify(e.message, { type: 'error' }) }}>
        <CaseWorkspace />
      </Show>
    </AccessGate>
  );
}

export const cases = { name: 'cases', list: CaseList, show: CaseShow, create: IntakeCreate, icon: FolderSharedIcon, options: { label: 'Fälle' } };
