/**
 * "Postausgang" (administrators): every e-mail the product sent or is about to send for the commune –
 * recipient, subject, time, state (with the next attempt when a send failed) and, opened, the text
 * and the names of its attachments. Opening one is audit-logged by the API.
 */
import OutboxIcon from '@mui/icons-material/Outbox';
import { Alert, Box, Chip, Stack, Typography, useMediaQuery, type Theme } from '@mui/material';
import { Datagrid, DateField, FunctionField, List, SelectInput, Show, SimpleList, SimpleShowLayout, TextField, useRecordContext } from 'react-admin';

export interface OutboxRow {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  createdAt: string;
  sentAt: string | null;
  status: 'pending' | 'sent' | 'failed';
  state: string;
  attempts: number;
  error: string | null;
  attachments: string[];
  body?: string;
}

const STATUS_CHOICES = [
  { id: 'pending', name: 'ausstehend' },
  { id: 'sent', name: 'versendet' },
  { id: 'failed', name: 'aufgegeben' },
];

const COLOR: Record<OutboxRow['status'], 'default' | 'success' | 'warning' | 'error'> = { pending: 'warning', sent: 'success', failed: 'error' };

function StateChip() {
  const r = useRecordContext<OutboxRow>();
  if (!r) return null;
  return <Chip size="small" color={COLOR[r.status] ?? 'default'} label={r.state} sx={{ maxWidth: '100%', height: 'auto', '& .MuiChip-label': { whiteSpace: 'normal', py: 0.25 } }} />;
}

const dateTime: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };

function OutboxList() {
  // Phones: one line block per mail instead of a table wider than the screen.
  const small = useMediaQuery((t: Theme) => t.breakpoints.down('md'));
  return (
    <List
      title="Postausgang"
      sort={{ field: 'createdAt', order: 'DESC' }}
      filters={[<SelectInput key="status" source="status" label="Versandstand" choices={STATUS_CHOICES} alwaysOn emptyText="alle" />]}
      exporter={false}
      empty={
        <Box sx={{ p: 3 }}>
          <Typography>Bisher wurde keine E-Mail versendet.</Typography>
        </Box>
      }
    >
      {small ? (
        <SimpleList<OutboxRow>
          linkType="show"
          primaryText={(r) => r.subject}
          secondaryText={(r) => `${r.kind} an ${r.recipient}${r.attachments.length ? ` · Anhänge: ${r.attachments.join(', ')}` : ''}`}
          tertiaryText={(r) => `${new Date(r.createdAt).toLocaleString('de-DE', dateTime)} · ${r.state}`}
        />
      ) : (
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <DateField source="createdAt" label="Zeit" locales="de-DE" options={dateTime} />
        <TextField source="kind" label="Art" sortable={false} />
        <TextField source="recipient" label="Empfänger" />
        <TextField source="subject" label="Betreff" />
        <FunctionField<OutboxRow> label="Stand" sortBy="status" render={() => <StateChip />} />
        <FunctionField<OutboxRow> label="Anhänge" sortable={false} render={(r) => (r.attachments.length ? r.attachments.join(', ') : '—')} />
      </Datagrid>
      )}
    </List>
  );
}

function Body() {
  const r = useRecordContext<OutboxRow>();
  if (!r) return null;
  return (
    <Box component="pre" sx={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'inherit', bgcolor: 'grey.50', border: 1, borderColor: 'grey.300', borderRadius: 1, p: 2, m: 0 }}>
      {r.body}
    </Box>
  );
}

function Attachments() {
  const r = useRecordContext<OutboxRow>();
  if (!r) return null;
  if (!r.attachments.length) return <Typography variant="body2">keine</Typography>;
  return (
    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
      {r.attachments.map((a) => (
        <Chip key={a} label={a} variant="outlined" size="small" />
      ))}
    </Stack>
  );
}

function ErrorNote() {
  const r = useRecordContext<OutboxRow>();
  if (!r?.error || r.status === 'sent') return null;
  return <Alert severity={r.status === 'failed' ? 'error' : 'warning'}>{`Letzter Fehler: ${r.error}`}</Alert>;
}

function OutboxShow() {
  return (
    <Show title="E-Mail im Postausgang">
      <SimpleShowLayout>
        <ErrorNote />
        <TextField source="kind" label="Art" />
        <TextField source="recipient" label="Empfänger" />
        <TextField source="subject" label="Betreff" />
        <DateField source="createdAt" label="in Auftrag gegeben" locales="de-DE" options={dateTime} />
        <DateField source="sentAt" label="versendet" locales="de-DE" options={dateTime} emptyText="noch nicht" />
        <FunctionField<OutboxRow> label="Stand" render={() => <StateChip />} />
        <FunctionField<OutboxRow> label="Versuche" render={(r) => String(r.attempts)} />
        <FunctionField<OutboxRow> label="Anhänge" render={() => <Attachments />} />
        <FunctionField<OutboxRow> label="Text" render={() => <Body />} />
      </SimpleShowLayout>
    </Show>
  );
}

export const outbox = { name: 'outbox', list: OutboxList, show: OutboxShow, icon: OutboxIcon, options: { label: 'Postausgang' } };
