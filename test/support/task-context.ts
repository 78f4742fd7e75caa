/**
 * Shared by the task-context tests (API and browser): a Duisburg client who needs an interpreter,
 * a reachable partner offer with address, phone and e-mail, and the steps that bring the real models
 * to the tasks whose context is checked (referral without data, conference with two agencies,
 * naturalisation through ABH, completeness, EBH and decision). Everything goes through the
 * product's services and API.
 */
import { DEFAULT_DOCUMENTS, ELEMENTS as E } from '../../processes/kim-einbuergerung/contract';
import type { Actor } from '../../server/auth/policy';
import type { Stack } from '../../server/stack';
import { actorOf } from './processes';
import { type Session, until } from './stack';

export interface ContextCase {
  tag: string;
  caseId: string;
  clientId: string;
  lastName: string;
  org: { id: string; name: string; address: string; phone: string; email: string };
  org2: { id: string; name: string };
}

export async function contextCase(stack: Stack, label: string): Promise<ContextCase> {
  const tag = `${label}-${process.pid}-${Date.now()}`;
  const lastName = `Kontext${tag.replace(/\W/g, '')}`;
  const client = await stack.db.client.create({
    data: { kommuneId: 'duisburg', siteId: 'duisburg-nord', pseudonym: `P-CTX-${tag}`, firstName: 'Samira', lastName, languages: ['Arabisch', 'Französisch'], interpreterNeeded: true, birthDate: new Date('1990-04-02T00:00:00Z') },
  });
  const kase = await stack.db.case.create({ data: { reference: `DU-CTX-${tag}`, clientId: client.id, kommuneId: 'duisburg', siteId: 'duisburg-nord', phase: 'Umsetzung' } });
  const org = await stack.db.organisation.create({
    data: { kommuneId: 'duisburg', name: `Sprachschule Rhein ${tag}`, type: 'Sprachkurstraeger', email: `kurs-${tag}@partner.test`, phone: '0203 555 1234', address: 'Königstraße 1, 47051 Duisburg', contactPerson: 'Frau Demir' },
  });
  const org2 = await stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `Wohnungsamt ${tag}`, type: 'Sozialamt', email: `wohnen-${tag}@partner.test` } });
  return {
    tag,
    caseId: kase.id,
    clientId: client.id,
    lastName,
    org: { id: org.id, name: org.name, address: org.address!, phone: org.phone!, email: org.email! },
    org2: { id: org2.id, name: org2.name },
  };
}

export const openTaskOf = (stack: Stack, where: { caseId?: string; processInstanceKey?: string }, elementId: string, notIn: string[] = []) =>
  until(() => stack.db.task.findFirst({ where: { ...where, elementId, state: 'CREATED', id: { notIn } }, orderBy: { createdAt: 'asc' } }), `Aufgabe ${elementId}`, 60_000);

export async function completeVia(s: Session, taskId: string, variables: Record<string, unknown>) {
  const res = await s.post(`/api/tasks/${taskId}/complete?next=false`, { variables });
  if (res.status !== 200) throw new Error(`Abschluss ${taskId}: ${res.status} ${await res.text()}`);
}

/** A referral without a covering consent: the process stops at "Kontakt des Angebots an Klient*in geben". */
export async function referralWithoutData(stack: Stack, c: ContextCase) {
  const cm: Actor = await actorOf(stack, 'cm.duisburg');
  const r = await stack.services.referrals.startReferral(cm, { caseId: c.caseId, organisationId: c.org.id, lifeArea: 'Sprache', purpose: 'Integrationskurs mit Kinderbetreuung', reminderAfter: 'PT1H' });
  const task = await openTaskOf(stack, { processInstanceKey: r.processInstanceKey! }, 'Task_HandOverContact');
  return { referralId: r.id as string, task };
}

export const OCCASION = 'Drohender Wohnungsverlust – Abstimmung Sprachkurs und Wohnungsamt';

/** A conference with two agencies, neither covered by a consent: two consent tasks. */
export async function conferenceWithTwoAgencies(stack: Stack, cm: Session, c: ContextCase) {
  const res = await cm.post('/api/conferences/start', { caseId: c.caseId, anlass: OCCASION, agencies: [c.org.id, c.org2.id] });
  if (res.status !== 201) throw new Error(`Fallkonferenz: ${res.status} ${await res.text()}`);
  const conf = (await res.json()) as { id: string; processInstanceKey: string; participants: Array<{ id: string; organisationId: string; name: string }> };
  const first = await openTaskOf(stack, { processInstanceKey: conf.processInstanceKey }, 'Task_ObtainConsent');
  const second = await openTaskOf(stack, { processInstanceKey: conf.processInstanceKey }, 'Task_ObtainConsent', [first.id]);
  return { conf, consentTasks: [first, second] };
}

export const REQUIREMENTS = {
  aufenthaltSeit: '2015-03-01',
  aufenthaltstitel: 'niederlassungserlaubnis',
  aufenthaltstitelGeeignet: true,
  sprachniveau: 'B2',
  einbuergerungstestBestanden: true,
  vollzeitMonateLetzte24: 24,
  bewaehrungsstrafeMonate: 0,
  verurteilungTagessaetze: 0,
  bekenntnisAbgegeben: true,
};

/** Starts the naturalisation and records the requirements: the ABH's task is next. */
export async function naturalisationAtAbh(stack: Stack, cm: Session, c: ContextCase) {
  const res = await cm.post('/api/einbuergerung/start', { caseId: c.caseId });
  if (res.status !== 201) throw new Error(`Einbürgerung: ${res.status} ${await res.text()}`);
  const { einbuergerungId } = (await res.json()) as { einbuergerungId: string };
  await completeVia(cm, (await openTaskOf(stack, { caseId: c.caseId }, E.recordRequirements)).id, REQUIREMENTS);
  return { einbuergerungId, abhTask: await openTaskOf(stack, { caseId: c.caseId }, E.confirmResidence) };
}

/** The checklist with everything complete but the passport (missing). */
export const ALL_BUT_PASSPORT = DEFAULT_DOCUMENTS.map((art) => ({ art, status: art === 'reisepass' ? 'fehlt' : 'vollstaendig' }));
export const ALL_COMPLETE = DEFAULT_DOCUMENTS.map((art) => ({ art, status: 'vollstaendig' }));
