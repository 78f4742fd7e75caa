/**
 * Registry of all workers: one external-task topic per file. The contract test checks that every
 * topic used in a model under processes/ has a worker here and every worker's topic is used by some
 * model.
 */
import type { WorkerDeps } from './deps';
import type { WorkerDefinition } from './runtime';

export const workers: Array<WorkerDefinition<WorkerDeps> & { name: string }> = [];

/** Topics the engine serves without a model drawing them: none (user tasks are the engine's own). */
export const ENGINE_JOB_TYPES = new Set<string>();

// kim-referral
import { checkReferralConsent } from './kim.check-referral-consent';
import { checkReferralPartner } from './kim.check-referral-partner';
import { recordReferralOutcome } from './kim.record-referral-outcome';
import { reportSystemGap } from './kim.report-system-gap';
import { sendReferral } from './kim.send-referral';
workers.push(
  { name: checkReferralPartner.type, ...checkReferralPartner },
  { name: checkReferralConsent.type, ...checkReferralConsent },
  { name: sendReferral.type, ...sendReferral },
  { name: recordReferralOutcome.type, ...recordReferralOutcome },
  { name: reportSystemGap.type, ...reportSystemGap },
);

// kim-intake and kim-case
import { checkExistingSupport } from './kim.check-existing-support';
import { closeCase } from './kim.close-case';
import { createReferral } from './kim.create-referral';
import { openCase } from './kim.open-case';
import { recordConsent } from './kim.record-consent';
import { recordConsentRefusal } from './kim.record-consent-refusal';
import { recordFirstContact } from './kim.record-first-contact';
import { recordStatistics } from './kim.record-statistics';
import { saveSupportPlan } from './kim.save-support-plan';
workers.push(
  ...[recordFirstContact, recordConsent, recordConsentRefusal, checkExistingSupport, openCase, recordStatistics, closeCase, saveSupportPlan, createReferral].map((w) => ({ name: w.type, ...w })),
);

// kim-einbuergerung
import { createLanguageCourseReferral } from './kim.create-language-course-referral';
import { handOverNaturalisation } from './kim.hand-over-naturalisation';
import { recordClientInformed } from './kim.record-client-informed';
import { recordEbhPrecheck } from './kim.record-ebh-precheck';
import { recordNaturalisationDecision } from './kim.record-naturalisation-decision';
import { recordNaturalisationPrecheck } from './kim.record-naturalisation-precheck';
import { recordResidenceFacts } from './kim.record-residence-facts';
import { recordTestRegistration } from './kim.record-test-registration';
import { saveDocumentChecklist } from './kim.save-document-checklist';
import { saveNaturalisationRequirements } from './kim.save-naturalisation-requirements';
workers.push(
  ...[
    saveNaturalisationRequirements,
    recordResidenceFacts,
    recordNaturalisationPrecheck,
    createLanguageCourseReferral,
    recordTestRegistration,
    saveDocumentChecklist,
    handOverNaturalisation,
    recordEbhPrecheck,
    recordNaturalisationDecision,
    recordClientInformed,
  ].map((w) => ({ name: w.type, ...w })),
);

// kim-fallkonferenz
import { checkConferenceConsent } from './kim.check-conference-consent';
import { createConferenceProtocol } from './kim.create-conference-protocol';
import { recordAgreementStatus } from './kim.record-agreement-status';
import { recordConferenceProtocol } from './kim.record-conference-protocol';
import { saveConferencePlan } from './kim.save-conference-plan';
import { sendConferenceInvitations } from './kim.send-conference-invitations';
import { sendConferenceProtocol } from './kim.send-conference-protocol';
import { sendConferenceReminder } from './kim.send-conference-reminder';
import { trackAgreement } from './kim.track-agreement';
workers.push(
  ...[
    checkConferenceConsent,
    saveConferencePlan,
    sendConferenceInvitations,
    sendConferenceReminder,
    recordConferenceProtocol,
    createConferenceProtocol,
    sendConferenceProtocol,
    trackAgreement,
    recordAgreementStatus,
  ].map((w) => ({ name: w.type, ...w })),
);

// kim-bleiberecht
import { handOverResidenceApplication } from './kim.hand-over-residence-application';
import { recordResidenceClientInformed } from './kim.record-residence-client-informed';
import { recordResidenceDecision } from './kim.record-residence-decision';
import { recordResidencePathConfirmation } from './kim.record-residence-path-confirmation';
import { recordResidencePrecheck } from './kim.record-residence-precheck';
import { saveResidenceApplication } from './kim.save-residence-application';
import { saveResidencePathFacts } from './kim.save-residence-path-facts';
workers.push(
  ...[
    saveResidencePathFacts,
    recordResidencePathConfirmation,
    recordResidencePrecheck,
    saveResidenceApplication,
    handOverResidenceApplication,
    recordResidenceDecision,
    recordResidenceClientInformed,
  ].map((w) => ({ name: w.type, ...w })),
);

// kim-steuerung
import { assignSystemGap } from './kim.assign-system-gap';
import { closeSteeringTheme } from './kim.close-steering-theme';
import { notifySteeringClosure } from './kim.notify-steering-closure';
import { recordMeasureProgress } from './kim.record-measure-progress';
import { recordSteeringPriority } from './kim.record-steering-priority';
import { saveSteeringMeasure } from './kim.save-steering-measure';
import { startSteeringMeasure } from './kim.start-steering-measure';
workers.push(...[assignSystemGap, recordSteeringPriority, saveSteeringMeasure, startSteeringMeasure, recordMeasureProgress, closeSteeringTheme, notifySteeringClosure].map((w) => ({ name: w.type, ...w })));
