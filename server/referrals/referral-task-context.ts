/**
 * What the kim-referral tasks show: the partner offer (name, kind, address, phone, e-mail, contact
 * person), life area, purpose and the referral number the client gets – read from the Referral row of
 * the task's process instance. Also the option list of partner organisations for the forms that
 * start a referral (`partnerOrganisationen`).
 */
import type { Db } from '../db/prisma';
import { ELEMENT, PROCESS_ID } from '../../processes/kim-referral/contract';
import { facts, type StepInput, type StepProvider } from '../inbox/step-context';
import { ORGANISATION_TYPE_DE } from './organisation-types';
import { LIFE_AREA_DE, referralNumber } from './referral.service';

const STATUS_DE: Record<string, string> = {
  // "angelegt" is the row's state until the partner answers; the send time tells the rest.
  angelegt: 'noch nicht versendet',
  gesendet: 'gesendet, Antwort steht aus',
  angenommen: 'vom Angebot angenommen',
  abgelehnt: 'vom Angebot abgelehnt',
  abgeschlossen: 'abgeschlossen',
  abgebrochen: 'abgebrochen',
};

/** The commune's active partner organisations as form options (value = organisation id). */
export async function partnerOptions(db: Db, kommuneId: string) {
  const orgs = await db.organisation.findMany({ where: { kommuneId, active: true }, orderBy: { name: 'asc' }, select: { id: true, name: true, type: true } });
  return orgs.map((o) => ({ value: o.id, label: `${o.name} (${ORGANISATION_TYPE_DE[o.type] ?? o.type})` }));
}

/** The referral a kim-referral task belongs to, within the task's commune. */
function referralOfTask(db: Db, input: StepInput) {
  return db.referral.findFirst({
    where: { processInstanceKey: input.task.processInstanceKey, case: { kommuneId: input.task.kommuneId ?? '__none__' } },
    include: { organisation: true, case: { select: { reference: true } } },
  });
}

export const referralStep: StepProvider = async (db, input) => {
  if (input.task.processDefinitionId !== PROCESS_ID) return null;
  const r = await referralOfTask(db, input);
  if (!r) return null;
  const o = r.organisation;
  const number = referralNumber(r.id);
  const lifeArea = LIFE_AREA_DE[r.lifeArea] ?? r.lifeArea;
  // Coordinators review system gaps: the offer and the number, nothing about the person.
  const personal = input.actor.role === 'case_manager' && input.caseVisible;
  const offer = facts([
    ['Angebot', o.name],
    ['Art der Stelle', ORGANISATION_TYPE_DE[o.type] ?? o.type],
    ['Lebensbereich', lifeArea],
    ['Zweck', personal ? r.purpose : null],
    ['Vermittlungsnummer', number],
    ['Weitergabe von Daten', personal ? (r.withData ? 'mit Daten (Einwilligung liegt vor)' : 'ohne Daten (keine passende Einwilligung)') : null],
    ['Stand', r.status === 'angelegt' && r.sentAt ? STATUS_DE.gesendet : (STATUS_DE[r.status] ?? r.status)],
  ]);
  const contact = facts([
    ['Adresse', o.address],
    ['Telefon', o.phone],
    ['E-Mail', o.email],
    ['Ansprechperson', o.contactPerson],
  ]);
  const handOver = input.task.elementId === ELEMENT.handOverContact;
  return {
    title: 'Vermittlung',
    facts: [...offer, ...contact],
    lists: handOver ? [{ title: 'An die Klientin / den Klienten übergeben', items: [`Vermittlungsnummer: ${number}`, `${o.name}${contact.length ? ` – ${contact.map((c) => `${c.label}: ${c.value}`).join(', ')}` : ''}`] }] : [],
    hints: !contact.length ? ['Für dieses Angebot sind keine Kontaktdaten hinterlegt. Bitte klären Sie sie mit der Koordination.'] : [],
    // Display values for the form texts ({{angebot}} …); form-js submits only its fields.
    data: { angebot: o.name, vermittlungsnummer: number, lebensbereich: lifeArea, ...(personal ? { zweck: r.purpose } : {}) },
  };
};
