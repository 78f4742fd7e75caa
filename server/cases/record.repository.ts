/**
 * The generic repository behind the REST resources: list / find / create / update / delete on one
 * Prisma model, with the audit rows written in the same transaction as the change they describe.
 * The only place besides the other repositories that touches Prisma for domain data.
 */
import { appendAudit, type AuditRow } from '../audit/audit.repository';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../db/prisma';

export type ModelName =
  | 'client'
  | 'case'
  | 'need'
  | 'goal'
  | 'consent'
  | 'referral'
  | 'conference'
  | 'conferenceParticipant'
  | 'agreement'
  | 'note'
  | 'document'
  | 'organisation'
  | 'user'
  | 'site'
  | 'auditLog'
  | 'systemGap'
  | 'statisticsEvent'
  | 'caseAccess';

type Where = Record<string, unknown>;
type Select = Record<string, boolean | object>;
type Row = Record<string, unknown>;
export type Tx = Prisma.TransactionClient;

/** The subset of a Prisma delegate the generic repository uses. */
interface Delegate {
  findMany(args: object): Promise<Row[]>;
  findFirst(args: object): Promise<Row | null>;
  count(args: object): Promise<number>;
  create(args: object): Promise<Row>;
  createMany(args: object): Promise<{ count: number }>;
  update(args: object): Promise<Row>;
  delete(args: object): Promise<Row>;
}

export type { AuditRow };

export interface ListArgs {
  where: Where;
  orderBy: Array<Record<string, 'asc' | 'desc'>>;
  skip: number;
  take: number;
  select: Select;
}

export class RecordRepository {
  constructor(readonly db: Db) {}

  private model(client: Db | Tx, name: ModelName): Delegate {
    return (client as unknown as Record<ModelName, Delegate>)[name];
  }

  /** Rows and total of one page; both queries see the same snapshot. */
  async list(name: ModelName, args: ListArgs): Promise<{ rows: Row[]; total: number }> {
    const [rows, total] = await this.db.$transaction(
      async (tx) => Promise.all([this.model(tx, name).findMany(args), this.model(tx, name).count({ where: args.where })]),
      { isolationLevel: 'RepeatableRead' },
    );
    return { rows, total };
  }

  findFirst(name: ModelName, where: Where, select?: Select, client: Db | Tx = this.db): Promise<Row | null> {
    return this.model(client, name).findFirst({ where, ...(select ? { select } : {}) });
  }

  count(name: ModelName, where: Where, client: Db | Tx = this.db): Promise<number> {
    return this.model(client, name).count({ where });
  }

  findMany(name: ModelName, where: Where, select?: Select, client: Db | Tx = this.db): Promise<Row[]> {
    return this.model(client, name).findMany({ where, ...(select ? { select } : {}) });
  }

  /** Runs fn in one transaction; the audit rows it returns are written in the same transaction. */
  async transaction<T>(fn: (tx: Tx, repo: TxRepository) => Promise<{ result: T; audit: AuditRow[] }>): Promise<T> {
    return this.db.$transaction(async (tx) => {
      const { result, audit } = await fn(tx, new TxRepository(tx, (n) => this.model(tx, n)));
      await appendAudit(tx, audit);
      return result;
    });
  }

  async writeAudit(rows: AuditRow[]): Promise<void> {
    await appendAudit(this.db, rows);
  }

  /** Case ids of open tasks assigned to the user (a case manager's reads beyond their site, see policy.readsAssignedCases). */
  async assignedTaskCaseIds(kommuneId: string, username: string): Promise<string[]> {
    const rows = await this.db.task.findMany({ where: { state: 'CREATED', kommuneId, assignee: username, caseId: { not: null } }, select: { caseId: true }, distinct: ['caseId'] });
    return rows.map((r) => r.caseId as string);
  }

  /** Open tasks (case and step) the actor reaches through assignment or candidate groups (ABH/EBH). */
  async taskSteps(kommuneId: string, username: string, groups: string[]): Promise<Array<{ caseId: string; elementId: string }>> {
    const rows = await this.db.task.findMany({
      where: { state: 'CREATED', kommuneId, caseId: { not: null }, OR: [{ assignee: username }, { candidateUsers: { has: username } }, { candidateGroups: { hasSome: groups } }] },
      select: { caseId: true, elementId: true },
      distinct: ['caseId', 'elementId'],
    });
    return rows.map((r) => ({ caseId: r.caseId as string, elementId: r.elementId }));
  }

  /** Ids of the commune's organisations of one type (the authority an ABH/EBH user works for). */
  async organisationIdsOfType(kommuneId: string, type: string): Promise<string[]> {
    const rows = await this.db.organisation.findMany({ where: { kommuneId, type: type as never }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** Does the user hold a valid access grant (stated reason) for the case? */
  async hasAccessGrant(userId: string, caseId: string, now = new Date()): Promise<boolean> {
    return (await this.db.caseAccess.count({ where: { userId, caseId, expiresAt: { gt: now } } })) > 0;
  }

  /** Case ids of open tasks the actor reaches through assignment or candidate groups (ABH/EBH). */
  async taskCaseIds(kommuneId: string, username: string, groups: string[]): Promise<string[]> {
    const rows = await this.db.task.findMany({
      where: {
        state: 'CREATED',
        kommuneId,
        caseId: { not: null },
        OR: [{ assignee: username }, { candidateUsers: { has: username } }, { candidateGroups: { hasSome: groups } }],
      },
      select: { caseId: true },
      distinct: ['caseId'],
    });
    return rows.map((r) => r.caseId as string);
  }
}

/** Model access inside a transaction. */
export class TxRepository {
  constructor(
    readonly tx: Tx,
    private readonly model: (n: ModelName) => Delegate,
  ) {}
  create(name: ModelName, data: Row, select?: Select) {
    return this.model(name).create({ data, ...(select ? { select } : {}) });
  }
  createMany(name: ModelName, data: Row[]) {
    return this.model(name).createMany({ data });
  }
  update(name: ModelName, id: string, data: Row, select?: Select) {
    return this.model(name).update({ where: { id }, data, ...(select ? { select } : {}) });
  }
  updateMany(name: ModelName, where: Where, data: Row) {
    return (this.model(name) as unknown as { updateMany(a: object): Promise<{ count: number }> }).updateMany({ where, data });
  }
  delete(name: ModelName, id: string) {
    return this.model(name).delete({ where: { id } });
  }
  findFirst(name: ModelName, where: Where, select?: Select) {
    return this.model(name).findFirst({ where, ...(select ? { select } : {}) });
  }
}
