/**
 * Consent verbs beyond CRUD: revoking a consent (with a reason) stops every pending share that
 * relied on it – referrals not yet sent fall back to "without data".
 */
import type { RecordRepository } from '../cases/record.repository';
import { auditRow } from '../audit/audit.service';
import { conflict } from '../errors';
import { Actor, assertCan } from '../auth/policy';
import { RecordsService, Row, toJson } from '../cases/records.service';

export class ConsentService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: RecordRepository,
  ) {}

  async revoke(a: Actor, id: string, input: { reason: string }, requestId?: string): Promise<Row> {
    assertCan(a, 'consents', 'update');
    const existing = await this.records.find(a, 'consents', id);
    if (existing.revokedAt) throw conflict('Die Einwilligung ist bereits widerrufen.');
    const caseId = String(existing.caseId);
    const row = await this.repo.transaction(async (_tx, r) => {
      const res = await r.updateMany('consent', { id, revokedAt: null }, { revokedAt: new Date(), revokeReason: input.reason });
      if (res.count === 0) throw conflict('Die Einwilligung ist bereits widerrufen.');
      const stopped = await r.updateMany('referral', { consentId: id, withData: true, status: 'angelegt' }, { withData: false });
      const updated = await r.findFirst('consent', { id });
      const audit = [auditRow(a, { action: 'consents.revoke', entity: 'Consent', entityId: id, caseId, fields: ['revokedAt', 'revokeReason'], reason: input.reason, requestId })];
      if (stopped.count) audit.push(auditRow(a, { action: 'referrals.share_stopped', entity: 'Referral', caseId, fields: ['withData'], reason: `Einwilligung ${id} widerrufen`, requestId }));
      return { result: updated as Row, audit };
    });
    return toJson(row);
  }
}
