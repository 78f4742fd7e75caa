/**
 * Aggregates for the statistics endpoint: counts of the anonymised StatisticsEvent rows and of
 * cases by phase and kind of help, per commune and month. Never selects a person or case id.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

export interface StatisticsFilter {
  /** Only this commune (undefined = all). */
  kommuneId?: string;
  /** Months "YYYY-MM", inclusive. */
  from?: string;
  to?: string;
}

export interface EventCount {
  kommuneId: string;
  month: string;
  kind: string;
  lifeArea: string | null;
  count: number;
}

export interface CaseCount {
  kommuneId: string;
  month: string;
  phase: string;
  kindOfHelp: string;
  count: number;
}

export class StatisticsRepository {
  constructor(private readonly db: Db) {}

  async events(f: StatisticsFilter): Promise<EventCount[]> {
    const rows = await this.db.statisticsEvent.groupBy({
      by: ['kommuneId', 'month', 'kind', 'lifeArea'],
      where: { ...(f.kommuneId ? { kommuneId: f.kommuneId } : {}), month: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) } },
      _count: { _all: true },
      orderBy: [{ kommuneId: 'asc' }, { month: 'asc' }, { kind: 'asc' }, { lifeArea: 'asc' }],
    });
    return rows.map((r) => ({ kommuneId: r.kommuneId, month: r.month, kind: r.kind, lifeArea: r.lifeArea, count: r._count._all }));
  }

  /** Cases by the month they were opened, with their current phase and kind of help. */
  async cases(f: StatisticsFilter): Promise<CaseCount[]> {
    const month = Prisma.sql`to_char("openedAt", 'YYYY-MM')`;
    const where = [Prisma.sql`true`];
    if (f.kommuneId) where.push(Prisma.sql`"kommuneId" = ${f.kommuneId}`);
    if (f.from) where.push(Prisma.sql`${month} >= ${f.from}`);
    if (f.to) where.push(Prisma.sql`${month} <= ${f.to}`);
    return this.db.$queryRaw<CaseCount[]>`
      select "kommuneId", ${month} as "month", "phase"::text as "phase", "kindOfHelp"::text as "kindOfHelp", count(*)::int as "count"
      from "Case" where ${Prisma.join(where, ' and ')}
      group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
  }
}
