/**
 * Retention (DOMAIN.md, data protection): a closed case gets a deletion date (closing day plus the
 * retention period); on that date the case is deleted everywhere the product put it – the engine's
 * instances (still running ones are canceled; the 8.6 engine keeps no history of finished ones
 * beyond its log, which it compacts), the engine history our exporter wrote, and every row of the
 * app database – with a DeletionRecord and an audit entry saying that it happened.
 */
import { isNotFound } from '../camunda/client';
import type { DueCase, RetentionRepository } from '../data/retention.repository';
import type { Logger } from '../util/log';

/** The deletion date of a case closed at `closedAt`: the same calendar day `years` later (UTC). */
export function deletionDateAfter(closedAt: Date, years: number): Date {
  return new Date(Date.UTC(closedAt.getUTCFullYear() + years, closedAt.getUTCMonth(), closedAt.getUTCDate()));
}

export interface RetentionEngine {
  cancelProcessInstance(processInstanceKey: string): Promise<unknown>;
}

/** Where else instance data of the case lives (the exporter's history database), if anywhere. */
export interface EngineHistoryForget {
  forget(processInstanceKeys: string[]): Promise<number>;
}

export interface RetentionRun {
  deleted: number;
  /** Cases that stay for the next run, with the German reason. */
  failed: Array<{ caseId: string; reason: string }>;
}

export const RETENTION_REASON = 'Aufbewahrungsfrist abgelaufen';

/** How long after a deletion late engine events are still removed from the history. */
const LATE_EVENTS_MS = 2 * 86_400_000;

export class RetentionService {
  constructor(
    private readonly repo: RetentionRepository,
    private readonly engine: RetentionEngine,
    private readonly log: Logger,
    private readonly history?: EngineHistoryForget,
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
        this.log.warn({ caseId: c.id, err: (e as Error).message }, 'retention: case not deleted');
      }
    }
    // The engine reports the cancelation of an instance after the fact: events the exporter writes
    // after a case was deleted are removed by the following runs of the next two days.
    if (this.history) {
      const late = await this.repo.recentlyDeletedInstances(new Date(now.getTime() - LATE_EVENTS_MS));
      if (late.length) await this.history.forget(late).catch((e) => this.log.warn({ err: (e as Error).message }, 'retention: engine history not cleaned'));
    }
    if (out.deleted || out.failed.length) this.log.info({ deleted: out.deleted, failed: out.failed.length }, 'retention run');
    return out;
  }

  private async deleteCase(c: DueCase): Promise<boolean> {
    const keys = await this.repo.processInstanceKeys(c.id);
    // Engine first: a running instance would otherwise go on writing to a case that is gone. An
    // engine that cannot answer keeps the whole case for the next run.
    for (const key of keys) {
      try {
        await this.engine.cancelProcessInstance(key);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const done = await this.repo.deleteCase(c, keys, RETENTION_REASON);
    if (!done) return false;
    if (this.history && keys.length) await this.history.forget(keys);
    this.log.info({ caseId: c.id, removed: done.removed }, 'retention: case deleted');
    return true;
  }
}
