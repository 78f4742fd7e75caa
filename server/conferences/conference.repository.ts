/**
 * Prisma access for kim-fallkonferenz: the conference with its case, participants and agreements,
 * consents of the case, the conference's e-mail outbox (unique key per mail), the protocol's
 * agreements / system gaps and the protocol document. Row locks (FOR UPDATE) and unique keys make
 * the workers idempotent.
 */
import { appendAudit } from '../audit/audit.repository';
import type { Prisma } from '../../generated/prisma/client';
import { auditRow, AuditEntry } from '../audit/audit.service';
import type { Actor } from '../auth/policy';
import { queueOutboxOnce } from '../db/outbox';
import type { Db } from '../db/prisma';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'P2002';

export type Tx = Prisma.TransactionClient;

const CASE_SELECT = {
  id: true,
  reference: true,
  kommuneId: true,
  siteId: true,
  closedAt: true,
  kommune: { select: { name: true } },
  site: { select: { name: true } },
  client: { select: { firstName: true, lastName: true, birthDate: true } },
} as const;

export class ConferenceRepository {
  constructor(readonly db: Db) {}

  findCase(where: Prisma.CaseWhereInput) {
    return this.db.case.findFirst({ where, select: { id: true, kommuneId: true, siteId: true, closedAt: true } });
  }

  organisations(ids: string[]) {
    return this.db.organisation.findMany({ where: { id: { in: ids } } });
  }

  /** Creates the conference with one participant per organisation and its audit row. */
  createConference(a: Actor, data: Prisma.ConferenceUncheckedCreateInput, participants: Array<Omit<Prisma.ConferenceParticipantUncheckedCreateInput, 'conferenceId'>>, audit: Omit<AuditEntry, 'entityId'>) {
    return this.db.$transaction(async (tx) => {
      const c = await tx.conference.create({ data });
      for (const p of participants) await tx.conferenceParticipant.create({ data: { ...p, conferenceId: c.id } });
      await appendAudit(tx, auditRow(a, { ...audit, entityId: c.id }));
      return tx.conference.findUniqueOrThrow({ where: { id: c.id }, include: { participants: { orderBy: { name: 'asc' } } } });
    });
  }

  /** The conference with what the process needs of case, participants and agreements. */
  findWithContext(id: string, db: Db | Tx = this.db) {
    return db.conference.findUnique({
      where: { id },
      include: { case: { select: CASE_SELECT }, participants: { orderBy: { name: 'asc' } }, agreements: { orderBy: { position: 'asc' } } },
    });
  }

  findParticipant(id: string) {
    return this.db.conferenceParticipant.findUnique({ where: { id }, include: { conference: { include: { case: { select: CASE_SELECT } } } } });
  }

  findAgreement(id: string) {
    return this.db.agreement.findUnique({ where: { id }, include: { conference: { include: { case: { select: CASE_SELECT }, participants: true } } } });
  }

  organisation(id: string) {
    return this.db.organisation.findUnique({ where: { id } });
  }

  consentsOfCase(caseId: string) {
    return this.db.consent.findMany({ where: { caseId }, orderBy: [{ validFrom: 'desc' }, { createdAt: 'desc' }] });
  }

  findConsent(id: string) {
    return this.db.consent.findUnique({ where: { id } });
  }

  updateConference(id: string, data: Prisma.ConferenceUncheckedUpdateInput) {
    return this.db.conference.update({ where: { id }, data });
  }

  updateParticipant(id: string, data: Prisma.ConferenceParticipantUncheckedUpdateInput) {
    return this.db.conferenceParticipant.update({ where: { id }, data });
  }

  /**
   * The consent check's result with its audit row, written only when the participant still has the
   * consentCheckedAt the caller read (compare-and-set): of two concurrent deliveries one writes.
   */
  updateParticipantChecked(id: string, readCheckedAt: Date | null, data: Prisma.ConferenceParticipantUncheckedUpdateManyInput, audit: AuditEntry): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const r = await tx.conferenceParticipant.updateMany({ where: { id, consentCheckedAt: readCheckedAt }, data });
      if (r.count !== 1) return false;
      await appendAudit(tx, auditRow(null, audit));
      return true;
    });
  }

  /** Updates the participant only when it has no answer yet; false when it had one. */
  async answerParticipant(id: string, data: { response: string; responseReason: string | null }): Promise<boolean> {
    const r = await this.db.conferenceParticipant.updateMany({ where: { id, response: null }, data: { ...data, respondedAt: new Date() } });
    return r.count === 1;
  }

  updateAgreement(id: string, data: Prisma.AgreementUncheckedUpdateInput) {
    return this.db.agreement.update({ where: { id }, data });
  }

  /** Sets status "erledigt" once; false when the agreement was done already. */
  async markAgreementDone(id: string, doneBy: string): Promise<boolean> {
    const r = await this.db.agreement.updateMany({ where: { id, status: { not: 'erledigt' } }, data: { status: 'erledigt', doneAt: new Date(), doneBy } });
    return r.count === 1;
  }

  /**
   * Changes the agreement's status with its audit row only while its status is one of `from`
   * (compare-and-set): a job delivered twice, also concurrently, writes once. False when it was not.
   */
  setAgreementStatusOnce(id: string, from: Array<'offen' | 'erledigt' | 'ueberfaellig'>, data: Prisma.AgreementUncheckedUpdateManyInput, audit: AuditEntry): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const r = await tx.agreement.updateMany({ where: { id, status: { in: from } }, data });
      if (r.count !== 1) return false;
      await appendAudit(tx, auditRow(null, audit));
      return true;
    });
  }

  writeAudit(a: Actor | null, e: AuditEntry, db: Db | Tx = this.db) {
    return appendAudit(db, auditRow(a, e));
  }

  /** Runs `fn` with the conference row locked (FOR UPDATE): concurrent deliveries of one job wait. */
  withConferenceLock<T>(conferenceId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT "id" FROM "Conference" WHERE "id" = ${conferenceId}::uuid FOR UPDATE`;
        return fn(tx);
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }

  findDocument(id: string) {
    return this.db.document.findUnique({ where: { id } });
  }

  // --- outbox --------------------------------------------------------------------------------

  findOutbox(key: string) {
    return this.db.conferenceOutbox.findUnique({ where: { key } });
  }

  outboxOf(conferenceId: string) {
    return this.db.conferenceOutbox.findMany({ where: { conferenceId }, orderBy: { createdAt: 'asc' } });
  }

  /** The outbox row for `key`; created pending when missing. */
  async ensureOutbox(row: Prisma.ConferenceOutboxUncheckedCreateInput) {
    try {
      return await this.db.conferenceOutbox.upsert({ where: { key: row.key }, create: row, update: {} });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return (await this.findOutbox(row.key))!;
    }
  }

  /** Hands an outbox row to the mail outbox at most once (see queueOutboxOnce). */
  queueOnce(outboxId: string, queue: (tx: Tx) => Promise<void>, after?: (tx: Tx) => Promise<void>): Promise<{ sent: boolean }> {
    return queueOutboxOnce(this.db, 'ConferenceOutbox', outboxId, queue, after);
  }

  /** The system gaps a protocol reported (SystemGap rows, in protocol order). */
  async systemGapsOf(conferenceId: string) {
    const links = await this.db.conferenceGap.findMany({ where: { conferenceId }, orderBy: { position: 'asc' } });
    const rows = await this.db.systemGap.findMany({ where: { id: { in: links.map((l) => l.systemGapId) } } });
    return links.map((l) => rows.find((r) => r.id === l.systemGapId)!).filter(Boolean);
  }

  /**
   * Writes the protocol once (conference row locked; recordedAt marks it written): attendance,
   * agreements, SystemGap rows with their link, the situation. Returns the agreement ids and whether
   * system gaps were noted – the same on every call.
   */
  recordProtocolOnce(
    conferenceId: string,
    p: {
      attendance: Array<{ id: string; attended: boolean }>;
      agreements: Array<Omit<Prisma.AgreementUncheckedCreateInput, 'conferenceId'>>;
      gaps: Array<{ position: number; gap: Prisma.SystemGapUncheckedCreateInput }>;
      situation: string;
      audit: AuditEntry;
    },
  ): Promise<{ agreementIds: string[]; hasSystemGaps: boolean }> {
    return this.withConferenceLock(conferenceId, async (tx) => {
      const now = await tx.conference.findUniqueOrThrow({ where: { id: conferenceId } });
      if (!now.recordedAt) {
        for (const a of p.attendance) await tx.conferenceParticipant.update({ where: { id: a.id }, data: { attended: a.attended } });
        for (const a of p.agreements) await tx.agreement.create({ data: { ...a, conferenceId } });
        for (const g of p.gaps) {
          const row = await tx.systemGap.create({ data: g.gap });
          await tx.conferenceGap.create({ data: { conferenceId, position: g.position, systemGapId: row.id } });
        }
        await tx.conference.update({ where: { id: conferenceId }, data: { situation: p.situation, status: 'durchgefuehrt', recordedAt: new Date() } });
        await appendAudit(tx, auditRow(null, p.audit));
      }
      const ids = await tx.agreement.findMany({ where: { conferenceId }, orderBy: { position: 'asc' }, select: { id: true } });
      const gapCount = await tx.conferenceGap.count({ where: { conferenceId } });
      return { agreementIds: ids.map((x) => x.id), hasSystemGaps: gapCount > 0 };
    });
  }

  /** Stores the protocol document once (conference row locked); returns its id either way. */
  createProtocolDocumentOnce(conferenceId: string, doc: Prisma.DocumentUncheckedCreateInput, protocol: string, audit: Omit<AuditEntry, 'entityId'>): Promise<{ documentId: string; created: boolean }> {
    return this.withConferenceLock(conferenceId, async (tx) => {
      const now = await tx.conference.findUniqueOrThrow({ where: { id: conferenceId } });
      if (now.protocolDocumentId) return { documentId: now.protocolDocumentId, created: false };
      const d = await tx.document.create({ data: doc });
      await tx.conference.update({ where: { id: conferenceId }, data: { protocolDocumentId: d.id, protocol } });
      await appendAudit(tx, auditRow(null, { ...audit, entityId: d.id }));
      return { documentId: d.id, created: true };
    });
  }
}
