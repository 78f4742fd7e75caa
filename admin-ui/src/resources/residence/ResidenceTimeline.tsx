/**
 * The residence path's dates of one case as a timeline (GET /api/cases/:id/fristen), in date order:
 * each date in German form with its German name, and where it stands – passed ("abgelaufen", or
 * "erreicht" for the dates from which a paragraph's time requirements are met), near (its reminder
 * has started, or at most 30 days ahead: "in N Tagen"), or ahead with the day it is reminded. The
 * state is said in words and shown by colour and marker. Self-contained (takes the case id) so the
 * case file can place it; case managers see every date, the ABH the residence dates only.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Box, CircularProgress, Typography } from '@mui/material';
import { DEADLINE_DE, labelOf } from '../../../../processes/kim-bleiberecht/contract';
import { apiCall } from '../../providers/http';
import { formatGermanDate as deDate, todayInGermany as todayIso } from '../../inputs/GermanDateInput';

export interface Frist {
  kind: string;
  label: string;
  date: string;
  remindAt: string;
}

const DAY = 86_400_000;
/** A date within this many days counts as near even before its reminder starts. */
export const NEAR_DAYS = 30;

/** An instant's calendar day in Germany, in German form. */
export const deInstant = (iso: string) => new Date(iso).toLocaleDateString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' });
export const daysUntil = (iso: string, today: string) => Math.round((Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY);
export const inDaysDe = (n: number) => (n === 0 ? 'heute' : n === 1 ? 'morgen' : `in ${n} Tagen`);

type State = 'reached' | 'overdue' | 'near' | 'ahead';

/** Reaching a FRUEHESTENS date is good news; every other date passing is a deadline missed. */
function stateOf(f: Frist, today: string, now: number): State {
  const days = daysUntil(f.date, today);
  if (days < 0) return f.kind.startsWith('FRUEHESTENS_') ? 'reached' : 'overdue';
  return days <= NEAR_DAYS || Date.parse(f.remindAt) <= now ? 'near' : 'ahead';
}

// Text colours reach 4.5:1 on white; the markers are decoration next to the words.
const LOOK: Record<State, { marker: string; text: string; word: (f: Frist, days: number) => string }> = {
  reached: { marker: 'success.main', text: 'text.secondary', word: () => 'erreicht' },
  overdue: { marker: 'error.main', text: 'error.dark', word: () => 'abgelaufen' },
  near: { marker: 'warning.main', text: '#7a3e00', word: (_f, days) => `bald: ${inDaysDe(days)}` },
  ahead: { marker: 'primary.main', text: 'text.secondary', word: (f) => `Erinnerung ab ${deInstant(f.remindAt)}` },
};

export function ResidenceTimeline({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: ['fristen', caseId], queryFn: () => apiCall<Frist[]>(`/api/cases/${encodeURIComponent(caseId)}/fristen`) });
  if (q.isPending) return <CircularProgress size={20} aria-label="Fristen werden geladen" />;
  if (q.isError) return <Alert severity="error">Die Fristen konnten nicht geladen werden.</Alert>;
  const today = todayIso();
  const now = Date.now();
  return (
    <Box component="section" aria-labelledby="residence-timeline-heading" data-testid="residence-timeline">
      <Typography id="residence-timeline-heading" component="h3" variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
        Fristen zum Bleiberecht
      </Typography>
      {q.data.length === 0 ? (
        <Typography>Für diesen Fall sind noch keine Fristen erfasst.</Typography>
      ) : (
        <Box component="ol" sx={{ listStyle: 'none', m: 0, p: 0, borderLeft: 2, borderColor: 'divider', ml: 0.75 }}>
          {q.data.map((f) => {
            const state = stateOf(f, today, now);
            const look = LOOK[state];
            return (
              <Box component="li" key={f.kind} data-state={state} sx={{ position: 'relative', pl: 2.5, pb: 1.5, overflowWrap: 'anywhere' }}>
                <Box aria-hidden sx={{ position: 'absolute', left: -7, top: 6, width: 12, height: 12, borderRadius: '50%', bgcolor: look.marker, border: 2, borderColor: 'background.paper' }} />
                <Typography component="span" sx={{ fontWeight: 600, whiteSpace: 'nowrap' }}>
                  {deDate(f.date)}
                </Typography>{' '}
                <Typography component="span">{labelOf(DEADLINE_DE, f.kind)}</Typography>
                <Typography variant="body2" sx={{ color: look.text, fontWeight: state === 'overdue' || state === 'near' ? 600 : 400 }}>
                  {look.word(f, daysUntil(f.date, today))}
                </Typography>
              </Box>
            );
          })}
        </Box>
      )}
    </Box>
  );
}
