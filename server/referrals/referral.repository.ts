/**
 * Prisma access for the kim-referral process: the referral with what the process needs of its case,
 * partner and consents, the e-mail outbox and the referral's facts (ReferralEvent). The unique keys
 * (referralId, kind) of outbox and events make the workers idempotent.
 */
import { appendAudit } from '../audit/audit.repository';
import type { Prisma } from '../../generated/prisma/client';
import { auditRow, AuditEntry } from '../audit/audit.service';
import type { Actor } from '../auth/policy';
import { queueOutboxOnce } from '../db/outbox';
import type { Db } from '../db/prisma';

export type ReferralStatusName = 'angelegt' | 'gesendet' | 'angenommen' | 'abgelehnt' | 'abgeschlossen' | 'abgebrochen';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'P2002';

export class ReferralRepository {
  constructor(readonly db: Db) {}

  /** The referral with its case (tenant, site, reference), partner and client (for the partner page only). */
  findWithContext(id: string) {
    return this.db.referral.findUnique({
      where: { id },
      include: {
        organisation: true,
        consent: true,
        case: {
          select: {
            id: true,
            reference: true,
            kommuneId: true,
            siteId: true,
            kommune: { select: { name: true } },
            site: { select: { name: true } },
            client: { select: { firstName: true, lastName: true, birthDate: true, phone: true, email: true, languages: true, interpreterNeeded: true } },
          },
        },
      },
    });
  }

  findCase(where: Prisma.CaseWhereInput) {
    return this.db.case.findFirst({ where, select: { id: true, kommuneId: true, siteId: true, closedAt: true } });
  }

  findOrganisation(id: string) {
    return this.db.organisation.findUnique({ where: { id } });
  }

  consentsOfCase(caseId: string) {
    return this.db.consent.findMany({ where: { caseId }, orderBy: [{ validFrom: 'desc' }, { createdAt: 'desc' }] });
  }

  findConsent(id: string) {
    return this.db.consent.findUnique({ where: { id } });
  }

  async createReferral(a: Actor, data: Prisma.ReferralUncheckedCreateInput, audit: Omit<AuditEntry, 'entityId'>) {
    return this.db.$transaction(async (tx) => {
      const r = await tx.referral.create({ data });
      await appendAudit(tx, auditRow(a, { ...audit, entityId: r.id }));
      return r;
    });
  }

  update(id: string, data: Prisma.ReferralUncheckedUpdateInput) {
    return this.db.referral.update({ where: { id }, data });
  }

  writeAudit(a: Actor | null, e: AuditEntry) {
    return appendAudit(this.db, auditRow(a, e));
  }

  // --- facts ---------------------------------------------------------------------------------

  events(referralId: string) {
    return this.db.referralEvent.findMany({ where: { referralId }, orderBy: { createdAt: 'asc' } });
  }

  findEvent(referralId: string, kind: string) {
    return this.db.referralEvent.findUnique({ where: { referralId_kind: { referralId, kind } } });
  }

  /** Adds a fact once; false when it was there already. */
  async addEvent(referralId: string, kind: string, reason?: string | null): Promise<boolean> {
    try {
      await this.db.referralEvent.create({ data: { referralId, kind, reason: reason ?? null } });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  deleteEvent(referralId: string, kind: string) {
    return this.db.referralEvent.deleteMany({ where: { referralId, kind } });
  }

  /**
   * Creates the system gap for a referral once (fact "system-gap" and SystemGap row in one
   * transaction) and marks the referral as cancelled; returns the gap's id either way.
   */
  async reportSystemGapOnce(
    referralId: string,
    gap: Prisma.SystemGapUncheckedCreateInput,
    referral: Prisma.ReferralUncheckedUpdateInput,
    audit: AuditEntry,
  ): Promise<{ systemGapId: string; created: boolean }> {
    const existing = await this.findEvent(referralId, 'system-gap');
    if (existing?.systemGapId) return { systemGapId: existing.systemGapId, created: false };
    try {
      return await this.db.$transaction(async (tx) => {
        const ev = await tx.referralEvent.create({ data: { referralId, kind: 'system-gap', reason: gap.description } });
        const g = await tx.systemGap.create({ data: gap });
        await tx.referralEvent.update({ where: { id: ev.id }, data: { systemGapId: g.id } });
        await tx.referral.update({ where: { id: referralId }, data: referral });
        await appendAudit(tx, auditRow(null, { ...audit, reason: audit.reason }));
        return { systemGapId: g.id, created: true };
      });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const ev = await this.findEvent(referralId, 'system-gap');
      return { systemGapId: ev!.systemGapId!, created: false };
    }
  }

  // --- outbox --------------------------------------------------------------------------------

  findOutbox(referralId: string, kind: string) {
    return this.db.referralOutbox.findUnique({ where: { referralId_kind: { referralId, kind } } });
  }

  /** The outbox row for (referral, kind); created pending when missing. */
  async ensureOutbox(row: { referralId: string; kind: string; recipient: string; subject: string; body: string }) {
    try {
      return await this.db.referralOutbox.upsert({ where: { referralId_kind: { referralId: row.referralId, kind: row.kind } }, create: row, update: {} });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return (await this.findOutbox(row.referralId, row.kind))!;
    }
  }

  /** Hands an outbox row to the mail outbox at most once (see queueOutboxOnce). */
  queueOnce(outboxId: string, queue: (tx: Prisma.TransactionClient) => Promise<void>, after: (tx: Prisma.TransactionClient) => Promise<void>): Promise<{ sent: boolean }> {
    return queueOutboxOnce(this.db, 'ReferralOutbox', outboxId, queue, after);
  }
}
