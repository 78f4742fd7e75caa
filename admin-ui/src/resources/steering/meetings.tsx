/**
 * "Lenkungsgruppe" (coordination): the steering group's members by organisation and its meetings.
 * A new meeting gets its agenda from the prioritised themes (by priority), the measures waiting
 * for approval and the overdue measures. In a meeting the coordination keeps the minutes per item
 * and for the whole meeting and records each decision – which moves the theme's process on
 * (project group, postpone, close; approve or send back a measure).
 */
import { useState } from 'react';
import { Datagrid, FunctionField, List, SimpleList, Title, TopToolbar, useNotify } from 'react-admin';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  MenuItem,
  Radio,
  RadioGroup,
  Stack,
  Switch,
  TextField,
  Typography,
  useMediaQuery,
  type Theme,
} from '@mui/material';
import GroupsIcon from '@mui/icons-material/Groups';
import AddIcon from '@mui/icons-material/Add';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { MEMBER_FUNCTION_DE, MEMBER_KIND_DE, labelOf } from '../../../../processes/kim-steuerung/contract';
import { GermanDateField } from '../../inputs/GermanDateInput';
import { apiCall } from '../../providers/http';
import { dateTimeDe, enc, reachText, RES, useApiChange, useApiRecord, type AgendaItem, type MeetingDetail, type MemberRow } from './api';
import { MeasureFacts, StateChip } from './themes';

interface MeetingRow {
  id: string;
  title: string;
  date: string;
  location: string | null;
  statusLabel: string;
  itemCount: number;
  decisionCount: number;
}

// ------------------------------------------------------------------------------------------------
// Members
// ------------------------------------------------------------------------------------------------

const MEMBERS = '/api/steuerung/mitglieder';
const emptyMember = { organisation: '', kind: 'Kommune', function: 'mitglied', representative: '' };

function MemberDialog({ member, onClose }: { member: MemberRow | null; onClose: () => void }) {
  const [v, setV] = useState(member ? { organisation: member.organisation, kind: member.kind, function: member.function, representative: member.representative ?? '' } : emptyMember);
  const qc = useQueryClient();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      const body = { ...v, representative: v.representative.trim() || null };
      await apiCall(member ? `${MEMBERS}/${enc(member.id)}` : MEMBERS, { method: member ? 'PUT' : 'POST', body });
      await qc.invalidateQueries({ queryKey: ['steuerung', MEMBERS] });
      notify(member ? 'Das Mitglied ist gespeichert.' : 'Das Mitglied ist aufgenommen.', { type: 'success' });
      onClose();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="member-dialog-title">
      <DialogTitle id="member-dialog-title">{member ? 'Mitglied bearbeiten' : 'Mitglied aufnehmen'}</DialogTitle>
      <DialogContent>
        <TextField label="Organisation" value={v.organisation} onChange={(e) => setV({ ...v, organisation: e.target.value })} fullWidth margin="normal" required />
        <TextField select label="Art der Organisation" value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value })} fullWidth margin="normal">
          {Object.entries(MEMBER_KIND_DE).map(([id, name]) => (
            <MenuItem key={id} value={id}>
              {name}
            </MenuItem>
          ))}
        </TextField>
        <TextField select label="Funktion" value={v.function} onChange={(e) => setV({ ...v, function: e.target.value })} fullWidth margin="normal">
          {Object.entries(MEMBER_FUNCTION_DE).map(([id, name]) => (
            <MenuItem key={id} value={id}>
              {name}
            </MenuItem>
          ))}
        </TextField>
        <TextField label="Vertreten durch (optional)" value={v.representative} onChange={(e) => setV({ ...v, representative: e.target.value })} fullWidth margin="normal" />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Abbrechen</Button>
        <Button variant="contained" onClick={save} disabled={busy || !v.organisation.trim()}>
          Speichern
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function MembersPanel() {
  const q = useQuery({ queryKey: ['steuerung', MEMBERS], queryFn: () => apiCall<MemberRow[]>(MEMBERS) });
  const [editing, setEditing] = useState<MemberRow | 'new' | null>(null);
  const qc = useQueryClient();
  const notify = useNotify();
  const setActive = async (m: MemberRow, active: boolean) => {
    try {
      await apiCall(`${MEMBERS}/${enc(m.id)}`, { method: 'PUT', body: { active } });
      await qc.invalidateQueries({ queryKey: ['steuerung', MEMBERS] });
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  return (
    <Card sx={{ mt: 2 }} data-testid="steering-members">
      <CardContent>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' }, mb: 1 }}>
          <Typography variant="h6" component="h2">
            Mitglieder nach Organisation
          </Typography>
          <Button variant="outlined" startIcon={<AddIcon aria-hidden />} onClick={() => setEditing('new')}>
            Mitglied aufnehmen
          </Button>
        </Stack>
        {q.isError && <Alert severity="error">{(q.error as Error).message}</Alert>}
        <Box component="ul" sx={{ listStyle: 'none', m: 0, p: 0 }}>
          {(q.data ?? []).map((m) => (
            <Box component="li" key={m.id} sx={{ py: 1, borderBottom: 1, borderColor: 'divider', display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'center', justifyContent: 'space-between' }}>
              <Box sx={{ minWidth: 0 }}>
                <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere', color: m.active ? 'text.primary' : 'text.secondary' }}>{m.organisation}</Typography>
                <Typography variant="body2">
                  {labelOf(MEMBER_KIND_DE, m.kind)} · {labelOf(MEMBER_FUNCTION_DE, m.function)}
                  {m.representative ? ` · vertreten durch ${m.representative}` : ''}
                  {m.active ? '' : ' · ausgeschieden'}
                </Typography>
              </Box>
              <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
                <FormControlLabel control={<Switch checked={m.active} onChange={(e) => void setActive(m, e.target.checked)} />} label="aktiv" />
                <Button size="small" onClick={() => setEditing(m)} aria-label={`${m.organisation} bearbeiten`}>
                  Bearbeiten
                </Button>
              </Stack>
            </Box>
          ))}
        </Box>
        {editing && <MemberDialog member={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      </CardContent>
    </Card>
  );
}

// ------------------------------------------------------------------------------------------------
// Meetings
// ------------------------------------------------------------------------------------------------

function MeetingListActions() {
  const navigate = useNavigate();
  return (
    <TopToolbar>
      <Button variant="contained" startIcon={<AddIcon aria-hidden />} onClick={() => navigate(`/${RES.meetings}/create`)}>
        Neue Sitzung
      </Button>
    </TopToolbar>
  );
}

function SteeringGroupPage() {
  const small = useMediaQuery((t: Theme) => t.breakpoints.down('md'));
  return (
    <Box sx={{ minWidth: 0 }}>
      <List title="Lenkungsgruppe" sort={{ field: 'date', order: 'DESC' }} actions={<MeetingListActions />} exporter={false} empty={false}>
        {small ? (
          <SimpleList<MeetingRow> linkType="show" primaryText={(r) => r.title} secondaryText={(r) => `${dateTimeDe(r.date)} · ${r.statusLabel}`} tertiaryText={(r) => `${r.itemCount} Punkte, ${r.decisionCount} Beschlüsse`} />
        ) : (
          <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>Noch keine Sitzung.</Box>}>
            <FunctionField<MeetingRow>
              source="date"
              label="Sitzung"
              render={(r) => (
                <RouterLink to={`/${RES.meetings}/${enc(r.id)}/show`} onClick={(e) => e.stopPropagation()}>
                  {`${r.title}, ${dateTimeDe(r.date)}`}
                </RouterLink>
              )}
            />
            <FunctionField<MeetingRow> label="Ort" sortable={false} render={(r) => r.location ?? '—'} />
            <FunctionField<MeetingRow> source="status" label="Stand" render={(r) => r.statusLabel} />
            <FunctionField<MeetingRow> label="Tagesordnung" sortable={false} render={(r) => `${r.itemCount} Punkte, ${r.decisionCount} Beschlüsse`} />
          </Datagrid>
        )}
      </List>
      <MembersPanel />
    </Box>
  );
}

/** "2027-03-10" + "14:00" in Germany → ISO instant with the German offset of that day. */
function berlinInstant(day: string, time: string): string {
  const probe = new Date(`${day}T12:00:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' }).formatToParts(probe).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  const offset = /GMT([+-]\d{2}:\d{2})/.exec(name)?.[1] ?? '+01:00';
  return `${day}T${time}:00${offset}`;
}

function MeetingCreate() {
  const [day, setDay] = useState('');
  const [time, setTime] = useState('14:00');
  const [location, setLocation] = useState('');
  const [title, setTitle] = useState('Sitzung der Lenkungsgruppe');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  const create = async () => {
    setBusy(true);
    setError(null);
    try {
      const m = await apiCall<MeetingDetail>('/api/steuerung/sitzungen', { method: 'POST', body: { date: berlinInstant(day, time), location: location.trim() || null, title } });
      navigate(`/${RES.meetings}/${enc(m.id)}/show`);
    } catch (e) {
      setError((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <Card sx={{ mt: 2, maxWidth: 720 }}>
      <Title title="Neue Sitzung" />
      <CardContent>
        <Typography variant="h5" component="h1" sx={{ mb: 1 }}>
          Neue Sitzung der Lenkungsgruppe
        </Typography>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Die Tagesordnung entsteht aus den priorisierten Themen (nach Priorität), den Maßnahmen, die auf ihre Freigabe warten, und den überfälligen Maßnahmen.
        </Typography>
        {error && <Alert severity="error" sx={{ mb: 2 }}>{error}</Alert>}
        <TextField label="Titel" value={title} onChange={(e) => setTitle(e.target.value)} fullWidth margin="normal" />
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 1 }}>
          <GermanDateField label="Datum" value={day} onChange={setDay} required />
          <TextField label="Uhrzeit" type="time" value={time} onChange={(e) => setTime(e.target.value)} slotProps={{ inputLabel: { shrink: true } }} />
        </Stack>
        <TextField label="Ort" value={location} onChange={(e) => setLocation(e.target.value)} fullWidth margin="normal" />
        <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
          <Button variant="contained" onClick={create} disabled={busy || !day || !/^\d{2}:\d{2}$/.test(time)}>
            Sitzung anlegen
          </Button>
          <Button component={RouterLink} to={`/${RES.meetings}`}>
            Abbrechen
          </Button>
        </Stack>
      </CardContent>
    </Card>
  );
}

function AgendaItemCard({ meetingId, item }: { meetingId: string; item: AgendaItem }) {
  const path = `/api/steuerung/sitzungen/${enc(meetingId)}`;
  const change = useApiChange<MeetingDetail>(path, 'Gespeichert.');
  const [notes, setNotes] = useState(item.notes ?? '');
  const [code, setCode] = useState('');
  const [text, setText] = useState('');
  const labelId = `top-${item.id}`;
  return (
    <Card variant="outlined" component="li" sx={{ mb: 2, listStyle: 'none' }} data-testid="agenda-item" aria-labelledby={labelId}>
      <CardContent>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' }, mb: 1 }}>
          <Typography variant="h6" component="h3" id={labelId} sx={{ overflowWrap: 'anywhere' }}>
            {`TOP ${item.position}: ${item.title}`}
          </Typography>
          <Chip size="small" variant="outlined" label={item.kindLabel} />
        </Stack>
        {item.theme && (
          <Typography variant="body2" sx={{ mb: 1 }}>
            <RouterLink to={`/${RES.themes}/${enc(item.theme.id)}/show`}>Thema ansehen</RouterLink> · {reachText(item.theme)}
            {item.theme.lifeAreaLabels.length ? ` · Lebensbereiche: ${item.theme.lifeAreaLabels.join(', ')}` : ''}
            {item.theme.priorityLabel ? ` · Priorität ${item.theme.priorityLabel}` : ''} · <StateChip label={item.theme.stateLabel} state="" />
          </Typography>
        )}
        {item.measure && (item.kind === 'massnahme' || item.kind === 'eskalation') && (
          <Box sx={{ mb: 1 }}>
            <MeasureFacts m={item.measure} />
          </Box>
        )}
        <TextField label="Protokoll zu diesem Punkt" value={notes} onChange={(e) => setNotes(e.target.value)} fullWidth multiline minRows={2} margin="dense" />
        <Button size="small" sx={{ mt: 0.5 }} disabled={change.isPending || notes === (item.notes ?? '')} onClick={() => change.mutate({ url: `${path}/punkte/${enc(item.id)}`, method: 'PUT', body: { notes } })}>
          Protokoll zum Punkt speichern
        </Button>
        <Box sx={{ mt: 2 }}>
          {item.decision ? (
            <Alert severity="success" data-testid="agenda-decision">
              {`Beschluss: ${item.decision.label}${item.decision.text ? ` – ${item.decision.text}` : ''}`}
            </Alert>
          ) : (
            <FormControl component="fieldset" sx={{ width: '100%' }}>
              <FormLabel component="legend">Beschluss der Lenkungsgruppe</FormLabel>
              <RadioGroup value={code} onChange={(e) => setCode(e.target.value)} name={`beschluss-${item.id}`}>
                {item.decisionOptions.map((o) => (
                  <FormControlLabel key={o.code} value={o.code} control={<Radio />} label={o.label} />
                ))}
              </RadioGroup>
              <TextField label="Begründung oder Auftrag (optional)" value={text} onChange={(e) => setText(e.target.value)} fullWidth multiline minRows={2} margin="dense" />
              <Box>
                <Button variant="contained" sx={{ mt: 1 }} disabled={!code || change.isPending} onClick={() => change.mutate({ url: `${path}/punkte/${enc(item.id)}/beschluss`, method: 'POST', body: { code, text: text.trim() || null } })}>
                  Beschluss festhalten
                </Button>
              </Box>
            </FormControl>
          )}
        </Box>
      </CardContent>
    </Card>
  );
}

function MeetingShow() {
  const { id = '' } = useParams();
  const path = `/api/steuerung/sitzungen/${enc(id)}`;
  const q = useApiRecord<MeetingDetail>(path);
  const change = useApiChange<MeetingDetail>(path, 'Gespeichert.');
  const [minutes, setMinutes] = useState<string | null>(null);
  const [extra, setExtra] = useState('');
  if (q.isPending) return <Typography sx={{ p: 2 }}>Sitzung wird geladen …</Typography>;
  if (q.isError) return <Alert severity="error" sx={{ m: 2 }}>{(q.error as Error).message}</Alert>;
  const m = q.data;
  const planned = m.status === 'geplant';
  return (
    <Box sx={{ p: { xs: 1, sm: 2 }, minWidth: 0 }} data-testid="meeting-show">
      <Title title={m.title} />
      <Typography variant="h5" component="h1" sx={{ overflowWrap: 'anywhere' }}>
        {m.title}
      </Typography>
      <Typography sx={{ mb: 1 }}>
        {dateTimeDe(m.date)}
        {m.location ? ` · ${m.location}` : ''} · {m.statusLabel}
      </Typography>
      <Typography variant="body2" sx={{ mb: 2 }}>
        <RouterLink to={`/${RES.meetings}`}>Zur Lenkungsgruppe</RouterLink>
      </Typography>
      {planned && (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mb: 2 }}>
          <Button variant="outlined" disabled={change.isPending} onClick={() => change.mutate({ url: `${path}/tagesordnung`, method: 'POST' })}>
            Tagesordnung aktualisieren
          </Button>
          <Button variant="outlined" disabled={change.isPending} onClick={() => change.mutate({ url: path, method: 'PUT', body: { status: 'durchgefuehrt' } })}>
            Als durchgeführt markieren
          </Button>
        </Stack>
      )}
      <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
        Tagesordnung
      </Typography>
      {m.items.length === 0 && <Typography sx={{ mb: 2 }}>Keine Punkte: Es gibt gerade nichts zu entscheiden. Priorisierte Themen kommen mit „Tagesordnung aktualisieren“ dazu.</Typography>}
      <Box component="ol" sx={{ m: 0, p: 0 }}>
        {m.items.map((i) => (
          <AgendaItemCard key={`${i.id}-${i.decision ? 'd' : 'o'}`} meetingId={m.id} item={i} />
        ))}
      </Box>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mb: 3 }}>
        <TextField label="Weiterer Punkt" value={extra} onChange={(e) => setExtra(e.target.value)} size="small" sx={{ flex: 1 }} />
        <Button variant="outlined" disabled={!extra.trim() || change.isPending} onClick={() => change.mutate({ url: `${path}/punkte`, method: 'POST', body: { title: extra.trim() } }, { onSuccess: () => setExtra('') })}>
          Punkt aufnehmen
        </Button>
      </Stack>
      <Card variant="outlined">
        <CardContent>
          <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
            Protokoll der Sitzung
          </Typography>
          <TextField label="Protokoll (Anwesende, Verlauf, Verabredungen)" value={minutes ?? m.minutes ?? ''} onChange={(e) => setMinutes(e.target.value)} fullWidth multiline minRows={4} />
          <Button sx={{ mt: 1 }} variant="contained" disabled={minutes === null || change.isPending} onClick={() => change.mutate({ url: path, method: 'PUT', body: { minutes } }, { onSuccess: () => setMinutes(null) })}>
            Protokoll speichern
          </Button>
        </CardContent>
      </Card>
    </Box>
  );
}

export const steeringMeetings = { name: RES.meetings, list: SteeringGroupPage, show: MeetingShow, create: MeetingCreate, icon: GroupsIcon, options: { label: 'Lenkungsgruppe' } };
