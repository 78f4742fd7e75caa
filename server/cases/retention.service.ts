/**
 * Retention (DOMAIN.md, data protection): a closed case gets a deletion date (closing day plus the
 * retention period); on that date the case is deleted everywhere the product put it – the engine's
 * process instances of the case (running ones canceled, and their history, called instances
 * included), and every row of the app database – with a DeletionRecord and an audit entry saying
 * that it happened.
 */
import type { DueCase, RetentionRepository } from './retention.repository';
import type { EngineWatch } from '../engine/port';
import type { Logger } from '../util/log';

/** The deletion date of a case closed at `closedAt`: the same calendar day `years` later (UTC). */
export function deletionDateAfter(closedAt: Date, years: number): Date {
  return new Date(Date.UTC(closedAt.getUTCFullYear() + years, closedAt.getUTCMonth(), closedAt.getUTCDate()));
}

/** What retention needs of the engine. */
export type RetentionEngine = Pick<EngineWatch, 'calledInstances' | 'forgetInstances' | 'existingInstances'>;

export interface RetentionRun {
  deleted: number;
  /** Cases that stay for the next run, with the German reason. */
  failed: Array<{ caseId: string; reason: string }>;
}

export const RETENTION_REASON = 'Aufbewahrungsfrist abgelaufen';

export class RetentionService {
  constructor(
    private readonly repo: RetentionRepository,
    private readonly engine: RetentionEngine,
    private readonly log: Logger,
  ) {}

  /** Deletes every case due on `now`'s day (UTC), at most `batch` per run. */
  async run(now = new Date(), batch = 100): Promise<RetentionRun> {
    const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const out: RetentionRun = { deleted: 0, failed: [] };
    for (const c of await this.repo.due(day, batch)) {
      try {
        if (await this.deleteCase(c)) out.deleted++;
      } catch (e) {
        const reason = `Fall konnte nicht gelöscht werden, nächster Versuch beim nächsten Lauf: ${(e as Error).message}`;
        out.failed.push({ caseId: c.id, reason });
        this.log.warn({ caseId: c.id, err: e }, 'retention: case not deleted');
      }
    }
    if (out.deleted || out.failed.length) this.log.info({ deleted: out.deleted, failed: out.failed.length }, 'retention run');
    return out;
  }

  private async deleteCase(c: DueCase): Promise<boolean> {
    const keys = await this.instancesOf(c.id);
    // Engine first: a running instance would otherwise go on writing to a case that is gone, and a
    // case whose instances the engine still holds must not vanish from the app (nothing would point
    // at them any more). An engine that cannot answer keeps the whole case for the next run.
    if (keys.length) {
      await this.engine.forgetInstances(keys);
      const left = await this.engine.existingInstances(keys);
      if (left.length) throw new Error(`Die Prozess-Engine hält noch ${left.length} Prozessinstanz(en) des Falls.`);
    }
    const done = await this.repo.deleteCase(c, keys, RETENTION_REASON);
    if (!done) return false;
    this.log.info({ caseId: c.id, instances: keys.length, removed: done.removed }, 'retention: case deleted');
    return true;
  }

  /** The case's instances the app recorded, and the instances they called (the engine's history knows them). */
  private async instancesOf(caseId: string): Promise<string[]> {
    const all = await this.repo.processInstanceKeys(caseId);
    const seen = new Set(all);
    for (let i = 0; i < all.length; i++) {
      for (const child of await this.engine.calledInstances(all[i])) {
        if (!seen.has(child)) {
          seen.add(child);
          all.push(child);
        }
      }
    }
    return all;
  }
}
