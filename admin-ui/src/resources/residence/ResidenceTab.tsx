/**
 * The case file's tab "Aufenthalt" for the residence path (kim-bleiberecht): where the path stands,
 * the pre-check in German words, the application and the ABH's decision
 * (GET /api/bleiberecht/cases/:caseId), and the deadline timeline (GET /api/cases/:id/fristen).
 * Residence facts recorded elsewhere (the naturalisation preparation) come in as `facts`. The path
 * is read for the case manager of the case's site only; other roles see the facts alone.
 */
import { ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import { HttpError } from 'react-admin';
import { Box, Typography } from '@mui/material';
import {
  AUFENTHALTSSTATUS_DE,
  CODE_25A_DE,
  CODE_25B_DE,
  DECISION_DE,
  labelOf,
  PARAGRAPH_DE,
  type ResidencePathView,
  STATUS_DE,
} from '../../../../processes/kim-bleiberecht/contract';
import { apiCall, session } from '../../providers/http';
import { formatGermanDate as deDate } from '../../inputs/GermanDateInput';
import { deInstant, ResidenceTimeline } from './ResidenceTimeline';

const mayReadPath = () => session.user?.role === 'case_manager';

/** A path that does not exist (404) or is not the user's to read (403) is no path. */
const noneIfAbsent = (e: unknown) => {
  if (e instanceof HttpError && (e.status === 404 || e.status === 403)) return null;
  throw e;
};

/** The case's residence path, or null when it has none (or the role does not read it). */
export function useResidencePath(caseId: string) {
  const enabled = !!caseId && mayReadPath();
  const path = `/api/bleiberecht/cases/${encodeURIComponent(caseId)}`;
  return useQuery({ queryKey: ['bleiberecht', caseId], enabled, retry: false, queryFn: () => apiCall<ResidencePathView>(path).catch(noneIfAbsent) });
}

/** Term and value side by side where there is room (a term column of 16rem), one below the other on a phone. */
function Facts({ rows }: { rows: Array<[string, ReactNode]> }) {
  const row = { display: 'flex', flexWrap: 'wrap', columnGap: 2, py: 0.25 };
  return (
    <Box component="dl" sx={{ m: 0, '& dt': { fontWeight: 700, flex: '0 0 16rem', maxWidth: '100%' }, '& dd': { m: 0, flex: '1 1 12rem', minWidth: 0, overflowWrap: 'anywhere' } }}>
      {rows.map(([term, value]) => (
        <Box key={term} sx={row}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </Box>
      ))}
    </Box>
  );
}

function paragraphResult(p: { erfuellt: boolean | null; fehlend: string[] }, labels: Record<string, string>): string {
  if (p.erfuellt == null) return 'noch nicht geprüft';
  if (p.erfuellt) return 'erfüllt';
  return `nicht erfüllt – es fehlt: ${p.fehlend.map((c) => labelOf(labels, c)).join('; ')}`;
}

const day = (iso: string | null) => (iso ? deDate(iso) : null);
const dayOf = (instant: string | null) => (instant ? deInstant(instant) : null);

function PathSummary({ p }: { p: ResidencePathView }) {
  const rows: Array<[string, ReactNode | null]> = [
    ['Stand', labelOf(STATUS_DE, p.status)],
    ['Aufenthaltsstatus (Angabe)', p.aufenthaltsstatus ? labelOf(AUFENTHALTSSTATUS_DE, p.aufenthaltsstatus) : 'noch nicht erfasst'],
    ['Ununterbrochener Aufenthalt seit', day(p.aufenthaltSeit)],
    ['Aufenthaltsdaten', p.bestaetigtAm ? `von der Ausländerbehörde ${p.korrigiert ? 'korrigiert' : 'bestätigt'} am ${dayOf(p.bestaetigtAm)}` : 'noch nicht von der Ausländerbehörde bestätigt'],
    ['§ 25a', paragraphResult(p.paragraf25a, CODE_25A_DE)],
    ['§ 25a – zeitlich erfüllt ab', day(p.paragraf25a.fruehestensAb)],
    ['§ 25a – Antrag spätestens am', day(p.paragraf25a.antragSpaetestensAm)],
    ['§ 25b', paragraphResult(p.paragraf25b, CODE_25B_DE)],
    ['§ 25b – zeitlich erfüllt ab', day(p.paragraf25b.fruehestensAb)],
    ['Antrag nach', p.antragNach ? labelOf(PARAGRAPH_DE, p.antragNach) : null],
    ['Antrag übergeben am', dayOf(p.uebergebenAm)],
    ['Entscheidung der Ausländerbehörde', p.entscheidung ? `${labelOf(DECISION_DE, p.entscheidung)}${p.entscheidungsdatum ? ` (${deDate(p.entscheidungsdatum)})` : ''}` : null],
    ['Person informiert am', dayOf(p.informiertAm)],
  ];
  return (
    <Box component="section" aria-labelledby="residence-path-heading" data-testid="residence-path" sx={{ mb: 3 }}>
      <Typography id="residence-path-heading" component="h3" variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
        Bleiberechtsverfahren (§§ 25a, 25b AufenthG)
      </Typography>
      <Facts rows={rows.filter((r): r is [string, ReactNode] => r[1] != null)} />
    </Box>
  );
}

export function ResidenceTab({ caseId, path, facts }: { caseId: string; path: ResidencePathView | null; facts?: ReactNode }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      {path && <PathSummary p={path} />}
      {path && <ResidenceTimeline caseId={caseId} />}
      {facts && (
        <Box component="section" aria-labelledby="residence-naturalisation-heading" sx={{ mt: path ? 3 : 0 }}>
          <Typography id="residence-naturalisation-heading" component="h3" variant="subtitle1" sx={{ fontWeight: 600, mb: 1 }}>
            Aus der Einbürgerungsvorbereitung
          </Typography>
          {facts}
        </Box>
      )}
    </Box>
  );
}
