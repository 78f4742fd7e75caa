/**
 * The indicators of the commune dashboard, the state's view and the export for "Datenbank KIM":
 * ids (stable, used in exports and URLs), German titles and explanations, the categories each one
 * counts and how its chart reads. One list, so dashboard, CSV, JSON export and OpenAPI agree.
 */
import { LIFE_AREA_DE } from '../referrals/referral.service';

export const INDICATOR_IDS = [
  'offene-faelle',
  'neue-faelle',
  'hilfeart',
  'lebensbereiche',
  'vermittlungen',
  'dauer-foerderplan',
  'zielerreichung',
  'ueberfaellig',
  'baustein3',
  'steuerung-themen',
  'steuerung-massnahmen',
] as const;
export type IndicatorId = (typeof INDICATOR_IDS)[number];

export interface IndicatorDef {
  id: IndicatorId;
  title: string;
  /** What is counted, in one German sentence (shown under the title and in exports). */
  description: string;
  /** A state at the time of the request ("Stand heute"), not a flow within the period. */
  snapshot: boolean;
  /** Counts persons (cases, needs, referrals …): suppressed below 5. Themes and measures are not. */
  personBased: boolean;
  /** Fixed categories (code → German label); null: the months of the period. */
  categories: Record<string, string> | null;
  /** The table's rows are the units (sites / communes) – or, for "neue-faelle", the months. */
  rowsAreMonths?: boolean;
  /** Commune view: rows are the partner organisations instead of the sites. */
  rowsArePartners?: boolean;
  /** Chart: categories along the axis = the table's rows or columns; bars vertical or horizontal. */
  chartAxis: 'rows' | 'columns';
  chartLayout: 'horizontal' | 'vertical';
  /** Label of what one count is (for the chart's value axis). */
  unit: string;
  /** Heading of the categories (e.g. "Phase", "Lebensbereich"). */
  categoryHeader: string;
}

export const PHASE_DE: Record<string, string> = { Zugang: 'Zugang', Clearing: 'Clearing', Foerderplanung: 'Förderplanung', Umsetzung: 'Umsetzung', Abschluss: 'Abschluss' };
export const KIND_OF_HELP_DE: Record<string, string> = { CaseManagement: 'Case Management', Kurzberatung: 'Kurzberatung', Verweisberatung: 'Verweisberatung', Einbuergerung: 'Einbürgerungsberatung' };
export const REFERRAL_OUTCOME_DE: Record<string, string> = { angenommen: 'angenommen', abgelehnt: 'abgelehnt', offen: 'ohne Antwort', abgebrochen: 'abgebrochen' };
export const DURATION_DE: Record<string, string> = { b14: 'bis 14 Tage', b30: '15 bis 30 Tage', b60: '31 bis 60 Tage', b90: '61 bis 90 Tage', ueber90: 'über 90 Tage', ohne: 'noch ohne Förderplan' };
export const GOALS_REACHED_DE: Record<string, string> = { ja: 'Ziele erreicht', teilweise: 'teilweise erreicht', nein: 'nicht erreicht' };
export const OVERDUE_DE: Record<string, string> = { aufgaben: 'Aufgaben im Eingang', vereinbarungen: 'Vereinbarungen aus Fallkonferenzen', vermittlungen: 'Vermittlungen ohne Antwort' };
export const BAUSTEIN3_DE: Record<string, string> = {
  eb_vorbereitung: 'Einbürgerung: in Vorbereitung',
  eb_behoerde: 'Einbürgerung: bei der Einbürgerungsbehörde',
  eb_entschieden: 'Einbürgerung: entschieden',
  br_vorbereitung: 'Bleiberecht: in Vorbereitung',
  br_beantragt_25a: 'Bleiberecht § 25a: bei der Ausländerbehörde beantragt',
  br_beantragt_25b: 'Bleiberecht § 25b: bei der Ausländerbehörde beantragt',
  br_beantragt: 'Bleiberecht: beantragt, Paragraf offen',
  br_entschieden_25a: 'Bleiberecht § 25a: entschieden',
  br_entschieden_25b: 'Bleiberecht § 25b: entschieden',
  br_entschieden: 'Bleiberecht: entschieden, Paragraf offen',
};
/** States of steering themes and measures (kim-steuerung, migration 0180). */
export const THEME_STATE_DE: Record<string, string> = { offen: 'offen', priorisiert: 'priorisiert', in_bearbeitung: 'in Bearbeitung', geschlossen: 'geschlossen' };
/** A measure past its target date and not done counts as "überfällig" instead of its state. */
export const MEASURE_STATE_DE: Record<string, string> = {
  entwurf: 'im Entwurf',
  freigegeben: 'freigegeben',
  in_umsetzung: 'in Umsetzung',
  ueberfaellig: 'überfällig',
  umgesetzt: 'umgesetzt',
  zurueckgewiesen: 'zurückgewiesen',
};

export const INDICATORS: Record<IndicatorId, IndicatorDef> = {
  'offene-faelle': {
    id: 'offene-faelle',
    title: 'Offene Fälle nach Phase',
    description: 'Fälle ohne Abschlussdatum nach ihrer aktuellen Phase im Case-Management-Kreislauf (Stand heute).',
    snapshot: true,
    personBased: true,
    categories: PHASE_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Fälle',
    categoryHeader: 'Phase',
  },
  'neue-faelle': {
    id: 'neue-faelle',
    title: 'Neue Fälle je Monat',
    description: 'Fälle nach dem Monat des Erstkontakts im gewählten Zeitraum.',
    snapshot: false,
    personBased: true,
    categories: null,
    rowsAreMonths: true,
    chartAxis: 'rows',
    chartLayout: 'vertical',
    unit: 'Fälle',
    categoryHeader: 'Monat',
  },
  hilfeart: {
    id: 'hilfeart',
    title: 'Art der Hilfe',
    description: 'Im Zeitraum neu eröffnete Fälle nach der im Erstkontakt entschiedenen Art der Hilfe.',
    snapshot: false,
    personBased: true,
    categories: KIND_OF_HELP_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Fälle',
    categoryHeader: 'Art der Hilfe',
  },
  lebensbereiche: {
    id: 'lebensbereiche',
    title: 'Bedarfe nach Lebensbereich',
    description: 'Bedarfe der im Zeitraum neu eröffneten Fälle nach Lebensbereich (ein Fall kann mehrere Bedarfe haben).',
    snapshot: false,
    personBased: true,
    categories: LIFE_AREA_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Bedarfe',
    categoryHeader: 'Lebensbereich',
  },
  vermittlungen: {
    id: 'vermittlungen',
    title: 'Vermittlungen nach Partner und Rückmeldung',
    description: 'Im Zeitraum gesendete Vermittlungen nach der Antwort des Partners (angenommen schließt abgeschlossene ein).',
    snapshot: false,
    personBased: true,
    categories: REFERRAL_OUTCOME_DE,
    rowsArePartners: true,
    chartAxis: 'rows',
    chartLayout: 'horizontal',
    unit: 'Vermittlungen',
    categoryHeader: 'Rückmeldung',
  },
  'dauer-foerderplan': {
    id: 'dauer-foerderplan',
    title: 'Zeit vom Erstkontakt bis zum Förderplan',
    description: 'Case-Management-Fälle mit Erstkontakt im Zeitraum nach den Tagen bis zum ersten vereinbarten Ziel des Förderplans.',
    snapshot: false,
    personBased: true,
    categories: DURATION_DE,
    chartAxis: 'columns',
    chartLayout: 'vertical',
    unit: 'Fälle',
    categoryHeader: 'Dauer bis zum Förderplan',
  },
  zielerreichung: {
    id: 'zielerreichung',
    title: 'Zielerreichung abgeschlossener Fälle',
    description: 'Im Zeitraum abgeschlossene Case-Management-Fälle nach der Bewertung der Zielerreichung beim Abschluss.',
    snapshot: false,
    personBased: true,
    categories: GOALS_REACHED_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Fälle',
    categoryHeader: 'Zielerreichung',
  },
  ueberfaellig: {
    id: 'ueberfaellig',
    title: 'Überfällige Aufgaben und Fristen',
    description: 'Offene Aufgaben mit überschrittener Frist, offene Vereinbarungen aus Fallkonferenzen nach Fälligkeit und Vermittlungen ohne Antwort nach der Rückmeldefrist (Stand heute).',
    snapshot: true,
    personBased: true,
    categories: OVERDUE_DE,
    chartAxis: 'rows',
    chartLayout: 'horizontal',
    unit: 'Anzahl',
    categoryHeader: 'Art',
  },
  baustein3: {
    id: 'baustein3',
    title: 'Einbürgerung und Bleiberecht (Baustein 3)',
    description: 'Im Zeitraum begonnene Einbürgerungsvorbereitungen und Bleiberechtsverfahren (§§ 25a, 25b AufenthG) nach ihrem heutigen Stand.',
    snapshot: false,
    personBased: true,
    categories: BAUSTEIN3_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Verfahren',
    categoryHeader: 'Verfahren und Stand',
  },
  'steuerung-themen': {
    id: 'steuerung-themen',
    title: 'Themen der Steuerung nach Stand',
    description: 'Themen, zu denen die Koordination gemeldete Systemlücken bündelt, nach ihrem Stand (Stand heute; keine Personendaten, daher nicht unterdrückt).',
    snapshot: true,
    personBased: false,
    categories: THEME_STATE_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Themen',
    categoryHeader: 'Stand',
  },
  'steuerung-massnahmen': {
    id: 'steuerung-massnahmen',
    title: 'Maßnahmen der Lenkungsgruppe nach Stand',
    description: 'Maßnahmen zu den Themen nach ihrem Stand; überfällig heißt: Zieldatum überschritten und nicht umgesetzt (Stand heute; nicht unterdrückt).',
    snapshot: true,
    personBased: false,
    categories: MEASURE_STATE_DE,
    chartAxis: 'columns',
    chartLayout: 'horizontal',
    unit: 'Maßnahmen',
    categoryHeader: 'Stand',
  },
};

export const indicatorList = () => INDICATOR_IDS.map((id) => INDICATORS[id]);
