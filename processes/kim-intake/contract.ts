/**
 * kim-intake – Erstkontakt: every string the model, its forms, workers and tests share, once.
 */
export const PROCESS_ID = 'kim-intake';
export const DECISION_ID = 'kim-intake-hilfeart';

export const ELEMENTS = {
  start: 'StartEvent_IntakeStarted',
  documentFirstContact: 'Task_DocumentFirstContact',
  recordFirstContact: 'Task_RecordFirstContact',
  captureConsent: 'Task_CaptureConsent',
  consentGiven: 'Gateway_ConsentGiven',
  recordConsent: 'Task_RecordConsent',
  recordConsentRefusal: 'Task_RecordConsentRefusal',
  checkExistingSupport: 'Task_CheckExistingSupport',
  existingSupportFound: 'Gateway_ExistingSupportFound',
  clarifyExistingSupport: 'Task_ClarifyExistingSupport',
  clarificationResult: 'Gateway_ClarificationResult',
  decideKindOfHelp: 'Task_DecideKindOfHelp',
  openCase: 'Task_OpenCase',
  kindOfHelp: 'Gateway_KindOfHelp',
  shortCounselling: 'Task_ProvideShortCounselling',
  referralOnly: 'Task_ProvideReferralAdvice',
  recordStatistics: 'Task_RecordStatistics',
  closeCase: 'Task_CloseCase',
  callCase: 'CallActivity_CaseManagement',
  consentJoin: 'Gateway_ConsentJoin',
  supportJoin: 'Gateway_SupportJoin',
  closeJoin: 'Gateway_CloseJoin',
  endIntakeClosed: 'EndEvent_IntakeClosed',
  endCaseManagement: 'EndEvent_CaseManagementDone',
} as const;

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB_TYPES = {
  recordFirstContact: 'kim.record-first-contact',
  recordConsent: 'kim.record-consent',
  recordConsentRefusal: 'kim.record-consent-refusal',
  checkExistingSupport: 'kim.check-existing-support',
  openCase: 'kim.open-case',
  recordStatistics: 'kim.record-statistics',
  closeCase: 'kim.close-case',
} as const;

export const FORMS = {
  documentFirstContact: 'document-first-contact',
  captureConsent: 'capture-consent',
  clarifyExistingSupport: 'clarify-existing-support',
  provideShortCounselling: 'provide-short-counselling',
  provideReferralAdvice: 'provide-referral-advice',
} as const;

/** No messages or BPMN errors in this model. */
export const MESSAGES = {} as const;
export const ERRORS = {} as const;
/** The variable each message is correlated by: none (no messages). */
export const CORRELATION = {} as const;

export const LIFE_AREAS = ['Aufenthalt', 'Sprache', 'Bildung', 'Arbeit', 'Wohnen', 'Gesundheit', 'FamilieKitaSchule', 'Finanzen', 'Sonstiges'] as const;
export type LifeAreaCode = (typeof LIFE_AREAS)[number];

/** Outputs of the DMN decision kim-intake-hilfeart (= Case.kindOfHelp). */
export const KIND_OF_HELP = { short: 'Kurzberatung', referralOnly: 'Verweisberatung', caseManagement: 'CaseManagement' } as const;
export type KindOfHelpCode = (typeof KIND_OF_HELP)[keyof typeof KIND_OF_HELP];

/** Codes the double-funding check reports. */
export const EXISTING_SUPPORT = { openCase: 'OFFENER_FALL', mbe: 'MBE', jmd: 'JMD' } as const;
export type ExistingSupportCode = (typeof EXISTING_SUPPORT)[keyof typeof EXISTING_SUPPORT];
/** What the codes mean, as the clarification task shows them. */
export const EXISTING_SUPPORT_DE: Record<ExistingSupportCode, string> = {
  OFFENER_FALL: 'ein offener KIM-Fall derselben Person in Ihrer Kommune',
  MBE: 'Beratung durch die Migrationsberatung für Erwachsene (MBE)',
  JMD: 'Beratung durch den Jugendmigrationsdienst (JMD)',
};

/** Answers of capture-consent. */
export const CONSENT = { given: 'erteilt', refused: 'verweigert' } as const;
/**
 * A consent's data categories and purposes (code → German label): the intake form's options and the
 * case file's consent dialog use these codes, and every screen shows these labels. Its recipients
 * are the commune's partner organisations (ids), in the form and in the case file alike.
 */
export const CONSENT_DATA_CATEGORIES = { Stammdaten: 'Stammdaten', Aufenthaltsstatus: 'Aufenthaltsstatus', BildungArbeit: 'Bildung und Arbeit', Gesundheit: 'Gesundheit', Familie: 'Familie' } as const;
export const CONSENT_PURPOSES = { Vermittlung: 'Vermittlung an eine Stelle', Fallkonferenz: 'Fallkonferenz', Abstimmung: 'Abstimmung mit Behörden' } as const;

/** Answers of the clarification task. */
export const CLARIFICATION = { takeOn: 'uebernehmen', notTakenOn: 'nicht-uebernehmen' } as const;

/** Process variables: ids and decision inputs only – never names, addresses or notes. */
export interface IntakeVariables {
  caseId: string;
  clientId: string;
  kommuneId: string;
  /** ISO 8601 durations from configuration (KIM_INTAKE_TASK_DUE, KIM_REVIEW_INTERVAL). */
  bearbeitungsfrist: string;
  wiedervorlageIntervall: string;
  // document-first-contact
  lebensbereiche?: LifeAreaCode[];
  kurzfristigLoesbar?: boolean;
  rechtskreisuebergreifend?: boolean;
  bekannteBeratung?: Array<'MBE' | 'JMD'>;
  // kim.record-first-contact
  anzahlLebensbereiche?: number;
  // capture-consent
  dolmetschBedarf?: boolean;
  einwilligung?: (typeof CONSENT)[keyof typeof CONSENT];
  /** Organisation types; kim.record-consent resolves them to the commune's organisations. */
  einwilligungEmpfaenger?: string[];
  einwilligungZwecke?: string[];
  einwilligungDatenkategorien?: string[];
  einwilligungGueltigBis?: string;
  // kim.record-consent
  einwilligungId?: string | null;
  // kim.check-existing-support
  bestehendeUnterstuetzung?: ExistingSupportCode[];
  doppelfoerderungMoeglich?: boolean;
  // clarify-existing-support
  klaerungErgebnis?: (typeof CLARIFICATION)[keyof typeof CLARIFICATION];
  // DMN
  hilfeart?: KindOfHelpCode;
  // provide-referral-advice
  verweisLebensbereich?: LifeAreaCode;
  verweisStelle?: string;
  // provide-short-counselling
  beratungErfolgt?: boolean;
  // kim.record-statistics / kim.close-case (camunda:inputParameter of the service tasks)
  statistikArt?: string;
  abschlussGrund?: string;
}
