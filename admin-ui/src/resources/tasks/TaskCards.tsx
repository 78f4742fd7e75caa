/**
 * The inbox on narrow screens: one card per task instead of a table row – the task's name opens
 * it, the facts below wrap, and the actions (Übernehmen, Zurückgeben, Neu zuweisen, Öffnen) sit
 * under them, all reachable without scrolling sideways.
 */
import { Link as RouterLink } from 'react-router-dom';
import { RecordContextProvider, useGetList, useListContext, useTranslate } from 'react-admin';
import { Box, Button, Card, CardActions, CardContent, Link, Typography } from '@mui/material';
import VisibilityIcon from '@mui/icons-material/Visibility';
import { assigneeLabel, ClaimButton, TaskRecord, UnclaimButton } from './TaskButtons';
import { ReassignButton } from './ReassignButton';
import { processName } from './processes';

type Row = TaskRecord & { client?: string | null; clientIsPseudonym?: boolean; caseReference?: string | null; siteId?: string | null; followUpDate?: string | null };

const day = new Intl.DateTimeFormat('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric' });
const date = (iso: string | null | undefined) => (iso ? day.format(new Date(iso)) : '—');

/** The site's name (the sites list is loaded once and cached by react-admin). */
export function SiteName({ id }: { id?: string | null }) {
  const { data } = useGetList('sites', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
  if (!id) return <>—</>;
  return <>{data?.find((x) => x.id === id)?.name ?? '—'}</>;
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography component="dt" variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
        {children}
      </Typography>
    </Box>
  );
}

export function TaskCards({ seesCaseData }: { seesCaseData: boolean }) {
  const { data, isPending } = useListContext<Row>();
  const translate = useTranslate();
  if (isPending) return null;
  if (!data?.length) return <Box sx={{ p: 2 }}>{translate('resources.tasks.empty')}</Box>;
  return (
    <Box component="ul" aria-label={translate('resources.tasks.name', { smart_count: 2 })} sx={{ listStyle: 'none', m: 0, p: 1, display: 'grid', gap: 1 }}>
      {data.map((r) => {
        const overdue = !!r.dueDate && new Date(r.dueDate) < new Date();
        return (
          <RecordContextProvider value={r} key={r.id}>
            <Box component="li" data-testid="task-card">
              <Card variant="outlined">
                <CardContent sx={{ pb: 1 }}>
                  <Link component={RouterLink} to={`/tasks/${encodeURIComponent(r.id)}/show`} variant="subtitle1" sx={{ fontWeight: 500 }}>
                    {r.name}
                  </Link>
                  <Box component="dl" sx={{ m: 0, mt: 1, display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(130px, 1fr))', gap: 1 }}>
                    <Fact label="Prozess">{processName(r.processDefinitionId)}</Fact>
                    {seesCaseData ? <Fact label="Klient/in">{r.client ?? '—'}</Fact> : null}
                    <Fact label="Fall">{r.caseReference ?? '—'}</Fact>
                    {seesCaseData ? (
                      <Fact label="Standort">
                        <SiteName id={r.siteId} />
                      </Fact>
                    ) : null}
                    <Fact label="fällig">
                      <Box component="span" sx={{ color: overdue ? 'error.main' : undefined }}>
                        {date(r.dueDate)}
                        {overdue ? ' (überfällig)' : ''}
                      </Box>
                    </Fact>
                    {r.followUpDate ? <Fact label="Wiedervorlage">{date(r.followUpDate)}</Fact> : null}
                    <Fact label="Bearbeitung">{assigneeLabel(r, translate('kim.tasks.unassigned'))}</Fact>
                  </Box>
                </CardContent>
                <CardActions sx={{ flexWrap: 'wrap', gap: 1, px: 2, pb: 2, pt: 0 }}>
                  <ClaimButton />
                  <UnclaimButton />
                  <ReassignButton />
                  {/* A labelled button (react-admin's ShowButton drops its label on small screens). */}
                  <Button size="small" component={RouterLink} to={`/tasks/${encodeURIComponent(r.id)}/show`} startIcon={<VisibilityIcon aria-hidden />} aria-label={`${translate('kim.tasks.open')}: ${r.name}`}>
                    {translate('kim.tasks.open')}
                  </Button>
                </CardActions>
              </Card>
            </Box>
          </RecordContextProvider>
        );
      })}
    </Box>
  );
}
