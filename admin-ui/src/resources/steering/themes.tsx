/**
 * "Themen" (coordination): system gaps clustered into themes. The list shows state, priority, how
 * many gaps and cases a theme has and which life areas it touches – never persons; the detail adds
 * the gaps with their origin, the measure, the steering group's decisions and, once closed, the
 * result and how many case files got a notice. New themes start here or from a gap in the inbox.
 */
import { useState } from 'react';
import { Create, Datagrid, FunctionField, List, SelectInput, SimpleForm, SimpleList, TextInput, Title, TopToolbar, CreateButton, required, useGetList } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, MenuItem, Stack, TextField, Typography, useMediaQuery, type Theme } from '@mui/material';
import LightbulbIcon from '@mui/icons-material/Lightbulb';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { THEME_STATE_DE } from '../../../../processes/kim-steuerung/contract';
import { dateDe, dateTimeDe, enc, RES, reachText, useApiChange, useApiRecord, type MeasureRow, type ThemeDetail, type ThemeRow } from './api';

const STATE_CHOICES = Object.entries(THEME_STATE_DE).map(([id, name]) => ({ id, name }));
const STATE_COLOR: Record<string, 'default' | 'info' | 'warning' | 'success'> = { offen: 'default', priorisiert: 'warning', in_bearbeitung: 'info', geschlossen: 'success' };

export function StateChip({ label, state }: { label: string; state: string }) {
  return <Chip size="small" label={label} color={STATE_COLOR[state] ?? 'default'} variant={state === 'offen' ? 'outlined' : 'filled'} sx={{ maxWidth: '100%', height: 'auto', '& .MuiChip-label': { whiteSpace: 'normal', py: 0.25 } }} />;
}

function AreaChips({ labels }: { labels: string[] }) {
  if (!labels.length) return <span>—</span>;
  return (
    <Stack direction="row" spacing={0.5} useFlexGap sx={{ flexWrap: 'wrap' }}>
      {labels.map((l) => (
        <Chip key={l} size="small" variant="outlined" label={l} />
      ))}
    </Stack>
  );
}

const themeLink = (id: string) => `/${RES.themes}/${enc(id)}/show`;

function ThemeListActions() {
  return (
    <TopToolbar>
      <CreateButton label="Neues Thema" />
    </TopToolbar>
  );
}

function ThemeList() {
  const small = useMediaQuery((t: Theme) => t.breakpoints.down('md'));
  return (
    <List
      title="Themen der Steuerung"
      sort={{ field: 'updatedAt', order: 'DESC' }}
      filters={[<SelectInput key="state" source="state" label="Stand" choices={STATE_CHOICES} alwaysOn emptyText="alle" />, <TextInput key="q" source="q" label="Suche im Titel" alwaysOn resettable />]}
      actions={<ThemeListActions />}
      exporter={false}
      empty={false}
    >
      {small ? (
        <SimpleList<ThemeRow>
          linkType="show"
          primaryText={(r) => r.title}
          secondaryText={(r) => `${r.stateLabel} · ${reachText(r)}`}
          tertiaryText={(r) => (r.lifeAreaLabels.length ? r.lifeAreaLabels.join(', ') : '')}
        />
      ) : (
        <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>Keine Themen gefunden.</Box>}>
          <FunctionField<ThemeRow>
            source="title"
            label="Thema"
            render={(r) => (
              <RouterLink to={themeLink(r.id)} onClick={(e) => e.stopPropagation()}>
                {r.title}
              </RouterLink>
            )}
          />
          <FunctionField<ThemeRow> source="state" label="Stand" render={(r) => <StateChip label={r.stateLabel} state={r.state} />} />
          <FunctionField<ThemeRow> source="priority" label="Priorität" render={(r) => r.priorityLabel} />
          <FunctionField<ThemeRow> label="Systemlücken" sortable={false} render={(r) => String(r.gapCount)} />
          <FunctionField<ThemeRow> label="Fälle" sortable={false} render={(r) => String(r.caseCount)} />
          <FunctionField<ThemeRow> label="Lebensbereiche" sortable={false} render={(r) => <AreaChips labels={r.lifeAreaLabels} />} />
          <FunctionField<ThemeRow> label="Maßnahme" sortable={false} render={(r) => r.measureStateLabel} />
        </Datagrid>
      )}
    </List>
  );
}

function ThemeCreate() {
  return (
    <Create title="Neues Thema" redirect="show">
      <SimpleForm>
        <Typography variant="body2" sx={{ mb: 2 }}>
          Ein Thema bündelt gleichartige Systemlücken. Gemeldete Lücken ordnen Sie im Aufgabeneingang zu; hier legen Sie ein Thema ohne gemeldete Lücke an. Bitte ohne Personendaten.
        </Typography>
        <TextInput source="title" label="Titel" validate={required('Bitte einen Titel angeben.')} fullWidth />
        <TextInput source="description" label="Beschreibung" multiline minRows={3} fullWidth />
      </SimpleForm>
    </Create>
  );
}

export function MeasureFacts({ m }: { m: MeasureRow }) {
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '12rem 1fr' }, columnGap: 2, rowGap: 0.5, m: 0, '& dt': { fontWeight: 600 }, '& dd': { m: 0, overflowWrap: 'anywhere' } }}>
      <dt>Maßnahme</dt>
      <dd>{m.title}</dd>
      <dt>Verantwortlich</dt>
      <dd>{m.ownerOrganisation}</dd>
      <dt>Zieldatum</dt>
      <dd>
        {dateDe(m.targetDate)} {m.overdue && <Chip size="small" color="error" label="überfällig" sx={{ ml: 1 }} />}
      </dd>
      <dt>Stand</dt>
      <dd>{m.stateLabel}</dd>
      <dt>Erwartete Wirkung</dt>
      <dd>{m.expectedEffect}</dd>
      {m.sentBackNote && (
        <>
          <dt>Zurückgegeben, weil</dt>
          <dd>{m.sentBackNote}</dd>
        </>
      )}
      {m.progressNote && (
        <>
          <dt>Letzter Stand</dt>
          <dd>{m.progressNote}</dd>
        </>
      )}
    </Box>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card variant="outlined" sx={{ mb: 2 }}>
      <CardContent>
        <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

/** Re-cluster a gap into another open theme. */
function MoveGap({ gapId, themeId }: { gapId: string; themeId: string }) {
  const [to, setTo] = useState('');
  const { data } = useGetList<ThemeRow>(RES.themes, { pagination: { page: 1, perPage: 100 }, sort: { field: 'title', order: 'ASC' }, filter: { offen: true } });
  const change = useApiChange<ThemeDetail>(`/api/steuerung/themen/${themeId}`, 'Die Systemlücke gehört jetzt zum gewählten Thema.');
  const others = (data ?? []).filter((t) => t.id !== themeId);
  if (!others.length) return null;
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ mt: 1 }}>
      <TextField select size="small" label="Anderem Thema zuordnen" value={to} onChange={(e) => setTo(e.target.value)} sx={{ minWidth: { sm: 260 } }}>
        {others.map((t) => (
          <MenuItem key={t.id} value={t.id}>
            {t.title}
          </MenuItem>
        ))}
      </TextField>
      <Button size="small" variant="outlined" disabled={!to || change.isPending} onClick={() => change.mutate({ url: `/api/steuerung/luecken/${enc(gapId)}`, method: 'PUT', body: { themeId: to } })}>
        Verschieben
      </Button>
    </Stack>
  );
}

function EditTheme({ t }: { t: ThemeDetail }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState(t.title);
  const [description, setDescription] = useState(t.description);
  const change = useApiChange<ThemeDetail>(`/api/steuerung/themen/${t.id}`, 'Das Thema ist gespeichert.');
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Titel und Beschreibung ändern
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} fullWidth maxWidth="sm" aria-labelledby="theme-edit-title">
        <DialogTitle id="theme-edit-title">Thema bearbeiten</DialogTitle>
        <DialogContent>
          <TextField label="Titel" value={title} onChange={(e) => setTitle(e.target.value)} fullWidth margin="normal" required />
          <TextField label="Beschreibung" value={description} onChange={(e) => setDescription(e.target.value)} fullWidth multiline minRows={3} margin="normal" />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Abbrechen</Button>
          <Button variant="contained" disabled={!title.trim() || change.isPending} onClick={() => change.mutate({ url: `/api/steuerung/themen/${enc(t.id)}`, method: 'PUT', body: { title, description } }, { onSuccess: () => setOpen(false) })}>
            Speichern
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function ThemeShow() {
  const { id = '' } = useParams();
  const q = useApiRecord<ThemeDetail>(`/api/steuerung/themen/${enc(id)}`);
  if (q.isPending) return <Typography sx={{ p: 2 }}>Thema wird geladen …</Typography>;
  if (q.isError) return <Alert severity="error" sx={{ m: 2 }}>{(q.error as Error).message}</Alert>;
  const t = q.data;
  const open = t.state !== 'geschlossen';
  return (
    <Box sx={{ p: { xs: 1, sm: 2 }, minWidth: 0 }} data-testid="theme-show">
      <Title title={`Thema: ${t.title}`} />
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' }, mb: 1 }}>
        <Typography variant="h5" component="h1" sx={{ overflowWrap: 'anywhere' }}>
          {t.title}
        </Typography>
        <StateChip label={t.stateLabel} state={t.state} />
      </Stack>
      <Typography variant="body2" sx={{ mb: 2 }}>
        <RouterLink to={`/${RES.themes}`}>Alle Themen</RouterLink>
      </Typography>
      <Section title="Reichweite">
        <Typography data-testid="theme-reach" sx={{ mb: 1 }}>
          {reachText(t)} · Priorität: {t.priorityLabel}
        </Typography>
        <AreaChips labels={t.lifeAreaLabels} />
        {t.description && <Typography sx={{ mt: 1, whiteSpace: 'pre-wrap' }}>{t.description}</Typography>}
        {t.priorityNote && <Typography variant="body2" sx={{ mt: 1 }}>Begründung der Priorität: {t.priorityNote}</Typography>}
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          Ein Thema zeigt nur Zahlen und Lebensbereiche – welche Personen betroffen sind, steht allein in deren Fallakten.
        </Typography>
        {open && (
          <Box sx={{ mt: 2 }}>
            <EditTheme t={t} />
          </Box>
        )}
      </Section>
      <Section title="Systemlücken">
        {t.gaps.length === 0 ? (
          <Typography>Diesem Thema ist noch keine gemeldete Systemlücke zugeordnet.</Typography>
        ) : (
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {t.gaps.map((g) => (
              <Box component="li" key={g.id} sx={{ mb: 1.5 }}>
                <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{g.title}</Typography>
                <Typography variant="body2">
                  {g.lifeAreaLabel} · {g.sourceLabel} · gemeldet am {dateDe(g.createdAt)}
                </Typography>
                {open && <MoveGap gapId={g.id} themeId={t.id} />}
              </Box>
            ))}
          </Box>
        )}
      </Section>
      <Section title="Maßnahme">
        {t.measures.length === 0 ? <Typography>Noch keine Maßnahme – die Lenkungsgruppe beauftragt eine Projektgruppe.</Typography> : t.measures.map((m) => <MeasureFacts key={m.id} m={m} />)}
      </Section>
      <Section title="Beschlüsse der Lenkungsgruppe">
        {t.decisions.length === 0 ? (
          <Typography>Noch kein Beschluss.</Typography>
        ) : (
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {t.decisions.map((d) => (
              <li key={d.id}>
                <RouterLink to={`/${RES.meetings}/${enc(d.meetingId)}/show`}>{`${d.meetingTitle} am ${dateTimeDe(d.meetingDate)}`}</RouterLink>: {d.label}
                {d.text ? ` – ${d.text}` : ''}
              </li>
            ))}
          </Box>
        )}
      </Section>
      {!open && (
        <Section title="Ergebnis">
          <Typography sx={{ whiteSpace: 'pre-wrap' }}>{t.result ?? '—'}</Typography>
          <Typography variant="body2" sx={{ mt: 1 }}>
            Geschlossen am {dateDe(t.closedAt)}; Rückmeldung in {t.noticeCount === 1 ? '1 Fallakte' : `${t.noticeCount} Fallakten`}.
          </Typography>
        </Section>
      )}
    </Box>
  );
}

export const steeringThemes = { name: RES.themes, list: ThemeList, show: ThemeShow, create: ThemeCreate, icon: LightbulbIcon, options: { label: 'Themen' } };
