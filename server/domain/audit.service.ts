import type { Db } from '../data/prisma';
import type { Actor } from './policy';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string;
  fields?: string[];
  reason?: string;
  requestId?: string;
}

/** Writes the append-only audit log (who, role, what, which fields, why, request). */
export class AuditService {
  constructor(private readonly db: Db) {}

  async write(a: Actor | null, e: AuditEntry): Promise<void> {
    await this.db.auditLog.create({
      data: {
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
      },
    });
  }
}
