/**
 * The audit trail of the case access a task assignment gives: a case manager who is assigned a task
 * of another site's case reads that case while the task is theirs (the rule itself is derived from
 * the inbox projection, see policy.readsAssignedCases). This module only records when such access
 * begins and ends, with the case, so that the case's history shows who could read it and why.
 */
import type { Db } from '../db/prisma';
import type { Actor } from '../auth/policy';
import type { AuditService } from '../audit/audit.service';

interface TaskRef {
  id: string;
  name: string;
  caseId: string | null;
}

/**
 * Whether the user reads the task's case only through the assignment (a case manager of another
 * site). The acting user's role and site are known from the session; anyone else's are looked up.
 */
async function outsideSite(db: Db, a: Actor, username: string | null, caseId: string | null): Promise<boolean> {
  if (!username || !caseId) return false;
  const [u, c] = await Promise.all([
    username === a.username ? a : db.user.findUnique({ where: { username }, select: { role: true, siteId: true } }),
    db.case.findUnique({ where: { id: caseId }, select: { siteId: true } }).catch(() => null),
  ]);
  return !!u && !!c && u.role === 'case_manager' && u.siteId !== c.siteId;
}

export class TaskAccessAudit {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  /** After a reassignment: the previous assignee's access ends, the new one's begins (each only if it came from the task). */
  async reassigned(a: Actor, t: TaskRef, from: string | null, to: string, requestId?: string) {
    if (from && from !== to) await this.ended(a, t, from, `Aufgabe „${t.name}“ an ${to} neu zugewiesen`, requestId);
    if (from !== to && (await outsideSite(this.db, a, to, t.caseId))) {
      await this.audit.write(a, {
        action: 'cases.access_grant',
        entity: 'Case',
        entityId: t.caseId as string,
        caseId: t.caseId,
        reason: `Lesezugriff für ${to} (anderer Standort), solange die Aufgabe „${t.name}“ zugewiesen und offen ist`,
        requestId,
      });
    }
  }

  /** The task left the user (completed, returned, reassigned): their access through it ends. */
  async ended(a: Actor, t: TaskRef, username: string | null, why: string, requestId?: string) {
    if (!(await outsideSite(this.db, a, username, t.caseId))) return;
    // Another open task of the same case still assigned to them keeps the access.
    if (await this.db.task.count({ where: { state: 'CREATED', assignee: username, caseId: t.caseId, id: { not: t.id } } })) return;
    await this.audit.write(a, {
      action: 'cases.access_end',
      entity: 'Case',
      entityId: t.caseId as string,
      caseId: t.caseId,
      reason: `Lesezugriff für ${username} beendet: ${why}`,
      requestId,
    });
  }
}
