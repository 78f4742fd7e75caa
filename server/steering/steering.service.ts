/**
 * The steering of Baustein 1 (process kim-steuerung): the rules behind the process's steps and the
 * coordination's screens.
 * - Intake: every reported system gap gets one instance (the coordination's inbox task "Systemlücke
 *   einem Thema zuordnen"), every open theme without an instance gets one at the point its state says
 *   (themes made in the web app or by the demo data). The sweep runs on an interval in every server
 *   node; rows are locked (SKIP LOCKED) and a running instance found in the engine is adopted, so a
 *   gap or theme never gets two.
 * - The workers' steps run once per job key and keep titles, descriptions and notes here; the engine
 *   gets ids, codes and dates.
 * - Decisions of the steering group are recorded on an agenda item of a meeting and sent to the
 *   theme's instance as a message (kept by the message service until the instance waits).
 * - Closing a theme writes a note into each case that reported one of its gaps (no other case's
 *   data in it) and a notice the case managers of that site see.
 * Themes show counts and life areas, never persons.
 */
import {
  AGENDA_KIND_DE,
  APPROVAL,
  ASSIGNMENT,
  CORRELATION,
  DECISION,
  DECISION_DE,
  DECISIONS_OF,
  ENTRY,
  GAP_SOURCE_DE,
  MEASURE_STATE_DE,
  MEMBER_FUNCTIONS,
  MEMBER_KINDS,
  MSG,
  PRIORITIES,
  PRIORITY_DE,
  PRIORITY_NEXT,
  PROCESS_ID,
  PROGRESS,
  THEME_STATE_DE,
  labelOf,
  type AgendaKind,
  type DecisionCode,
  type Entry,
  type MeasureState,
  type ThemeState,
} from '../../processes/kim-steuerung/contract';
import type { Prisma, SteeringMeasureState, SteeringThemeState } from '../../generated/prisma/client';
import type { Actor } from '../auth/policy';
import type { Tx } from '../cases/case-process.repository';
import type { ProcessRuntime, Variables } from '../engine/port';
import { badRequest, conflict, DomainError, notFound } from '../errors';
import type { ListParams } from '../http/http';
import type { MessageService } from '../messages/messages.service';
import { berlinMidnight } from '../residence/deadlines';
import { todayInBerlin } from '../naturalisation/einbuergerung.service';
import type { Logger } from '../util/log';
import { LIFE_AREA_DE } from '../referrals/referral.service';
import { assertReadsNotices, assertSteers } from './steering.policy';
import { SteeringRepository, type MeasureRow, type ThemeRow } from './steering.repository';

const DAY = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isoDay = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : null);
const who = (a: Actor) => ({ userId: a.id, username: a.username, role: a.role });
const values = <T extends Record<string, string>>(o: T) => Object.values(o) as Array<T[keyof T]>;

function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw badRequest(`${field}: ungültiger Wert.`, { [field]: `Erlaubt: ${allowed.join(', ')}` });
  return v as T;
}
function text(v: unknown, field: string, max: number, required = false): string {
  const s = typeof v === 'string' ? v.trim() : '';
  if (required && !s) throw badRequest(`${field}: Pflichtfeld – bitte ausfüllen.`, { [field]: 'Pflichtfeld' });
  return s.slice(0, max);
}
function idOf(v: unknown, field: string): string {
  if (typeof v !== 'string' || !UUID.test(v)) throw badRequest(`${field}: ungültige ID.`, { [field]: 'ID fehlt oder ist ungültig' });
  return v;
}
function dateOf(v: unknown, field: string): Date {
  const s = typeof v === 'string' ? v.slice(0, 10) : '';
  const d = new Date(`${s}T00:00:00Z`);
  if (!ISO_DATE.test(s) || Number.isNaN(d.getTime()) || isoDay(d) !== s) throw badRequest(`${field}: ungültiges Datum.`, { [field]: 'JJJJ-MM-TT' });
  return d;
}

/**
 * Where a theme's instance begins, from what the app knows: the newest measure decides once there
 * is one; before that the theme's state and the steering group's newest decision on it. Null: closed.
 */
export function entryOf(theme: { state: ThemeState }, measure: { state: MeasureState } | null, lastDecision: { code: string } | null): Entry | null {
  if (theme.state === 'geschlossen') return null;
  if (measure) {
    switch (measure.state) {
      case 'umgesetzt':
        return ENTRY.closing;
      case 'freigegeben':
      case 'in_umsetzung':
        return ENTRY.implementation;
      case 'entwurf':
        return ENTRY.approval;
      case 'zurueckgewiesen':
        return ENTRY.measure;
    }
  }
  if (theme.state === 'in_bearbeitung') return ENTRY.measure;
  if (theme.state === 'priorisiert') return lastDecision?.code === DECISION.close ? ENTRY.closing : ENTRY.decision;
  return ENTRY.theme;
}

/** A measure is overdue while it is approved or in implementation and its target date has passed. */
export const isOverdue = (m: { state: string; targetDate: Date }, today: string) => (m.state === 'freigegeben' || m.state === 'in_umsetzung') && isoDay(m.targetDate)! < today;

/** 00:00 Europe/Berlin of the day after the target date: from then on the measure is overdue. */
export const escalationAt = (targetDate: Date) => berlinMidnight(isoDay(new Date(targetDate.getTime() + DAY))!).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface SteeringOptions {
  /** Due date of the process's tasks (KIM_TASK_DUE). */
  taskDue: string;
  /** Wiedervorlage of a measure in implementation (KIM_STEERING_REMINDER_EVERY). */
  reminderEvery: string;
  /** Gaps and themes taken in per sweep and node. */
  batch?: number;
  today?: () => string;
}

const THEME_SORT: Record<string, keyof Prisma.SteeringThemeOrderByWithRelationInput> = { createdAt: 'createdAt', updatedAt: 'updatedAt', title: 'title', state: 'state', priority: 'priority', closedAt: 'closedAt' };
const MEASURE_SORT: Record<string, keyof Prisma.SteeringMeasureOrderByWithRelationInput> = { targetDate: 'targetDate', title: 'title', state: 'state', ownerOrganisation: 'ownerOrganisation', createdAt: 'createdAt' };
const MEETING_SORT: Record<string, keyof Prisma.SteeringMeetingOrderByWithRelationInput> = { date: 'date', title: 'title', status: 'status', createdAt: 'createdAt' };

/** The `id` filter react-admin sends for getMany: a list of ids (invalid ones match nothing). */
const idFilter = (v: unknown) => (Array.isArray(v) ? { id: { in: v.map(String).filter((x) => UUID.test(x)) } } : typeof v === 'string' ? { id: UUID.test(v) ? v : '00000000-0000-0000-0000-000000000000' } : {});

export class SteeringService {
  constructor(
    readonly repo: SteeringRepository,
    private readonly engine: Pick<ProcessRuntime, 'start' | 'findInstances'> | null,
    private readonly messages: Pick<MessageService, 'send'> | null,
    private readonly opts: SteeringOptions,
    private readonly log?: Logger,
  ) {}

  private today() {
    return this.opts.today?.() ?? todayInBerlin();
  }

  private startVariables(kommuneId: string, entry: Entry, ids: { systemGapId?: string; themeId?: string; measureId?: string }): Variables {
    return { kommuneId, einstieg: entry, ...ids, bearbeitungsfrist: this.opts.taskDue, erinnerungIntervall: this.opts.reminderEvery };
  }

  // -------------------------------------------------------------------------------------------
  // Intake: gaps into the inbox, themes without an instance into the process
  // -------------------------------------------------------------------------------------------

  private sweeping: Promise<{ gaps: number; themes: number }> | null = null;

  /** One intake run (runs once at a time per node; a call meanwhile shares the running one). */
  sweep(): Promise<{ gaps: number; themes: number }> {
    this.sweeping ??= this.runSweep().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  /** Resolves when no intake run is in flight (for a clean stop). */
  async settled(): Promise<void> {
    await this.sweeping?.catch(() => undefined);
  }

  private async runSweep(): Promise<{ gaps: number; themes: number }> {
    const engine = this.engine;
    if (!engine) return { gaps: 0, themes: 0 };
    const kommunen = await this.repo.deployedKommunen();
    if (!kommunen.length) return { gaps: 0, themes: 0 };
    const limit = this.opts.batch ?? 20;
    // The engine is called under the rows' lock: another node skips them meanwhile. If a start
    // succeeded but the commit did not, the next run finds the running instance and adopts it.
    const gaps = await this.repo.db.$transaction(
      async (tx) => {
        const rows = await this.repo.lockGapsToTakeIn(tx, kommunen, limit);
        for (const g of rows) {
          const running = await engine.findInstances(g.kommuneId, 'systemGapId', g.id);
          const key = running[0] ?? (await engine.start(PROCESS_ID, g.kommuneId, this.startVariables(g.kommuneId, ENTRY.gap, { systemGapId: g.id }))).processInstanceKey;
          await this.repo.updateGap(tx, g.id, { steeringInstanceKey: key });
        }
        return rows.length;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
    const themes = await this.repo.db.$transaction(
      async (tx) => {
        const rows = await this.repo.lockThemesWithoutInstance(tx, kommunen, limit);
        for (const t of rows) {
          const theme = (await tx.steeringTheme.findUnique({ where: { id: t.id } }))!;
          const measure = await tx.steeringMeasure.findFirst({ where: { themeId: t.id }, orderBy: { createdAt: 'desc' } });
          const decision = await tx.steeringDecision.findFirst({ where: { themeId: t.id, measureId: null }, orderBy: { createdAt: 'desc' } });
          const entry = entryOf(theme, measure, decision);
          if (!entry) continue;
          const running = await engine.findInstances(t.kommuneId, 'themeId', t.id);
          const key = running[0] ?? (await engine.start(PROCESS_ID, t.kommuneId, this.startVariables(t.kommuneId, entry, { themeId: t.id, ...(measure ? { measureId: measure.id } : {}) }))).processInstanceKey;
          await tx.steeringTheme.update({ where: { id: t.id }, data: { processInstanceKey: key } });
        }
        return rows.length;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
    if (gaps || themes) this.log?.info({ gaps, themes }, 'steering intake');
    return { gaps, themes };
  }

  /** Sweeps now without waiting (after a change that needs an instance); failures wait for the next interval. */
  private nudge() {
    void this.sweep().catch((e) => this.log?.warn({ err: (e as Error).name }, 'steering intake failed'));
  }

  // -------------------------------------------------------------------------------------------
  // The workers' steps
  // -------------------------------------------------------------------------------------------

  /** kim.assign-system-gap: files the gap under an existing or a new theme, or closes it as needing no action. */
  async assignGap(jobKey: string, processInstanceKey: string, v: Record<string, unknown>): Promise<{ themeId?: string }> {
    const gap = await this.repo.gap(idOf(v.systemGapId, 'systemGapId'));
    if (!gap) throw notFound('Die Systemlücke');
    const how = oneOf(v.zuordnung, values(ASSIGNMENT), 'zuordnung');
    let themeId: string | undefined;
    if (how === ASSIGNMENT.existing) {
      const theme = await this.repo.theme(idOf(v.themaId, 'themaId'));
      if (!theme || theme.kommuneId !== gap.kommuneId) throw badRequest('Das gewählte Thema gibt es in dieser Kommune nicht.', { themaId: 'Unbekanntes Thema' });
      if (theme.state === 'geschlossen') throw badRequest('Das gewählte Thema ist bereits geschlossen.', { themaId: 'Thema geschlossen' });
      themeId = theme.id;
    }
    const title = how === ASSIGNMENT.newTheme ? text(v.themaTitel, 'themaTitel', 200, true) : '';
    await this.repo.once(jobKey, 'assign', themeId ?? null, async (tx) => {
      if (how === ASSIGNMENT.newTheme) {
        const t = await this.repo.createTheme(tx, { kommuneId: gap.kommuneId, title, description: text(v.themaBeschreibung, 'themaBeschreibung', 4000), processInstanceKey });
        themeId = t.id;
      }
      if (how === ASSIGNMENT.noAction) await this.repo.updateGap(tx, gap.id, { status: 'erledigt', steeringNote: text(v.begruendung, 'begruendung', 2000) });
      else await this.repo.updateGap(tx, gap.id, { themeId, status: 'in_pruefung' });
      await this.repo.audit(tx, { action: `steuerung.luecke_${how}`, entity: 'SystemGap', entityId: gap.id, kommuneId: gap.kommuneId, fields: themeId ? ['themeId'] : ['status'] });
    });
    // Delivered twice: the theme the first delivery made is the one this instance carries.
    if (how === ASSIGNMENT.newTheme && !themeId) themeId = (await this.repo.themeOfInstance(processInstanceKey, gap.kommuneId))?.id;
    return themeId ? { themeId } : {};
  }

  private async themeFor(v: Record<string, unknown>): Promise<ThemeRow> {
    const theme = await this.repo.theme(idOf(v.themeId, 'themeId'));
    if (!theme) throw notFound('Das Thema');
    return theme;
  }

  /** kim.record-steering-priority: priority and whether the theme goes to the steering group. */
  async recordPriority(jobKey: string, v: Record<string, unknown>): Promise<void> {
    const theme = await this.themeFor(v);
    const priority = oneOf(v.prioritaet, PRIORITIES, 'prioritaet');
    const next = oneOf(v.themaWeiter, values(PRIORITY_NEXT), 'themaWeiter');
    await this.repo.once(jobKey, 'priority', theme.id, async (tx) => {
      await this.repo.updateTheme(tx, theme.id, { priority, priorityNote: text(v.begruendung, 'begruendung', 2000) || null, ...(next === PRIORITY_NEXT.steeringGroup ? { state: 'priorisiert' } : {}) });
      await this.repo.audit(tx, { action: 'steuerung.thema_priorisiert', entity: 'SteeringTheme', entityId: theme.id, kommuneId: theme.kommuneId, fields: ['priority', 'state'] });
    });
  }

  /** kim.save-steering-measure: the project group's measure (a revision updates the one sent back). */
  async saveMeasure(jobKey: string, v: Record<string, unknown>): Promise<{ measureId: string }> {
    const theme = await this.themeFor(v);
    const data = {
      title: text(v.massnahmeTitel, 'massnahmeTitel', 200, true),
      ownerOrganisation: text(v.verantwortlicheStelle, 'verantwortlicheStelle', 200, true),
      targetDate: dateOf(v.zieldatum, 'zieldatum'),
      expectedEffect: text(v.erwarteteWirkung, 'erwarteteWirkung', 4000, true),
      description: text(v.massnahmeBeschreibung, 'massnahmeBeschreibung', 4000),
    };
    const current = await this.repo.latestMeasure(theme.id);
    const revise = current && (current.state === 'zurueckgewiesen' || current.state === 'entwurf');
    await this.repo.once(jobKey, 'measure', theme.id, async (tx) => {
      if (revise) await this.repo.updateMeasure(tx, current.id, { ...data, state: 'entwurf' });
      else await this.repo.createMeasure(tx, { ...data, themeId: theme.id, kommuneId: theme.kommuneId });
      await this.repo.updateTheme(tx, theme.id, { state: 'in_bearbeitung' });
      await this.repo.audit(tx, { action: revise ? 'steuerung.massnahme_ueberarbeitet' : 'steuerung.massnahme_ausgearbeitet', entity: 'SteeringTheme', entityId: theme.id, kommuneId: theme.kommuneId, fields: Object.keys(data) });
    });
    const saved = await this.repo.latestMeasure(theme.id);
    return { measureId: saved!.id };
  }

  private async measureFor(v: Record<string, unknown>, theme: ThemeRow): Promise<MeasureRow> {
    const m = typeof v.measureId === 'string' && UUID.test(v.measureId) ? await this.repo.measure(v.measureId) : await this.repo.latestMeasure(theme.id);
    if (!m || m.themeId !== theme.id) throw notFound('Die Maßnahme');
    return m;
  }

  /** kim.start-steering-measure: the approved measure is in implementation; when it becomes overdue. */
  async startMeasure(jobKey: string, v: Record<string, unknown>): Promise<{ measureId: string; eskalationAm: string }> {
    const theme = await this.themeFor(v);
    const m = await this.measureFor(v, theme);
    await this.repo.once(jobKey, 'start', theme.id, async (tx) => {
      await this.repo.updateMeasure(tx, m.id, { state: 'in_umsetzung', startedAt: m.startedAt ?? new Date(), approvedAt: m.approvedAt ?? new Date() });
      await this.repo.audit(tx, { action: 'steuerung.massnahme_in_umsetzung', entity: 'SteeringMeasure', entityId: m.id, kommuneId: m.kommuneId });
    });
    return { measureId: m.id, eskalationAm: escalationAt(m.targetDate) };
  }

  /** kim.record-measure-progress: a Wiedervorlage or an escalation; a new target date moves the escalation. */
  async recordProgress(jobKey: string, escalation: boolean, v: Record<string, unknown>): Promise<{ eskalationAm: string }> {
    const theme = await this.themeFor(v);
    const m = await this.measureFor(v, theme);
    const stand = oneOf(v.stand, escalation ? [PROGRESS.newTargetDate, PROGRESS.done] : [PROGRESS.running, PROGRESS.done], 'stand');
    let targetDate = m.targetDate;
    if (stand === PROGRESS.newTargetDate) {
      // The form does not offer past days; a date that has passed meanwhile counts as today.
      const wanted = dateOf(v.neuesZieldatum, 'neuesZieldatum');
      const today = new Date(`${this.today()}T00:00:00Z`);
      targetDate = wanted < today ? today : wanted;
    }
    await this.repo.once(jobKey, escalation ? 'escalation' : 'progress', theme.id, async (tx) => {
      await this.repo.updateMeasure(tx, m.id, {
        lastProgressAt: new Date(),
        progressNote: text(v.standNotiz, 'standNotiz', 2000) || m.progressNote,
        targetDate,
        ...(escalation ? { escalatedAt: new Date() } : {}),
        ...(stand === PROGRESS.done ? { state: 'umgesetzt', doneAt: new Date() } : {}),
      });
      await this.repo.audit(tx, { action: escalation ? 'steuerung.massnahme_eskaliert' : 'steuerung.massnahme_stand', entity: 'SteeringMeasure', entityId: m.id, kommuneId: m.kommuneId, fields: stand === PROGRESS.newTargetDate ? ['targetDate'] : ['state'] });
    });
    const now = await this.repo.measure(m.id);
    return { eskalationAm: escalationAt(now!.targetDate) };
  }

  /** kim.close-steering-theme: the theme is closed with its result; its gaps are done. */
  async closeTheme(jobKey: string, v: Record<string, unknown>): Promise<void> {
    const theme = await this.themeFor(v);
    const result = text(v.ergebnis, 'ergebnis', 2000, true);
    await this.repo.once(jobKey, 'close', theme.id, async (tx) => {
      await this.repo.updateTheme(tx, theme.id, { state: 'geschlossen', closedAt: new Date(), result });
      await tx.systemGap.updateMany({ where: { themeId: theme.id }, data: { status: 'erledigt' } });
      await this.repo.audit(tx, { action: 'steuerung.thema_geschlossen', entity: 'SteeringTheme', entityId: theme.id, kommuneId: theme.kommuneId, fields: ['state', 'result'] });
    });
  }

  /** The case-file note of a closing notice: the case's own gap, the theme and what changed – no other case. */
  noticeText(theme: ThemeRow, measure: MeasureRow | null, gapTitle: string): string {
    const parts = [`Rückmeldung der Koordination (Steuerung): Die aus diesem Fall gemeldete Systemlücke „${gapTitle}“ gehört zum Thema „${theme.title}“, das jetzt geschlossen ist.`];
    if (measure?.state === 'umgesetzt') parts.push(`Umgesetzte Maßnahme: ${measure.title} (verantwortlich: ${measure.ownerOrganisation}).`);
    if (theme.result) parts.push(`Ergebnis: ${theme.result}`);
    return parts.join(' ');
  }

  /** kim.notify-steering-closure: one notice (with its case-file note) per case that reported a gap of the theme. */
  async notifyClosure(jobKey: string, v: Record<string, unknown>): Promise<{ notified: number }> {
    const theme = await this.themeFor(v);
    const measure = await this.repo.latestMeasure(theme.id);
    const cases = await this.repo.reportingCases(theme.id);
    let notified = 0;
    await this.repo.once(jobKey, 'notify', theme.id, async (tx: Tx) => {
      for (const c of cases) {
        if (await this.repo.writeNotice(tx, { themeId: theme.id, caseId: c.caseId, kommuneId: c.kommuneId, siteId: c.siteId, text: this.noticeText(theme, measure, c.gapTitle) })) {
          notified++;
          await this.repo.audit(tx, { action: 'steuerung.rueckmeldung', entity: 'SteeringNotice', entityId: theme.id, caseId: c.caseId, kommuneId: c.kommuneId });
        }
      }
    });
    return { notified };
  }

  // -------------------------------------------------------------------------------------------
  // Themes (coordination)
  // -------------------------------------------------------------------------------------------

  private async themeViews(rows: ThemeRow[]) {
    const ids = rows.map((r) => r.id);
    const [reach, measures] = await Promise.all([this.repo.reach(ids), this.repo.measuresOfThemes(ids)]);
    const latest = new Map<string, MeasureRow>();
    for (const m of measures) latest.set(m.themeId, m);
    return rows.map((t) => {
      const r = reach.get(t.id)!;
      const m = latest.get(t.id);
      return {
        id: t.id,
        title: t.title,
        description: t.description,
        state: t.state,
        stateLabel: labelOf(THEME_STATE_DE, t.state),
        priority: t.priority,
        priorityLabel: t.priority ? labelOf(PRIORITY_DE, t.priority) : 'noch nicht priorisiert',
        gapCount: r.gapCount,
        caseCount: r.caseCount,
        lifeAreas: r.lifeAreas,
        lifeAreaLabels: r.lifeAreas.map((l) => labelOf(LIFE_AREA_DE, l)),
        measureId: m?.id ?? null,
        measureState: m?.state ?? null,
        measureStateLabel: m ? labelOf(MEASURE_STATE_DE, m.state) : 'keine Maßnahme',
        createdAt: t.createdAt,
        updatedAt: t.updatedAt,
        closedAt: t.closedAt,
      };
    });
  }

  async listThemes(a: Actor, p: ListParams) {
    const kommuneId = assertSteers(a);
    const f = p.filter;
    const where: Prisma.SteeringThemeWhereInput = {
      kommuneId,
      ...idFilter(f.id),
      ...(typeof f.state === 'string' && f.state ? { state: oneOf(f.state, ['offen', 'priorisiert', 'in_bearbeitung', 'geschlossen'], 'state') as SteeringThemeState } : {}),
      ...(f.offen === true ? { state: { not: 'geschlossen' } } : {}),
      ...(typeof f.q === 'string' && f.q.trim() ? { title: { contains: f.q.trim(), mode: 'insensitive' } } : {}),
    };
    const field = THEME_SORT[p.sortField ?? 'updatedAt'];
    if (!field) throw badRequest(`Nach „${p.sortField}“ kann nicht sortiert werden.`, { sort: `Erlaubt: ${Object.keys(THEME_SORT).join(', ')}` });
    const [rows, total] = await this.repo.listThemes(where, { [field]: p.sortSpecified ? p.sortOrder : 'desc' }, p.offset, p.limit);
    return { rows: await this.themeViews(rows), total };
  }

  private async ownTheme(a: Actor, id: string): Promise<ThemeRow> {
    const kommuneId = assertSteers(a);
    const t = UUID.test(id) ? await this.repo.theme(id) : null;
    if (!t || t.kommuneId !== kommuneId) throw notFound('Das Thema');
    return t;
  }

  async getTheme(a: Actor, id: string) {
    const t = await this.ownTheme(a, id);
    const [[view], gaps, measures, decisions, notices] = await Promise.all([this.themeViews([t]), this.repo.gapsOfTheme(t.id), this.repo.measuresOfThemes([t.id]), this.repo.decisionsOfTheme(t.id), this.repo.noticeCount(t.id)]);
    const today = this.today();
    return {
      ...view,
      priorityNote: t.priorityNote,
      result: t.result,
      gaps: gaps.map((g) => ({ id: g.id, title: g.title, description: g.description, lifeArea: g.lifeArea, lifeAreaLabel: labelOf(LIFE_AREA_DE, g.lifeArea), createdAt: g.createdAt, source: g.source, sourceLabel: GAP_SOURCE_DE[g.source] })),
      measures: measures.map((m) => this.measureView(m, t.title, today)),
      decisions: decisions.map((d) => ({ id: d.id, meetingId: d.meetingId, meetingDate: d.meeting.date, meetingTitle: d.meeting.title, code: d.code, label: labelOf(DECISION_DE, d.code), text: d.text, createdAt: d.createdAt })),
      noticeCount: notices,
    };
  }

  /** A theme made directly in the web app (without a reported gap): the intake starts its instance. */
  async createTheme(a: Actor, input: { title: string; description?: string }, requestId?: string) {
    const kommuneId = assertSteers(a);
    const t = await this.repo.createTheme(this.repo.db, { kommuneId, title: text(input.title, 'title', 200, true), description: text(input.description, 'description', 4000), createdById: a.id });
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.thema_angelegt', entity: 'SteeringTheme', entityId: t.id, kommuneId, requestId });
    this.nudge();
    return this.getTheme(a, t.id);
  }

  async updateTheme(a: Actor, id: string, input: { title?: string; description?: string }, requestId?: string) {
    const t = await this.ownTheme(a, id);
    if (t.state === 'geschlossen') throw conflict('Ein geschlossenes Thema wird nicht mehr geändert.');
    const data = { ...(input.title !== undefined ? { title: text(input.title, 'title', 200, true) } : {}), ...(input.description !== undefined ? { description: text(input.description, 'description', 4000) } : {}) };
    await this.repo.updateTheme(this.repo.db, t.id, data);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.thema_geaendert', entity: 'SteeringTheme', entityId: t.id, kommuneId: t.kommuneId, fields: Object.keys(data), requestId });
    return this.getTheme(a, t.id);
  }

  /** Re-clusters a gap: from its open theme to another open theme of the commune. */
  async moveGap(a: Actor, gapId: string, input: { themeId: string }, requestId?: string) {
    const kommuneId = assertSteers(a);
    const gap = UUID.test(gapId) ? await this.repo.gap(gapId) : null;
    if (!gap || gap.kommuneId !== kommuneId) throw notFound('Die Systemlücke');
    if (!gap.themeId) throw conflict('Die Systemlücke ist noch keinem Thema zugeordnet: Das geschieht in ihrer Aufgabe im Aufgabeneingang.');
    const from = await this.repo.theme(gap.themeId);
    if (from?.state === 'geschlossen') throw conflict('Die Systemlücke gehört zu einem geschlossenen Thema.');
    const to = await this.ownTheme(a, input.themeId);
    if (to.state === 'geschlossen') throw conflict('Das Ziel-Thema ist bereits geschlossen.');
    await this.repo.updateGap(this.repo.db, gap.id, { themeId: to.id });
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.luecke_verschoben', entity: 'SystemGap', entityId: gap.id, kommuneId, fields: ['themeId'], requestId });
    return this.getTheme(a, to.id);
  }

  // -------------------------------------------------------------------------------------------
  // Measures
  // -------------------------------------------------------------------------------------------

  private measureView(m: MeasureRow, themeTitle: string, today: string) {
    return {
      id: m.id,
      themeId: m.themeId,
      themeTitle,
      title: m.title,
      description: m.description,
      ownerOrganisation: m.ownerOrganisation,
      targetDate: isoDay(m.targetDate),
      expectedEffect: m.expectedEffect,
      state: m.state,
      stateLabel: labelOf(MEASURE_STATE_DE, m.state),
      overdue: isOverdue(m, today),
      sentBackNote: m.sentBackNote,
      progressNote: m.progressNote,
      approvedAt: m.approvedAt,
      startedAt: m.startedAt,
      doneAt: m.doneAt,
      escalatedAt: m.escalatedAt,
      lastProgressAt: m.lastProgressAt,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  }

  async listMeasures(a: Actor, p: ListParams) {
    const kommuneId = assertSteers(a);
    const f = p.filter;
    const today = this.today();
    const where: Prisma.SteeringMeasureWhereInput = {
      kommuneId,
      ...idFilter(f.id),
      ...(typeof f.state === 'string' && f.state ? { state: oneOf(f.state, ['entwurf', 'freigegeben', 'in_umsetzung', 'umgesetzt', 'zurueckgewiesen'], 'state') as SteeringMeasureState } : {}),
      ...(typeof f.themeId === 'string' ? { themeId: UUID.test(f.themeId) ? f.themeId : '00000000-0000-0000-0000-000000000000' } : {}),
      ...(f.overdue === true || f.overdue === 'true' ? { state: { in: ['freigegeben', 'in_umsetzung'] as SteeringMeasureState[] }, targetDate: { lt: new Date(`${today}T00:00:00Z`) } } : {}),
    };
    const field = MEASURE_SORT[p.sortField ?? 'targetDate'];
    if (!field) throw badRequest(`Nach „${p.sortField}“ kann nicht sortiert werden.`, { sort: `Erlaubt: ${Object.keys(MEASURE_SORT).join(', ')}` });
    const [rows, total] = await this.repo.listMeasures(where, { [field]: p.sortSpecified ? p.sortOrder : 'asc' }, p.offset, p.limit);
    return { rows: rows.map((m) => this.measureView(m, m.theme.title, today)), total };
  }

  async getMeasure(a: Actor, id: string) {
    const kommuneId = assertSteers(a);
    const m = UUID.test(id) ? await this.repo.measure(id) : null;
    if (!m || m.kommuneId !== kommuneId) throw notFound('Die Maßnahme');
    const theme = await this.repo.theme(m.themeId);
    return this.measureView(m, theme?.title ?? '', this.today());
  }

  // -------------------------------------------------------------------------------------------
  // The steering group: members, meetings, agenda, minutes, decisions
  // -------------------------------------------------------------------------------------------

  private memberData(input: Record<string, unknown>, partial: boolean) {
    const out: Prisma.SteeringGroupMemberUncheckedUpdateInput = {};
    if (!partial || input.organisation !== undefined) out.organisation = text(input.organisation, 'organisation', 200, true);
    if (!partial || input.kind !== undefined) out.kind = oneOf(input.kind, MEMBER_KINDS, 'kind');
    if (input.function !== undefined) out.function = oneOf(input.function, MEMBER_FUNCTIONS, 'function');
    if (input.representative !== undefined) out.representative = text(input.representative, 'representative', 200) || null;
    if (input.active !== undefined) out.active = input.active === true;
    return out;
  }

  async listMembers(a: Actor) {
    // Active first, then by organisation in German order (Ä with A).
    const rows = (await this.repo.members(assertSteers(a))).sort((x, y) => Number(y.active) - Number(x.active) || x.organisation.localeCompare(y.organisation, 'de'));
    return { rows, total: rows.length };
  }

  async createMember(a: Actor, input: Record<string, unknown>, requestId?: string) {
    const kommuneId = assertSteers(a);
    const m = await this.repo.createMember({ ...(this.memberData(input, false) as Prisma.SteeringGroupMemberUncheckedCreateInput), kommuneId });
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.mitglied_angelegt', entity: 'SteeringGroupMember', entityId: m.id, kommuneId, requestId });
    return m;
  }

  private async ownMember(a: Actor, id: string) {
    const kommuneId = assertSteers(a);
    const m = UUID.test(id) ? await this.repo.member(id) : null;
    if (!m || m.kommuneId !== kommuneId) throw notFound('Das Mitglied der Lenkungsgruppe');
    return m;
  }

  async getMember(a: Actor, id: string) {
    return this.ownMember(a, id);
  }

  async updateMember(a: Actor, id: string, input: Record<string, unknown>, requestId?: string) {
    const m = await this.ownMember(a, id);
    const data = this.memberData(input, true);
    const out = await this.repo.updateMember(m.id, data);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.mitglied_geaendert', entity: 'SteeringGroupMember', entityId: m.id, kommuneId: m.kommuneId, fields: Object.keys(data), requestId });
    return out;
  }

  async deleteMember(a: Actor, id: string, requestId?: string) {
    const m = await this.ownMember(a, id);
    await this.repo.deleteMember(m.id);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.mitglied_entfernt', entity: 'SteeringGroupMember', entityId: m.id, kommuneId: m.kommuneId, requestId });
    return m;
  }

  async listMeetings(a: Actor, p: ListParams) {
    const kommuneId = assertSteers(a);
    const field = MEETING_SORT[p.sortField ?? 'date'];
    if (!field) throw badRequest(`Nach „${p.sortField}“ kann nicht sortiert werden.`, { sort: `Erlaubt: ${Object.keys(MEETING_SORT).join(', ')}` });
    const [rows, total] = await this.repo.listMeetings({ kommuneId, ...idFilter(p.filter.id) }, { [field]: p.sortSpecified ? p.sortOrder : 'desc' }, p.offset, p.limit);
    return {
      rows: rows.map((m) => ({ id: m.id, title: m.title, date: m.date, location: m.location, status: m.status, statusLabel: m.status === 'durchgefuehrt' ? 'durchgeführt' : 'geplant', itemCount: m._count.items, decisionCount: m._count.decisions })),
      total,
    };
  }

  private async ownMeeting(a: Actor, id: string) {
    const kommuneId = assertSteers(a);
    const m = UUID.test(id) ? await this.repo.meeting(id) : null;
    if (!m || m.kommuneId !== kommuneId) throw notFound('Die Sitzung');
    return m;
  }

  async getMeeting(a: Actor, id: string) {
    const m = await this.ownMeeting(a, id);
    const themeIds = [...new Set(m.items.map((i) => i.themeId).filter((x): x is string => !!x))];
    const measureIds = [...new Set(m.items.map((i) => i.measureId).filter((x): x is string => !!x))];
    const [themes, measures] = await Promise.all([this.repo.themesByIds(themeIds), this.repo.db.steeringMeasure.findMany({ where: { id: { in: measureIds } } })]);
    const themeOf = new Map(themes.map((t) => [t.id, t]));
    const measureOf = new Map(measures.map((x) => [x.id, x]));
    const today = this.today();
    const reach = await this.repo.reach(themeIds);
    return {
      id: m.id,
      title: m.title,
      date: m.date,
      location: m.location,
      status: m.status,
      statusLabel: m.status === 'durchgefuehrt' ? 'durchgeführt' : 'geplant',
      minutes: m.minutes,
      items: m.items.map((i) => {
        const t = i.themeId ? themeOf.get(i.themeId) : undefined;
        const ms = i.measureId ? measureOf.get(i.measureId) : undefined;
        const r = i.themeId ? reach.get(i.themeId) : undefined;
        return {
          id: i.id,
          position: i.position,
          kind: i.kind,
          kindLabel: labelOf(AGENDA_KIND_DE, i.kind),
          title: i.title,
          notes: i.notes,
          themeId: i.themeId,
          theme: t ? { id: t.id, title: t.title, state: t.state, stateLabel: labelOf(THEME_STATE_DE, t.state), priorityLabel: t.priority ? labelOf(PRIORITY_DE, t.priority) : null, gapCount: r?.gapCount ?? 0, caseCount: r?.caseCount ?? 0, lifeAreaLabels: (r?.lifeAreas ?? []).map((l) => labelOf(LIFE_AREA_DE, l)) } : null,
          measureId: i.measureId,
          measure: ms ? this.measureView(ms, t?.title ?? '', today) : null,
          decisionOptions: DECISIONS_OF[i.kind as AgendaKind]?.map((code) => ({ code, label: DECISION_DE[code] })) ?? [],
          decision: i.decision ? { id: i.decision.id, code: i.decision.code, label: labelOf(DECISION_DE, i.decision.code), text: i.decision.text, createdAt: i.decision.createdAt } : null,
        };
      }),
    };
  }

  /** Adds what the steering group has to decide: prioritised themes (by priority), measures to approve, overdue measures. */
  private async proposeAgenda(kommuneId: string, meetingId: string): Promise<number> {
    const pending = await this.repo.pendingAgendaRefs(kommuneId);
    const today = new Date(`${this.today()}T00:00:00Z`);
    const [themes, drafts, overdue] = await Promise.all([
      this.repo.themesByState(kommuneId, 'priorisiert'),
      this.repo.measuresByState(kommuneId, ['entwurf']),
      this.repo.measuresByState(kommuneId, ['freigegeben', 'in_umsetzung'], today),
    ]);
    const items = [
      ...themes.filter((t) => !pending.themeIds.has(t.id)).map((t) => ({ kind: 'thema', themeId: t.id, title: t.title })),
      ...drafts.filter((m) => !pending.measureIds.has(m.id)).map((m) => ({ kind: 'massnahme', themeId: m.themeId, measureId: m.id, title: `Freigabe: ${m.title}` })),
      ...overdue.filter((m) => !pending.measureIds.has(m.id)).map((m) => ({ kind: 'eskalation', themeId: m.themeId, measureId: m.id, title: `Überfällig: ${m.title}` })),
    ];
    return this.repo.appendItems(meetingId, items);
  }

  async createMeeting(a: Actor, input: { date: string; location?: string | null; title?: string }, requestId?: string) {
    const kommuneId = assertSteers(a);
    const m = await this.repo.createMeeting(this.repo.db, { kommuneId, date: new Date(input.date), location: text(input.location, 'location', 200) || null, ...(input.title?.trim() ? { title: text(input.title, 'title', 200) } : {}) });
    await this.proposeAgenda(kommuneId, m.id);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.sitzung_angelegt', entity: 'SteeringMeeting', entityId: m.id, kommuneId, requestId });
    return this.getMeeting(a, m.id);
  }

  async updateMeeting(a: Actor, id: string, input: { title?: string; date?: string; location?: string | null; minutes?: string | null; status?: 'geplant' | 'durchgefuehrt' }, requestId?: string) {
    const m = await this.ownMeeting(a, id);
    const data: Prisma.SteeringMeetingUncheckedUpdateInput = {};
    if (input.title !== undefined) data.title = text(input.title, 'title', 200, true);
    if (input.date !== undefined) data.date = new Date(input.date);
    if (input.location !== undefined) data.location = text(input.location, 'location', 200) || null;
    if (input.minutes !== undefined) data.minutes = text(input.minutes, 'minutes', 20_000) || null;
    if (input.status !== undefined) data.status = input.status;
    await this.repo.updateMeeting(m.id, data);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.sitzung_geaendert', entity: 'SteeringMeeting', entityId: m.id, kommuneId: m.kommuneId, fields: Object.keys(data), requestId });
    return this.getMeeting(a, m.id);
  }

  /** "Tagesordnung aktualisieren": adds what became ready for the steering group since the meeting was planned. */
  async refreshAgenda(a: Actor, id: string, requestId?: string) {
    const m = await this.ownMeeting(a, id);
    if (m.status !== 'geplant') throw conflict('Die Tagesordnung einer durchgeführten Sitzung bleibt, wie sie war.');
    const added = await this.proposeAgenda(m.kommuneId, m.id);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.tagesordnung', entity: 'SteeringMeeting', entityId: m.id, kommuneId: m.kommuneId, requestId });
    return { ...(await this.getMeeting(a, m.id)), added };
  }

  async addAgendaItem(a: Actor, id: string, input: { title: string }, requestId?: string) {
    const m = await this.ownMeeting(a, id);
    await this.repo.appendItems(m.id, [{ kind: 'sonstiges', title: text(input.title, 'title', 200, true) }]);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.tagesordnung', entity: 'SteeringMeeting', entityId: m.id, kommuneId: m.kommuneId, requestId });
    return this.getMeeting(a, m.id);
  }

  private async ownItem(a: Actor, meetingId: string, itemId: string) {
    const kommuneId = assertSteers(a);
    const item = UUID.test(itemId) ? await this.repo.agendaItem(itemId) : null;
    if (!item || item.meetingId !== meetingId || item.meeting.kommuneId !== kommuneId) throw notFound('Der Tagesordnungspunkt');
    return item;
  }

  async updateAgendaItem(a: Actor, meetingId: string, itemId: string, input: { notes?: string | null }, requestId?: string) {
    const item = await this.ownItem(a, meetingId, itemId);
    await this.repo.updateAgendaItem(item.id, { notes: text(input.notes, 'notes', 10_000) || null });
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.protokoll', entity: 'SteeringAgendaItem', entityId: item.id, kommuneId: item.meeting.kommuneId, fields: ['notes'], requestId });
    return this.getMeeting(a, meetingId);
  }

  /**
   * The steering group's decision on an agenda item. Decisions on a theme or a measure change its
   * state here and go to the theme's instance as a message; if the engine cannot take it, nothing
   * stays recorded (the coordination tries again). A theme whose instance is gone is taken in again
   * by the intake at the point its state now says.
   */
  async decide(a: Actor, meetingId: string, itemId: string, input: { code: string; text?: string | null }, requestId?: string) {
    const item = await this.ownItem(a, meetingId, itemId);
    if (item.decision) throw conflict('Zu diesem Tagesordnungspunkt ist bereits ein Beschluss festgehalten.');
    const kind = item.kind as AgendaKind;
    const code = oneOf(input.code, DECISIONS_OF[kind] ?? [], 'code') as DecisionCode;
    const note = text(input.text, 'text', 4000) || null;
    const kommuneId = item.meeting.kommuneId;
    const theme = item.themeId ? await this.repo.theme(item.themeId) : null;
    const measure = item.measureId ? await this.repo.measure(item.measureId) : null;
    if (kind === 'thema' && theme?.state !== 'priorisiert') throw conflict('Über dieses Thema ist bereits entschieden, oder es ist nicht mehr für die Lenkungsgruppe vorgemerkt.');
    if (kind === 'massnahme' && measure?.state !== 'entwurf') throw conflict('Diese Maßnahme wartet nicht (mehr) auf eine Freigabe.');
    const themeData: Prisma.SteeringThemeUncheckedUpdateInput = kind === 'thema' && code === DECISION.projectGroup ? { state: 'in_bearbeitung' } : {};
    const measureData: Prisma.SteeringMeasureUncheckedUpdateInput =
      kind === 'massnahme' ? (code === 'freigeben' ? { state: 'freigegeben', approvedAt: new Date(), sentBackNote: null } : { state: 'zurueckgewiesen', sentBackNote: note }) : {};
    const decision = await this.repo.db.$transaction(async (tx) => {
      const d = await tx.steeringDecision.create({ data: { meetingId, agendaItemId: item.id, kommuneId, themeId: item.themeId, measureId: kind === 'massnahme' || kind === 'eskalation' ? item.measureId : null, code, text: note, decidedById: a.id } });
      if (theme && Object.keys(themeData).length) await tx.steeringTheme.update({ where: { id: theme.id }, data: themeData });
      if (measure && Object.keys(measureData).length) await tx.steeringMeasure.update({ where: { id: measure.id }, data: measureData });
      await this.repo.audit(tx, { ...who(a), action: 'steuerung.beschluss', entity: 'SteeringDecision', entityId: d.id, kommuneId, fields: ['code'], requestId });
      return d;
    });
    const message =
      kind === 'thema'
        ? { name: MSG.decisionTaken, variables: { beschluss: code } }
        : kind === 'massnahme'
          ? { name: MSG.measureDecided, variables: { freigabe: code === 'freigeben' ? APPROVAL.approved : APPROVAL.sentBack } }
          : null;
    if (message && theme) {
      if (!this.messages) throw new DomainError(503, 'Die Prozess-Engine ist nicht verbunden.', 'unavailable');
      try {
        const sent = await this.messages.send({
          messageId: `steuerung:${decision.id}`,
          name: message.name,
          tenantId: kommuneId,
          correlation: { ...CORRELATION[message.name], value: theme.id },
          instance: theme.processInstanceKey ? { processInstanceKey: theme.processInstanceKey } : { variable: 'themeId', value: theme.id },
          variables: message.variables,
        });
        if (sent === 'no-instance') {
          await this.repo.updateTheme(this.repo.db, theme.id, { processInstanceKey: null });
          this.nudge();
        }
      } catch (e) {
        await this.repo.db.$transaction(async (tx) => {
          await tx.steeringDecision.delete({ where: { id: decision.id } });
          if (theme && Object.keys(themeData).length) await tx.steeringTheme.update({ where: { id: theme.id }, data: { state: theme.state } });
          if (measure && Object.keys(measureData).length) await tx.steeringMeasure.update({ where: { id: measure.id }, data: { state: measure.state, approvedAt: measure.approvedAt, sentBackNote: measure.sentBackNote } });
        });
        throw e;
      }
    }
    return this.getMeeting(a, meetingId);
  }

  // -------------------------------------------------------------------------------------------
  // Closing notices (case managers)
  // -------------------------------------------------------------------------------------------

  async listNotices(a: Actor, p: ListParams, requestId?: string) {
    const { kommuneId, siteId } = assertReadsNotices(a);
    const where: Prisma.SteeringNoticeWhereInput = { kommuneId, siteId, ...idFilter(p.filter.id), ...(p.filter.ungelesen === true ? { readAt: null } : {}) };
    const [rows, total] = await this.repo.noticesOf(where, p.offset, p.limit);
    const [themes, cases] = await Promise.all([this.repo.themesByIds([...new Set(rows.map((r) => r.themeId))]), this.repo.casesByIds(rows.map((r) => r.caseId))]);
    const themeOf = new Map(themes.map((t) => [t.id, t]));
    const refOf = new Map(cases.map((c) => [c.id, c.reference]));
    if (rows.length) await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.rueckmeldungen_gelesen', entity: 'SteeringNotice', kommuneId, requestId });
    return {
      rows: rows.map((n) => {
        const t = themeOf.get(n.themeId);
        return { id: n.id, caseId: n.caseId, caseReference: refOf.get(n.caseId) ?? '', themeTitle: t?.title ?? '', result: t?.result ?? null, closedAt: t?.closedAt ?? null, createdAt: n.createdAt, readAt: n.readAt };
      }),
      total,
    };
  }

  async markNoticeRead(a: Actor, id: string, requestId?: string) {
    const { kommuneId, siteId } = assertReadsNotices(a);
    const n = UUID.test(id) ? await this.repo.notice(id) : null;
    if (!n || n.kommuneId !== kommuneId || n.siteId !== siteId) throw notFound('Die Rückmeldung');
    await this.repo.markNoticeRead(n.id);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'steuerung.rueckmeldung_gelesen', entity: 'SteeringNotice', entityId: n.id, caseId: n.caseId, kommuneId, requestId });
    return { id: n.id, readAt: (await this.repo.notice(n.id))!.readAt };
  }
}

/** The steering service as the composition root builds it (stack, HTTP services). */
export function buildSteering(
  db: SteeringRepository['db'],
  runtime: Pick<ProcessRuntime, 'start' | 'findInstances'> | null,
  messages: Pick<MessageService, 'send'> | null,
  cfg: { KIM_TASK_DUE: string; KIM_STEERING_REMINDER_EVERY: string },
  log?: Logger,
): SteeringService {
  return new SteeringService(new SteeringRepository(db), runtime, messages, { taskDue: cfg.KIM_TASK_DUE, reminderEvery: cfg.KIM_STEERING_REMINDER_EVERY }, log);
}
