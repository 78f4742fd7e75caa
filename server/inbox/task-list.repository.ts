/**
 * The inbox list as one SQL statement: the page of open tasks, its rows joined with case and client
 * (client column), in the same round trip a capped count from the first row of the page on and,
 * where names are shown, their audit rows. Site and life-area filters match the task's caseId against
 * the (few) matching cases. No full count, no query per row.
 *
 * Paging: a page that follows one already served is read by keyset (sort key and id of the previous
 * page's last row); a jump goes by OFFSET. The tie-breaker id runs in the sort's direction, so both
 * walk the (kommuneId, createdAt, id) indexes in one direction. dueDate is nullable: that sort stays
 * on OFFSET.
 */
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';
import { auditRowsFrom, type AuditRow } from '../audit/audit.repository';

export type TaskSortField = 'createdAt' | 'dueDate' | 'name' | 'priority';

/** How many rows from the start of the page are counted at most; beyond, the total is "more than". */
export const COUNT_CAP = 1000;

export interface TaskListSpec {
  kommuneId: string;
  username: string;
  groups: string[];
  /** 'all' without the user restriction = the whole commune (coordinators). */
  view: 'mine' | 'group' | 'all' | 'commune';
  processDefinitionId?: string;
  caseId?: string;
  q?: string;
  dueBefore?: Date;
  overdueBefore?: Date;
  siteId?: string;
  /** Assigned to this user; null = unassigned. */
  assignee?: string | null;
  /** Case has a need or goal in one of these life areas; restricted to cases of `lifeAreaSiteId` when set. */
  lifeAreas?: string[];
  lifeAreaSiteId?: string;
  /** Which client columns to read: none, the pseudonym, or also the name for cases of this site. */
  client: { kind: 'none' } | { kind: 'pseudonym' } | { kind: 'name'; siteId: string };
  /** With client names: the audit entry for each client whose name the page shows (written by the page's statement). */
  namesShown?: Omit<AuditRow, 'entityId' | 'caseId'>;
  sort: { field: TaskSortField; order: 'asc' | 'desc' };
  offset: number;
  limit: number;
  /** Sort key and id of the row before the page (keyset). */
  after?: { value: unknown; id: string };
}

export interface TaskListRow extends Record<string, unknown> {
  id: string;
  /** The assignee's display name (a user of the task's commune). */
  _assigneeName?: string | null;
  /** Joined client columns (absent unless asked for). */
  _clientId?: string | null;
  _pseudonym?: string | null;
  _firstName?: string | null;
  _lastName?: string | null;
  _caseReference?: string | null;
  _siteId?: string | null;
}

const COLUMN: Record<TaskSortField, Prisma.Sql> = {
  createdAt: Prisma.raw('"createdAt"'),
  dueDate: Prisma.raw('"dueDate"'),
  name: Prisma.raw('"name"'),
  priority: Prisma.raw('"priority"'),
};

/** ILIKE pattern for a substring, with the wildcards of the input escaped. */
const contains = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class TaskListRepository {
  constructor(private readonly db: Db) {}

  private where(s: TaskListSpec): Prisma.Sql {
    const w: Prisma.Sql[] = [Prisma.sql`t."state" = 'CREATED'`, Prisma.sql`t."kommuneId" = ${s.kommuneId}`];
    const inGroups = Prisma.sql`(t."candidateGroups" && ${s.groups}::text[] or ${s.username} = any(t."candidateUsers"))`;
    if (s.view === 'mine') w.push(Prisma.sql`t."assignee" = ${s.username}`);
    else if (s.view === 'group') w.push(Prisma.sql`t."assignee" is null`, inGroups);
    else if (s.view === 'all') w.push(Prisma.sql`(t."assignee" = ${s.username} or t."candidateGroups" && ${s.groups}::text[] or ${s.username} = any(t."candidateUsers"))`);
    if (s.processDefinitionId) w.push(Prisma.sql`t."processDefinitionId" = ${s.processDefinitionId}`);
    if (s.caseId) w.push(Prisma.sql`t."caseId" = ${s.caseId}`);
    if (s.q) w.push(Prisma.sql`t."name" ilike ${contains(s.q)}`);
    if (s.assignee === null) w.push(Prisma.sql`t."assignee" is null`);
    else if (s.assignee !== undefined) w.push(Prisma.sql`t."assignee" = ${s.assignee}`);
    if (s.overdueBefore) w.push(Prisma.sql`t."dueDate" < ${s.overdueBefore}`);
    else if (s.dueBefore) w.push(Prisma.sql`t."dueDate" <= ${s.dueBefore}`);
    // Filters on the task's case: the matching cases are few next to the tasks, so they are found
    // first and the tasks are matched by caseId (from the covering index) against them – a hashed
    // semi-join that keeps the index order, instead of a join per scanned task.
    const onCase: Prisma.Sql[] = [];
    if (s.siteId) onCase.push(Prisma.sql`c."siteId" = ${s.siteId}`);
    if (s.lifeAreas?.length) {
      const areas = Prisma.sql`${s.lifeAreas}::text[]::"LifeArea"[]`;
      if (s.lifeAreaSiteId) onCase.push(Prisma.sql`c."siteId" = ${s.lifeAreaSiteId}`);
      onCase.push(Prisma.sql`(exists (select 1 from "Need" n where n."caseId" = c."id" and n."lifeArea" = any(${areas}))
        or exists (select 1 from "Goal" g where g."caseId" = c."id" and g."lifeArea" = any(${areas})))`);
    }
    if (onCase.length) w.push(Prisma.sql`t."caseId" in (select c."id"::text from "Case" c where c."kommuneId" = ${s.kommuneId} and ${Prisma.join(onCase, ' and ')})`);
    return Prisma.join(w, ' and ');
  }

  /**
   * The page's rows with the assignee's name and the client columns: User, Case and Client are joined
   * to the page's rows only (never to rows an OFFSET skips). Task.caseId is text without a foreign key; non-UUIDs match nothing.
   */
  private withClient(s: TaskListSpec): Prisma.Sql {
    const joins = Prisma.sql`left join "Case" c on c."kommuneId" = p."kommuneId"
        and c."id" = (case when p."caseId" ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then p."caseId"::uuid end)
      left join "User" au on au."username" = p."assignee" and au."kommuneId" = p."kommuneId"`;
    // ABH/EBH: the task's own fields and the case's Aktenzeichen (a readable reference instead of the
    // case's id; nothing of the client); the task view shows what their step needs.
    if (s.client.kind === 'none') return Prisma.sql`select p.*, au."displayName" as "_assigneeName", c."reference" as "_caseReference" from page p ${joins}`;
    const name =
      s.client.kind === 'name'
        ? Prisma.sql`, case when c."siteId" = ${s.client.siteId} then cl."firstName" end as "_firstName", case when c."siteId" = ${s.client.siteId} then cl."lastName" end as "_lastName"`
        : Prisma.empty;
    return Prisma.sql`select p.*, au."displayName" as "_assigneeName", cl."id"::text as "_clientId", cl."pseudonym" as "_pseudonym", c."reference" as "_caseReference", c."siteId" as "_siteId"${name}
      from page p ${joins}
      left join "Client" cl on cl."id" = c."clientId"`;
  }

  /**
   * One page plus `counted`: the rows from the page's first row on, at most COUNT_CAP + 1 (so the
   * caller knows the total is at least offset + counted, exact when counted ≤ COUNT_CAP).
   */
  async page(s: TaskListSpec): Promise<{ rows: TaskListRow[]; counted: number }> {
    const rows = await this.db.$queryRaw<Array<TaskListRow & { _n: number; _pos: number | null }>>(this.pageSql(s));
    const counted = rows[0]?._n ?? 0;
    const out = rows.filter((r) => r._pos !== null && r.id !== null).map(({ _n, _pos, ...r }) => r as TaskListRow);
    return { rows: out, counted };
  }

  /** The statement of {@link page} (also run under EXPLAIN by the benchmark). */
  pageSql(s: TaskListSpec): Prisma.Sql {
    const col = COLUMN[s.sort.field];
    const dir = Prisma.raw(s.sort.order === 'desc' ? 'desc' : 'asc');
    const cmp = Prisma.raw(s.sort.order === 'desc' ? '<' : '>');
    const cmpIncl = Prisma.raw(s.sort.order === 'desc' ? '<=' : '>=');
    const nulls = Prisma.raw(s.sort.order === 'desc' ? 'nulls first' : 'nulls last');
    const order = Prisma.sql`t.${col} ${dir} ${nulls}, t."id" ${dir}`;
    const where = this.where(s);
    const from = Prisma.sql`"Task" t`;
    const keyset = s.sort.field !== 'dueDate' && s.after;
    const pageSql = keyset
      ? Prisma.sql`select t.* from ${from} where ${where} and (t.${col}, t."id") ${cmp} (${s.after!.value}, ${s.after!.id})
          order by ${order} limit ${s.limit}`
      : Prisma.sql`select t.* from ${from} where ${where} order by ${order} limit ${s.limit} offset ${s.offset}`;
    // Count from the page's first row on: by keyset where the sort allows it (cost independent of
    // the depth), else by OFFSET.
    const countSql =
      s.sort.field !== 'dueDate'
        ? Prisma.sql`select count(*)::int as n from (select 1 from ${from} where ${where}
            and (t.${col}, t."id") ${cmpIncl} ((select p.${col} from first p), (select p."id" from first p)) limit ${COUNT_CAP + 1}) x`
        : Prisma.sql`select count(*)::int as n from (select 1 from ${from} where ${where} order by ${order} offset ${s.offset} limit ${COUNT_CAP + 1}) x`;
    const pageOrder = Prisma.sql`${col} ${dir} ${nulls}, "id" ${dir}`;
    // Names shown are reads of personal data: one audit row per client on the page, in the same
    // statement – the page cannot be read without its audit rows being written.
    const shown =
      s.client.kind === 'name' && s.namesShown
        ? Prisma.sql`, shown as (${auditRowsFrom(
            s.namesShown,
            Prisma.sql`select distinct on ("_clientId") "_clientId" as "entityId", "caseId" from numbered
              where "_clientId" is not null and ("_firstName" is not null or "_lastName" is not null) order by "_clientId", "_pos"`,
          )})`
        : Prisma.empty;
    return Prisma.sql`
      with page as (${pageSql}),
           numbered as (select r.*, row_number() over (order by ${pageOrder}) as "_pos" from (${this.withClient(s)}) r),
           first as (select * from numbered where "_pos" = 1),
           n as (${countSql})${shown}
      select numbered.*, n.n as "_n" from n left join numbered on true order by numbered."_pos"`;
  }

  /** Rows of the whole list, capped at COUNT_CAP + 1 (for a page beyond the end). */
  async countFromStart(s: TaskListSpec): Promise<number> {
    const r = await this.db.$queryRaw<Array<{ n: number }>>`select count(*)::int as n from (select 1 from "Task" t where ${this.where(s)} limit ${COUNT_CAP + 1}) x`;
    return r[0]?.n ?? 0;
  }
}
