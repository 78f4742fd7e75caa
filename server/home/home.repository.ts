/**
 * The queries behind the start page (GET /api/home). Every query is bounded by the commune and by
 * the task/case scope the service passes in; nothing here decides who may see what (home.service.ts
 * does, with server/auth/policy.ts). Client columns are read only where the scope asks for them, and
 * then only the pseudonym – never names.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

/** Which open tasks of the commune a section counts. */
export type TaskScope =
  | { kind: 'assigned'; username: string }
  /** Visible to the user: assigned to them, one of their candidate groups, or named as candidate. */
  | { kind: 'visible'; username: string; groups: string[] }
  | { kind: 'commune' };

export interface HomeTaskRow {
  id: string;
  name: string;
  processDefinitionId: string;
  dueDate: Date | null;
  followUpDate: Date | null;
  caseId: string | null;
  caseReference: string | null;
  /** Only when asked for (coordinators): the client's pseudonym, never a name. */
  pseudonym?: string | null;
}

const UUID = `'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`;

export class HomeRepository {
  constructor(private readonly db: Db) {}

  private scopeSql(kommuneId: string, s: TaskScope): Prisma.Sql {
    const base = Prisma.sql`t."state" = 'CREATED' and t."kommuneId" = ${kommuneId}`;
    if (s.kind === 'assigned') return Prisma.sql`${base} and t."assignee" = ${s.username}`;
    if (s.kind === 'visible') {
      return Prisma.sql`${base} and (t."assignee" = ${s.username} or t."candidateGroups" && ${s.groups}::text[] or ${s.username} = any(t."candidateUsers"))`;
    }
    return base;
  }

  /** Open and overdue counts of the scope. */
  async taskCounts(kommuneId: string, s: TaskScope, now: Date): Promise<{ open: number; overdue: number }> {
    const r = await this.db.$queryRaw<Array<{ open: number; overdue: number }>>`
      select count(*)::int as open, count(*) filter (where t."dueDate" < ${now})::int as overdue
      from "Task" t where ${this.scopeSql(kommuneId, s)}`;
    return r[0] ?? { open: 0, overdue: 0 };
  }

  /** Unassigned tasks of the user's groups ("Gruppenaufgaben"). */
  async groupTaskCount(kommuneId: string, username: string, groups: string[]): Promise<number> {
    const r = await this.db.$queryRaw<Array<{ n: number }>>`
      select count(*)::int as n from "Task" t
      where t."state" = 'CREATED' and t."kommuneId" = ${kommuneId} and t."assignee" is null
        and (t."candidateGroups" && ${groups}::text[] or ${username} = any(t."candidateUsers"))`;
    return r[0]?.n ?? 0;
  }

  /**
   * Tasks of the scope with their case's reference (and pseudonym when asked), overdue first or
   * soonest due first. `extra` narrows further (e.g. follow-ups of the week).
   */
  async tasks(kommuneId: string, s: TaskScope, opts: { overdueBefore?: Date; extra?: Prisma.Sql; pseudonym?: boolean; limit: number }): Promise<HomeTaskRow[]> {
    const where = [this.scopeSql(kommuneId, s)];
    if (opts.overdueBefore) where.push(Prisma.sql`t."dueDate" < ${opts.overdueBefore}`);
    if (opts.extra) where.push(opts.extra);
    const pseudonym = opts.pseudonym ? Prisma.sql`, cl."pseudonym" as "pseudonym"` : Prisma.empty;
    const clientJoin = opts.pseudonym ? Prisma.sql`left join "Client" cl on cl."id" = c."clientId"` : Prisma.empty;
    return this.db.$queryRaw<HomeTaskRow[]>`
      select t."id", t."name", t."processDefinitionId", t."dueDate", t."followUpDate", t."caseId", c."reference" as "caseReference"${pseudonym}
      from "Task" t
      left join "Case" c on c."kommuneId" = t."kommuneId" and c."id" = (case when t."caseId" ~* ${Prisma.raw(UUID)} then t."caseId"::uuid end)
      ${clientJoin}
      where ${Prisma.join(where, ' and ')}
      order by t."dueDate" asc nulls last, t."createdAt" desc, t."id"
      limit ${opts.limit}`;
  }

  /**
   * Follow-ups (Wiedervorlagen) due by `until`: a task with a follow-up date, or a Wiedervorlage
   * step of the models with its due date. Of the user's own tasks and of the unassigned tasks of
   * the cases they manage.
   */
  followUps(kommuneId: string, username: string, caseManagerId: string, reviewElements: string[], until: Date, limit: number): Promise<HomeTaskRow[]> {
    const ofMine = Prisma.sql`(t."assignee" = ${username} or (t."assignee" is null and t."caseId" in (
      select k."id"::text from "Case" k where k."kommuneId" = ${kommuneId} and k."caseManagerId" = ${caseManagerId}::uuid and k."closedAt" is null)))`;
    const due = Prisma.sql`(t."followUpDate" <= ${until} or (t."elementId" = any(${reviewElements}::text[]) and t."dueDate" <= ${until}))`;
    return this.tasks(kommuneId, { kind: 'commune' }, { extra: Prisma.sql`${ofMine} and ${due}`, limit });
  }

  /** Open cases per phase: of one case manager, or of the whole commune. */
  async casesByPhase(kommuneId: string, caseManagerId?: string): Promise<Array<{ phase: string; count: number }>> {
    const mine = caseManagerId ? Prisma.sql`and "caseManagerId" = ${caseManagerId}::uuid` : Prisma.empty;
    return this.db.$queryRaw<Array<{ phase: string; count: number }>>`
      select "phase"::text as phase, count(*)::int as count from "Case"
      where "kommuneId" = ${kommuneId} and "closedAt" is null ${mine}
      group by 1`;
  }

  /**
   * Partners' answers since `since` on the cases of one case manager: referral accepted/declined
   * and conference invitations accepted/declined. Organisation names only (no person data).
   */
  async partnerAnswers(kommuneId: string, caseManagerId: string, since: Date, limit: number) {
    return this.db.$queryRaw<Array<{ kind: 'referral' | 'conference'; answer: string; at: Date; organisation: string; purpose: string | null; caseId: string; caseReference: string }>>`
      select * from (
        select 'referral' as kind, r."status"::text as answer, r."answeredAt" as at, o."name" as organisation, r."purpose" as purpose, c."id"::text as "caseId", c."reference" as "caseReference"
        from "Referral" r join "Case" c on c."id" = r."caseId" join "Organisation" o on o."id" = r."organisationId"
        where c."kommuneId" = ${kommuneId} and c."caseManagerId" = ${caseManagerId}::uuid
          and r."answeredAt" >= ${since} and r."status" in ('angenommen', 'abgelehnt')
        union all
        select 'conference', p."response", p."respondedAt", coalesce(o."name", p."name"), f."title", c."id"::text, c."reference"
        from "ConferenceParticipant" p join "Conference" f on f."id" = p."conferenceId" join "Case" c on c."id" = f."caseId"
          left join "Organisation" o on o."id" = p."organisationId"
        where c."kommuneId" = ${kommuneId} and c."caseManagerId" = ${caseManagerId}::uuid
          and p."respondedAt" >= ${since} and p."response" is not null
      ) x order by at desc limit ${limit}`;
  }

  async names(kommuneId: string | null, siteId: string | null): Promise<{ kommune: string | null; site: string | null }> {
    const [k, s] = await Promise.all([
      kommuneId ? this.db.kommune.findUnique({ where: { id: kommuneId }, select: { name: true } }) : null,
      siteId ? this.db.site.findUnique({ where: { id: siteId }, select: { name: true } }) : null,
    ]);
    return { kommune: k?.name ?? null, site: s?.name ?? null };
  }

  kommuneNames(): Promise<Array<{ id: string; name: string }>> {
    return this.db.kommune.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } });
  }
}
