import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

/** One row of the audit log as written; id and time are set by the database. */
export interface AuditRow {
  userId?: string | null;
  username?: string | null;
  role?: string | null;
  kommuneId?: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  fields?: string[];
  reason?: string | null;
  requestId?: string | null;
  caseId?: string | null;
}

const COLUMNS = Prisma.raw('"at", "userId", "username", "role", "kommuneId", "action", "entity", "entityId", "fields", "reason", "requestId", "caseId"');
/** The statement's time in UTC, like every timestamp the client writes. */
const NOW = Prisma.raw(`statement_timestamp() at time zone 'UTC'`);

const text = (rows: AuditRow[], col: Exclude<keyof AuditRow, 'fields'>) => rows.map((r) => r[col] ?? null);

/**
 * Appends rows to the audit log in one statement, inside the caller's transaction when given one.
 * Every column travels as one array parameter and unnest turns the arrays into rows, so the cost
 * hardly grows with the number of rows. Prisma's create/createMany expand a template per row and
 * column in the client: measured 14 ms of CPU for the 25 rows an inbox page can log (this statement:
 * about 1 ms), and every list that shows names writes such rows on each request.
 *
 * The field lists go as JSON texts (a text[][] would need rows of equal length).
 */
export async function appendAudit(db: Db | Prisma.TransactionClient, rows: AuditRow | AuditRow[]): Promise<void> {
  const list = Array.isArray(rows) ? rows : [rows];
  if (!list.length) return;
  await db.$executeRaw`
    insert into "AuditLog" (${COLUMNS})
    select ${NOW}, r.u, r.un, r.ro, r.k, r.a, r.e, r.ei,
           array(select jsonb_array_elements_text(r.f::jsonb)), r.re, r.rq, r.c
    from unnest(${text(list, 'userId')}::text[], ${text(list, 'username')}::text[], ${text(list, 'role')}::text[],
                ${text(list, 'kommuneId')}::text[], ${text(list, 'action')}::text[], ${text(list, 'entity')}::text[],
                ${text(list, 'entityId')}::text[], ${list.map((r) => JSON.stringify(r.fields ?? []))}::text[],
                ${text(list, 'reason')}::text[], ${text(list, 'requestId')}::text[], ${text(list, 'caseId')}::text[])
         with ordinality as r(u, un, ro, k, a, e, ei, f, re, rq, c, n)
    order by r.n`;
}

/**
 * An insert of one audit row per row of `source` – a query with the columns "entityId" and "caseId"
 * – the other columns from `entry`. Meant as a data-modifying CTE of a statement that reads
 * personal data: the rows that show it and the audit of showing it are one statement, so neither
 * exists without the other.
 */
export function auditRowsFrom(entry: Omit<AuditRow, 'entityId' | 'caseId'>, source: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`insert into "AuditLog" (${COLUMNS})
    select ${NOW}, ${entry.userId ?? null}::text, ${entry.username ?? null}::text, ${entry.role ?? null}::text, ${entry.kommuneId ?? null}::text,
           ${entry.action}::text, ${entry.entity}::text, src."entityId", ${entry.fields ?? []}::text[], ${entry.reason ?? null}::text,
           ${entry.requestId ?? null}::text, src."caseId"
    from (${source}) src`;
}
