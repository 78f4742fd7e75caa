/**
 * "Fälle": case list and case file – client, phase, kind of help, case manager; needs and goals;
 * consents (give, revoke with reason); referrals; notes; documents (upload/download); the audit
 * trail; the process view (each process instance of the case with its active steps). Each section
 * shows only what the role may read (the API answers 403 otherwise).
 */
import { ChangeEvent, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Datagrid,
  DateField,
  FunctionField,
  List,
  ReferenceField,
  ReferenceManyField,
  SelectInput,
  Show,
  TextField,
  TextInput,
  useGetList,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormGroup,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import FolderSharedIcon from '@mui/icons-material/FolderShared';
import AddIcon from '@mui/icons-material/Add';
import { Link as RouterLink } from 'react-router-dom';
import { apiCall, session } from '../../providers/http';
import { IntakeCreate } from './IntakeCreate';
import { CaseStartActions, EinbuergerungStatus, LIFE_AREAS } from './StartActions';
import { ProcessView } from './ProcessView';

type Row = Record<string, unknown>;
const dateOptions: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric' };
const KIND_OF_HELP = [
  { id: 'CaseManagement', name: 'Case Management' },
  { id: 'Kurzberatung', name: 'Kurzberatung' },
  { id: 'Verweisberatung', name: 'Verweisberatung' },
];
// The values of the CasePhase enum with their German names.
const PHASES = [
  { id: 'Zugang', name: 'Zugang' },
  { id: 'Clearing', name: 'Clearing' },
  { id: 'Foerderplanung', name: 'Förderplanung' },
  { id: 'Umsetzung', name: 'Umsetzung' },
  { id: 'Abschluss', name: 'Abschluss' },
];
const phaseName = (v: unknown) => PHASES.find((p) => p.id === v)?.name ?? String(v ?? '—');
const CONFERENCE_STATUS: Record<string, string> = { geplant: 'in Planung', eingeladen: 'eingeladen', durchgefuehrt: 'durchgeführt', abgesagt: 'abgesagt' };
const isCaseManager = () => session.user?.role === 'case_manager';
const personName = (r: Row) => [r.firstName, r.lastName].filter(Boolean).join(' ') || String(r.pseudonym ?? '—');

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

export function CaseList() {
  return (
    <List title="Fälle" filters={caseFilters} sort={{ field: 'openedAt', order: 'DESC' }} perPage={25} actions={<CaseListActions />} empty={false}>
      <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>Keine Fälle gefunden.</Box>}>
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
          <FunctionField<Row> render={personName} />
        </ReferenceField>
        <FunctionField<Row> source="phase" label="Phase" render={(r) => phaseName(r.phase)} />
        <FunctionField<Row> label="Hilfeart" render={(r) => KIND_OF_HELP.find((k) => k.id === r.kindOfHelp)?.name ?? String(r.kindOfHelp ?? '—')} />
        <ReferenceField source="caseManagerId" reference="users" label="Fallverantwortung" link={false} sortable={false} emptyText="—">
          <TextField source="displayName" />
        </ReferenceField>
        <DateField source="openedAt" label="eröffnet" locales="de-DE" options={dateOptions} />
      </Datagrid>
    </List>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Box component="section" sx={{ mt: 3 }} aria-label={title}>
      <Typography component="h2" variant="h6" sx={{ mb: 1 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function Overview() {
  const c = useRecordContext<Row>();
  if (!c) return null;
  const needs = (c.needs as Row[] | undefined) ?? null;
  const goals = (c.goals as Row[] | undefined) ?? [];
  // Goals of the Förderplan name their life area; goals entered for a need name the need.
  const belongs = (g: Row, n: Row) => (g.needId ? g.needId === n.id : g.lifeArea === n.lifeArea);
  const otherGoals = goals.filter((g) => !(needs ?? []).some((n) => belongs(g, n)));
  return (
    <Box>
      <Typography component="h1" variant="h5">
        Fall {String(c.reference)}
      </Typography>
      <Box sx={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 2, rowGap: 0.5, mt: 1 }}>
        <strong>Person</strong>
        <ReferenceField source="clientId" reference="clients" link={false}>
          <FunctionField<Row> render={personName} />
        </ReferenceField>
        <strong>Phase</strong>
        <span>{phaseName(c.phase)}</span>
        <strong>Hilfeart</strong>
        <span>{KIND_OF_HELP.find((k) => k.id === c.kindOfHelp)?.name ?? String(c.kindOfHelp ?? '—')}</span>
        <strong>Fallverantwortung</strong>
        {c.caseManagerId ? (
          <ReferenceField source="caseManagerId" reference="users" link={false}>
            <TextField source="displayName" />
          </ReferenceField>
        ) : (
          <span>—</span>
        )}
      </Box>
      {needs && (
        <Section title="Bedarfe und Ziele">
          {needs.length === 0 && <Typography variant="body2">Keine Bedarfe erfasst.</Typography>}
          <ul>
            {needs.map((n) => (
              <li key={String(n.id)}>
                <strong>{String(n.lifeArea)}</strong>: {String(n.description)}
                <ul>
                  {goals
                    .filter((g) => belongs(g, n))
                    .map((g) => (
                      <li key={String(g.id)}>
                        Ziel: {String(g.title ?? g.description ?? '')} ({String(g.status)})
                      </li>
                    ))}
                </ul>
              </li>
            ))}
            {otherGoals.map((g) => (
              <li key={String(g.id)}>
                <strong>{String(g.lifeArea ?? '—')}</strong>: Ziel: {String(g.title ?? g.description ?? '')} ({String(g.status)})
              </li>
            ))}
          </ul>
        </Section>
      )}
    </Box>
  );
}

const CATEGORIES = ['Stammdaten', 'Aufenthaltsstatus', 'BildungArbeit', 'Gesundheit', 'Familie'];
const PURPOSES = ['Vermittlung', 'Fallkonferenz', 'Abstimmung'];

function GiveConsent({ caseId }: { caseId: string }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ recipients: [] as string[], dataCategories: [] as string[], purposes: [] as string[], validFrom: new Date().toISOString().slice(0, 10), validUntil: '' });
  const [error, setError] = useState<string | null>(null);
  const { data: orgs } = useGetList('organisations', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } }, { enabled: open });
  const refresh = useRefresh();
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () => apiCall('/api/consents', { method: 'POST', body: { caseId, ...form, validUntil: form.validUntil || undefined } }),
    onSuccess: () => {
      notify('Einwilligung gespeichert.', { type: 'success' });
      setOpen(false);
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  const toggle = (key: 'recipients' | 'dataCategories' | 'purposes', v: string) =>
    setForm((f) => ({ ...f, [key]: f[key].includes(v) ? f[key].filter((x) => x !== v) : [...f[key], v] }));
  if (!isCaseManager()) return null;
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Einwilligung erfassen
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="consent-title">
        <DialogTitle id="consent-title">Einwilligung erfassen</DialogTitle>
        <DialogContent>
          <CheckGroup title="Empfänger" options={(orgs ?? []).map((o) => ({ value: String(o.id), label: String(o.name) }))} selected={form.recipients} onToggle={(v) => toggle('recipients', v)} />
          <CheckGroup title="Datenkategorien" row options={CATEGORIES.map((c) => ({ value: c, label: c }))} selected={form.dataCategories} onToggle={(v) => toggle('dataCategories', v)} />
          <CheckGroup title="Zwecke" row options={PURPOSES.map((c) => ({ value: c, label: c }))} selected={form.purposes} onToggle={(v) => toggle('purposes', v)} />
          <Box sx={{ display: 'flex', gap: 2, mt: 1 }}>
            <MuiTextField type="date" label="Gültig ab" value={form.validFrom} onChange={(e) => setForm({ ...form, validFrom: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
            <MuiTextField type="date" label="Gültig bis" value={form.validUntil} onChange={(e) => setForm({ ...form, validUntil: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
          </Box>
          {error && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error}
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

/** A titled group of checkboxes (the consent dialog's recipients, data categories and purposes). */
function CheckGroup(props: { title: string; options: Array<{ value: string; label: string }>; selected: string[]; onToggle: (value: string) => void; row?: boolean }) {
  return (
    <>
      <Typography component="h3" variant="subtitle2">
        {props.title}
      </Typography>
      <FormGroup row={props.row}>
        {props.options.map((o) => (
          <FormControlLabel key={o.value} control={<Checkbox checked={props.selected.includes(o.value)} onChange={() => props.onToggle(o.value)} />} label={o.label} />
        ))}
      </FormGroup>
    </>
  );
}

function RevokeConsent() {
  const k = useRecordContext<Row>();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = useRefresh();
  const notify = useNotify();
  const m = useMutation({
    mutationFn: () => apiCall(`/api/consents/${encodeURIComponent(String(k?.id))}/revoke`, { method: 'POST', body: { reason } }),
    onSuccess: () => {
      notify('Einwilligung widerrufen.', { type: 'success' });
      setOpen(false);
      refresh();
    },
    onError: (e: Error) => setError(e.message),
  });
  if (!k || k.revokedAt || !isCaseManager()) return null;
  return (
    <>
      <Button size="small" color="error" onClick={(e) => (e.stopPropagation(), setOpen(true))}>
        Widerrufen
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="revoke-title">
        <DialogTitle id="revoke-title">Einwilligung widerrufen</DialogTitle>
        <DialogContent>
          <Typography variant="body2" sx={{ mb: 1 }}>
            Laufende Datenweitergaben auf Grundlage dieser Einwilligung werden gestoppt.
          </Typography>
          <MuiTextField label="Grund" value={reason} onChange={(e) => setReason(e.target.value)} fullWidth multiline required />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Abbrechen</Button>
          <Button variant="contained" color="error" onClick={() => m.mutate()} disabled={m.isPending}>
            Widerrufen
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function AddNote({ caseId }: { caseId: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = useRefresh();
  const m = useMutation({
    mutationFn: () => apiCall('/api/notes', { method: 'POST', body: { caseId, text } }),
    onSuccess: () => {
      setText('');
      setError(null);
      refresh();
    },
    // The text stays in the field when saving fails.
    onError: (e: Error) => setError(e.message),
  });
  if (!isCaseManager()) return null;
  return (
    <Box sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', mb: 1 }}>
      <MuiTextField label="Neue Notiz" value={text} onChange={(e) => setText(e.target.value)} multiline minRows={2} sx={{ flex: 1 }} error={!!error} helperText={error ?? undefined} />
      <Button variant="outlined" onClick={() => m.mutate()} disabled={m.isPending || !text.trim()}>
        Notiz speichern
      </Button>
    </Box>
  );
}

const MAX_UPLOAD = 180 * 1024;
const ALLOWED_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'text/plain'];

function UploadDocument({ caseId }: { caseId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useRefresh();
  const notify = useNotify();
  if (!isCaseManager()) return null;
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (!ALLOWED_TYPES.includes(file.type)) return setError('Bitte laden Sie eine PDF-, PNG-, JPEG- oder Textdatei hoch.');
    if (file.size > MAX_UPLOAD) return setError('Die Datei ist zu groß (höchstens 180 KB).');
    setBusy(true);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let bin = '';
      for (const b of bytes) bin += String.fromCharCode(b);
      await apiCall('/api/documents', { method: 'POST', body: { caseId, title: file.name, kind: 'Sonstiges', fileName: file.name, mimeType: file.type, contentBase64: btoa(bin) } });
      setError(null);
      notify('Dokument hochgeladen.', { type: 'success' });
      refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box sx={{ mb: 1 }}>
      <Button component="label" variant="outlined" disabled={busy}>
        {busy ? 'Wird hochgeladen …' : 'Dokument hochladen'}
        <input type="file" hidden onChange={onFile} accept={ALLOWED_TYPES.join(',')} aria-label="Dokument hochladen" />
      </Button>
      {error && (
        <Alert severity="error" sx={{ mt: 1 }}>
          {error}
        </Alert>
      )}
    </Box>
  );
}

function AuditTrail({ caseId }: { caseId: string }) {
  const q = useQuery({
    queryKey: ['cases', 'audit', caseId],
    queryFn: () => apiCall<Row[]>(`/api/cases/${encodeURIComponent(caseId)}/audit?range=${encodeURIComponent('[0,49]')}`),
    retry: false,
  });
  if (q.isPending) return <Typography role="status">Protokoll wird geladen …</Typography>;
  if (q.isError) return <Typography variant="body2">Das Protokoll ist für Ihre Rolle nicht sichtbar.</Typography>;
  return (
    <Box component="table" sx={{ borderCollapse: 'collapse', width: '100%', '& td, & th': { textAlign: 'left', p: 0.5, borderBottom: 1, borderColor: 'divider' } }}>
      <thead>
        <tr>
          <th scope="col">Zeit</th>
          <th scope="col">Person</th>
          <th scope="col">Aktion</th>
          <th scope="col">Felder</th>
        </tr>
      </thead>
      <tbody>
        {q.data.map((r) => (
          <tr key={String(r.id)}>
            <td>{new Date(String(r.at)).toLocaleString('de-DE')}</td>
            <td>{String(r.username ?? '—')}</td>
            <td>{String(r.action)}</td>
            <td>{Array.isArray(r.fields) ? (r.fields as string[]).join(', ') : ''}</td>
          </tr>
        ))}
      </tbody>
    </Box>
  );
}

function CaseFile() {
  const c = useRecordContext<Row>();
  const role = session.user?.role;
  const queryClient = useQueryClient();
  void queryClient;
  if (!c) return null;
  const caseId = String(c.id);
  const full = role === 'case_manager' || role === 'coordinator';
  return (
    <Box sx={{ p: 2 }}>
      <Overview />
      <CaseStartActions record={c} />
      {full && (
        <Section title="Prozessansicht">
          <ProcessView caseId={caseId} />
        </Section>
      )}
      {full && (
        <Section title="Einwilligungen">
          <GiveConsent caseId={caseId} />
          <ReferenceManyField reference="consents" target="caseId" sort={{ field: 'createdAt', order: 'DESC' }}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography variant="body2">Keine Einwilligung erfasst.</Typography>}>
              <DateField source="validFrom" label="gültig ab" locales="de-DE" options={dateOptions} />
              <DateField source="validUntil" label="gültig bis" locales="de-DE" options={dateOptions} emptyText="—" />
              <FunctionField<Row> label="Daten" render={(r) => (r.dataCategories as string[]).join(', ')} />
              <FunctionField<Row> label="Status" render={(r) => (r.revokedAt ? `widerrufen: ${String(r.revokeReason ?? '')}` : 'erteilt')} />
              <RevokeConsent />
            </Datagrid>
          </ReferenceManyField>
        </Section>
      )}
      {full && (
        <Section title="Vermittlungen">
          <ReferenceManyField reference="referrals" target="caseId" sort={{ field: 'createdAt', order: 'DESC' }}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography variant="body2">Keine Vermittlungen.</Typography>}>
              <FunctionField<Row> label="Lebensbereich" render={(r) => LIFE_AREAS.find((l) => l.id === r.lifeArea)?.name ?? String(r.lifeArea ?? '—')} />
              <TextField source="purpose" label="Anliegen" />
              <TextField source="status" label="Status" />
              <DateField source="dueDate" label="fällig" locales="de-DE" options={dateOptions} emptyText="—" />
            </Datagrid>
          </ReferenceManyField>
        </Section>
      )}
      {full && (
        <Section title="Fallkonferenzen">
          <ReferenceManyField reference="conferences" target="caseId" sort={{ field: 'createdAt', order: 'DESC' }}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography variant="body2">Keine Fallkonferenzen.</Typography>}>
              <TextField source="title" label="Anlass" />
              <FunctionField<Row> label="Status" render={(r) => CONFERENCE_STATUS[String(r.status)] ?? String(r.status ?? '—')} />
              <DateField source="scheduledAt" label="Termin" locales="de-DE" showTime emptyText="noch nicht geplant" />
            </Datagrid>
          </ReferenceManyField>
        </Section>
      )}
      {full && (
        <Section title="Einbürgerung">
          <EinbuergerungStatus caseId={caseId} />
        </Section>
      )}
      {full && (
        <Section title="Notizen">
          <AddNote caseId={caseId} />
          <ReferenceManyField reference="notes" target="caseId" sort={{ field: 'createdAt', order: 'DESC' }} perPage={20}>
            <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography variant="body2">Keine Notizen.</Typography>}>
              <DateField source="createdAt" label="am" locales="de-DE" showTime />
              <TextField source="text" label="Notiz" />
            </Datagrid>
          </ReferenceManyField>
        </Section>
      )}
      <Section title="Dokumente">
        <UploadDocument caseId={caseId} />
        <ReferenceManyField reference="documents" target="caseId" sort={{ field: 'createdAt', order: 'DESC' }}>
          <Datagrid bulkActionButtons={false} rowClick={false} empty={<Typography variant="body2">Keine Dokumente.</Typography>}>
            <TextField source="title" label="Titel" />
            <TextField source="kind" label="Art" />
            <DateField source="createdAt" label="hochgeladen" locales="de-DE" options={dateOptions} />
            <FunctionField<Row>
              label="Datei"
              render={(r) => (
                <a href={`/api/documents/${encodeURIComponent(String(r.id))}/content`} download={String(r.fileName)}>
                  {String(r.fileName)} herunterladen
                </a>
              )}
            />
          </Datagrid>
        </ReferenceManyField>
      </Section>
      {role === 'coordinator' || role === 'case_manager' ? (
        <Section title="Protokoll">
          <AuditTrail caseId={caseId} />
        </Section>
      ) : null}
    </Box>
  );
}

export function CaseShow() {
  const notify = useNotify();
  return (
    <Show title="Fallakte" actions={false} queryOptions={{ onError: (e: Error) => notify(e.message, { type: 'error' }) }}>
      <CaseFile />
    </Show>
  );
}

export const cases = { name: 'cases', list: CaseList, show: CaseShow, create: IntakeCreate, icon: FolderSharedIcon, options: { label: 'Fälle' } };
