/**
 * The start page's work overview, per role (GET /api/home):
 * - case managers: their own open/overdue tasks, follow-ups due this week, their open cases by
 *   phase, recent answers of partners on their cases – case references only, no client names;
 * - coordinators: the commune's open/overdue tasks and open cases by phase, clients by pseudonym only;
 * - ABH/EBH: the open/overdue tasks of their groups (task name, due date, case reference – what the
 *   inbox shows them, nothing of the client);
 * - land: the anonymised case count per commune (suppressed below MIN_COUNT), no personal data;
 * - administrators: only the flag that the page shows the system status (GET /api/health).
 * Commune and site travel as their display names, never as ids.
 */
import { ELEMENTS as CASE_ELEMENTS } from '../../processes/kim-case/contract';
import { ELEMENTS as NATURALISATION_ELEMENTS } from '../../processes/kim-einbuergerung/contract';
import type { Actor } from '../auth/policy';
import { forbidden } from '../errors';
import { MIN_COUNT } from '../reporting/statistics.service';
import type { HomeRepository, HomeTaskRow, TaskScope } from './home.repository';
import type { Home, HomeTask, HomeTasks } from './home.types';

export type { Home, HomeCases, HomeTask, HomeTasks } from './home.types';

/** How many tasks/answers each list shows; the full lists are one link away (inbox, case list). */
const LIST_LIMIT = 5;
/** Partners' answers of the last days. */
const ANSWER_DAYS = 14;
/** Model steps that are follow-ups (Wiedervorlagen) by their nature. */
const REVIEW_ELEMENTS = [CASE_ELEMENTS.reviewCase, NATURALISATION_ELEMENTS.resubmission];


const PHASE_ORDER = ['Zugang', 'Clearing', 'Foerderplanung', 'Umsetzung', 'Abschluss'];

/** The start of next Monday (UTC): what is due before it is due "this week". */
export function endOfWeek(now: Date): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const toMonday = (8 - d.getUTCDay()) % 7 || 7;
  return new Date(d.getTime() + toMonday * 24 * 3600 * 1000 - 1);
}

export class HomeService {
  constructor(
    private readonly repo: HomeRepository,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async home(a: Actor): Promise<Home> {
    const names = await this.repo.names(a.kommuneId, a.siteId);
    const base: Home = { displayName: a.displayName, role: a.role, kommune: names.kommune, site: names.site, systemStatus: a.role === 'admin' };
    const now = this.clock();
    switch (a.role) {
      case 'admin':
        return base;
      case 'land':
        return { ...base, statistics: await this.statistics() };
      case 'case_manager': {
        const k = this.kommune(a);
        const scope: TaskScope = { kind: 'assigned', username: a.username };
        const [tasks, unassigned, followUps, cases, answers] = await Promise.all([
          this.tasks(k, scope, 'mine', now, false),
          this.repo.groupTaskCount(k, a.username, a.groups),
          this.repo.followUps(k, a.username, a.id, REVIEW_ELEMENTS, endOfWeek(now), LIST_LIMIT * 2),
          this.repo.casesByPhase(k, a.id),
          this.repo.partnerAnswers(k, a.id, new Date(now.getTime() - ANSWER_DAYS * 24 * 3600 * 1000), LIST_LIMIT * 2),
        ]);
        return {
          ...base,
          tasks: { ...tasks, unassignedInGroups: unassigned },
          followUps: followUps.map((t) => this.task(t, now)),
          cases: { scope: 'mine', caseManagerId: a.id, ...phases(cases) },
          partnerAnswers: answers.map((x) => ({ ...x, at: x.at.toISOString() })),
        };
      }
      case 'coordinator': {
        const k = this.kommune(a);
        const [tasks, cases] = await Promise.all([this.tasks(k, { kind: 'commune' }, 'commune', now, true), this.repo.casesByPhase(k)]);
        return { ...base, tasks, cases: { scope: 'commune', ...phases(cases) } };
      }
      case 'abh':
      case 'ebh': {
        const k = this.kommune(a);
        // The case's id stays out: authorities open their task, not the case file.
        const tasks = await this.tasks(k, { kind: 'visible', username: a.username, groups: a.groups }, 'group', now, false);
        const strip = (t: HomeTask) => ({ ...t, caseId: null });
        return { ...base, tasks: { ...tasks, overdueTasks: tasks.overdueTasks.map(strip), upcomingTasks: tasks.upcomingTasks.map(strip) } };
      }
      default:
        throw forbidden('Für Ihre Rolle gibt es keine Startseite.');
    }
  }

  private kommune(a: Actor): string {
    if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
    return a.kommuneId;
  }

  private async tasks(k: string, scope: TaskScope, name: HomeTasks['scope'], now: Date, pseudonym: boolean): Promise<HomeTasks> {
    const [counts, overdue, all] = await Promise.all([
      this.repo.taskCounts(k, scope, now),
      this.repo.tasks(k, scope, { overdueBefore: now, pseudonym, limit: LIST_LIMIT }),
      this.repo.tasks(k, scope, { pseudonym, limit: LIST_LIMIT * 3 }),
    ]);
    const upcoming = all.filter((t) => !(t.dueDate && t.dueDate < now)).slice(0, LIST_LIMIT);
    return { scope: name, ...counts, overdueTasks: overdue.map((t) => this.task(t, now)), upcomingTasks: upcoming.map((t) => this.task(t, now)) };
  }

  private task(t: HomeTaskRow, now: Date): HomeTask {
    return {
      id: t.id,
      name: t.name,
      processDefinitionId: t.processDefinitionId,
      dueDate: t.dueDate?.toISOString() ?? null,
      followUpDate: t.followUpDate?.toISOString() ?? null,
      overdue: !!t.dueDate && t.dueDate < now,
      caseId: t.caseReference ? t.caseId : null,
      caseReference: t.caseReference,
      ...(t.pseudonym !== undefined ? { pseudonym: t.pseudonym } : {}),
    };
  }

  /** Open cases per commune, suppressed below MIN_COUNT like every statistic (§ 19 TIntG). */
  private async statistics(): Promise<Home['statistics']> {
    const communes = await this.repo.kommuneNames();
    const counts = await Promise.all(communes.map(async (c) => (await this.repo.casesByPhase(c.id)).reduce((n, p) => n + p.count, 0)));
    return { minCount: MIN_COUNT, communes: communes.map((c, i) => ({ name: c.name, openCases: counts[i] >= MIN_COUNT ? counts[i] : null })) };
  }
}

function phases(rows: Array<{ phase: string; count: number }>) {
  const byPhase = PHASE_ORDER.map((phase) => ({ phase, count: rows.find((r) => r.phase === phase)?.count ?? 0 })).filter((p) => p.phase !== 'Abschluss' || p.count > 0);
  return { total: rows.reduce((n, r) => n + r.count, 0), byPhase };
}
