/**
 * Registry of all workers: one job type per file. The contract test checks that every job type used
 * in a model under processes/ has a worker here and every worker's type is used by some model.
 */
import type { WorkerDeps } from './deps';
import { INBOX_SYNC, inboxSync } from './kim.inbox-sync';
import type { WorkerDefinition } from './runtime';

export const workers: Array<WorkerDefinition<WorkerDeps> & { name: string }> = [{ name: INBOX_SYNC, ...inboxSync }];

/** Job types the engine creates itself (not drawn as taskDefinition in models). */
export const ENGINE_JOB_TYPES = new Set([inboxSync.type]);

// kim-referral (issue 4)
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

// kim-intake and kim-case (issue 4)
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

// kim-einbuergerung (issue 5)
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

// kim-fallkonferenz (issue 5)
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
