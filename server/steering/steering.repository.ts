/**
 * Data access of the steering (kim-steuerung): themes with their gaps, measures, the steering
 * group's members, meetings, agenda items and decisions, the closing notices, and the job keys of
 * the workers. Worker writes run once per job key (SteeringStep) inside one transaction. Which
 * cases a gap came from is derived from the facts the reporting capabilities keep (ReferralEvent
 * "system-gap" → Referral, ConferenceGap → Conference), never copied.
 */
import { Prisma } from '../../generated/prisma/client';
import type { SteeringMeasureState, SteeringThemeState } from '../../generated/prisma/client';
import { PROCESS_ID, type GapSource } from '../../processes/kim-steuerung/contract';
import { writeProcessAudit, type AuditFact, type Tx } from '../cases/case-process.repository';
import type { Db } from '../db/prisma';

export type ThemeRow = Prisma.SteeringThemeGetPayload<object>;
export type MeasureRow = Prisma.SteeringMeasureGetPayload<object>;

/** Per theme: gaps, distinct reporting cases and life areas (counts only, never persons). */
export interface ThemeReach {
  themeId: string;
  gapCount: number;
  caseCount: number;
  lifeAreas: string[];
}

export interface GapRow {
  id: string;
  title: string;
  description: string;
  lifeArea: string;
  status: string;
  createdAt: Date;
  themeId: string | null;
  source: GapSource;
}

export interface ReportingCase {
  caseId: string;
  siteId: string;
  kommuneId: string;
  reference: string;
  gapTitle: string;
}

/** The cases behind gaps: referrals that reported them and conferences that noted them. */
const GAP_CASES = Prisma.sql`
  SELECT e."systemGapId" AS "gapId", r."caseId" AS "caseId", 'vermittlung' AS "source"
    FROM "ReferralEvent" e JOIN "Referral" r ON r."id" = e."referralId"
   WHERE e."kind" = 'system-gap' AND e."systemGapId" IS NOT NULL
  UNION
  SELECT cg."systemGapId", co."caseId", 'fallkonferenz'
    FROM "ConferenceGap" cg JOIN "Conference" co ON co."id" = cg."conferenceId"`;

export class SteeringRepository {
  constructor(readonly db: Db) {}

  audit(tx: Tx | Db, f: AuditFact) {
    return writeProcessAudit(tx, f);
  }

  /**
   * Runs fn once per job key in one transaction (the step row and fn's writes commit together); a
   * repeated job key runs nothing and returns false.
   */
  async once(jobKey: string, kind: string, themeId: string | null, fn: (tx: Tx) => Promise<void>): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO "SteeringStep" ("id", "jobKey", "kind", "themeId") VALUES (gen_random_uuid(), ${jobKey}, ${kind}, ${themeId}::uuid)
        ON CONFLICT ("jobKey") DO NOTHING`;
      if (!inserted) return false;
      await fn(tx);
      return true;
    });
  }

  // --- gaps -----------------------------------------------------------------------------------

  gap(id: string) {
    return this.db.systemGap.findUnique({ where: { id } });
  }

  gapOfInstance(processInstanceKey: string, kommuneId: string) {
    return this.db.systemGap.findFirst({ where: { steeringInstanceKey: processInstanceKey, kommuneId } });
  }

  updateGap(tx: Tx | Db, id: string, data: Prisma.SystemGapUncheckedUpdateInput) {
    return tx.systemGap.update({ where: { id }, data });
  }

  /** The gaps of a theme with where each came from (a referral, a conference, or reported directly). */
  async gapsOfTheme(themeId: string): Promise<GapRow[]> {
    return this.db.$queryRaw<GapRow[]>`
      SELECT g."id"::text AS "id", g."title", g."description", g."lifeArea"::text AS "lifeArea", g."status"::text AS "status", g."createdAt", g."themeId"::text AS "themeId",
             COALESCE((SELECT gc."source" FROM (${GAP_CASES}) gc WHERE gc."gapId" = g."id" LIMIT 1), 'direkt') AS "source"
        FROM "SystemGap" g WHERE g."themeId" = ${themeId}::uuid ORDER BY g."createdAt"`;
  }

  /** Where one gap came from. */
  async sourceOfGap(gapId: string): Promise<GapSource> {
    const rows = await this.db.$queryRaw<Array<{ source: GapSource }>>`SELECT gc."source" FROM (${GAP_CASES}) gc WHERE gc."gapId" = ${gapId}::uuid LIMIT 1`;
    return rows[0]?.source ?? 'direkt';
  }

  /** Gaps nobody has taken in yet, of communes with the process deployed; locked for this transaction. */
  lockGapsToTakeIn(tx: Tx, kommuneIds: string[], limit: number) {
    return tx.$queryRaw<Array<{ id: string; kommuneId: string }>>`
      SELECT "id"::text AS "id", "kommuneId" FROM "SystemGap"
       WHERE "steeringInstanceKey" IS NULL AND "themeId" IS NULL AND "status" = 'gemeldet' AND "kommuneId" = ANY(${kommuneIds})
       ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
  }

  /** Open themes without an instance; locked for this transaction. */
  lockThemesWithoutInstance(tx: Tx, kommuneIds: string[], limit: number) {
    return tx.$queryRaw<Array<{ id: string; kommuneId: string }>>`
      SELECT "id"::text AS "id", "kommuneId" FROM "SteeringTheme"
       WHERE "processInstanceKey" IS NULL AND "state" <> 'geschlossen' AND "kommuneId" = ANY(${kommuneIds})
       ORDER BY "createdAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
  }

  /** Communes (engine tenants) kim-steuerung is deployed for. */
  async deployedKommunen(): Promise<string[]> {
    const rows = await this.db.processDefinition.findMany({ where: { processId: PROCESS_ID, tenantId: { not: null } }, select: { tenantId: true }, distinct: ['tenantId'] });
    return rows.map((r) => r.tenantId!).filter(Boolean);
  }

  // --- themes ---------------------------------------------------------------------------------

  theme(id: string) {
    return this.db.steeringTheme.findUnique({ where: { id } });
  }

  themeOfInstance(processInstanceKey: string, kommuneId: string) {
    return this.db.steeringTheme.findFirst({ where: { processInstanceKey, kommuneId } });
  }

  createTheme(tx: Tx | Db, data: Prisma.SteeringThemeUncheckedCreateInput) {
    return tx.steeringTheme.create({ data });
  }

  updateTheme(tx: Tx | Db, id: string, data: Prisma.SteeringThemeUncheckedUpdateInput) {
    return tx.steeringTheme.update({ where: { id }, data });
  }

  openThemes(kommuneId: string) {
    return this.db.steeringTheme.findMany({ where: { kommuneId, state: { not: 'geschlossen' } }, orderBy: { title: 'asc' }, select: { id: true, title: true, state: true } });
  }

  listThemes(where: Prisma.SteeringThemeWhereInput, orderBy: Prisma.SteeringThemeOrderByWithRelationInput, skip: number, take: number) {
    return Promise.all([this.db.steeringTheme.findMany({ where, orderBy: [orderBy, { id: 'asc' }], skip, take }), this.db.steeringTheme.count({ where })]);
  }

  themesByState(kommuneId: string, state: SteeringThemeState) {
    return this.db.steeringTheme.findMany({ where: { kommuneId, state }, orderBy: [{ priority: 'asc' }, { createdAt: 'asc' }] });
  }

  /** Gap, case and life-area counts per theme, aggregated in PostgreSQL. */
  async reach(themeIds: string[]): Promise<Map<string, ThemeReach>> {
    const out = new Map<string, ThemeReach>(themeIds.map((id) => [id, { themeId: id, gapCount: 0, caseCount: 0, lifeAreas: [] }]));
    if (!themeIds.length) return out;
    const rows = await this.db.$queryRaw<Array<{ themeId: string; gapCount: bigint; caseCount: bigint; lifeAreas: string[] }>>`
      SELECT g."themeId"::text AS "themeId", count(DISTINCT g."id") AS "gapCount", count(DISTINCT gc."caseId") AS "caseCount",
             array_agg(DISTINCT g."lifeArea"::text) AS "lifeAreas"
        FROM "SystemGap" g LEFT JOIN (${GAP_CASES}) gc ON gc."gapId" = g."id"
       WHERE g."themeId" = ANY(${themeIds}::uuid[])
       GROUP BY g."themeId"`;
    for (const r of rows) out.set(r.themeId, { themeId: r.themeId, gapCount: Number(r.gapCount), caseCount: Number(r.caseCount), lifeAreas: [...r.lifeAreas].sort() });
    return out;
  }

  /** The cases that reported a theme's gaps, with the gap each reported (for the closing notice). */
  reportingCases(themeId: string): Promise<ReportingCase[]> {
    return this.db.$queryRaw<ReportingCase[]>`
      SELECT DISTINCT ON (c."id") c."id"::text AS "caseId", c."siteId", c."kommuneId", c."reference", g."title" AS "gapTitle"
        FROM "SystemGap" g JOIN (${GAP_CASES}) gc ON gc."gapId" = g."id" JOIN "Case" c ON c."id" = gc."caseId"
       WHERE g."themeId" = ${themeId}::uuid AND c."kommuneId" = g."kommuneId"
       ORDER BY c."id", g."createdAt"`;
  }

  // --- measures -------------------------------------------------------------------------------

  measure(id: string) {
    return this.db.steeringMeasure.findUnique({ where: { id } });
  }

  /** The theme's current measure: the newest one. */
  latestMeasure(themeId: string) {
    return this.db.steeringMeasure.findFirst({ where: { themeId }, orderBy: { createdAt: 'desc' } });
  }

  measuresOfThemes(themeIds: string[]) {
    return this.db.steeringMeasure.findMany({ where: { themeId: { in: themeIds } }, orderBy: { createdAt: 'asc' } });
  }

  createMeasure(tx: Tx, data: Prisma.SteeringMeasureUncheckedCreateInput) {
    return tx.steeringMeasure.create({ data });
  }

  updateMeasure(tx: Tx | Db, id: string, data: Prisma.SteeringMeasureUncheckedUpdateInput) {
    return tx.steeringMeasure.update({ where: { id }, data });
  }

  listMeasures(where: Prisma.SteeringMeasureWhereInput, orderBy: Prisma.SteeringMeasureOrderByWithRelationInput, skip: number, take: number) {
    return Promise.all([
      this.db.steeringMeasure.findMany({ where, orderBy: [orderBy, { id: 'asc' }], skip, take, include: { theme: { select: { title: true } } } }),
      this.db.steeringMeasure.count({ where }),
    ]);
  }

  measuresByState(kommuneId: string, states: SteeringMeasureState[], targetBefore?: Date) {
    return this.db.steeringMeasure.findMany({ where: { kommuneId, state: { in: states }, ...(targetBefore ? { targetDate: { lt: targetBefore } } : {}) }, orderBy: { targetDate: 'asc' } });
  }

  // --- decisions, meetings, agenda ------------------------------------------------------------

  latestThemeDecision(themeId: string) {
    return this.db.steeringDecision.findFirst({ where: { themeId, measureId: null }, orderBy: { createdAt: 'desc' } });
  }

  decisionsOfTheme(themeId: string) {
    return this.db.steeringDecision.findMany({ where: { themeId }, orderBy: { createdAt: 'asc' }, include: { meeting: { select: { id: true, date: true, title: true } } } });
  }

  members(kommuneId: string) {
    return this.db.steeringGroupMember.findMany({ where: { kommuneId }, orderBy: [{ active: 'desc' }, { organisation: 'asc' }] });
  }

  member(id: string) {
    return this.db.steeringGroupMember.findUnique({ where: { id } });
  }

  createMember(data: Prisma.SteeringGroupMemberUncheckedCreateInput) {
    return this.db.steeringGroupMember.create({ data });
  }

  updateMember(id: string, data: Prisma.SteeringGroupMemberUncheckedUpdateInput) {
    return this.db.steeringGroupMember.update({ where: { id }, data });
  }

  deleteMember(id: string) {
    return this.db.steeringGroupMember.delete({ where: { id } });
  }

  meeting(id: string) {
    return this.db.steeringMeeting.findUnique({ where: { id }, include: { items: { orderBy: { position: 'asc' }, include: { decision: true } } } });
  }

  listMeetings(where: Prisma.SteeringMeetingWhereInput, orderBy: Prisma.SteeringMeetingOrderByWithRelationInput, skip: number, take: number) {
    return Promise.all([
      this.db.steeringMeeting.findMany({ where, orderBy: [orderBy, { id: 'asc' }], skip, take, include: { _count: { select: { items: true, decisions: true } } } }),
      this.db.steeringMeeting.count({ where }),
    ]);
  }

  createMeeting(tx: Tx | Db, data: Prisma.SteeringMeetingUncheckedCreateInput) {
    return tx.steeringMeeting.create({ data });
  }

  updateMeeting(id: string, data: Prisma.SteeringMeetingUncheckedUpdateInput) {
    return this.db.steeringMeeting.update({ where: { id }, data });
  }

  /** Themes and measures on the agenda of a planned meeting, not yet decided (so a proposal does not add them twice). */
  async pendingAgendaRefs(kommuneId: string): Promise<{ themeIds: Set<string>; measureIds: Set<string> }> {
    const items = await this.db.steeringAgendaItem.findMany({ where: { meeting: { kommuneId, status: 'geplant' }, decision: null }, select: { themeId: true, measureId: true, kind: true } });
    return {
      themeIds: new Set(items.filter((i) => i.kind === 'thema' && i.themeId).map((i) => i.themeId!)),
      measureIds: new Set(items.filter((i) => i.kind !== 'thema' && i.measureId).map((i) => i.measureId!)),
    };
  }

  /** Appends agenda items after the meeting's last position (under the meeting's row lock). */
  async appendItems(meetingId: string, items: Array<Omit<Prisma.SteeringAgendaItemUncheckedCreateInput, 'meetingId' | 'position'>>) {
    if (!items.length) return 0;
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "SteeringMeeting" WHERE "id" = ${meetingId}::uuid FOR UPDATE`;
      const last = await tx.steeringAgendaItem.aggregate({ where: { meetingId }, _max: { position: true } });
      let pos = last._max.position ?? 0;
      for (const i of items) await tx.steeringAgendaItem.create({ data: { ...i, meetingId, position: ++pos } });
      return items.length;
    });
  }

  agendaItem(id: string) {
    return this.db.steeringAgendaItem.findUnique({ where: { id }, include: { meeting: true, decision: true } });
  }

  updateAgendaItem(id: string, data: Prisma.SteeringAgendaItemUncheckedUpdateInput) {
    return this.db.steeringAgendaItem.update({ where: { id }, data });
  }

  // --- notices --------------------------------------------------------------------------------

  notice(id: string) {
    return this.db.steeringNotice.findUnique({ where: { id } });
  }

  noticesOf(where: Prisma.SteeringNoticeWhereInput, skip: number, take: number) {
    return Promise.all([this.db.steeringNotice.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip, take }), this.db.steeringNotice.count({ where })]);
  }

  markNoticeRead(id: string) {
    return this.db.steeringNotice.updateMany({ where: { id, readAt: null }, data: { readAt: new Date() } });
  }

  noticeCount(themeId: string) {
    return this.db.steeringNotice.count({ where: { themeId } });
  }

  themesByIds(ids: string[]) {
    return this.db.steeringTheme.findMany({ where: { id: { in: ids } } });
  }

  casesByIds(ids: string[]) {
    return this.db.case.findMany({ where: { id: { in: ids } }, select: { id: true, reference: true } });
  }

  /** Writes the notice and its case-file note once per theme and case. */
  async writeNotice(tx: Tx, n: { themeId: string; caseId: string; kommuneId: string; siteId: string; text: string }): Promise<boolean> {
    const exists = await tx.steeringNotice.findUnique({ where: { themeId_caseId: { themeId: n.themeId, caseId: n.caseId } } });
    if (exists) return false;
    const note = await tx.note.create({ data: { caseId: n.caseId, authorId: null, text: n.text } });
    await tx.steeringNotice.create({ data: { themeId: n.themeId, caseId: n.caseId, kommuneId: n.kommuneId, siteId: n.siteId, noteId: note.id } });
    return true;
  }

  organisationNames(kommuneId: string) {
    return this.db.organisation.findMany({ where: { kommuneId, active: true }, orderBy: { name: 'asc' }, select: { name: true } });
  }
}
