/**
 * What the kim-fallkonferenz tasks show: the occasion typed when the conference was started, the
 * invited agencies (named, with or without the client's data), the agency a consent task is about
 * and the agreement a follow-up task is about (by the multi-instance ids participantId /
 * agreementId), the interpreter need of the person; and the option lists of the protocol form
 * (teilnehmerOptionen = invited agencies, zustaendigOptionen = KIM and the invited agencies).
 */
import type { Db } from '../db/prisma';
import { ELEMENT, PROCESS_ID, RESPONSIBLE } from '../../processes/kim-fallkonferenz/contract';
import { deDate, deDateTime, facts, type StepContext, type StepProvider } from '../inbox/step-context';

const RESPONSE_DE: Record<string, string> = { zugesagt: 'hat zugesagt', abgesagt: 'hat abgesagt', accepted: 'hat zugesagt', declined: 'hat abgesagt' };

/** The interpreter need of the case's client as a German note and the language to prefill. */
export async function interpreterNeed(db: Db, caseId: string): Promise<{ hint: string; language: string } | null> {
  const c = await db.case.findUnique({ where: { id: caseId }, select: { client: { select: { interpreterNeeded: true, languages: true } } } });
  if (!c?.client.interpreterNeeded) return null;
  const langs = c.client.languages.filter(Boolean);
  return {
    hint: `Die Person braucht eine Dolmetscherin / einen Dolmetscher${langs.length ? ` (Sprachen: ${langs.join(', ')})` : ''}.`,
    language: langs[0] ?? '',
  };
}

export const conferenceStep: StepProvider = async (db, input) => {
  const { task, actor } = input;
  if (task.processDefinitionId !== PROCESS_ID) return null;
  const conf = await db.conference.findFirst({
    where: { processInstanceKey: task.processInstanceKey, case: { kommuneId: task.kommuneId ?? '__none__' } },
    include: { participants: { orderBy: { name: 'asc' } } },
  });
  if (!conf) return null;
  const personal = actor.role === 'case_manager' && input.caseVisible;
  const agencies = conf.participants.map((p) => `${p.name}${p.consentCheckedAt ? (p.withData ? ' – mit Einwilligung (Daten dürfen geteilt werden)' : ' – ohne Einwilligung (nimmt ohne Daten teil)') : ''}${p.response ? ` – ${RESPONSE_DE[p.response] ?? p.response}` : ''}`);
  const out: Partial<StepContext> & { facts: StepContext['facts']; lists: StepContext['lists']; hints: string[]; data: Record<string, unknown> } = {
    title: 'Fallkonferenz',
    facts: facts([
      ['Anlass', personal ? conf.occasion : null],
      ['Termin', conf.scheduledAt ? deDateTime(conf.scheduledAt) : null],
      ['Ort', personal ? conf.location : null],
      ['Videolink', personal ? conf.videoLink : null],
    ]),
    lists: [],
    hints: [],
    data: {},
  };
  if (personal && conf.occasion) out.data.anlass = conf.occasion;

  switch (task.elementId) {
    case ELEMENT.obtainConsent: {
      const pid = await input.idVariable('participantId');
      const p = conf.participants.find((x) => x.id === pid);
      if (p) {
        out.facts.unshift({ label: 'Stelle', value: p.name });
        if (p.email) out.facts.push({ label: 'E-Mail der Stelle', value: p.email });
        out.data.stelle = p.name;
      }
      break;
    }
    case ELEMENT.planConference:
    case ELEMENT.recordConference: {
      out.lists.push({ title: 'Eingeladene Stellen', items: agencies });
      if (personal) {
        const need = await interpreterNeed(db, conf.caseId);
        if (need) {
          out.hints.push(need.hint);
          if (task.elementId === ELEMENT.planConference) Object.assign(out.data, { dolmetschBedarf: true, dolmetschSprache: need.language });
        }
        if (conf.interpreter) out.facts.push({ label: 'Dolmetschung', value: conf.interpreter });
      }
      if (task.elementId === ELEMENT.recordConference) {
        const options = conf.participants.map((p) => ({ value: p.id, label: p.name }));
        out.data.teilnehmerOptionen = options;
        out.data.zustaendigOptionen = [{ value: RESPONSIBLE.kim, label: 'KIM (Case Management)' }, ...options];
        // Agencies that accepted are probably there; the case manager corrects it.
        const accepted = conf.participants.filter((p) => p.response === 'zugesagt' || p.response === 'accepted').map((p) => p.id);
        if (accepted.length) out.data.anwesend = accepted;
      }
      break;
    }
    case ELEMENT.confirmAgreement:
    case ELEMENT.escalateAgreement: {
      const aid = await input.idVariable('agreementId');
      const ag = aid ? await db.agreement.findFirst({ where: { id: aid, conferenceId: conf.id } }) : null;
      if (ag) {
        const org = ag.organisationId ? conf.participants.find((p) => p.organisationId === ag.organisationId) : null;
        out.facts.unshift(
          ...facts([
            ['Vereinbarte Maßnahme', personal ? ag.description : null],
            ['Zuständig', ag.responsible === RESPONSIBLE.kim ? 'KIM (Case Management)' : (org?.name ?? 'eingeladene Stelle')],
            ['Frist', deDate(ag.dueDate)],
          ]),
        );
        if (org) out.data.stelle = org.name;
      }
      break;
    }
    default:
      break;
  }
  return out;
};
