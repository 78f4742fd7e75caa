/** Shared fixtures of the API tests: one complete case per site (client, consent, referral, conference, note, document). */
import crypto from 'node:crypto';
import type { Stack } from '../../server/stack';

export interface CaseFixture {
  siteId: string;
  kommuneId: string;
  clientId: string;
  caseId: string;
  consentId: string;
  referralId: string;
  conferenceId: string;
  noteId: string;
  documentId: string;
  organisationId: string;
}

export async function caseFixture(stack: Stack, siteId: string): Promise<CaseFixture> {
  const db = stack.db;
  const site = await db.site.findUniqueOrThrow({ where: { id: siteId } });
  const kommuneId = site.kommuneId;
  const cm = await db.user.findFirst({ where: { siteId, role: 'case_manager' } });
  const org = await db.organisation.findFirstOrThrow({ where: { kommuneId, type: 'Jobcenter' } });
  const tag = crypto.randomBytes(3).toString('hex');
  const client = await db.client.create({ data: { kommuneId, siteId, pseudonym: `T-${tag}`, firstName: 'Test', lastName: `Person ${tag}`, languages: ['Arabisch'] } });
  const kase = await db.case.create({ data: { reference: `T-${tag}`, clientId: client.id, kommuneId, siteId, phase: 'Umsetzung', caseManagerId: cm?.id ?? null } });
  const consent = await db.consent.create({
    data: { caseId: kase.id, recipients: [org.id], dataCategories: ['Stammdaten'], purposes: ['Vermittlung'], validFrom: new Date('2026-01-01T00:00:00Z') },
  });
  const referral = await db.referral.create({ data: { caseId: kase.id, organisationId: org.id, lifeArea: 'Arbeit', purpose: 'Arbeitsvermittlung' } });
  const conference = await db.conference.create({ data: { caseId: kase.id, title: 'Fallkonferenz', scheduledAt: new Date('2030-01-01T10:00:00Z') } });
  const note = await db.note.create({ data: { caseId: kase.id, authorId: cm?.id ?? null, text: 'Notiz' } });
  const document = await db.document.create({ data: { caseId: kase.id, title: 'Pass', kind: 'Ausweis', fileName: 'pass.pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF') } });
  return {
    siteId,
    kommuneId,
    clientId: client.id,
    caseId: kase.id,
    consentId: consent.id,
    referralId: referral.id,
    conferenceId: conference.id,
    noteId: note.id,
    documentId: document.id,
    organisationId: org.id,
  };
}

/** A user task routed to a group and linked to a case (what gives ABH/EBH access). */
export async function taskFor(stack: Stack, caseId: string, group: string, kommuneId = 'duisburg') {
  const id = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
  return stack.db.task.create({
    data: {
      id,
      processInstanceKey: id,
      processDefinitionKey: '1',
      processDefinitionId: 'kim-test-permissions',
      processVersion: 1,
      elementId: 'Task_PreCheckFile',
      name: 'Akte vorprüfen',
      candidateGroups: [group],
      caseId,
      kommuneId,
    },
  });
}

export const q = (o: Record<string, unknown>) => encodeURIComponent(JSON.stringify(o));
