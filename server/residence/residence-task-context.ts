/**
 * What the kim-bleiberecht tasks show, no more than the step needs (read from the ResidencePath row
 * of the task's instance, never from process variables):
 * - ABH "Aufenthaltsdaten bestätigen oder korrigieren": the residence facts as reported, prefilled,
 *   confirmed with one action; nothing of the support plan or notes;
 * - ABH "Entscheidung erfassen": the paragraph applied for and the pre-check;
 * - case manager: the pre-check in German words, the dates, the decision to pass on.
 */
import {
  AUFENTHALTSSTATUS_DE,
  CODE_25A_DE,
  CODE_25B_DE,
  DECISION_DE,
  ELEMENTS as E,
  PARAGRAPH_DE,
  PROCESS_ID,
  RESIDENCE_CHECK,
  labelOf,
} from '../../processes/kim-bleiberecht/contract';
import { deDate, facts, yesNo, type StepContext, type StepProvider } from '../inbox/step-context';

const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

export const bleiberechtStep: StepProvider = async (db, input) => {
  const { task, actor } = input;
  if (task.processDefinitionId !== PROCESS_ID) return null;
  const r = await db.residencePath.findFirst({ where: { processInstanceKey: task.processInstanceKey, kommuneId: task.kommuneId ?? '__none__' } });
  if (!r) return null;
  if (actor.role === 'case_manager' && !input.caseVisible) return null;
  if (actor.role !== 'case_manager' && actor.role !== 'abh') return null;

  const residence = facts([
    ['Aufenthaltsstatus', labelOf(AUFENTHALTSSTATUS_DE, r.residenceStatus)],
    ['Ununterbrochener Aufenthalt seit', deDate(r.residenceSince)],
    ['Geduldet seit', r.toleratedSince ? deDate(r.toleratedSince) : null],
    ['Tage mit Duldung nach § 60b', r.nonCountingDays ? String(r.nonCountingDays) : null],
    ['Duldung gültig bis', r.toleranceUntil ? deDate(r.toleranceUntil) : null],
    ['Aufenthaltserlaubnis gültig bis', r.permitUntil ? deDate(r.permitUntil) : null],
    ['Pass gültig bis', r.passportUntil ? deDate(r.passportUntil) : null],
    ['Eingereist am', r.entryDate ? deDate(r.entryDate) : null],
  ]);
  const missing = (codes: string[], labels: Record<string, string>) => (codes.length ? codes.map((c) => labelOf(labels, c)).join('; ') : null);
  const preCheck = facts([
    ['§ 25a', r.met25a == null ? 'noch nicht geprüft' : r.met25a ? 'erfüllt' : 'nicht erfüllt'],
    ['§ 25a – fehlt', missing(r.missing25a, CODE_25A_DE)],
    ['§ 25a – zeitlich erfüllt ab', r.earliest25a ? deDate(r.earliest25a) : null],
    ['§ 25a – Antrag spätestens am', r.latest25a ? deDate(r.latest25a) : null],
    ['§ 25b', r.met25b == null ? 'noch nicht geprüft' : r.met25b ? 'erfüllt' : 'nicht erfüllt'],
    ['§ 25b – fehlt', missing(r.missing25b, CODE_25B_DE)],
    ['§ 25b – zeitlich erfüllt ab', r.earliest25b ? deDate(r.earliest25b) : null],
  ]);
  const out: Partial<StepContext> = { title: 'Bleiberecht' };
  switch (task.elementId) {
    case E.confirmFacts: {
      if (actor.role !== 'abh') return null;
      out.title = 'Aufenthaltsdaten laut Angaben der Person';
      out.facts = residence;
      out.data = {
        aufenthaltsstatus: r.residenceStatus,
        aufenthaltSeit: isoDay(r.residenceSince),
        duldungSeit: isoDay(r.toleratedSince),
        nichtAnrechenbareTage: r.nonCountingDays,
        duldungBis: isoDay(r.toleranceUntil),
        aufenthaltserlaubnisBis: isoDay(r.permitUntil),
        passBis: isoDay(r.passportUntil),
        einreiseAm: isoDay(r.entryDate),
        beschaeftigungsduldungSeit: isoDay(r.employmentToleranceSince),
        aufenthaltsstatusText: labelOf(AUFENTHALTSSTATUS_DE, r.residenceStatus),
        aufenthaltSeitText: deDate(r.residenceSince),
        duldungSeitText: r.toleratedSince ? deDate(r.toleratedSince) : 'nicht angegeben',
        duldungBisText: r.toleranceUntil ? deDate(r.toleranceUntil) : 'nicht angegeben',
        passBisText: r.passportUntil ? deDate(r.passportUntil) : 'nicht angegeben',
      };
      out.action = r.residenceStatus ? { label: 'Daten bestätigen', variables: { aufenthaltPruefung: RESIDENCE_CHECK.confirmed } } : null;
      return out;
    }
    case E.recordDecision: {
      if (actor.role !== 'abh') return null;
      out.title = 'Grundlage der Entscheidung';
      out.facts = [...facts([['Antrag nach', r.applicationFor ? labelOf(PARAGRAPH_DE, r.applicationFor) : null], ['Antrag übergeben am', r.submittedAt ? deDate(r.submittedAt) : null]]), ...preCheck];
      out.data = { antragNachText: r.applicationFor ? labelOf(PARAGRAPH_DE, r.applicationFor) : '' };
      return out;
    }
    case E.discussPreCheck:
    case E.prepareApplication:
    case E.remind: {
      if (actor.role !== 'case_manager') return null;
      out.title = 'Ergebnis der Vorprüfung';
      out.facts = [...preCheck, ...facts([['Aufenthaltsdaten bestätigt', r.confirmedAt ? `durch die Ausländerbehörde${r.corrected ? ' (korrigiert)' : ''}` : 'noch nicht'], ['Identitätstäuschung festgestellt', r.confirmedAt ? yesNo(r.identityDeception) : null]])];
      return out;
    }
    case E.informClient: {
      if (actor.role !== 'case_manager') return null;
      const decision = labelOf(DECISION_DE, r.decision);
      out.title = 'Entscheidung der Ausländerbehörde';
      out.facts = facts([['Entscheidung', decision], ['Antrag nach', r.applicationFor ? labelOf(PARAGRAPH_DE, r.applicationFor) : null], ['Datum der Entscheidung', r.decisionDate ? deDate(r.decisionDate) : null]]);
      out.data = { entscheidungText: decision };
      return out;
    }
    default:
      return null;
  }
};
