/**
 * kim-case – Fallsteuerung: every string the model, its forms, workers and tests share, once.
 */
export const PROCESS_ID = 'kim-case';
/** Called from the plan; owned by processes/kim-referral. */
export const REFERRAL_PROCESS_ID = 'kim-referral';

export const ELEMENTS = {
  start: 'StartEvent_CaseOpened',
  createSupportPlan: 'Task_CreateSupportPlan',
  saveSupportPlan: 'Task_SaveSupportPlan',
  implementation: 'SubProcess_Implementation',
  reviewTimer: 'Event_ReviewDue',
  reviewCase: 'Task_ReviewCase',
  endReview: 'EndEvent_ReviewDone',
  planNextStep: 'Task_PlanNextStep',
  nextStep: 'Gateway_NextStep',
  createReferral: 'Task_CreateReferral',
  callReferral: 'CallActivity_Referral',
  endImplementation: 'EndEvent_ImplementationDone',
  evaluateCase: 'Task_EvaluateCase',
  recordStatistics: 'Task_RecordCaseStatistics',
  closeCase: 'Task_CloseCase',
  endClosed: 'EndEvent_CaseClosed',
} as const;

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB_TYPES = {
  saveSupportPlan: 'kim.save-support-plan',
  createReferral: 'kim.create-referral',
  recordStatistics: 'kim.record-statistics',
  closeCase: 'kim.close-case',
} as const;

export const FORMS = {
  createSupportPlan: 'create-support-plan',
  reviewCase: 'review-case',
  planNextStep: 'plan-next-step',
  evaluateCase: 'evaluate-case',
} as const;

/**
 * Form input the process does not decide on (DSGVO: personal data stays in the app database). The
 * inbox keeps these fields of a completed task in TaskSubmission instead of passing them to the
 * engine; the consuming worker reads them from there. Element id of the user task → form fields.
 */
export const PROTECTED_INPUT: Readonly<Record<string, readonly string[]>> = {
  [ELEMENTS.createSupportPlan]: ['ziele'],
};

export const MESSAGES = {} as const;
export const ERRORS = {} as const;
/** The variable each message is correlated by: none (no messages). */
export const CORRELATION = {} as const;

/** Answers of plan-next-step. */
export const NEXT_STEP = { referral: 'vermittlung', close: 'abschluss' } as const;
/** Answers of evaluate-case. */
export const GOALS_REACHED = ['ja', 'teilweise', 'nein'] as const;

/** Process variables: ids and decision inputs only. */
export interface CaseVariables {
  caseId: string;
  clientId: string;
  kommuneId: string;
  /** ISO 8601 duration of the Wiedervorlage (KIM_REVIEW_INTERVAL; tests use PT2S). */
  wiedervorlageIntervall: string;
  bearbeitungsfrist: string;
  // create-support-plan: goal texts go to the Goal table and are removed from the instance
  ziele?: Array<{ lebensbereich: string; beschreibung: string; zieldatum?: string }> | null;
  anzahlZiele?: number;
  // plan-next-step
  naechsterSchritt?: (typeof NEXT_STEP)[keyof typeof NEXT_STEP];
  vermittlungLebensbereich?: string;
  vermittlungOrganisationId?: string;
  vermittlungZweck?: string;
  /** plan-next-step option list: filled by the task view from the app database (server/referrals/referral-task-context.ts), never a process variable. */
  partnerOrganisationen?: Array<{ label: string; value: string }>;
  /** kim.create-referral: the Referral row kim-referral works on. */
  referralId?: string;
  // evaluate-case
  zieleErreicht?: (typeof GOALS_REACHED)[number];
  abschlussGrund?: string;
}
