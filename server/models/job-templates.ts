/**
 * Element templates for the modeler: one Camunda 7 element template per external-task
 * topic of the worker registry, so a coordinator picks "Vermittlung senden" from a list instead of
 * typing kim.send-referral. Applied to a service task, a template fixes `camunda:type="external"` and
 * `camunda:topic`. The German names live here; a topic without one is named after a task that uses it
 * in a deployed model, else after the topic itself.
 */
/** German names of the external-task topics (the template names in the modeler). */
export const JOB_TYPE_NAMES: Record<string, string> = {
  'kim.check-conference-consent': 'Einwilligungen zur Fallkonferenz prüfen',
  'kim.check-existing-support': 'Doppelförderung prüfen',
  'kim.check-referral-consent': 'Einwilligung zur Vermittlung prüfen',
  'kim.check-referral-partner': 'Partner der Vermittlung prüfen',
  'kim.close-case': 'Fall abschließen',
  'kim.create-conference-protocol': 'Protokoll der Fallkonferenz erstellen',
  'kim.create-language-course-referral': 'Vermittlung Sprachkurs anlegen',
  'kim.create-referral': 'Vermittlung anlegen',
  'kim.hand-over-naturalisation': 'An die Einbürgerungsbehörde übergeben',
  'kim.open-case': 'Fall eröffnen',
  'kim.record-agreement-status': 'Stand der Vereinbarung festhalten',
  'kim.record-client-informed': 'Information der Person festhalten',
  'kim.record-conference-protocol': 'Protokoll der Fallkonferenz speichern',
  'kim.record-consent-refusal': 'Ablehnung der Einwilligung festhalten',
  'kim.record-consent': 'Einwilligung festhalten',
  'kim.record-ebh-precheck': 'Vorprüfung der Einbürgerungsbehörde festhalten',
  'kim.record-first-contact': 'Erstkontakt festhalten',
  'kim.record-naturalisation-decision': 'Einbürgerungsentscheidung festhalten',
  'kim.record-naturalisation-precheck': 'Einbürgerungs-Vorprüfung festhalten',
  'kim.record-referral-outcome': 'Ergebnis der Vermittlung festhalten',
  'kim.record-residence-facts': 'Aufenthaltsdaten festhalten',
  'kim.record-statistics': 'Statistik erfassen',
  'kim.record-test-registration': 'Testanmeldung festhalten',
  'kim.report-system-gap': 'Systemlücke melden',
  'kim.save-conference-plan': 'Planung der Fallkonferenz speichern',
  'kim.save-document-checklist': 'Dokumenten-Checkliste speichern',
  'kim.save-naturalisation-requirements': 'Einbürgerungsvoraussetzungen speichern',
  'kim.save-support-plan': 'Förderplan speichern',
  'kim.send-conference-invitations': 'Einladungen zur Fallkonferenz senden',
  'kim.send-conference-protocol': 'Protokoll der Fallkonferenz senden',
  'kim.send-conference-reminder': 'Erinnerung zur Fallkonferenz senden',
  'kim.send-referral': 'Vermittlung senden',
  'kim.track-agreement': 'Vereinbarung nachhalten',
};

export interface ElementTemplate {
  $schema: string;
  name: string;
  id: string;
  description: string;
  version: number;
  appliesTo: string[];
  category: { id: string; name: string };
  properties: unknown[];
}

/** JSON schema of Camunda 7 element templates (the modeler validates against it). */
export const ELEMENT_TEMPLATE_SCHEMA = 'https://unpkg.com/@camunda/element-templates-json-schema/resources/schema.json';

/** One template per topic: a service task whose implementation (external) and topic are fixed (hidden fields). */
export function elementTemplates(topics: string[], fallbackNames: Record<string, string> = {}): ElementTemplate[] {
  return [...new Set(topics)].sort().map((topic) => ({
    $schema: ELEMENT_TEMPLATE_SCHEMA,
    name: JOB_TYPE_NAMES[topic] ?? fallbackNames[topic] ?? topic,
    id: `kim.template.${topic}`,
    description: `Automatischer Schritt (Topic ${topic}), erledigt vom Worker der Plattform`,
    version: 1,
    appliesTo: ['bpmn:ServiceTask'],
    category: { id: 'kim', name: 'KIM-Worker' },
    properties: [
      { type: 'Hidden', value: 'external', binding: { type: 'property', name: 'camunda:type' } },
      { type: 'Hidden', value: topic, binding: { type: 'property', name: 'camunda:topic' } },
    ],
  }));
}
