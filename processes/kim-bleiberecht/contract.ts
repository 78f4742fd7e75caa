/**
 * kim-bleiberecht – Baustein 3, the residence path (§§ 25a, 25b AufenthG with the § 104c
 * transition): the strings the pre-check decision, its service, the API, the process, its workers
 * and the tests share, once. The decision implements "Residence pre-check (Baustein 3 …)" in
 * shared/design/DOMAIN.md.
 */
export const PROCESS_ID = 'kim-bleiberecht';

/** The decision evaluated by the business rule task and by POST /api/bleiberecht/vorpruefung. */
export const DECISION_ID = 'kim-bleiberecht-vorpruefung';
/** The decisions it requires: the dates (literal expression) and one table per paragraph. */
export const REQUIRED_DECISION_IDS = { daten: 'kim-bleiberecht-daten', p25a: 'kim-bleiberecht-25a', p25b: 'kim-bleiberecht-25b' } as const;
export const DMN_FILE = 'kim-bleiberecht-vorpruefung.dmn';

/** § 25a codes in the order of the table; `fehlend` keeps this order. */
export const CODES_25A = ['STATUS', 'DULDUNG_12_MONATE', 'AUFENTHALTSDAUER', 'SCHULE', 'ALTER', 'IDENTITAET'] as const;
/** § 25b codes in the order of the table. */
export const CODES_25B = ['STATUS', 'VOLLJAEHRIGKEIT', 'AUFENTHALTSDAUER', 'BEKENNTNIS', 'LEBENSUNTERHALT', 'SPRACHE', 'SCHULBESUCH_KINDER', 'IDENTITAET', 'AUSWEISUNGSINTERESSE'] as const;
export type Code25a = (typeof CODES_25A)[number];
export type Code25b = (typeof CODES_25B)[number];

/** Deadline codes of the decision's `fristen` (sorted by date, then code). */
export const FRIST_CODES = ['ALTERSGRENZE_25A', 'UEBERGANG_104C'] as const;
export type FristCode = (typeof FRIST_CODES)[number];

/** End of the § 104c transition: holders may apply under §§ 25a/25b until this day. */
export const UEBERGANG_104C_ENDE = '2027-06-30';

export const AUFENTHALTSSTATUS = ['DULDUNG', 'DULDUNG_60B', 'GESTATTUNG', 'AE_104C', 'AUFENTHALTSERLAUBNIS', 'OHNE'] as const;
export type Aufenthaltsstatus = (typeof AUFENTHALTSSTATUS)[number];

export const SPRACHNIVEAUS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
export type Sprachniveau = (typeof SPRACHNIVEAUS)[number];

/** The decision's input variables (DOMAIN.md). Missing booleans count as false, nichtAnrechenbareTage as 0. */
export interface VorpruefungInput {
  stichtag?: string;
  geburtsdatum?: string | null;
  aufenthaltSeit?: string | null;
  nichtAnrechenbareTage?: number;
  aufenthaltsstatus?: Aufenthaltsstatus | null;
  duldungSeit?: string | null;
  schulbesuchOderAbschluss?: boolean;
  minderjaehrigesKindImHaushalt?: boolean;
  sprachniveauMuendlich?: Sprachniveau | null;
  lebensunterhaltUeberwiegendGesichert?: boolean;
  ausnahmeKrankheitBehinderungAlter?: boolean;
  bekenntnisFdgo?: boolean;
  schulpflichtigeKinderOhneSchulbesuch?: boolean;
  identitaetstaeuschung?: boolean;
  ausweisungsinteresseSchwer?: boolean;
}

export const INPUT_NAMES = [
  'stichtag',
  'geburtsdatum',
  'aufenthaltSeit',
  'nichtAnrechenbareTage',
  'aufenthaltsstatus',
  'duldungSeit',
  'schulbesuchOderAbschluss',
  'minderjaehrigesKindImHaushalt',
  'sprachniveauMuendlich',
  'lebensunterhaltUeberwiegendGesichert',
  'ausnahmeKrankheitBehinderungAlter',
  'bekenntnisFdgo',
  'schulpflichtigeKinderOhneSchulbesuch',
  'identitaetstaeuschung',
  'ausweisungsinteresseSchwer',
] as const satisfies ReadonlyArray<keyof VorpruefungInput>;

/** The decision's single result (dates as YYYY-MM-DD; null when a needed date is unknown). */
export interface VorpruefungResult {
  paragraf25a: { erfuellt: boolean; fehlend: Code25a[]; fruehestensAb: string | null; antragSpaetestensAm: string | null };
  paragraf25b: { erfuellt: boolean; fehlend: Code25b[]; fruehestensAb: string | null };
  fristen: Array<{ code: FristCode; datum: string }>;
}

// ---------------------------------------------------------------------------------------------
// German labels (web app, README, task view). Every code a user can meet has one.
// ---------------------------------------------------------------------------------------------

export const CODE_25A_DE: Record<Code25a, string> = {
  STATUS: 'Geduldet (oder Aufenthaltserlaubnis nach § 104c bis 30.06.2027)',
  DULDUNG_12_MONATE: 'Seit mindestens 12 Monaten geduldet',
  AUFENTHALTSDAUER: '3 Jahre ununterbrochener Aufenthalt',
  SCHULE: '3 Jahre erfolgreicher Schulbesuch oder deutscher Schul-/Berufsabschluss',
  ALTER: 'Alter zwischen 14 Jahren und dem Tag vor dem 27. Geburtstag',
  IDENTITAET: 'Keine Täuschung über Identität oder Staatsangehörigkeit',
};

export const CODE_25B_DE: Record<Code25b, string> = {
  STATUS: 'Geduldet (oder Aufenthaltserlaubnis nach § 104c bis 30.06.2027)',
  VOLLJAEHRIGKEIT: 'Volljährig (Minderjährige über einen Elternteil)',
  AUFENTHALTSDAUER: '6 Jahre Aufenthalt (4 Jahre mit minderjährigem Kind im Haushalt)',
  BEKENNTNIS: 'Bekenntnis zur freiheitlichen demokratischen Grundordnung',
  LEBENSUNTERHALT: 'Lebensunterhalt überwiegend gesichert',
  SPRACHE: 'Mündliche Deutschkenntnisse mindestens A2',
  SCHULBESUCH_KINDER: 'Schulpflichtige Kinder besuchen die Schule',
  IDENTITAET: 'Keine Täuschung über Identität oder Staatsangehörigkeit',
  AUSWEISUNGSINTERESSE: 'Kein schwerwiegendes Ausweisungsinteresse',
};

export const FRIST_DE: Record<FristCode, string> = {
  ALTERSGRENZE_25A: 'Letzter Tag für einen Antrag nach § 25a (Tag vor dem 27. Geburtstag)',
  UEBERGANG_104C: 'Ende des Übergangs nach § 104c: Antrag nach §§ 25a/25b spätestens',
};

export const AUFENTHALTSSTATUS_DE: Record<Aufenthaltsstatus, string> = {
  DULDUNG: 'Duldung',
  DULDUNG_60B: 'Duldung für Personen mit ungeklärter Identität (§ 60b)',
  GESTATTUNG: 'Aufenthaltsgestattung (Asylverfahren)',
  AE_104C: 'Aufenthaltserlaubnis nach § 104c (Chancen-Aufenthaltsrecht)',
  AUFENTHALTSERLAUBNIS: 'Andere Aufenthaltserlaubnis',
  OHNE: 'Ohne Aufenthaltsstatus',
};

/** A code's German label, or the code itself when a newer model brings one this version does not know. */
export const labelOf = (map: Record<string, string>, code: string | null | undefined) => (code ? (map[code] ?? code) : '—');

// ---------------------------------------------------------------------------------------------
// The process kim-bleiberecht: every element id, external-task topic, form id and variable name
// the model, its workers, services and tests share.
// ---------------------------------------------------------------------------------------------

export const ELEMENTS = {
  start: 'StartEvent_ResidencePathRequested',
  recordFacts: 'Task_RecordResidenceFacts',
  saveFacts: 'Task_SaveResidenceFacts',
  trackerSplit: 'Gateway_StartTracking',
  confirmFacts: 'Task_ConfirmResidenceFacts',
  recordConfirmation: 'Task_RecordResidenceConfirmation',
  preCheck: 'Task_EvaluatePreCheck',
  recordPreCheck: 'Task_RecordPreCheck',
  preCheckResult: 'Gateway_PreCheckResult',
  discussPreCheck: 'Task_DiscussPreCheck',
  endNotMet: 'EndEvent_NotMet',
  prepareApplication: 'Task_PrepareApplication',
  saveApplication: 'Task_SaveApplication',
  applicationComplete: 'Gateway_ApplicationComplete',
  handOver: 'Task_HandOverToAbh',
  recordDecision: 'Task_RecordDecision',
  saveDecision: 'Task_SaveDecision',
  informClient: 'Task_InformClient',
  recordInformed: 'Task_RecordClientInformed',
  end: 'EndEvent_ResidencePathDone',
  // the deadline tracker (parallel to the main path until it ends)
  trackerMerge: 'Gateway_TrackDeadlines',
  tracker: 'SubProcess_TrackDeadlines',
  trackerChanged: 'Event_DeadlinesChanged',
  reminder: 'SubProcess_Reminder',
  reminderDue: 'Event_ReminderDue',
  remind: 'Task_RemindDeadline',
  trackerIdle: 'Event_DeadlinesChangedLater',
} as const;

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB_TYPES = {
  saveFacts: 'kim.save-residence-path-facts',
  recordConfirmation: 'kim.record-residence-path-confirmation',
  recordPreCheck: 'kim.record-residence-precheck',
  saveApplication: 'kim.save-residence-application',
  handOver: 'kim.hand-over-residence-application',
  saveDecision: 'kim.record-residence-decision',
  recordInformed: 'kim.record-residence-client-informed',
} as const;

export const FORMS = {
  recordFacts: 'record-residence-path-facts',
  confirmFacts: 'confirm-residence-path-facts',
  discussPreCheck: 'discuss-residence-precheck',
  prepareApplication: 'prepare-residence-application',
  recordDecision: 'record-residence-decision',
  informClient: 'inform-client-residence',
  remind: 'remind-residence-deadline',
} as const;

export const MESSAGES = {} as const;
export const ERRORS = {} as const;
export const CORRELATION = {} as const;

/** Candidate group prefixes (+ kommuneId). */
export const GROUPS = { caseManager: 'case-manager:', abh: 'abh:' } as const;

/** Answers of confirm-residence-path-facts. */
export const RESIDENCE_CHECK = { confirmed: 'bestaetigt', corrected: 'korrigiert' } as const;
/** The paragraph an application is made under. */
export const PARAGRAPHS = ['25a', '25b'] as const;
export type Paragraph = (typeof PARAGRAPHS)[number];
/** Documents of the application (prepare-residence-application). */
export const APPLICATION_DOCUMENTS = ['sprachzertifikat', 'schulzeugnisse', 'einkommensnachweis', 'bekenntnisFdgo'] as const;
export type ApplicationDocument = (typeof APPLICATION_DOCUMENTS)[number];
/** Answers of record-residence-decision. */
export const DECISIONS = ['erteilt', 'abgelehnt', 'zurueckgenommen'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Status of a ResidencePath row along the process. */
export const STATUS = {
  created: 'angelegt',
  abh: 'abh_pruefung',
  checked: 'vorgeprueft',
  notMet: 'nicht_erfuellt',
  preparation: 'vorbereitung',
  submitted: 'antrag_gestellt',
  decided: 'entschieden',
  done: 'abgeschlossen',
} as const;

/**
 * Kinds of tracked dates: the decision's dates (earliest per paragraph, the § 25a age limit, the
 * § 104c transition end) and the facts the ABH keeps (Duldung, permit, passport expiry; § 60c/§ 60d).
 */
export const DEADLINE_KINDS = [
  'FRUEHESTENS_25A',
  'FRUEHESTENS_25B',
  'ALTERSGRENZE_25A',
  'UEBERGANG_104C',
  'DULDUNG_ABLAUF',
  'AUFENTHALTSERLAUBNIS_ABLAUF',
  'PASS_ABLAUF',
  'IDENTITAET_60C_60D',
  'BESCHAEFTIGUNGSDULDUNG_ENDE',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** Dates the ABH sees (residence facts), without the case management's planning dates. */
export const ABH_DEADLINE_KINDS: readonly DeadlineKind[] = ['ALTERSGRENZE_25A', 'UEBERGANG_104C', 'DULDUNG_ABLAUF', 'AUFENTHALTSERLAUBNIS_ABLAUF', 'PASS_ABLAUF', 'IDENTITAET_60C_60D', 'BESCHAEFTIGUNGSDULDUNG_ENDE'];

/** Default lead time per kind (ISO 8601 duration before the date, 00:00 Europe/Berlin). KIM_FRISTEN_VORLAUF overrides. */
export const DEFAULT_LEAD_TIMES: Record<DeadlineKind, string> = {
  FRUEHESTENS_25A: 'P14D',
  FRUEHESTENS_25B: 'P14D',
  ALTERSGRENZE_25A: 'P180D',
  UEBERGANG_104C: 'P180D',
  DULDUNG_ABLAUF: 'P30D',
  AUFENTHALTSERLAUBNIS_ABLAUF: 'P90D',
  PASS_ABLAUF: 'P90D',
  IDENTITAET_60C_60D: 'P30D',
  BESCHAEFTIGUNGSDULDUNG_ENDE: 'P90D',
};

/** § 60d: a Beschäftigungsduldung is granted for 30 months. */
export const BESCHAEFTIGUNGSDULDUNG_MONATE = 30;
/** § 60c/§ 60d: entry from 2020 on → identity clarified within the first 6 months after entry. */
export const IDENTITAET_MONATE_NACH_EINREISE = 6;
export const IDENTITAET_STICHTAG_EINREISE = '2020-01-01';

export const DEADLINE_DE: Record<DeadlineKind, string> = {
  FRUEHESTENS_25A: '§ 25a: zeitliche Voraussetzungen erfüllt',
  FRUEHESTENS_25B: '§ 25b: zeitliche Voraussetzungen erfüllt',
  ALTERSGRENZE_25A: '§ 25a: letzter Tag für den Antrag (Tag vor dem 27. Geburtstag)',
  UEBERGANG_104C: '§ 104c: Ende des Übergangs (Antrag nach §§ 25a/25b spätestens)',
  DULDUNG_ABLAUF: 'Duldung läuft ab',
  AUFENTHALTSERLAUBNIS_ABLAUF: 'Aufenthaltserlaubnis läuft ab',
  PASS_ABLAUF: 'Pass läuft ab',
  IDENTITAET_60C_60D: '§§ 60c/60d: Frist zur Klärung der Identität (6 Monate nach Einreise)',
  BESCHAEFTIGUNGSDULDUNG_ENDE: '§ 60d: Beschäftigungsduldung endet (30 Monate)',
};

export const PARAGRAPH_DE: Record<Paragraph, string> = { '25a': '§ 25a AufenthG (gut integrierte Jugendliche und junge Volljährige)', '25b': '§ 25b AufenthG (nachhaltige Integration)' };
export const DECISION_DE: Record<Decision, string> = { erteilt: 'Aufenthaltserlaubnis erteilt', abgelehnt: 'Antrag abgelehnt', zurueckgenommen: 'Antrag zurückgenommen' };
export const APPLICATION_DOCUMENT_DE: Record<ApplicationDocument, string> = {
  sprachzertifikat: 'Sprachnachweis',
  schulzeugnisse: 'Schulzeugnisse oder Abschluss',
  einkommensnachweis: 'Einkommensnachweis',
  bekenntnisFdgo: 'Erklärung zur freiheitlichen demokratischen Grundordnung',
};
export const STATUS_DE: Record<(typeof STATUS)[keyof typeof STATUS], string> = {
  angelegt: 'angelegt',
  abh_pruefung: 'Prüfung der Aufenthaltsdaten durch die Ausländerbehörde',
  vorgeprueft: 'vorgeprüft',
  nicht_erfuellt: 'Voraussetzungen derzeit nicht erfüllt',
  vorbereitung: 'Antrag in Vorbereitung',
  antrag_gestellt: 'Antrag bei der Ausländerbehörde',
  entschieden: 'entschieden',
  abgeschlossen: 'abgeschlossen',
};

/** Facts the forms ask for; the decision inputs among them travel as process variables. */
export interface ResidenceFacts extends Omit<VorpruefungInput, 'stichtag' | 'geburtsdatum' | 'nichtAnrechenbareTage'> {
  nichtAnrechenbareTage?: number | null;
  duldungBis?: string | null;
  aufenthaltserlaubnisBis?: string | null;
  passBis?: string | null;
  einreiseAm?: string | null;
  beschaeftigungsduldungSeit?: string | null;
  /** ABH only, free text: stays in the app database. */
  identitaetsklaerung?: string | null;
}

/**
 * A case's residence path as the case file shows it (GET /api/bleiberecht/cases/:caseId): codes and
 * ISO dates (instants for what happened), worded by the web app with the labels above.
 */
export interface ResidencePathView {
  id: string;
  status: string;
  aufenthaltsstatus: string | null;
  aufenthaltSeit: string | null;
  bestaetigtAm: string | null;
  korrigiert: boolean;
  geprueftAm: string | null;
  paragraf25a: { erfuellt: boolean | null; fehlend: string[]; fruehestensAb: string | null; antragSpaetestensAm: string | null };
  paragraf25b: { erfuellt: boolean | null; fehlend: string[]; fruehestensAb: string | null };
  antragNach: string | null;
  uebergebenAm: string | null;
  entscheidung: string | null;
  entscheidungsdatum: string | null;
  informiertAm: string | null;
}

/**
 * Form input that never reaches the engine: the ABH's free text on identity clarification, the
 * document checklist, the decision date. Element id of the user task → form fields.
 */
export const PROTECTED_INPUT: Readonly<Record<string, readonly string[]>> = {
  [ELEMENTS.confirmFacts]: ['identitaetsklaerung'],
  [ELEMENTS.prepareApplication]: ['unterlagen'],
  [ELEMENTS.recordDecision]: ['entscheidungsdatum'],
};
