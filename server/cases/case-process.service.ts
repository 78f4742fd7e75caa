/**
 * kim-case (and the closing steps kim-intake shares with it): Förderplan goals, referrals started
 * from the plan, anonymised statistics, and closing a case with evaluation and deletion date.
 */
import type { GoalStatus, LifeArea } from '../../generated/prisma/client';
import { GOALS_REACHED } from '../../processes/kim-case/contract';
import type { CaseProcessRepository } from './case-process.repository';
import { badRequest, notFound } from '../errors';
import { parseLifeAreas } from './intake.service';
import { deletionDateAfter } from './retention.service';

export interface GoalInput {
  lebensbereich: string;
  beschreibung: string;
  zieldatum?: string | null;
}

export class CaseProcessService {
  constructor(
    private readonly repo: CaseProcessRepository,
    /** Years a closed case is kept before its personal data is deleted. */
    private readonly retentionYears = 3,
  ) {}

  /** Saves the Förderplan's goals once per job; returns their count. */
  async saveSupportPlan(jobKey: string, caseId: string, ziele: unknown): Promise<{ anzahlZiele: number }> {
    if (!Array.isArray(ziele) || ziele.length === 0) throw badRequest('Der Förderplan braucht mindestens ein Ziel.', { ziele: 'Pflichtfeld' });
    const goals = (ziele as GoalInput[]).map((z, i) => {
      const [lifeArea] = parseLifeAreas([z?.lebensbereich]);
      const description = String(z?.beschreibung ?? '').trim();
      if (!description) throw badRequest(`Ziel ${i + 1} hat keine Beschreibung.`);
      const due = z.zieldatum ? new Date(z.zieldatum) : null;
      return { lifeArea, description, dueDate: due && !Number.isNaN(due.getTime()) ? due : null };
    });
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      if ((await this.repo.goalsByJob(tx, caseId, jobKey)) === 0) {
        await this.repo.createGoals(tx, goals.map((g) => ({ caseId, jobKey, status: 'laufend' as GoalStatus, ...g })));
        await this.repo.updateCase(tx, caseId, { phase: 'Umsetzung' });
        await this.repo.audit(tx, { action: 'case.support_plan', entity: 'Case', entityId: caseId, caseId, kommuneId: c.kommuneId, fields: ['goals', 'phase'] });
      }
      return true;
    });
    if (!done) throw notFound('Der Fall');
    return { anzahlZiele: goals.length };
  }

  /** The Referral row kim-referral works on, once per job. */
  async createReferral(jobKey: string, caseId: string, input: { organisationId: unknown; lebensbereich: unknown; zweck: unknown }): Promise<{ referralId: string }> {
    const seen = await this.repo.referralByJob(jobKey);
    if (seen) return { referralId: seen.id };
    const c = await this.repo.getCase(caseId);
    if (!c) throw notFound('Der Fall');
    const org = typeof input.organisationId === 'string' ? await this.repo.findOrganisation(input.organisationId, c.kommuneId) : null;
    if (!org) throw badRequest('Die gewählte Stelle gibt es in dieser Kommune nicht.', { vermittlungOrganisationId: 'unbekannt' });
    const [lifeArea] = parseLifeAreas([input.lebensbereich]);
    const purpose = typeof input.zweck === 'string' && input.zweck ? input.zweck : 'Beratung';
    const done = await this.repo.withCase(caseId, async (tx, cc) => {
      const again = await tx.referral.findUnique({ where: { jobKey } });
      if (again) return again.id;
      const r = await this.repo.createReferral(tx, { caseId, organisationId: org.id, lifeArea, purpose, jobKey, status: 'angelegt' });
      await this.repo.audit(tx, { action: 'referrals.create', entity: 'Referral', entityId: r.id, caseId, kommuneId: cc.kommuneId, reason: 'Vermittlung aus dem Förderplan' });
      return r.id;
    });
    if (!done) throw notFound('Der Fall');
    return { referralId: done };
  }

  /**
   * Anonymised statistics events (no person or case id): one per life area of the case's needs, and
   * for a closed case one per goal status. Keys "<jobKey>:<n>" make a second delivery insert nothing.
   */
  async recordStatistics(jobKey: string, caseId: string, kind: unknown): Promise<{ events: number }> {
    if (typeof kind !== 'string' || !/^[a-z_]+$/.test(kind)) throw badRequest(`Ungültige Statistik-Art: ${String(kind)}`);
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      const month = new Date().toISOString().slice(0, 7);
      const needs = await this.repo.needsOf(tx, caseId);
      const rows: Array<{ kind: string; lifeArea: LifeArea | null }> = needs.length ? needs.map((n) => ({ kind, lifeArea: n.lifeArea })) : [{ kind, lifeArea: null }];
      if (kind === 'case_closed') {
        for (const g of await this.repo.goalsByStatus(tx, caseId)) for (let i = 0; i < g._count; i++) rows.push({ kind: `goal_${g.status}`, lifeArea: null });
      }
      const r = await this.repo.createStatistics(
        tx,
        rows.map((row, i) => ({ kommuneId: c.kommuneId, month, kind: row.kind, lifeArea: row.lifeArea, jobKey: `${jobKey}:${i}` })),
      );
      return { events: r.count };
    });
    if (!done) throw notFound('Der Fall');
    return done;
  }

  /**
   * Closes the case: phase Abschluss, outcome, evaluation (goals reached?), goal statuses, and the
   * deletion date (closing day + retention years). A case already closed stays as it is.
   */
  async closeCase(caseId: string, input: { abschlussGrund: unknown; zieleErreicht?: unknown }): Promise<{ deletionDate: string }> {
    const outcome = typeof input.abschlussGrund === 'string' && input.abschlussGrund ? input.abschlussGrund : 'abgeschlossen';
    const reached = input.zieleErreicht == null ? null : String(input.zieleErreicht);
    if (reached !== null && !(GOALS_REACHED as readonly string[]).includes(reached)) throw badRequest(`Ungültige Auswertung: ${reached}`, { zieleErreicht: 'ungültig' });
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      const current = await tx.case.findUniqueOrThrow({ where: { id: caseId }, select: { deletionDate: true } });
      if (c.closedAt && current.deletionDate) return current.deletionDate;
      const closedAt = new Date();
      const deletionDate = deletionDateAfter(closedAt, this.retentionYears);
      if (reached === 'ja') await this.repo.setGoalStatus(tx, caseId, 'erreicht');
      if (reached === 'nein') await this.repo.setGoalStatus(tx, caseId, 'nicht_erreicht');
      await this.repo.updateCase(tx, caseId, { phase: 'Abschluss', closedAt, outcome, goalsReached: reached, deletionDate });
      await this.repo.audit(tx, { action: 'cases.close', entity: 'Case', entityId: caseId, caseId, kommuneId: c.kommuneId, fields: ['phase', 'closedAt', 'outcome', 'goalsReached', 'deletionDate'], reason: outcome });
      return deletionDate;
    });
    if (!done) throw notFound('Der Fall');
    return { deletionDate: done.toISOString().slice(0, 10) };
  }
}
