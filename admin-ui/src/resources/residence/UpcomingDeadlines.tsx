/**
 * The start page's card "Fristen in den nächsten 90 Tagen" (GET /api/fristen?tage=90): the residence
 * path's dates of the case manager's own cases, or of the commune for the ABH (residence dates
 * only). Each with its date, German name and case reference; near dates are marked in words and
 * colour. Case managers open the case file from it; the ABH works its tasks, not the case file.
 */
import { useQuery } from '@tanstack/react-query';
import { Link as RouterLink } from 'react-router-dom';
import { Box, Link, List, ListItem, Typography } from '@mui/material';
import { DEADLINE_DE, labelOf } from '../../../../processes/kim-bleiberecht/contract';
import { apiCall } from '../../providers/http';
import { Empty, Section } from '../../home/HomeSections';
import { formatGermanDate as deDate, todayInGermany as todayIso } from '../../inputs/GermanDateInput';
import { daysUntil, inDaysDe, NEAR_DAYS } from './ResidenceTimeline';

export const UPCOMING_DAYS = 90;

interface Upcoming {
  caseId: string;
  reference: string;
  kind: string;
  label: string;
  date: string;
}

export function UpcomingDeadlinesSection({ linkCase }: { linkCase: boolean }) {
  const q = useQuery({ queryKey: ['fristen', 'upcoming', UPCOMING_DAYS], queryFn: () => apiCall<Upcoming[]>(`/api/fristen?tage=${UPCOMING_DAYS}`) });
  const today = todayIso();
  return (
    <Section id="deadlines" title={`Fristen in den nächsten ${UPCOMING_DAYS} Tagen`}>
      {q.isPending ? (
        <Typography role="status">Fristen werden geladen …</Typography>
      ) : q.isError ? (
        <Empty>Die Fristen konnten nicht geladen werden.</Empty>
      ) : q.data.length === 0 ? (
        <Empty>{`Keine Fristen zum Bleiberecht in den nächsten ${UPCOMING_DAYS} Tagen.`}</Empty>
      ) : (
        <List dense disablePadding aria-label={`Fristen in den nächsten ${UPCOMING_DAYS} Tagen`}>
          {q.data.map((d) => {
            const days = daysUntil(d.date, today);
            const near = days <= NEAR_DAYS;
            return (
              <ListItem key={`${d.caseId}-${d.kind}`} disableGutters sx={{ display: 'block', py: 0.75 }} data-testid="home-deadline">
                <Typography variant="body2">
                  <Box component="strong" sx={{ whiteSpace: 'nowrap' }}>
                    {deDate(d.date)}
                  </Box>
                  {' · '}
                  {labelOf(DEADLINE_DE, d.kind)}
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  {'Fall '}
                  {linkCase ? (
                    <Link component={RouterLink} to={`/cases/${d.caseId}/show`}>
                      {d.reference}
                    </Link>
                  ) : (
                    d.reference
                  )}
                  {' · '}
                  <Box component="span" sx={{ whiteSpace: 'nowrap', ...(near ? { color: '#7a3e00', fontWeight: 600 } : {}) }}>
                    {near ? `bald: ${inDaysDe(days)}` : inDaysDe(days)}
                  </Box>
                </Typography>
              </ListItem>
            );
          })}
        </List>
      )}
    </Section>
  );
}
