/**
 * Data access of the processes kim-intake and kim-case: clients and cases opened by an intake,
 * first-contact needs, consents, goals, referrals, statistics and closing. Every write that must
 * happen once per job runs under a row lock on its case (SELECT … FOR UPDATE) and checks the job
 * key first, so a job delivered twice – even concurrently – has one side effect.
 */
import { appendAudit } from '../audit/audit.repository';
import type { LifeArea, OrganisationType, Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

export type Tx = Prisma.TransactionClient;

export interface AuditFact {
  action: string;
  entity: string;
  entityId?: string;
  caseId?: string;
  kommuneId?: string | null;
  fields?: string[];
  reason?: string;
  username?: string | null;
  userId?: string | null;
  role?: string | null;
  requestId?: string;
}

/** An audit entry written by a process step (by default as the user "system:process"). */
export function writeProcessAudit(tx: Tx | Db, f: AuditFact): Promise<void> {
  return appendAudit(tx, { ...f, username: f.username ?? 'system:process' });
}

export class CaseProcessRepository {
  constructor(readonly db: Db) {}

  /** Runs fn in a transaction holding the case row lock; null when the case does not exist. */
  async withCase<T>(caseId: string, fn: (tx: Tx, c: { id: string; kommuneId: string; clientId: string; closedAt: Date | null }) => Promise<T>): Promise<T | null> {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string; kommuneId: string; clientId: string; closedAt: Date | null }>>`
        SELECT "id"::text AS "id", "kommuneId", "clientId"::text AS "clientId", "closedAt" FROM "Case" WHERE "id" = ${caseId}::uuid FOR UPDATE`;
      if (!rows[0]) return null;
      return fn(tx, rows[0]);
    });
  }

  audit(tx: Tx | Db, f: AuditFact) {
    return writeProcessAudit(tx, f);
  }

  findClient(id: string, kommuneId: string) {
    return this.db.client.findFirst({ where: { id, kommuneId } });
  }

  createClient(tx: Tx, data: Prisma.ClientUncheckedCreateInput) {
    return tx.client.create({ data });
  }

  createCase(tx: Tx, data: Prisma.CaseUncheckedCreateInput) {
    return tx.case.create({ data });
  }

  setProcessInstance(caseId: string, processInstanceKey: string) {
    return this.db.case.update({ where: { id: caseId }, data: { processInstanceKey } });
  }

  /** Removes a case (and a client created with it) whose process could not be started. */
  async removeUnstarted(caseId: string, clientId: string | null) {
    await this.db.$transaction(async (tx) => {
      await tx.case.delete({ where: { id: caseId } });
      if (clientId) await tx.client.delete({ where: { id: clientId } });
    });
  }

  getCase(id: string) {
    return this.db.case.findUnique({ where: { id } });
  }

  needsOf(tx: Tx | Db, caseId: string) {
    return tx.need.findMany({ where: { caseId }, select: { lifeArea: true } });
  }

  /** Needs named in the first contact: origin erstkontakt, recorded for the case manager who held it. */
  async createNeeds(tx: Tx, caseId: string, lifeAreas: LifeArea[]) {
    const c = await tx.case.findUnique({ where: { id: caseId }, select: { caseManagerId: true } });
    return tx.need.createMany({ data: lifeAreas.map((lifeArea) => ({ caseId, lifeArea, description: '', origin: 'erstkontakt', createdById: c?.caseManagerId ?? null })) });
  }

  updateCase(tx: Tx | Db, id: string, data: Prisma.CaseUncheckedUpdateInput) {
    return tx.case.update({ where: { id }, data });
  }

  updateClient(tx: Tx, id: string, data: Prisma.ClientUncheckedUpdateInput) {
    return tx.client.update({ where: { id }, data });
  }

  consentByJob(tx: Tx, jobKey: string) {
    return tx.consent.findUnique({ where: { jobKey } });
  }

  createConsent(tx: Tx, data: Prisma.ConsentUncheckedCreateInput) {
    return tx.consent.create({ data });
  }

  organisationIdsOfTypes(tx: Tx | Db, kommuneId: string, types: OrganisationType[]) {
    return tx.organisation.findMany({ where: { kommuneId, type: { in: types }, active: true }, select: { id: true } });
  }

  /** Of the given ids, those that are active organisations of the commune (consent recipients). */
  organisationsOfKommune(tx: Tx | Db, kommuneId: string, ids: string[]) {
    return tx.organisation.findMany({ where: { kommuneId, id: { in: ids }, active: true }, select: { id: true } });
  }

  findOrganisation(id: string, kommuneId: string) {
    return this.db.organisation.findFirst({ where: { id, kommuneId } });
  }

  /** Other open cases of the same person in the commune: same client, or same name and birth date. */
  async otherOpenCases(caseId: string, kommuneId: string, client: { id: string; firstName: string; lastName: string; birthDate: Date | null }) {
    const samePerson: Prisma.ClientWhereInput[] = [{ id: client.id }];
    if (client.birthDate) samePerson.push({ firstName: { equals: client.firstName, mode: 'insensitive' }, lastName: { equals: client.lastName, mode: 'insensitive' }, birthDate: client.birthDate });
    return this.db.case.count({ where: { kommuneId, closedAt: null, id: { not: caseId }, client: { OR: samePerson } } });
  }

  /** Referrals of the same client to MBE / JMD that were accepted and are not finished. */
  async activeCounselling(kommuneId: string, clientId: string) {
    const rows = await this.db.referral.findMany({
      where: { status: { in: ['gesendet', 'angenommen'] }, case: { kommuneId, clientId }, organisation: { type: { in: ['MBE', 'JMD'] } } },
      select: { organisation: { select: { type: true } } },
    });
    return rows.map((r) => r.organisation.type);
  }

  goalsByJob(tx: Tx, caseId: string, jobKey: string) {
    return tx.goal.count({ where: { caseId, jobKey } });
  }

  createGoals(tx: Tx, data: Prisma.GoalCreateManyInput[]) {
    return tx.goal.createMany({ data });
  }

  setGoalStatus(tx: Tx, caseId: string, status: 'erreicht' | 'nicht_erreicht') {
    return tx.goal.updateMany({ where: { caseId, status: { in: ['offen', 'laufend'] } }, data: { status } });
  }

  goalsByStatus(tx: Tx | Db, caseId: string) {
    return tx.goal.groupBy({ by: ['status'], where: { caseId }, _count: true });
  }

  referralByJob(jobKey: string) {
    return this.db.referral.findUnique({ where: { jobKey } });
  }

  createReferral(tx: Tx, data: Prisma.ReferralUncheckedCreateInput) {
    return tx.referral.create({ data });
  }

  /** Statistics rows keyed "<jobKey>:<n>": a second delivery of the job inserts nothing. */
  createStatistics(tx: Tx, rows: Prisma.StatisticsEventCreateManyInput[]) {
    return tx.statisticsEvent.createMany({ data: rows, skipDuplicates: true });
  }
}
