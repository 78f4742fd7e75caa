/**
 * Data access of the process kim-einbuergerung: the Naturalisation row of a case, its document
 * checklist and the job keys of the workers that changed it. Every worker write runs under a row
 * lock on the naturalisation (SELECT … FOR UPDATE) and checks the job key first, so a job delivered
 * twice – even concurrently – has one side effect.
 */
import type { Prisma } from '../../generated/prisma/client';
import { writeProcessAudit, type AuditFact, type Tx } from '../cases/case-process.repository';
import type { Db } from '../db/prisma';

export type NaturalisationRow = Prisma.NaturalisationGetPayload<{ include: { documents: true } }>;

export class EinbuergerungRepository {
  constructor(readonly db: Db) {}

  getCase(id: string) {
    return this.db.case.findUnique({ where: { id }, select: { id: true, kommuneId: true, siteId: true, clientId: true, closedAt: true } });
  }

  get(id: string) {
    return this.db.naturalisation.findUnique({ where: { id }, include: { documents: { orderBy: { createdAt: 'asc' } } } });
  }

  latestOfCase(caseId: string) {
    return this.db.naturalisation.findFirst({ where: { caseId }, orderBy: { createdAt: 'desc' }, include: { documents: { orderBy: { createdAt: 'asc' } } } });
  }

  openOfCase(caseId: string) {
    return this.db.naturalisation.findFirst({ where: { caseId, status: { not: 'abgeschlossen' } } });
  }

  create(data: Prisma.NaturalisationUncheckedCreateInput) {
    return this.db.naturalisation.create({ data });
  }

  remove(id: string) {
    return this.db.naturalisation.delete({ where: { id } });
  }

  setProcessInstance(id: string, processInstanceKey: string) {
    return this.db.naturalisation.update({ where: { id }, data: { processInstanceKey } });
  }

  /**
   * Runs fn once per job key under the naturalisation's row lock; a repeated job key runs nothing.
   * Returns the row after the change (or as it is on a repeat); null when the row does not exist.
   */
  async once(id: string, jobKey: string, kind: string, fn: (tx: Tx, n: { id: string; caseId: string; kommuneId: string }) => Promise<void>): Promise<NaturalisationRow | null> {
    const found = await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string; caseId: string; kommuneId: string }>>`
        SELECT "id"::text AS "id", "caseId"::text AS "caseId", "kommuneId" FROM "Naturalisation" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (!rows[0]) return false;
      if (await tx.naturalisationStep.findUnique({ where: { jobKey } })) return true;
      await tx.naturalisationStep.create({ data: { naturalisationId: id, jobKey, kind } });
      await fn(tx, rows[0]);
      return true;
    });
    return found ? this.get(id) : null;
  }

  update(tx: Tx, id: string, data: Prisma.NaturalisationUncheckedUpdateInput) {
    return tx.naturalisation.update({ where: { id }, data });
  }

  upsertDocument(tx: Tx, naturalisationId: string, kind: string, data: { status?: string; requestedByEbh?: boolean; dueDate?: Date | null }) {
    return tx.naturalisationDocument.upsert({
      where: { naturalisationId_kind: { naturalisationId, kind } },
      create: { naturalisationId, kind, status: data.status ?? 'fehlt', requestedByEbh: data.requestedByEbh ?? false, dueDate: data.dueDate ?? null },
      update: data,
    });
  }

  /** Adds checklist rows that do not exist yet (status fehlt); existing rows keep their status. */
  addDocuments(tx: Tx, naturalisationId: string, kinds: readonly string[]) {
    return tx.naturalisationDocument.createMany({ data: kinds.map((kind) => ({ naturalisationId, kind })), skipDuplicates: true });
  }

  findOrganisationOfType(tx: Tx, kommuneId: string, type: 'Sprachkurstraeger') {
    return tx.organisation.findFirst({ where: { kommuneId, type, active: true }, orderBy: { name: 'asc' }, select: { id: true } });
  }

  createReferral(tx: Tx, data: Prisma.ReferralUncheckedCreateInput) {
    return tx.referral.create({ data });
  }

  /** Case ids of open tasks an ABH/EBH actor sees through its groups. */
  async taskCaseIds(kommuneId: string, username: string, groups: string[]): Promise<string[]> {
    const rows = await this.db.task.findMany({
      where: { state: 'CREATED', kommuneId, caseId: { not: null }, OR: [{ assignee: username }, { candidateUsers: { has: username } }, { candidateGroups: { hasSome: groups } }] },
      select: { caseId: true },
      distinct: ['caseId'],
    });
    return rows.map((r) => r.caseId as string);
  }

  audit(tx: Tx | Db, f: AuditFact) {
    return writeProcessAudit(tx, f);
  }
}
