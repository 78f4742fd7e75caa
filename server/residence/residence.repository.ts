/**
 * Data access of the residence path (kim-bleiberecht): the ResidencePath row of a case, its tracked
 * deadlines and the job keys of the workers that changed it. Worker writes run under a row lock
 * (SELECT … FOR UPDATE) and check the job key first, so a job delivered twice has one side effect.
 */
import type { Prisma } from '../../generated/prisma/client';
import { writeProcessAudit, type AuditFact, type Tx } from '../cases/case-process.repository';
import type { Db } from '../db/prisma';

export type ResidencePathRow = Prisma.ResidencePathGetPayload<object>;
export interface DeadlineRow {
  kind: string;
  date: Date;
  remindAt: Date;
}

export class ResidenceRepository {
  constructor(readonly db: Db) {}

  getCase(id: string) {
    return this.db.case.findUnique({ where: { id }, select: { id: true, kommuneId: true, siteId: true, clientId: true, closedAt: true, reference: true, caseManagerId: true } });
  }

  birthDateOfCase(caseId: string) {
    return this.db.case.findUnique({ where: { id: caseId }, select: { client: { select: { birthDate: true } } } }).then((c) => c?.client.birthDate ?? null);
  }

  get(id: string) {
    return this.db.residencePath.findUnique({ where: { id } });
  }

  byProcessInstance(processInstanceKey: string, kommuneId: string) {
    return this.db.residencePath.findFirst({ where: { processInstanceKey, kommuneId } });
  }

  latestOfCase(caseId: string) {
    return this.db.residencePath.findFirst({ where: { caseId }, orderBy: { createdAt: 'desc' } });
  }

  openOfCase(caseId: string) {
    return this.db.residencePath.findFirst({ where: { caseId, status: { not: 'abgeschlossen' } } });
  }

  create(data: Prisma.ResidencePathUncheckedCreateInput) {
    return this.db.residencePath.create({ data });
  }

  remove(id: string) {
    return this.db.residencePath.delete({ where: { id } });
  }

  setProcessInstance(id: string, processInstanceKey: string) {
    return this.db.residencePath.update({ where: { id }, data: { processInstanceKey } });
  }

  /** Runs fn once per job key under the row lock; a repeated job key runs nothing. Null when the row does not exist. */
  async once(id: string, jobKey: string, kind: string, fn: (tx: Tx, r: { id: string; caseId: string; kommuneId: string }) => Promise<void>): Promise<ResidencePathRow | null> {
    const found = await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<Array<{ id: string; caseId: string; kommuneId: string }>>`
        SELECT "id"::text AS "id", "caseId"::text AS "caseId", "kommuneId" FROM "ResidencePath" WHERE "id" = ${id}::uuid FOR UPDATE`;
      if (!rows[0]) return false;
      if (await tx.residencePathStep.findUnique({ where: { jobKey } })) return true;
      await tx.residencePathStep.create({ data: { residencePathId: id, jobKey, kind } });
      await fn(tx, rows[0]);
      return true;
    });
    return found ? this.get(id) : null;
  }

  update(tx: Tx, id: string, data: Prisma.ResidencePathUncheckedUpdateInput) {
    return tx.residencePath.update({ where: { id }, data });
  }

  /** Replaces the tracked dates of a residence path: kinds no longer given disappear. */
  async replaceDeadlines(tx: Tx, r: { id: string; caseId: string; kommuneId: string }, deadlines: DeadlineRow[]) {
    await tx.residenceDeadline.deleteMany({ where: { residencePathId: r.id, kind: { notIn: deadlines.map((d) => d.kind) } } });
    for (const d of deadlines) {
      await tx.residenceDeadline.upsert({
        where: { residencePathId_kind: { residencePathId: r.id, kind: d.kind } },
        create: { residencePathId: r.id, caseId: r.caseId, kommuneId: r.kommuneId, kind: d.kind, date: d.date, remindAt: d.remindAt },
        update: { date: d.date, remindAt: d.remindAt },
      });
    }
  }

  deadlinesOfCase(caseId: string, kinds?: readonly string[]) {
    return this.db.residenceDeadline.findMany({ where: { caseId, ...(kinds ? { kind: { in: [...kinds] } } : {}) }, orderBy: [{ date: 'asc' }, { kind: 'asc' }], select: { kind: true, date: true, remindAt: true } });
  }

  /** Deadlines between from and to (dates), of the commune, optionally of one case manager's cases and some kinds. */
  upcoming(kommuneId: string, from: Date, to: Date, opts: { caseIds?: string[]; kinds?: readonly string[] }) {
    return this.db.residenceDeadline.findMany({
      where: {
        kommuneId,
        date: { gte: from, lte: to },
        ...(opts.kinds ? { kind: { in: [...opts.kinds] } } : {}),
        ...(opts.caseIds ? { caseId: { in: opts.caseIds } } : {}),
      },
      orderBy: [{ date: 'asc' }, { kind: 'asc' }],
      select: { caseId: true, kind: true, date: true },
    });
  }

  /** Ids of the cases a case manager is responsible for. */
  async caseIdsOfManager(kommuneId: string, userId: string): Promise<string[]> {
    return (await this.db.case.findMany({ where: { kommuneId, caseManagerId: userId }, select: { id: true } })).map((c) => c.id);
  }

  references(caseIds: string[]) {
    return this.db.case.findMany({ where: { id: { in: caseIds } }, select: { id: true, reference: true } });
  }

  /**
   * One anonymised event for the state reporting (StatisticsEvent: commune, kind, month – no person
   * or case id); the job key makes a repeated job count once. The statistics aggregate and suppress.
   */
  statisticsEvent(tx: Tx, kommuneId: string, kind: string, jobKey: string) {
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    return tx.statisticsEvent.createMany({ data: [{ kommuneId, kind, lifeArea: 'Aufenthalt', month, jobKey }], skipDuplicates: true });
  }

  audit(tx: Tx | Db, f: AuditFact) {
    return writeProcessAudit(tx, f);
  }
}
