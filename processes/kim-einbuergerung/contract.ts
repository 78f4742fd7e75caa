/**
 * kim-einbuergerung – Einbürgerungsvorbereitung: the strings the pre-check decision, its service,
 * the API and the tests share, once. The decision implements the table "Naturalisation pre-check
 * (§ 10 StAG …)" in shared/design/DOMAIN.md.
 */
export const PROCESS_ID = 'kim-einbuergerung';

/** The decision evaluated by the business rule task and by POST /api/einbuergerung/vorpruefung. */
export const DECISION_ID = 'kim-einbuergerung-vorpruefung';
/** The decision table it requires (one rule per unmet requirement, hit policy RULE ORDER). */
export const REQUIRED_DECISION_ID = 'kim-einbuergerung-voraussetzungen';
export const DMN_FILE = 'kim-einbuergerung-vorpruefung.dmn';

/** Requirement codes in the order of the table; fehlendeVoraussetzungen keeps this order. */
export const CODES = ['AUFENTHALTSDAUER', 'AUFENTHALTSTITEL', 'SPRACHE', 'EINBUERGERUNGSTEST', 'LEBENSUNTERHALT', 'STRAFFREIHEIT', 'BEKENNTNIS'] as const;
export type Voraussetzung = (typeof CODES)[number];

/** German labels of the codes (web app, README). */
export const CODE_DE: Record<Voraussetzung, string> = {
  AUFENTHALTSDAUER: '5 Jahre rechtmäßiger gewöhnlicher Aufenthalt',
  AUFENTHALTSTITEL: 'Geeigneter Aufenthaltstitel',
  SPRACHE: 'Deutschkenntnisse (B1)',
  EINBUERGERUNGSTEST: 'Einbürgerungstest',
  LEBENSUNTERHALT: 'Lebensunterhalt ohne SGB II/XII',
  STRAFFREIHEIT: 'Straffreiheit',
  BEKENNTNIS: 'Bekenntnis zur freiheitlichen demokratischen Grundordnung',
};

export const SPRACHNIVEAUS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;
export type Sprachniveau = (typeof SPRACHNIVEAUS)[number];

/** Years of residence required (no shortening since autumn 2025). */
export const MIN_AUFENTHALT_JAHRE = 5;
export const MIN_VOLLZEIT_MONATE = 20;
export const MAX_BEWAEHRUNG_MONATE = 3;
export const MAX_TAGESSAETZE = 90;
export const TAGESSAETZE_JE_BEWAEHRUNGSMONAT = 30;

/** The decision's input variables. Missing ones count as false / 0 / null. */
export interface VorpruefungInput {
  stichtag?: string;
  aufenthaltSeit?: string | null;
  aufenthaltstitelGeeignet?: boolean;
  sprachniveau?: Sprachniveau | null;
  deutscherSchulabschluss?: boolean;
  befreiungSpracheUndTest?: boolean;
  einreiseAlsGastarbeiter?: boolean;
  einbuergerungstestBestanden?: boolean;
  bezugSgb2oder12?: boolean;
  vollzeitMonateLetzte24?: number;
  ehegatteVollzeitMitKind?: boolean;
  freiheitsstrafeOhneBewaehrung?: boolean;
  rassistischeMotivation?: boolean;
  bewaehrungsstrafeMonate?: number;
  verurteilungTagessaetze?: number;
  bekenntnisAbgegeben?: boolean;
}

export const INPUT_NAMES = [
  'stichtag',
  'aufenthaltSeit',
  'aufenthaltstitelGeeignet',
  'sprachniveau',
  'deutscherSchulabschluss',
  'befreiungSpracheUndTest',
  'einreiseAlsGastarbeiter',
  'einbuergerungstestBestanden',
  'bezugSgb2oder12',
  'vollzeitMonateLetzte24',
  'ehegatteVollzeitMitKind',
  'freiheitsstrafeOhneBewaehrung',
  'rassistischeMotivation',
  'bewaehrungsstrafeMonate',
  'verurteilungTagessaetze',
  'bekenntnisAbgegeben',
] as const satisfies ReadonlyArray<keyof VorpruefungInput>;

/** The decision's single result. */
export interface VorpruefungResult {
  eligible: boolean;
  fehlendeVoraussetzungen: Voraussetzung[];
  /** aufenthaltSeit + 5 years (YYYY-MM-DD); null without aufenthaltSeit. */
  fruehesterAntragstermin: string | null;
}

// ---------------------------------------------------------------------------------------------
// The process kim-einbuergerung (Einbürgerungsvorbereitung): every element id, external-task topic, form id
// and variable name the model, its workers, services and tests share.
// ---------------------------------------------------------------------------------------------

/** Called for the language course; owned by processes/kim-referral. */
export const REFERRAL_PROCESS_ID = 'kim-referral';

export const ELEMENTS = {
  start: 'StartEvent_NaturalisationRequested',
  recordRequirements: 'Task_RecordRequirements',
  saveRequirements: 'Task_SaveRequirements',
  confirmResidence: 'Task_ConfirmResidenceFacts',
  recordResidence: 'Task_RecordResidenceFacts',
  preCheck: 'Task_EvaluatePreCheck',
  recordPreCheck: 'Task_RecordPreCheck',
  preCheckResult: 'Gateway_PreCheckResult',
  resubmissionDue: 'Event_ResubmissionDue',
  resubmission: 'Task_Resubmission',
  preparationFork: 'Gateway_PreparationFork',
  languageNeeded: 'Gateway_LanguageCourseNeeded',
  createLanguageReferral: 'Task_CreateLanguageReferral',
  callLanguageReferral: 'CallActivity_LanguageCourse',
  languageDone: 'Gateway_LanguageCourseDone',
  testNeeded: 'Gateway_TestNeeded',
  registerTest: 'Task_RegisterTest',
  recordTestRegistration: 'Task_RecordTestRegistration',
  testDone: 'Gateway_TestDone',
  prepareDocuments: 'Task_PrepareDocuments',
  savePreparedDocuments: 'Task_SavePreparedDocuments',
  preparationJoin: 'Gateway_PreparationJoin',
  toCompleteness: 'Gateway_ToCompleteness',
  checkCompleteness: 'Task_CheckCompleteness',
  saveCheckedDocuments: 'Task_SaveCheckedDocuments',
  complete: 'Gateway_ApplicationComplete',
  toSupply: 'Gateway_ToSupplyDocuments',
  supplyDocuments: 'Task_SupplyDocuments',
  saveSuppliedDocuments: 'Task_SaveSuppliedDocuments',
  handOver: 'Task_HandOverToEbh',
  ebhPreCheck: 'Task_EbhPreCheck',
  recordEbhPreCheck: 'Task_RecordEbhPreCheck',
  ebhResult: 'Gateway_EbhPreCheckResult',
  recordDecision: 'Task_RecordDecision',
  saveDecision: 'Task_SaveDecision',
  informClient: 'Task_InformClient',
  recordInformed: 'Task_RecordClientInformed',
  end: 'EndEvent_NaturalisationDone',
} as const;

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB_TYPES = {
  saveRequirements: 'kim.save-naturalisation-requirements',
  recordResidence: 'kim.record-residence-facts',
  recordPreCheck: 'kim.record-naturalisation-precheck',
  createLanguageReferral: 'kim.create-language-course-referral',
  recordTestRegistration: 'kim.record-test-registration',
  saveDocuments: 'kim.save-document-checklist',
  handOver: 'kim.hand-over-naturalisation',
  recordEbhPreCheck: 'kim.record-ebh-precheck',
  recordDecision: 'kim.record-naturalisation-decision',
  recordInformed: 'kim.record-client-informed',
} as const;

export const FORMS = {
  recordRequirements: 'record-naturalisation-requirements',
  confirmResidence: 'confirm-residence-facts',
  resubmission: 'resubmit-naturalisation',
  registerTest: 'register-naturalisation-test',
  prepareDocuments: 'prepare-naturalisation-documents',
  checkCompleteness: 'check-naturalisation-completeness',
  supplyDocuments: 'supply-naturalisation-documents',
  ebhPreCheck: 'ebh-precheck-application',
  recordDecision: 'record-naturalisation-decision',
  informClient: 'inform-client-naturalisation',
} as const;

export const MESSAGES = {} as const;
export const ERRORS = {} as const;
/** The variable each message is correlated by: none (no messages). */
export const CORRELATION = {} as const;

/** Candidate group prefixes (+ kommuneId). */
export const GROUPS = { caseManager: 'case-manager:', abh: 'abh:', ebh: 'ebh:' } as const;

/** Document kinds of the checklist (DOMAIN.md: typical documents). */
export const DOCUMENT_KINDS = [
  'reisepass',
  'aufenthaltstitel',
  'meldebescheinigung',
  'geburtsurkunde',
  'heiratsurkunde',
  'lebenslauf',
  'sprachzertifikat',
  'testzertifikat',
  'schulzeugnis',
  'einkommensnachweis',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Status of a document: missing / present / translation needed / apostille needed / complete. */
export const DOCUMENT_STATUS = ['fehlt', 'vorhanden', 'uebersetzung_noetig', 'apostille_noetig', 'vollstaendig'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUS)[number];

/** Residence titles the ABH confirms (which title); the decision only needs whether it is suitable. */
export const RESIDENCE_TITLES = ['niederlassungserlaubnis', 'daueraufenthalt_eu', 'aufenthaltserlaubnis', 'blaue_karte_eu', 'freizuegigkeit', 'duldung', 'gestattung', 'sonstiger'] as const;

/** Answers of confirm-residence-facts. */
export const RESIDENCE_CHECK = { confirmed: 'bestaetigt', corrected: 'korrigiert' } as const;
/** Answers of ebh-precheck-application. */
export const EBH_RESULT = { accept: 'annehmen', requestDocuments: 'unterlagen_nachfordern' } as const;
/** Answers of record-naturalisation-decision. */
export const DECISIONS = ['eingebuergert', 'abgelehnt', 'zurueckgenommen'] as const;

/** Status of a Naturalisation row along the process. */
export const STATUS = {
  created: 'angelegt',
  residenceCheck: 'abh_pruefung',
  checked: 'vorgeprueft',
  waiting: 'wiedervorlage',
  preparation: 'vorbereitung',
  completeness: 'vollstaendigkeitspruefung',
  ebh: 'ebh_pruefung',
  documentsRequested: 'unterlagen_nachgefordert',
  accepted: 'antrag_angenommen',
  decided: 'entschieden',
  done: 'abgeschlossen',
} as const;

/** Process variables: ids and decision inputs only – never names or notes. */
export interface EinbuergerungVariables extends VorpruefungInput {
  caseId: string;
  clientId: string;
  kommuneId: string;
  einbuergerungId: string;
  /** ISO 8601 duration until user tasks are due (KIM_TASK_DUE). */
  bearbeitungsfrist: string;
  /** ISO date-time of the Wiedervorlage; null → fruehesterAntragstermin 08:00 Europe/Berlin. */
  wiedervorlageAm: string | null;
  /**
   * Result of the business rule task as plain values: the decision's map stays a local variable of
   * the task (never stored as a serialised object), its output mapping sets these three.
   */
  vorpruefungErfuellt?: boolean;
  /** Codes of the unmet requirements, comma-separated in the table's order ('' when none). */
  fehlendeVoraussetzungen?: string;
  fruehesterAntragstermin?: string | null;
  /** Local to Event_ResubmissionDue: the timer's ISO date-time (UTC), computed in the model. */
  wiedervorlageAb?: string;
  // set by kim.record-naturalisation-precheck for the gateways
  nurZeitFehlt?: boolean;
  sprachkursNoetig?: boolean;
  testNoetig?: boolean;
  // forms: texts and lists go to the app database and are cleared in the instance
  aufenthaltstitel?: string | null;
  aufenthaltPruefung?: (typeof RESIDENCE_CHECK)[keyof typeof RESIDENCE_CHECK];
  dokumente?: Array<{ art: DocumentKind; status: DocumentStatus }> | null;
  unterlagenVollstaendig?: boolean;
  referralId?: string;
  ebhErgebnis?: (typeof EBH_RESULT)[keyof typeof EBH_RESULT];
  nachforderungFrist?: string | null;
  nachgeforderteUnterlagen?: DocumentKind[] | null;
  entscheidung?: (typeof DECISIONS)[number] | null;
}

/**
 * Form input the process does not decide on (residence title, test date and centre, document
 * lists, requested documents, the decision): the inbox keeps these fields of a completed task in
 * the app database (TaskSubmission) instead of passing them to the engine; the consuming worker
 * reads them from there. Element id of the user task → form fields.
 */
export const PROTECTED_INPUT: Readonly<Record<string, readonly string[]>> = {
  [ELEMENTS.recordRequirements]: ['aufenthaltstitel'],
  [ELEMENTS.confirmResidence]: ['aufenthaltstitel'],
  [ELEMENTS.registerTest]: ['testTermin', 'teststelle'],
  [ELEMENTS.prepareDocuments]: ['dokumente'],
  [ELEMENTS.checkCompleteness]: ['dokumente'],
  [ELEMENTS.supplyDocuments]: ['dokumente'],
  [ELEMENTS.ebhPreCheck]: ['nachgeforderteUnterlagen'],
  [ELEMENTS.recordDecision]: ['entscheidung', 'entscheidungsdatum'],
};

/** The checklist every preparation starts with (status fehlt); more kinds can be added in the forms. */
export const DEFAULT_DOCUMENTS: readonly DocumentKind[] = ['reisepass', 'aufenthaltstitel', 'meldebescheinigung', 'geburtsurkunde', 'lebenslauf', 'einkommensnachweis'];

// ---------------------------------------------------------------------------------------------
// German labels of the codes above (task view, case file); the forms carry the same labels.
// ---------------------------------------------------------------------------------------------

export const DOCUMENT_KIND_DE: Record<DocumentKind, string> = {
  reisepass: 'Reisepass',
  aufenthaltstitel: 'Aufenthaltstitel',
  meldebescheinigung: 'Meldebescheinigung',
  geburtsurkunde: 'Geburtsurkunde',
  heiratsurkunde: 'Heiratsurkunde',
  lebenslauf: 'Lebenslauf',
  sprachzertifikat: 'Sprachzertifikat',
  testzertifikat: 'Zertifikat Einbürgerungstest',
  schulzeugnis: 'Schul- oder Berufsabschluss',
  einkommensnachweis: 'Einkommensnachweis',
};

export const DOCUMENT_STATUS_DE: Record<DocumentStatus, string> = {
  fehlt: 'fehlt',
  vorhanden: 'vorhanden',
  uebersetzung_noetig: 'beglaubigte Übersetzung nötig',
  apostille_noetig: 'Apostille nötig',
  vollstaendig: 'vollständig',
};

export const RESIDENCE_TITLE_DE: Record<(typeof RESIDENCE_TITLES)[number], string> = {
  niederlassungserlaubnis: 'Niederlassungserlaubnis',
  daueraufenthalt_eu: 'Erlaubnis zum Daueraufenthalt – EU',
  aufenthaltserlaubnis: 'Aufenthaltserlaubnis',
  blaue_karte_eu: 'Blaue Karte EU',
  freizuegigkeit: 'Freizügigkeit (EU/EWR)',
  duldung: 'Duldung',
  gestattung: 'Aufenthaltsgestattung',
  sonstiger: 'Sonstiger',
};

export const DECISION_DE: Record<(typeof DECISIONS)[number], string> = {
  eingebuergert: 'Einbürgerung zugesichert / vollzogen',
  abgelehnt: 'Antrag abgelehnt',
  zurueckgenommen: 'Antrag zurückgenommen',
};

export const STATUS_DE: Record<(typeof STATUS)[keyof typeof STATUS], string> = {
  angelegt: 'angelegt',
  abh_pruefung: 'Prüfung durch die Ausländerbehörde',
  vorgeprueft: 'vorgeprüft',
  wiedervorlage: 'Wiedervorlage zum frühesten Antragstermin',
  vorbereitung: 'in Vorbereitung',
  vollstaendigkeitspruefung: 'Vollständigkeitsprüfung',
  ebh_pruefung: 'Prüfung durch die Einbürgerungsbehörde',
  unterlagen_nachgefordert: 'Unterlagen nachgefordert',
  antrag_angenommen: 'Antrag angenommen',
  entschieden: 'entschieden',
  abgeschlossen: 'abgeschlossen',
};

/** A code's German label, or the code itself when a newer model brings one this version does not know. */
export const labelOf = (map: Record<string, string>, code: string | null | undefined) => (code ? (map[code] ?? code) : '—');
