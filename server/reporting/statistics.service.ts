/**
 * Anonymised statistics (§ 19 TIntG) for the state and the coordinators: counts per commune and
 * month, never person or case ids. Counts below {@link MIN_COUNT} are suppressed (null, flagged
 * "unterdrückt") so no person can be singled out. Land: all communes; coordinators: their own.
 */
import type { CaseCount, EventCount, StatisticsFilter, StatisticsRepository } from './statistics.repository';
import { forbidden } from '../errors';
import type { Actor } from '../auth/policy';
import { MIN_COUNT, suppressCount } from './suppression';

export { MIN_COUNT };

type Suppressed<T extends { count: number }> = Omit<T, 'count'> & { count: number | null; unterdrückt: boolean };

// A flat list without totals: primary suppression is enough (server/reporting/suppression.ts).
const suppress = <T extends { count: number }>(r: T): Suppressed<T> => {
  const count = suppressCount(r.count);
  return count === null ? { ...r, count: null, unterdrückt: true } : { ...r, unterdrückt: false };
};

export interface Statistics {
  scope: { kommuneId: string | null; from: string | null; to: string | null };
  minCount: number;
  events: Array<Suppressed<EventCount>>;
  cases: Array<Suppressed<CaseCount>>;
}

export class StatisticsService {
  constructor(private readonly repo: StatisticsRepository) {}

  async aggregates(a: Actor, q: StatisticsFilter): Promise<Statistics> {
    let kommuneId: string | undefined;
    if (a.role === 'land') kommuneId = q.kommuneId;
    else if (a.role === 'coordinator' && a.kommuneId) {
      if (q.kommuneId && q.kommuneId !== a.kommuneId) throw forbidden('Koordinierende sehen nur die Statistik ihrer eigenen Kommune.');
      kommuneId = a.kommuneId;
    } else throw forbidden('Die Statistik sehen nur das Land und die Koordination.');
    const f = { kommuneId, from: q.from, to: q.to };
    const [events, cases] = await Promise.all([this.repo.events(f), this.repo.cases(f)]);
    return {
      scope: { kommuneId: kommuneId ?? null, from: q.from ?? null, to: q.to ?? null },
      minCount: MIN_COUNT,
      events: events.map(suppress),
      cases: cases.map(suppress),
    };
  }
}
