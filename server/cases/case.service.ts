/**
 * Case verbs beyond CRUD: opening a case through kim-intake, starting a referral (kim-referral) for
 * it, closing a case (outcome, retention period, anonymised statistics) and the case's audit trail.
 */
import type { RecordRepository } from './record.repository';
import { auditRow } from '../audit/audit.service';
import { badRequest, conflict, DomainError } from '../errors';
import type { StartedIntake, StartIntakeInput } from './intake.service';
import { Actor, assertCan, assertCanRequestCaseAccess, CASE_ACCESS_HOURS, CASE_ACCESS_REASONS, CaseAccessReason } from '../auth/policy';
import { auditReason, auditText, ROLE_DE } from '../audit/audit-text';
import { RecordsService, Row, toJson } from './records.service';
import { deletionDateAfter } from './retention.service';

/** A user name inside a free text ("cm2.duisburg"); replaced by the person's name where it is one. */
const USERNAME_IN_TEXT = /\b[a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9_.-]*[a-z0-9]\b/gi;

/** The process starts the case verbs delegate to (absent when no engine is connected). */
export interface CaseProcesses {
  intake?: { startIntake(a: Actor, input: StartIntakeInput, requestId?: string): Promise<StartedIntake> };
  referrals?: { startReferral(a: Actor, input: ReferralStartInput, requestId?: string): Promise<object> };
  /** KIM_CASE_RETENTION_YEARS (default RETENTION_YEARS). */
  retentionYears?: number;
}

/** What a case manager may give when starting a referral (never reminderAfter: that is configuration). */
export interface ReferralStartInput {
  caseId: string;
  organisationId: string;
  lifeArea: string;
  purpose: string;
  dueDate?: string | null;
}

const engineMissing = () => new DomainError(503, 'Die Prozess-Engine ist nicht verbunden. Bitte später erneut versuchen.', 'unavailable');

/** Years the file of a closed case is kept before its personal data is deleted. */
export const RETENTION_YEARS = 3;

export class CaseService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: RecordRepository,
    private readonly processes: CaseProcesses = {},
  ) {}

  /**
   * POST /api/cases: opens a case by starting kim-intake – for a known person of the actor's site
   * or a new one. Only case managers; a person of another site or commune is a field error.
   */
  async startIntake(a: Actor, input: StartIntakeInput, requestId?: string): Promise<StartedIntake> {
    assertCan(a, 'cases', 'create');
    if (input.clientId) {
      const client = await this.repo.findFirst('client', { id: input.clientId, kommuneId: a.kommuneId, siteId: a.siteId }, { id: true });
      if (!client) throw badRequest('Die Person wurde an Ihrem Standort nicht gefunden.', { clientId: 'Person nicht gefunden' });
    }
    if (!this.processes.intake) throw engineMissing();
    const started = await this.processes.intake.startIntake(a, input, requestId);
    await this.statistic(String(a.kommuneId), 'case_opened', null);
    return started;
  }

  /**
   * POST /api/referrals: creates the referral for an open case of the actor's site and starts
   * kim-referral for it (consent gate, send and partner answer are steps of the process).
   */
  async startReferral(a: Actor, input: ReferralStartInput, requestId?: string): Promise<Row> {
    assertCan(a, 'referrals', 'create');
    await this.records.writableCase(a, input.caseId);
    const org = await this.repo.findFirst('organisation', { id: input.organisationId, kommuneId: a.kommuneId }, { id: true });
    if (!org) throw badRequest('Mindestens eine Organisation ist in Ihrer Kommune nicht bekannt.', { organisationId: 'Unbekannte Organisation' });
    if (!this.processes.referrals) throw engineMissing();
    const { caseId, organisationId, lifeArea, purpose, dueDate } = input;
    const row = (await this.processes.referrals.startReferral(a, { caseId, organisationId, lifeArea, purpose, dueDate }, requestId)) as Row;
    await this.statistic(String(a.kommuneId), 'referral_created', lifeArea);
    const fields = this.records.spec('referrals').fields;
    return toJson(Object.fromEntries(fields.map((f) => [f, row[f] ?? null])));
  }

  /** An anonymised statistics event (no person or case id). */
  private async statistic(kommuneId: string, kind: string, lifeArea: string | null) {
    await this.repo.transaction(async (_tx, r) => {
      await r.createMany('statisticsEvent', [{ kommuneId, kind, lifeArea, month: new Date().toISOString().slice(0, 7) }]);
      return { result: null, audit: [] };
    });
  }

  async close(a: Actor, id: string, input: { outcome: string }, requestId?: string): Promise<Row> {
    assertCan(a, 'cases', 'update');
    const existing = await this.records.find(a, 'cases', id);
    if (existing.closedAt) throw conflict('Der Fall ist bereits abgeschlossen.');
    const closedAt = new Date();
    const deletionDate = deletionDateAfter(closedAt, this.processes.retentionYears ?? RETENTION_YEARS);
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

  /**
   * A coordinator opens a person's case file: the stated reason (one of CASE_ACCESS_REASONS and a
   * note) opens it for CASE_ACCESS_HOURS; the grant is audited and shows in the case's history.
   */
  async grantAccess(a: Actor, id: string, input: { reason: CaseAccessReason; note: string }, requestId?: string): Promise<{ caseId: string; reason: string; expiresAt: string }> {
    assertCanRequestCaseAccess(a);
    await this.records.find(a, 'cases', id, false, 'read');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + CASE_ACCESS_HOURS * 3600_000);
    const label = CASE_ACCESS_REASONS[input.reason];
    await this.repo.transaction(async (_tx, r) => {
      await r.create('caseAccess', { caseId: id, userId: a.id, kommuneId: String(a.kommuneId), reason: input.reason, note: input.note, grantedAt: now, expiresAt });
      return { result: null, audit: [auditRow(a, { action: 'cases.file_opened', entity: 'Case', entityId: id, caseId: id, reason: `${label}: ${input.note}`, requestId })] };
    });
    return { caseId: id, reason: label, expiresAt: expiresAt.toISOString() };
  }

  /**
   * The case's history (every audit entry that names the case), newest first, in German: what
   * happened, who (name and role), when, and why where a reason was given. Without `reads`, plain
   * reads and list views are left out (they would bury the changes).
   */
  async trail(a: Actor, id: string, page: { offset: number; limit: number; reads?: boolean }, requestId?: string) {
    assertCan(a, 'cases', 'read');
    if (a.role === 'abh' || a.role === 'ebh') assertCan(a, 'audit-log', 'read');
    await this.records.find(a, 'cases', id, false, 'read');
    await this.records.assertCaseAccess(a, id);
    const readsOnly = { OR: [{ action: { endsWith: '.read' } }, { action: { endsWith: '.list' } }, { action: { endsWith: '_read' } }] };
    const { rows, total } = await this.repo.list('auditLog', {
      where: { caseId: id, kommuneId: a.kommuneId, ...(page.reads ? {} : { NOT: readsOnly }) },
      orderBy: [{ id: 'desc' }],
      skip: page.offset,
      take: page.limit,
      select: { id: true, at: true, username: true, role: true, action: true, entity: true, entityId: true, fields: true, reason: true, requestId: true },
    });
    await this.repo.writeAudit([auditRow(a, { action: 'cases.audit_read', entity: 'Case', entityId: id, caseId: id, requestId })]);
    // People by their names: the acting user and user names a reason mentions ("von cm.duisburg an …").
    const mentioned = rows.flatMap((r) => [r.username, ...(typeof r.reason === 'string' ? (r.reason.match(USERNAME_IN_TEXT) ?? []) : [])]);
    const names = new Map(
      (await this.repo.findMany('user', { kommuneId: a.kommuneId, username: { in: [...new Set(mentioned.filter((u): u is string => typeof u === 'string'))] } }, { username: true, displayName: true })).map(
        (u) => [String(u.username), String(u.displayName)],
      ),
    );
    const described = rows.map((r) => {
      const reason = auditReason({ action: String(r.action), reason: r.reason as string | null });
      return {
        ...toJson(r),
        text: auditText({ action: String(r.action), fields: r.fields as string[] }),
        // Workers and the engine write as "system:…".
        who: r.username && !String(r.username).startsWith('system:') ? (names.get(String(r.username)) ?? String(r.username)) : 'System (Prozess)',
        roleDe: r.role ? (ROLE_DE[String(r.role)] ?? null) : null,
        reasonDe: reason ? reason.replace(USERNAME_IN_TEXT, (u) => names.get(u) ?? u) : null,
      };
    });
    return { rows: described, total };
  }
}
