/**
 * The export for "Datenbank KIM": chosen indicators (and the Sachbericht figures) of a period as CSV
 * or JSON – the same suppressed tables the dashboards show, one value per line, never a name, free
 * text or an id of a person or case. Every export is recorded (who, when, what) with its file, can be
 * downloaded again, and is audit-logged. Schedules (monthly, quarterly, yearly) export the previous
 * period; due schedules are run by {@link ExportService.runDue} (a timer in the server, see
 * export.schedule.ts), and only one server node runs each due export.
 */
import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import type { Actor, RoleName } from '../auth/policy';
import { forbidden, notFound } from '../errors';
import { longCsv, longRows, LongRow } from '../dashboards/csv';
import type { DashboardService } from '../dashboards/dashboard.service';
import { INDICATOR_IDS, IndicatorId } from '../dashboards/indicators';
import { addMonths, currentMonth, monthStart, periodLabel, previousPeriod } from '../dashboards/period';
import { reportScope, ReportScope } from '../dashboards/policy';
import type { ReportTable } from '../dashboards/tables';
import { MIN_COUNT, SUPPRESSED_LABEL } from '../reporting/suppression';
import type { ExportRepository } from './export.repository';

export const EXPORTABLE = [...INDICATOR_IDS, 'sachbericht'] as const;
export type Exportable = (typeof EXPORTABLE)[number];
export const FORMATS = ['csv', 'json'] as const;
export const SCHEDULES = ['monatlich', 'vierteljaehrlich', 'jaehrlich'] as const;
export type Schedule = (typeof SCHEDULES)[number];
export const SCHEDULE_DE: Record<Schedule, string> = { monatlich: 'monatlich (Vormonat)', vierteljaehrlich: 'vierteljährlich (Vorquartal)', jaehrlich: 'jährlich (Vorjahr, Sachbericht)' };
const PERIOD_OF: Record<Schedule, 'vormonat' | 'vorquartal' | 'vorjahr'> = { monatlich: 'vormonat', vierteljaehrlich: 'vorquartal', jaehrlich: 'vorjahr' };
export const SACHBERICHT_TITLE = 'Sachbericht / Verwendungsnachweis (Jahreszahlen)';

export interface ExportInput {
  indicators: Exportable[];
  from: string;
  to: string;
  format: (typeof FORMATS)[number];
}

export interface ConfigInput {
  indicators: Exportable[];
  format: (typeof FORMATS)[number];
  schedule: Schedule;
  /** Run the first time at once (for the previous period) instead of at the next period's start. */
  firstRunNow?: boolean;
}

/** When a schedule runs next after `now`: the start of the next month, quarter or year (Germany). */
export function nextRunAfter(schedule: Schedule, now = new Date()): Date {
  const cur = currentMonth(now);
  const m = Number(cur.slice(5));
  const months = schedule === 'monatlich' ? 1 : schedule === 'vierteljaehrlich' ? 3 - ((m - 1) % 3) : 13 - m;
  return monthStart(addMonths(cur, months));
}

interface Who {
  username: string;
  role: RoleName | string;
}

export class ExportService {
  constructor(
    private readonly repo: ExportRepository,
    private readonly dashboards: DashboardService,
    private readonly audit: AuditService,
  ) {}

  private kommuneOf(scope: ReportScope): string | null {
    return scope.view === 'kommune' ? scope.kommuneId : null;
  }

  /** The file of an export: suppressed tables in the long shape, with a short description. */
  async render(scope: ReportScope, input: ExportInput, now = new Date()): Promise<{ fileName: string; mimeType: string; content: Buffer }> {
    const ids = input.indicators.filter((i): i is IndicatorId => i !== 'sachbericht');
    const r = { scope, from: input.from, to: input.to };
    const [d, sachbericht] = await Promise.all([
      ids.length ? this.dashboards.build(r, ids, now) : null,
      input.indicators.includes('sachbericht') ? this.dashboards.sachbericht(r, now) : [],
    ]);
    const area = scope.view === 'land' ? 'NRW gesamt' : (d?.kommune?.label ?? (await this.dashboards.areaLabel(scope)));
    const meta = { from: input.from, to: input.to, area };
    const rows: LongRow[] = [
      ...(d?.tables ?? []).flatMap((t) => longRows(t, { ...meta, unitsAreAreas: scope.view === 'land' })),
      // Sachbericht columns are communes (areas) in both views.
      ...sachbericht.flatMap((t: ReportTable) => longRows(t, { ...meta, unitsAreAreas: true })),
    ];
    const slug = scope.view === 'land' ? 'nrw' : scope.kommuneId;
    const base = `kim-export_${slug}_${input.from === input.to ? input.from : `${input.from}_bis_${input.to}`}`;
    if (input.format === 'csv') return { fileName: `${base}.csv`, mimeType: 'text/csv; charset=utf-8', content: Buffer.from(longCsv(rows), 'utf8') };
    const json = {
      bericht: 'Export für die Datenbank KIM',
      gebiet: scope.view === 'land' ? 'Nordrhein-Westfalen (alle Kommunen)' : area,
      zeitraum: { von: input.from, bis: input.to, bezeichnung: periodLabel(input.from, input.to) },
      erstellt: now.toISOString(),
      geheimhaltung: `Werte unter ${MIN_COUNT} (außer 0) und Werte, aus denen sie sich errechnen ließen, sind ausgeblendet: anzahl = null, geheimhaltung = true (Anzeige „${SUPPRESSED_LABEL}“).`,
      kennzahlen: [...(d?.tables ?? []), ...sachbericht].map((t) => ({ kennung: t.id, titel: t.title, erlaeuterung: t.description, stichtagHeute: t.snapshot })),
      werte: rows.map((x) => ({ kennung: x.id, kennzahl: x.title, von: x.from, bis: x.to, gebiet: x.area, gliederung: x.group, auspraegung: x.category, anzahl: x.value, geheimhaltung: x.value === null })),
    };
    return { fileName: `${base}.json`, mimeType: 'application/json; charset=utf-8', content: Buffer.from(JSON.stringify(json, null, 2), 'utf8') };
  }

  private async record(scope: ReportScope, who: Who, input: ExportInput, trigger: 'manuell' | 'zeitplan', configId: string | null, now: Date) {
    const file = await this.render(scope, input, now);
    return this.repo.createRun({
      configId,
      kommuneId: this.kommuneOf(scope),
      trigger,
      requestedBy: who.username,
      role: String(who.role),
      indicators: [...input.indicators],
      from: input.from,
      to: input.to,
      format: input.format,
      fileName: file.fileName,
      mimeType: file.mimeType,
      content: file.content,
      sha256: crypto.createHash('sha256').update(file.content).digest('hex'),
    });
  }

  /** An export made now by the signed-in person. */
  async run(a: Actor, input: ExportInput, requestId?: string) {
    const scope = reportScope(a);
    this.dashboards.period(input);
    const run = await this.record(scope, a, input, 'manuell', null, new Date());
    if (!run) throw new Error('export not recorded');
    await this.audit.write(a, { action: 'export', entity: 'ExportRun', entityId: run.id, fields: [...input.indicators], reason: `${input.format.toUpperCase()} ${input.from}–${input.to}`, requestId });
    return run;
  }

  async runs(a: Actor) {
    return this.repo.listRuns(this.kommuneOf(reportScope(a)));
  }

  /** The file of an earlier export of the actor's scope (audit-logged). */
  async download(a: Actor, id: string, requestId?: string) {
    const scope = reportScope(a);
    const run = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.run(id) : null;
    if (!run || run.kommuneId !== this.kommuneOf(scope)) throw notFound('Der Export');
    await this.audit.write(a, { action: 'download', entity: 'ExportRun', entityId: run.id, fields: run.indicators, requestId });
    return { fileName: run.fileName, mimeType: run.mimeType, content: Buffer.from(run.content) };
  }

  async configs(a: Actor) {
    return this.repo.listConfigs(this.kommuneOf(reportScope(a)));
  }

  async createConfig(a: Actor, input: ConfigInput, requestId?: string, now = new Date()) {
    const scope = reportScope(a);
    const c = await this.repo.createConfig({
      kommuneId: this.kommuneOf(scope),
      indicators: [...input.indicators],
      period: PERIOD_OF[input.schedule],
      format: input.format,
      schedule: input.schedule,
      nextRunAt: input.firstRunNow ? now : nextRunAfter(input.schedule, now),
      createdBy: a.username,
      createdByRole: a.role,
    });
    await this.audit.write(a, { action: 'create', entity: 'ExportConfig', entityId: c.id, fields: [...input.indicators], reason: `${input.schedule}, ${input.format}`, requestId });
    return c;
  }

  async deleteConfig(a: Actor, id: string, requestId?: string) {
    const scope = reportScope(a);
    const c = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.config(id) : null;
    if (!c || !c.active || c.kommuneId !== this.kommuneOf(scope)) throw notFound('Der Zeitplan');
    await this.repo.deactivateConfig(id);
    await this.audit.write(a, { action: 'delete', entity: 'ExportConfig', entityId: id, requestId });
  }

  /**
   * Runs every due schedule once: the previous month / quarter / year. Recorded in the name of the
   * person who set the schedule up ("who"), marked "zeitplan". Returns the number of exports made.
   */
  async runDue(now = new Date()): Promise<number> {
    let made = 0;
    for (const c of await this.repo.dueConfigs(now)) {
      const schedule = c.schedule as Schedule;
      if (!SCHEDULES.includes(schedule)) continue;
      if (!(await this.repo.claim(c.id, c.nextRunAt, nextRunAfter(schedule, now), now))) continue;
      const scope: ReportScope = c.kommuneId ? { view: 'kommune', kommuneId: c.kommuneId } : { view: 'land' };
      const { from, to } = previousPeriod(PERIOD_OF[schedule], now);
      const indicators = c.indicators.filter((i): i is Exportable => (EXPORTABLE as readonly string[]).includes(i));
      const run = await this.record(scope, { username: c.createdBy, role: c.createdByRole }, { indicators, from, to, format: c.format === 'json' ? 'json' : 'csv' }, 'zeitplan', c.id, now);
      if (!run) continue;
      made++;
      const actor: Actor = { id: `zeitplan:${c.id}`, username: c.createdBy, displayName: c.createdBy, role: c.createdByRole as RoleName, kommuneId: c.kommuneId, siteId: null, groups: [] };
      await this.audit.write(actor, { action: 'export', entity: 'ExportRun', entityId: run.id, fields: indicators, reason: `Zeitplan ${schedule}: ${from}–${to}` });
    }
    return made;
  }
}

/** Only the coordination and the state export; checked before anything is read. */
export function assertCanExport(a: Actor): void {
  if (a.role !== 'coordinator' && a.role !== 'land') throw forbidden('Exporte für die Datenbank KIM erstellen nur die Koordination (eigene Kommune) und das Land.');
}
