/**
 * "Rückmeldungen" (case management): when the coordination closes a theme, every case of the own
 * site that reported one of its gaps gets a note in its case file and a notice here – the theme and
 * what changed, nothing about other cases.
 */
import { Datagrid, FunctionField, List, SimpleList, useNotify, useRefresh } from 'react-admin';
import { Box, Button, Chip, useMediaQuery, type Theme } from '@mui/material';
import MarkEmailUnreadIcon from '@mui/icons-material/MarkEmailUnread';
import { Link as RouterLink } from 'react-router-dom';
import { apiCall } from '../../providers/http';
import { dateDe, enc, RES } from './api';

interface NoticeRow {
  id: string;
  caseId: string;
  caseReference: string;
  themeTitle: string;
  result: string | null;
  closedAt: string | null;
  readAt: string | null;
}

function ReadButton({ r }: { r: NoticeRow }) {
  const notify = useNotify();
  const refresh = useRefresh();
  if (r.readAt) return <span>gelesen am {dateDe(r.readAt)}</span>;
  return (
    <Button
      size="small"
      variant="outlined"
      onClick={async (e) => {
        e.stopPropagation();
        try {
          await apiCall(`/api/steuerung/rueckmeldungen/${enc(r.id)}/gelesen`, { method: 'POST' });
          refresh();
        } catch (err) {
          notify((err as Error).message, { type: 'error' });
        }
      }}
      aria-label={`Rückmeldung zu ${r.caseReference} als gelesen markieren`}
    >
      Als gelesen markieren
    </Button>
  );
}

const caseLink = (r: NoticeRow) => (
  <RouterLink to={`/cases/${enc(r.caseId)}/show`} onClick={(e) => e.stopPropagation()}>
    {r.caseReference}
  </RouterLink>
);

function NoticeList() {
  const small = useMediaQuery((t: Theme) => t.breakpoints.down('md'));
  return (
    <List title="Rückmeldungen aus der Steuerung" sort={{ field: 'createdAt', order: 'DESC' }} exporter={false} empty={<Box sx={{ p: 3 }}>Noch keine Rückmeldung: Sie kommt, sobald die Koordination ein Thema schließt, zu dem Ihre Fälle eine Systemlücke gemeldet haben.</Box>}>
      {small ? (
        // Rows are no links here: each carries the case link and the read button of the wide view.
        <SimpleList<NoticeRow>
          linkType={false}
          primaryText={(r) => (r.readAt ? r.themeTitle : <strong>{r.themeTitle}</strong>)}
          secondaryText={(r) => (
            <Box component="span" sx={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: 0.5 }}>
              <span>
                Fall {caseLink(r)} · geschlossen am {dateDe(r.closedAt)}
                {r.readAt ? '' : ' · neu'}
              </span>
              {r.result && <span>{r.result}</span>}
              <ReadButton r={r} />
            </Box>
          )}
        />
      ) : (
        <Datagrid bulkActionButtons={false} rowClick={false}>
          <FunctionField<NoticeRow> label="Fall" render={caseLink} />
          <FunctionField<NoticeRow> label="Thema" render={(r) => (r.readAt ? r.themeTitle : <strong>{r.themeTitle}</strong>)} />
          <FunctionField<NoticeRow> label="Ergebnis" render={(r) => r.result ?? '—'} />
          <FunctionField<NoticeRow> label="geschlossen am" render={(r) => dateDe(r.closedAt)} />
          <FunctionField<NoticeRow> label="Stand" render={(r) => (r.readAt ? <ReadButton r={r} /> : <Box sx={{ display: 'flex', gap: 1, alignItems: 'center', flexWrap: 'wrap' }}><Chip size="small" color="info" label="neu" /><ReadButton r={r} /></Box>)} />
        </Datagrid>
      )}
    </List>
  );
}

export const steeringNotices = { name: RES.notices, list: NoticeList, icon: MarkEmailUnreadIcon, options: { label: 'Rückmeldungen' } };
