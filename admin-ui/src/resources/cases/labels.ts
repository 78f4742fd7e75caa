/**
 * German labels of the case file's codes, in one place for every screen: phases, kinds of help,
 * goal and referral states, conference states, the origin of a need. Codes shared with the server
 * or the models are imported from where they are defined (documents, consents, naturalisation).
 */
export { DOCUMENT_TYPES, documentTypeDe, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_MB } from '../../../../server/documents/document-types';
import { CONSENT_DATA_CATEGORIES } from '../../../../processes/kim-intake/contract';
export { CONSENT_DATA_CATEGORIES, CONSENT_PURPOSES } from '../../../../processes/kim-intake/contract';
export { CASE_ACCESS_REASONS } from '../../../../server/auth/policy';

export type Options = Array<{ id: string; name: string }>;
const options = (m: Record<string, string>): Options => Object.entries(m).map(([id, name]) => ({ id, name }));
/** A code's German label; unknown codes (older rows) fall back to a dash rather than the raw code. */
export const label = (m: Record<string, string>, v: unknown, fallback = '—') => (typeof v === 'string' && m[v]) || fallback;

export const PHASE_DE: Record<string, string> = { Zugang: 'Zugang', Clearing: 'Clearing', Foerderplanung: 'Förderplanung', Umsetzung: 'Umsetzung', Abschluss: 'Abschluss' };
export const PHASES = options(PHASE_DE);
export const KIND_OF_HELP_DE: Record<string, string> = { CaseManagement: 'Case Management', Kurzberatung: 'Kurzberatung', Verweisberatung: 'Verweisberatung' };
export const KIND_OF_HELP = options(KIND_OF_HELP_DE);
/**
 * A case's kind of help as people read it: the decision after the first contact and consent sets it
 * (and moves the case on from Zugang/Clearing); before, the column's default is no decision yet.
 */
export const kindOfHelpDe = (c: Record<string, unknown>) => (c.phase === 'Zugang' || c.phase === 'Clearing' ? 'noch nicht entschieden' : label(KIND_OF_HELP_DE, c.kindOfHelp));

export const GOAL_STATUS_DE: Record<string, string> = { offen: 'offen', laufend: 'in Arbeit', erreicht: 'erreicht', nicht_erreicht: 'nicht erreicht' };
export const GOAL_STATUSES = options(GOAL_STATUS_DE);

export const NEED_ORIGIN_DE: Record<string, string> = { erstkontakt: 'Im Erstkontakt genannt', verlauf: 'Im Verlauf ergänzt' };

export const CONFERENCE_STATUS_DE: Record<string, string> = { geplant: 'in Planung', eingeladen: 'eingeladen', durchgefuehrt: 'durchgeführt', abgesagt: 'abgesagt' };

/**
 * A referral's state as the case manager needs it: a referral still "angelegt" but already sent
 * reads "gesendet – Antwort ausstehend", never "angelegt" for ever.
 */
export function referralStateDe(r: Record<string, unknown>): string {
  switch (r.status) {
    case 'angelegt':
      return r.sentAt ? 'gesendet – Antwort ausstehend' : 'wird vorbereitet';
    case 'gesendet':
      return 'gesendet – Antwort ausstehend';
    case 'angenommen':
      return 'vom Partner angenommen';
    case 'abgelehnt':
      return 'vom Partner abgelehnt';
    case 'abgeschlossen':
      return 'abgeschlossen';
    case 'abgebrochen':
      return 'abgebrochen';
    default:
      return '—';
  }
}

export const dateDe = (v: unknown) => (v ? new Date(String(v).length === 10 ? `${String(v)}T00:00:00Z` : String(v)).toLocaleDateString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric' }) : '—');
export const dateTimeDe = (v: unknown) => (v ? new Date(String(v)).toLocaleString('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—');

/** A consent's data category in German (older rows with unknown codes keep their text). */
export const categoryDe = (v: string) => (CONSENT_DATA_CATEGORIES as Record<string, string>)[v] ?? v;
