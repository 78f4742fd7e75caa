/**
 * kim-fallkonferenz – rechtskreisübergreifende Fallkonferenz. Every id, external-task topic, message,
 * form id and variable name of the model lives here once; workers, services and tests import them.
 */
export const PROCESS_ID = 'kim-fallkonferenz';

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB = {
  checkConsent: 'kim.check-conference-consent',
  savePlan: 'kim.save-conference-plan',
  sendInvitations: 'kim.send-conference-invitations',
  sendReminder: 'kim.send-conference-reminder',
  recordProtocol: 'kim.record-conference-protocol',
  createProtocolPdf: 'kim.create-conference-protocol',
  sendProtocol: 'kim.send-conference-protocol',
  trackAgreement: 'kim.track-agreement',
  recordAgreementStatus: 'kim.record-agreement-status',
} as const;

export const MSG = {
  /** An external agency confirmed an agreement through its signed link (correlated by agreementId). */
  agreementFulfilled: 'Msg_AgreementFulfilled',
} as const;

/**
 * The variable each message is correlated by (the model names the message only). agreementId is
 * the element variable of the multi-instance sub process: the event-based gateway
 * Gateway_AwaitAgency copies it into a local variable of the waiting execution, so the message
 * reaches exactly the instance of that agreement.
 */
export const CORRELATION = {
  [MSG.agreementFulfilled]: { variable: 'agreementId', local: true },
} as const;

export const ERR = {} as const;

export const FORM = {
  obtainConsent: 'obtain-conference-consent',
  planConference: 'plan-conference',
  recordConference: 'record-conference',
  confirmAgreement: 'confirm-agreement',
  escalateAgreement: 'escalate-agreement',
} as const;

export const ELEMENT = {
  start: 'StartEvent_ConferenceRequested',
  consentPerAgency: 'SubProcess_ConsentPerAgency',
  checkConsent: 'Task_CheckAgencyConsent',
  consentCovers: 'Gateway_ConsentCovers',
  obtainConsent: 'Task_ObtainConsent',
  recheckConsent: 'Task_RecheckAgencyConsent',
  planConference: 'Task_PlanConference',
  savePlan: 'Task_SavePlan',
  sendInvitations: 'Task_SendInvitations',
  reminderDue: 'Event_ReminderDue',
  sendReminder: 'Task_SendReminder',
  recordConference: 'Task_RecordConference',
  recordProtocol: 'Task_RecordProtocol',
  splitFollowUp: 'Gateway_SplitFollowUp',
  createProtocolPdf: 'Task_CreateProtocolPdf',
  sendProtocol: 'Task_SendProtocol',
  trackAgreements: 'SubProcess_TrackAgreement',
  trackAgreement: 'Task_TrackAgreement',
  responsible: 'Gateway_Responsible',
  confirmAgreement: 'Task_ConfirmAgreement',
  confirmOverdue: 'Event_ConfirmOverdue',
  awaitAgency: 'Gateway_AwaitAgency',
  agreementFulfilled: 'Event_AgreementFulfilled',
  agencyOverdue: 'Event_AgencyOverdue',
  markOverdue: 'Task_MarkOverdue',
  escalateAgreement: 'Task_EscalateAgreement',
  recordDone: 'Task_RecordAgreementDone',
  end: 'EndEvent_ConferenceDone',
} as const;

/** kim.check-conference-consent: property `final` = "true" (camunda:properties) on the re-check after the consent task. */
export const FINAL_HEADER = 'final';
/** kim.record-agreement-status: property `status` = erledigt | ueberfaellig (camunda:properties). */
export const STATUS_HEADER = 'status';
export const AGREEMENT_STATUS = { done: 'erledigt', overdue: 'ueberfaellig' } as const;

/** Who is responsible for an agreement: KIM staff (task) or an external agency (signed link). */
export const RESPONSIBLE = { kim: 'kim', extern: 'extern' } as const;
export type Responsible = (typeof RESPONSIBLE)[keyof typeof RESPONSIBLE];

/** Value of the escalation form's decision. */
export const ESCALATION = { done: 'erledigt', dropped: 'entfallen' } as const;

/** Process variables: ids and gateway inputs only – never names, addresses or notes. */
export interface ConferenceStartVariables {
  caseId: string;
  conferenceId: string;
  kommuneId: string;
  /**
   * ConferenceParticipant ids of the invited agencies, comma-separated ("p1,p2"): the multi-instance
   * collection is `${kim.list(participantIds)}` (list variables cannot be set over REST).
   */
  participantIds: string;
  /** ISO 8601 duration: the reminder goes out this long before the date (KIM_CONFERENCE_REMINDER_BEFORE). */
  reminderBefore: string;
}

export interface ConferenceVariables extends ConferenceStartVariables {
  /** Per consent instance (local): the consent covers the agency. */
  participantId?: string;
  consentCovers?: boolean;
  /** Set by kim.save-conference-plan: date of the conference (ISO, UTC). */
  conferenceAt?: string;
  /** Local to Event_ReminderDue: conferenceAt − reminderBefore (ISO, UTC), computed in the model. */
  reminderAt?: string;
  /** Set by kim.record-conference-protocol: Agreement ids, comma-separated (`${kim.list(agreementIds)}`). */
  agreementIds?: string;
  hasSystemGaps?: boolean;
  /** Per agreement instance (local; also local on the execution waiting at Gateway_AwaitAgency). */
  agreementId?: string;
  responsible?: Responsible;
  /** ISO date-time (UTC) at which the agreement is overdue. */
  agreementDueAt?: string;
  eskalationErgebnis?: (typeof ESCALATION)[keyof typeof ESCALATION];
}

/**
 * Form fields whose free text lives in the app database only. The inbox keeps them out of the
 * engine (PROTECTED_INPUT); the workers still clear them with null so instances started before that
 * rule lose them too.
 */
export const PLAN_TEXT_FIELDS = ['ort', 'videoLink', 'tagesordnung', 'dolmetschSprache', 'termin', 'dauerMinuten', 'dolmetschBedarf'] as const;
export const PROTOCOL_TEXT_FIELDS = ['lage', 'anwesend', 'vereinbarungen', 'systemluecken'] as const;

/**
 * Form input kept in the app database (TaskSubmission) instead of process variables: the inbox
 * stores these fields of a completed task, kim.save-conference-plan and
 * kim.record-conference-protocol read them from there. Element id of the user task → form fields.
 */
export const PROTECTED_INPUT: Readonly<Record<string, readonly string[]>> = {
  [ELEMENT.planConference]: PLAN_TEXT_FIELDS,
  [ELEMENT.recordConference]: PROTOCOL_TEXT_FIELDS,
};
