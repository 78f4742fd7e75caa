/**
 * What the kim-einbuergerung tasks show, step by step and no more than the step needs:
 * - ABH "Aufenthaltsdaten bestätigen oder korrigieren": the residence facts the product holds,
 *   prefilled, confirmed with one action ("Daten bestätigen"); only a difference is typed;
 * - EBH "Antrag vorprüfen": the pre-check result, the confirmed residence facts, the checklist;
 *   EBH "Entscheidung erfassen": pre-check and when the application was accepted;
 * - case manager: the required documents (prefilled checklist), what is missing or requested, the
 *   decision to pass on to the client, the earliest application date.
 * All read from the Naturalisation row of the task's process instance (never from process variables).
 */
import {
  CODE_DE,
  DECISION_DE,
  DOCUMENT_KIND_DE,
  DOCUMENT_STATUS_DE,
  ELEMENTS as E,
  PROCESS_ID,
  RESIDENCE_CHECK,
  RESIDENCE_TITLE_DE,
  labelOf,
  type Voraussetzung,
} from '../../processes/kim-einbuergerung/contract';
import { deDate, deDateTime, facts, yesNo, type StepContext, type StepProvider } from '../inbox/step-context';

const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

type Doc = { kind: string; status: string; requestedByEbh: boolean; dueDate: Date | null };
const docLine = (d: Doc) => `${labelOf(DOCUMENT_KIND_DE, d.kind)}: ${labelOf(DOCUMENT_STATUS_DE, d.status)}${d.requestedByEbh ? ` (von der Einbürgerungsbehörde nachgefordert${d.dueDate ? `, Frist ${deDate(d.dueDate)}` : ''})` : ''}`;
const missing = (d: Doc) => d.status !== 'vollstaendig';

export const einbuergerungStep: StepProvider = async (db, input) => {
  const { task, actor } = input;
  if (task.processDefinitionId !== PROCESS_ID) return null;
  const n = await db.naturalisation.findFirst({
    where: { processInstanceKey: task.processInstanceKey, kommuneId: task.kommuneId ?? '__none__' },
    include: { documents: { orderBy: { createdAt: 'asc' } } },
  });
  if (!n) return null;
  // Case managers need to be allowed into the case file; ABH and EBH get their step's data only.
  if (actor.role === 'case_manager' && !input.caseVisible) return null;
  if (actor.role === 'coordinator') return null;

  const residence = facts([
    ['Rechtmäßiger gewöhnlicher Aufenthalt seit', deDate(n.residenceSince)],
    ['Aufenthaltstitel', labelOf(RESIDENCE_TITLE_DE, n.residenceTitle)],
    ['Titel erlaubt dauerhaften Aufenthalt', yesNo(n.residenceTitleSuitable)],
  ]);
  const missingCodes = n.missingRequirements as Voraussetzung[];
  const preCheck = facts([
    ['Vorprüfung (§ 10 StAG)', n.eligible == null ? 'noch nicht erfolgt' : n.eligible ? 'alle Voraussetzungen erfüllt' : 'Voraussetzungen nicht vollständig erfüllt'],
    ['Fehlende Voraussetzungen', missingCodes.length ? missingCodes.map((c) => CODE_DE[c] ?? c).join('; ') : null],
    // Only while it matters: a requirement is still open.
    ['Frühester Antragstermin', n.eligible === false && n.earliestApplicationDate ? deDate(n.earliestApplicationDate) : null],
  ]);
  const checklist = (items: Doc[]) => items.map((d) => ({ art: d.kind, status: d.status }));
  const out: Partial<StepContext> = { title: 'Einbürgerung' };

  switch (task.elementId) {
    case E.confirmResidence: {
      if (actor.role !== 'abh') return null;
      out.title = 'Aufenthaltsdaten laut Fallakte';
      out.facts = residence;
      out.data = {
        aufenthaltSeit: isoDay(n.residenceSince),
        aufenthaltstitel: n.residenceTitle,
        aufenthaltstitelGeeignet: n.residenceTitleSuitable === true,
        aufenthaltSeitText: deDate(n.residenceSince),
        aufenthaltstitelText: labelOf(RESIDENCE_TITLE_DE, n.residenceTitle),
      };
      // Confirmed as held: the worker takes the stored facts (see recordResidence).
      out.action = n.residenceSince && n.residenceTitle ? { label: 'Daten bestätigen', variables: { aufenthaltPruefung: RESIDENCE_CHECK.confirmed } } : null;
      return out;
    }
    case E.ebhPreCheck: {
      if (actor.role !== 'ebh') return null;
      out.title = 'Grundlage der Vorprüfung';
      out.facts = [
        ...preCheck,
        ...residence,
        ...facts([
          ['Aufenthaltsdaten bestätigt', n.residenceConfirmedAt ? `${deDateTime(n.residenceConfirmedAt)} durch die Ausländerbehörde${n.residenceCorrected ? ' (korrigiert)' : ''}` : 'noch nicht bestätigt'],
        ]),
      ];
      out.lists = [{ title: 'Unterlagen-Checkliste', items: n.documents.map(docLine) }];
      const open = n.documents.filter(missing).map((d) => d.kind);
      out.data = open.length ? { nachgeforderteUnterlagen: open } : {};
      return out;
    }
    case E.recordDecision: {
      if (actor.role !== 'ebh') return null;
      out.title = 'Grundlage der Entscheidung';
      out.facts = [...preCheck, ...facts([['Antrag angenommen am', n.acceptedAt ? deDate(n.acceptedAt) : null]])];
      return out;
    }
    case E.prepareDocuments:
    case E.checkCompleteness:
    case E.supplyDocuments: {
      if (actor.role !== 'case_manager') return null;
      const supply = task.elementId === E.supplyDocuments;
      const docs = supply ? n.documents.filter(missing) : n.documents;
      out.title = 'Unterlagen';
      out.lists = [{ title: supply ? 'Fehlende oder nachgeforderte Unterlagen' : 'Erforderliche Unterlagen', items: docs.length ? docs.map(docLine) : ['Keine offenen Unterlagen.'] }];
      out.facts = facts([['Frist für die Nachreichung', n.documentsDueDate ? deDate(n.documentsDueDate) : null]]);
      // The checklist starts filled: only changes are typed.
      out.data = { dokumente: checklist(docs.length ? docs : n.documents), fehlendeUnterlagenText: docs.map((d) => labelOf(DOCUMENT_KIND_DE, d.kind)).join(', ') || 'keine' };
      return out;
    }
    case E.informClient: {
      if (actor.role !== 'case_manager') return null;
      const decision = labelOf(DECISION_DE, n.decision);
      out.title = 'Entscheidung der Einbürgerungsbehörde';
      out.facts = facts([
        ['Entscheidung', decision],
        ['Datum der Entscheidung', n.decisionDate ? deDate(n.decisionDate) : null],
      ]);
      out.data = { entscheidungText: decision, entscheidungsdatumText: n.decisionDate ? deDate(n.decisionDate) : '' };
      return out;
    }
    case E.resubmission: {
      if (actor.role !== 'case_manager') return null;
      out.facts = preCheck;
      return out;
    }
    default:
      return null;
  }
};
