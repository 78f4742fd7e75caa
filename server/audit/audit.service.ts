import type { Db } from '../db/prisma';
import type { Actor } from '../auth/policy';
import { appendAudit, type AuditRow } from './audit.repository';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string;
  fields?: string[];
  reason?: string;
  requestId?: string;
  /** The case the entry belongs to (for the case's trail). */
  caseId?: string | null;
}

/** The audit row for an entry (also used by repositories writing it inside a transaction). */
export function auditRow(a: Actor | null, e: AuditEntry): AuditRow {
  return {
    userId: a?.id ?? null,
    username: a?.username ?? null,
    role: a?.role ?? null,
    kommuneId: a?.kommuneId ?? null,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId ?? null,
    fields: e.fields ?? [],
    reason: e.reason ?? null,
    requestId: e.requestId ?? null,
    caseId: e.caseId ?? null,
  };
}

/** Writes the append-only audit log (who, role, what, which fields, why, request). */
export class AuditService {
  constructor(private readonly db: Db) {}

  async write(a: Actor | null, e: AuditEntry): Promise<void> {
    await appendAudit(this.db, auditRow(a, e));
  }
}
