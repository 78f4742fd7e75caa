/**
 * Data access of the retention job: which closed cases reached their deletion date, which engine
 * instances belong to a case (its own, referrals, conferences, naturalisation, residence path), and the deletion itself – one transaction per case that removes every
 * row the product wrote for it (rows without a foreign key explicitly, the rest by cascade), the
 * client when no other case refers to them, and writes the DeletionRecord plus an audit entry.
 */
import { appendAudit } from '../audit/audit.repository';
import type { Db } from '../db/prisma';

export interface DueCase {
  id: string;
  reference: string;
  kommuneId: string;
  clientId: string;
  deletionDate: Date;
}

export interface DeletionOutcome {
  clientDeleted: boolean;
  removed: Record<string, number>;
}

export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /** Closed cases whose deletion date is on or before `day` (oldest first). */
  due(day: Date, limit: number): Promise<DueCase[]> {
    return this.db.case.findMany({
      where: { closedAt: { not: null }, deletionDate: { lte: day } },
      select: { id: true, reference: true, kommuneId: true, clientId: true, deletionDate: true },
      orderBy: { deletionDate: 'asc' },
      take: limit,
    }) as Promise<DueCase[]>;
  }

  /** Every engine instance the product started or saw for the case. */
  async processInstanceKeys(caseId: string): Promise<string[]> {
    const [kase, referrals, conferences, naturalisations, residencePaths, tasks, submissions] = await Promise.all([
      this.db.case.findUnique({ where: { id: caseId }, select: { processInstanceKey: true } }),
      this.db.referral.findMany({ where: { caseId }, select: { processInstanceKey: true } }),
      this.db.conference.findMany({ where: { caseId }, select: { processInstanceKey: true } }),
      this.db.naturalisation.findMany({ where: { caseId }, select: { processInstanceKey: true } }),
      this.db.residencePath.findMany({ where: { caseId }, select: { processInstanceKey: true } }),
      this.db.task.findMany({ where: { caseId }, select: { processInstanceKey: true }, distinct: ['processInstanceKey'] }),
      this.db.taskSubmission.findMany({ where: { caseId }, select: { processInstanceKey: true }, distinct: ['processInstanceKey'] }),
    ]);
    const keys = [kase?.processInstanceKey, ...[...referrals, ...conferences, ...naturalisations, ...residencePaths, ...tasks, ...submissions].map((r) => r.processInstanceKey)];
    return [...new Set(keys.filter((k): k is string => typeof k === 'string' && k.length > 0))];
  }

  /** Deletes the case everywhere in the app database; null when it is gone or no longer due. */
  async deleteCase(c: DueCase, instanceKeys: string[], reason: string): Promise<DeletionOutcome | null> {
    return this.db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<Array<{ id: string }>>`
        SELECT "id"::text AS "id" FROM "Case" WHERE "id" = ${c.id}::uuid AND "closedAt" IS NOT NULL AND "deletionDate" <= ${c.deletionDate} FOR UPDATE`;
      if (!locked[0]) return null;
      const removed: Record<string, number> = {};
      const count = (name: string, r: { count: number }) => {
        if (r.count) removed[name] = (removed[name] ?? 0) + r.count;
      };
      const referralIds = (await tx.referral.findMany({ where: { caseId: c.id }, select: { id: true } })).map((r) => r.id);
      const conferenceIds = (await tx.conference.findMany({ where: { caseId: c.id }, select: { id: true } })).map((r) => r.id);
      const agreementIds = (await tx.agreement.findMany({ where: { conferenceId: { in: conferenceIds } }, select: { id: true } })).map((r) => r.id);
      const taskWhere = { OR: [{ caseId: c.id }, { processInstanceKey: { in: instanceKeys } }] };
      const taskIds = (await tx.task.findMany({ where: taskWhere, select: { id: true } })).map((t) => t.id);
      // Rows that refer to the case without a foreign key (tasks of called instances by their instance).
      count('TaskDraft', await tx.taskDraft.deleteMany({ where: { taskId: { in: taskIds } } }));
      count('Task', await tx.task.deleteMany({ where: taskWhere }));
      // Form input kept for tasks whose case link was not known when it was stored.
      count('TaskSubmission', await tx.taskSubmission.deleteMany({ where: { caseId: null, OR: [{ taskId: { in: taskIds } }, { processInstanceKey: { in: instanceKeys } }] } }));
      // Messages kept for the case's instances (or correlating on its ids): ids only, but they go too.
      const correlationValues = [c.id, ...referralIds, ...conferenceIds, ...agreementIds];
      count(
        'PendingMessage',
        await tx.pendingMessage.deleteMany({ where: { OR: [{ processInstanceKey: { in: instanceKeys } }, { correlationValue: { in: correlationValues } }] } }),
      );
      count('ReferralOutbox', await tx.referralOutbox.deleteMany({ where: { referralId: { in: referralIds } } }));
      count('ReferralEvent', await tx.referralEvent.deleteMany({ where: { referralId: { in: referralIds } } }));
      count('ConferenceOutbox', await tx.conferenceOutbox.deleteMany({ where: { conferenceId: { in: conferenceIds } } }));
      count('ConferenceGap', await tx.conferenceGap.deleteMany({ where: { conferenceId: { in: conferenceIds } } }));
      count('Naturalisation', await tx.naturalisation.deleteMany({ where: { caseId: c.id } }));
      // The residence path: its tracked deadlines, worker steps and the path itself (facts, the ABH's notes).
      const residencePathIds = (await tx.residencePath.findMany({ where: { caseId: c.id }, select: { id: true } })).map((r) => r.id);
      count('ResidenceDeadline', await tx.residenceDeadline.deleteMany({ where: { OR: [{ caseId: c.id }, { residencePathId: { in: residencePathIds } }] } }));
      count('ResidencePathStep', await tx.residencePathStep.deleteMany({ where: { residencePathId: { in: residencePathIds } } }));
      count('ResidencePath', await tx.residencePath.deleteMany({ where: { caseId: c.id } }));
      // The case and everything that hangs off it by cascade (needs, goals, consents, referrals,
      // conferences with participants and agreements, documents, notes, kept form input).
      for (const [name, n] of Object.entries({
        Need: await tx.need.count({ where: { caseId: c.id } }),
        Goal: await tx.goal.count({ where: { caseId: c.id } }),
        Consent: await tx.consent.count({ where: { caseId: c.id } }),
        Referral: referralIds.length,
        Conference: conferenceIds.length,
        Document: await tx.document.count({ where: { caseId: c.id } }),
        Note: await tx.note.count({ where: { caseId: c.id } }),
        TaskSubmission: await tx.taskSubmission.count({ where: { caseId: c.id } }),
      })) count(name, { count: n });
      await tx.case.delete({ where: { id: c.id } });
      removed.Case = 1;
      const others = await tx.case.count({ where: { clientId: c.clientId } });
      const clientDeleted = others === 0;
      if (clientDeleted) {
        await tx.client.delete({ where: { id: c.clientId } });
        removed.Client = 1;
      }
      await tx.deletionRecord.create({
        data: { caseId: c.id, reference: c.reference, kommuneId: c.kommuneId, deletionDate: c.deletionDate, clientDeleted, processInstanceKeys: instanceKeys, removed },
      });
      await appendAudit(tx, { action: 'cases.delete', entity: 'Case', entityId: c.id, caseId: c.id, kommuneId: c.kommuneId, username: 'system', role: 'system', fields: Object.keys(removed), reason });
      return { clientDeleted, removed };
    });
  }
}
