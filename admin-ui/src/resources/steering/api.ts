/**
 * The steering screens' view of /api/steuerung: the row shapes the API answers (German labels come
 * from the server, codes from the process contract) and small helpers shared by the pages.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNotify } from 'react-admin';
import { apiCall } from '../../providers/http';

export const RES = { themes: 'steuerung/themen', measures: 'steuerung/massnahmen', meetings: 'steuerung/sitzungen', notices: 'steuerung/rueckmeldungen' } as const;

export interface ThemeRow {
  id: string;
  title: string;
  description: string;
  state: string;
  stateLabel: string;
  priority: string | null;
  priorityLabel: string;
  gapCount: number;
  caseCount: number;
  lifeAreas: string[];
  lifeAreaLabels: string[];
  measureState: string | null;
  measureStateLabel: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface MeasureRow {
  id: string;
  themeId: string;
  themeTitle: string;
  title: string;
  description: string;
  ownerOrganisation: string;
  targetDate: string;
  expectedEffect: string;
  state: string;
  stateLabel: string;
  overdue: boolean;
  sentBackNote: string | null;
  progressNote: string | null;
  escalatedAt: string | null;
}

export interface ThemeDetail extends ThemeRow {
  priorityNote: string | null;
  result: string | null;
  gaps: Array<{ id: string; title: string; description: string; lifeAreaLabel: string; createdAt: string; sourceLabel: string }>;
  measures: MeasureRow[];
  decisions: Array<{ id: string; meetingId: string; meetingDate: string; meetingTitle: string; label: string; text: string | null }>;
  noticeCount: number;
}

export interface MemberRow {
  id: string;
  organisation: string;
  kind: string;
  function: string;
  representative: string | null;
  active: boolean;
}

export interface AgendaItem {
  id: string;
  position: number;
  kind: string;
  kindLabel: string;
  title: string;
  notes: string | null;
  theme: { id: string; title: string; stateLabel: string; priorityLabel: string | null; gapCount: number; caseCount: number; lifeAreaLabels: string[] } | null;
  measure: MeasureRow | null;
  decisionOptions: Array<{ code: string; label: string }>;
  decision: { code: string; label: string; text: string | null; createdAt: string } | null;
}

export interface MeetingDetail {
  id: string;
  title: string;
  date: string;
  location: string | null;
  status: string;
  statusLabel: string;
  minutes: string | null;
  items: AgendaItem[];
}

export const enc = encodeURIComponent;
export const dateDe = (v: unknown) => (v ? new Date(String(v).length === 10 ? `${String(v)}T00:00:00Z` : String(v)).toLocaleDateString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' }) : '—');
export const dateTimeDe = (v: unknown) => (v ? `${new Date(String(v)).toLocaleString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' })} Uhr` : '—');
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
/** "3 Systemlücken aus 2 Fällen" – counts only, never persons. */
export const reachText = (t: { gapCount: number; caseCount: number }) => `${plural(t.gapCount, 'Systemlücke', 'Systemlücken')} aus ${plural(t.caseCount, 'Fall', 'Fällen')}`;

/** One record of the API (theme, meeting) as a query keyed by its path. */
export function useApiRecord<T>(path: string) {
  return useQuery({ queryKey: ['steuerung', path], queryFn: () => apiCall<T>(path) });
}

/** A change through the API; on success the record's query is replaced by the answer (or reloaded) and a German note shown. */
export function useApiChange<T>(path: string, done: string) {
  const qc = useQueryClient();
  const notify = useNotify();
  return useMutation({
    mutationFn: (v: { url: string; method: 'POST' | 'PUT' | 'DELETE'; body?: unknown }) => apiCall<T>(v.url, { method: v.method, body: v.body }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['steuerung', path] });
      notify(done, { type: 'success' });
    },
    onError: (e) => notify((e as Error).message, { type: 'error' }),
  });
}
