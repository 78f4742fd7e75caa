/**
 * kim-referral – Vermittlung an ein Angebot. Every id, external-task topic, message, error code, form
 * id and variable name of the model lives here once; workers, services and tests import them.
 */
export const PROCESS_ID = 'kim-referral';

/** External-task topics (`camunda:topic` of the service tasks). */
export const JOB = {
  checkPartner: 'kim.check-referral-partner',
  checkConsent: 'kim.check-referral-consent',
  sendReferral: 'kim.send-referral',
  recordOutcome: 'kim.record-referral-outcome',
  reportSystemGap: 'kim.report-system-gap',
} as const;

export const MSG = {
  accepted: 'Msg_ReferralAccepted',
  declined: 'Msg_ReferralDeclined',
  outcomeReported: 'Msg_ReferralOutcomeReported',
} as const;
export type ReferralMessage = (typeof MSG)[keyof typeof MSG];

/**
 * The variable each message is correlated by (the model names the message only). All three wait
 * in the process scope, so `referralId` is a process-level variable.
 */
export const CORRELATION = {
  [MSG.accepted]: { variable: 'referralId', local: false },
  [MSG.declined]: { variable: 'referralId', local: false },
  [MSG.outcomeReported]: { variable: 'referralId', local: false },
} as const;

export const ERR = {
  partnerUnreachable: 'Err_PartnerUnreachable',
  consentRevoked: 'Err_ConsentRevoked',
} as const;

export const FORM = {
  releaseReferral: 'release-referral',
  handOverContact: 'hand-over-contact',
  followUpReferral: 'follow-up-referral',
} as const;

export const ELEMENT = {
  start: 'StartEvent_ReferralRequested',
  checkPartner: 'Task_CheckPartner',
  partnerUnreachable: 'Event_PartnerUnreachable',
  reportSystemGap: 'Task_ReportSystemGap',
  endNoService: 'EndEvent_NoServiceReachable',
  checkConsent: 'Task_CheckConsent',
  consentCovers: 'Gateway_ConsentCovers',
  releaseReferral: 'Task_ReleaseReferral',
  handOverContact: 'Task_HandOverContact',
  joinSend: 'Gateway_JoinSend',
  sendReferral: 'Task_SendReferral',
  consentRevoked: 'Event_ConsentRevoked',
  recordStopped: 'Task_RecordStopped',
  endStopped: 'EndEvent_ReferralStopped',
  joinWait: 'Gateway_JoinWait',
  awaitAnswer: 'Gateway_AwaitAnswer',
  accepted: 'Event_ReferralAccepted',
  declined: 'Event_ReferralDeclined',
  reminderDue: 'Event_ReminderDue',
  followUp: 'Task_FollowUpPartner',
  followUpDecision: 'Gateway_FollowUpDecision',
  recordWithdrawn: 'Task_RecordWithdrawn',
  endWithdrawn: 'EndEvent_ReferralWithdrawn',
  recordAccepted: 'Task_RecordAccepted',
  outcomeReported: 'Event_OutcomeReported',
  recordCompleted: 'Task_RecordCompleted',
  endCompleted: 'EndEvent_ReferralCompleted',
  recordDeclined: 'Task_RecordDeclined',
  endDeclined: 'EndEvent_ReferralDeclined',
} as const;

/**
 * What kim.record-referral-outcome records, set per service task as the property `result`
 * (`camunda:properties`, the worker reads it from the task's properties; the task decides, the
 * variables carry no text).
 */
export const RESULT = {
  accepted: 'angenommen',
  declined: 'abgelehnt',
  completed: 'abgeschlossen',
  withdrawn: 'zurueckgezogen',
  stopped: 'gestoppt',
} as const;
export type ReferralResult = (typeof RESULT)[keyof typeof RESULT];
export const RESULT_HEADER = 'result';

/** Values of the follow-up form's decision. */
export const FOLLOW_UP = { wait: 'weiter_warten', withdraw: 'zurueckziehen' } as const;

/** Process variables: ids and gateway inputs only – never names, addresses or notes. */
export interface ReferralStartVariables {
  caseId: string;
  referralId: string;
  organisationId: string;
  kommuneId: string;
  /**
   * ISO 8601 duration until the reminder task (from KIM_REFERRAL_REMINDER_AFTER). Callers that pass
   * only the ids (call activities) leave it out; kim.check-referral-partner sets the default.
   */
  reminderAfter: string;
}

export interface ReferralVariables extends ReferralStartVariables {
  /** Set by kim.check-referral-consent: a valid consent covers partner and purpose. */
  withData?: boolean;
  consentId?: string | null;
  /** Set by the follow-up form. */
  nachfassenErgebnis?: (typeof FOLLOW_UP)[keyof typeof FOLLOW_UP];
}
