/**
 * Case verbs beyond CRUD: closing a case (outcome, retention period, anonymised statistics) and the
 * case's audit trail.
 */
import type { RecordRepository } from '../data/record.repository';
import { auditRow } from './audit.service';
import { conflict } from './errors';
import { Actor, assertCan } from './policy';
import { RecordsService, Row, toJson } from './records.service';

/** Years the file of a closed case is kept before its personal data is deleted. */
export const RETENTION_YEARS = 3;

export class CaseService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: RecordRepository,
  ) {}

  async close(a: Actor, id: string, input: { outcome: string }, requestId?: string): Promise<Row> {
    assertCan(a, 'cases', 'update');
    const existing = await this.records.find(a, 'cases', id);
    if (existing.closedAt) throw conflict('Der Fall ist bereits abgeschlossen.');
    const closedAt = new Date();
    const deletionDate = new Date(Date.UTC(closedAt.getUTCFullYear() + RETENTION_YEARS, closedAt.getUTCMonth(), closedAt.getUTCDate()));
    const row = await this.repo.transaction(async (tx, r) => {
      // Only an open case is closed: a parallel close loses instead of writing twice.
      const res = await r.updateMany('case', { id, closedAt: null }, { phase: 'Abschluss', closedAt, outcome: input.outcome, deletionDate });
      if (res.count === 0) throw conflict('Der Fall ist bereits abgeschlossen.');
      const needs = await tx.need.findMany({ where: { caseId: id }, select: { lifeArea: true } });
      const goals = await tx.goal.groupBy({ by: ['status'], where: { caseId: id }, _count: true });
      const base = { kommuneId: String(existing.kommuneId), month: closedAt.toISOString().slice(0, 7) };
      await r.createMany('statisticsEvent', [
        ...(needs.length ? needs.map((n) => ({ ...base, kind: 'case_closed', lifeArea: n.lifeArea })) : [{ ...base, kind: 'case_closed' }]),
        ...goals.flatMap((g) => Array.from({ length: g._count }, () => ({ ...base, kind: `goal_${g.status}` }))),
      ]);
      const updated = await r.findFirst('case', { id });
      return {
        result: updated as Row,
        audit: [auditRow(a, { action: 'cases.close', entity: 'Case', entityId: id, caseId: id, fields: ['phase', 'closedAt', 'outcome', 'deletionDate'], requestId })],
      };
    });
    return toJson(row);
  }

  /** The case's audit trail (every entry that names the case), newest first. */
  async trail(a: Actor, id: string, page: { offset: number; limit: number }, requestId?: string) {
    assertCan(a, 'cases', 'read');
    if (a.role === 'abh' || a.role === 'ebh') assertCan(a, 'audit-log', 'read');
    await this.records.find(a, 'cases', id);
    const { rows, total } = await this.repo.list('auditLog', {
      where: { caseId: id, kommuneId: a.kommuneId },
      orderBy: [{ id: 'desc' }],
      skip: page.offset,
      take: page.limit,
      select: { id: true, at: true, username: true, role: true, action: true, entity: true, entityId: true, fields: true, reason: true, requestId: true },
    });
    await this.repo.writeAudit([auditRow(a, { action: 'cases.audit_read', entity: 'Case', entityId: id, caseId: id, requestId })]);
    return { rows: rows.map(toJson), total };
  }
}
