/**
 * kim-bleiberecht – the residence path of a case: starting the process, the steps its workers record
 * (facts, the ABH's confirmation, pre-check, application, decision, client informed), the deadline
 * tracker (dates per case, reminder plan for the engine) and the overviews. Personal facts and free
 * text are stored here; the engine gets decision inputs, dates and the reminder plan only. Every
 * worker step runs once per job key (ResidenceRepository.once).
 */
import {
  ABH_DEADLINE_KINDS,
  APPLICATION_DOCUMENTS,
  AUFENTHALTSSTATUS,
  CODES_25A,
  CODES_25B,
  DEADLINE_DE,
  DECISIONS,
  PARAGRAPHS,
  PROCESS_ID,
  RESIDENCE_CHECK,
  SPRACHNIVEAUS,
  STATUS,
  labelOf,
  type ApplicationDocument,
  type DeadlineKind,
  type Paragraph,
  type ResidenceFacts,
  type ResidencePathView,
  type VorpruefungInput,
} from '../../processes/kim-bleiberecht/contract';
import type { ProcessRuntime, Variables } from '../engine/port';
import { starterVariables } from '../engine/starter';
import { badRequest, DomainError, forbidden, notFound } from '../errors';
import type { Actor } from '../auth/policy';
import type { Tx } from '../cases/case-process.repository';
import { todayInBerlin } from '../naturalisation/einbuergerung.service';
import { ResidenceCheckService } from './residence-check.service';
import { leadTimesOf, reminderPlan, trackedDates, withReminders, type LeadTimes } from './deadlines';
import { ResidenceRepository, type ResidencePathRow } from './residence.repository';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoDay = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : null);
const who = (a: Actor) => ({ userId: a.id, username: a.username, role: a.role });

function dateOf(v: unknown, field: string): Date | null {
  if (v == null || v === '') return null;
  const s = String(v).slice(0, 10);
  const d = new Date(`${s}T00:00:00Z`);
  if (!ISO_DATE.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) throw badRequest(`${field}: ungültiges Datum.`, { [field]: 'JJJJ-MM-TT' });
  return d;
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string, required = true): T | null {
  if ((v == null || v === '') && !required) return null;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw badRequest(`${field}: ungültiger Wert ${JSON.stringify(v)}.`, { [field]: `Erlaubt: ${allowed.join(', ')}` });
  return v as T;
}
const days = (v: unknown) => {
  if (v == null || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest('nichtAnrechenbareTage: bitte eine ganze Zahl ab 0.', { nichtAnrechenbareTage: 'ganze Zahl ab 0' });
  return n;
};

/** Documents a paragraph's application needs (prepare-residence-application). */
export const REQUIRED_DOCUMENTS: Record<Paragraph, readonly ApplicationDocument[]> = {
  '25a': ['schulzeugnisse', 'bekenntnisFdgo'],
  '25b': ['sprachzertifikat', 'einkommensnachweis', 'bekenntnisFdgo'],
};

export interface DeadlineView {
  kind: DeadlineKind;
  label: string;
  date: string;
  remindAt: string;
}

export class ResidenceService {
  constructor(
    private readonly repo: ResidenceRepository,
    private readonly engine: Pick<ProcessRuntime, 'start'> | null,
    private readonly check: Pick<ResidenceCheckService, 'evaluate'>,
    private readonly opts: { taskDue: string; leadTimes: LeadTimes; today?: () => string },
  ) {}

  private today() {
    return this.opts.today?.() ?? todayInBerlin();
  }

  /** Starts kim-bleiberecht for a case of the case manager's site. One open residence path per case. */
  async start(a: Actor, input: { caseId: string }, requestId?: string) {
    if (a.role !== 'case_manager') throw forbidden('Nur Case-Managerinnen und Case-Manager beginnen ein Bleiberechtsverfahren.');
    if (!this.engine) throw new DomainError(503, 'Die Prozess-Engine ist nicht verbunden.', 'unavailable');
    const c = await this.repo.getCase(input.caseId);
    if (!c || c.kommuneId !== a.kommuneId || c.siteId !== a.siteId) throw notFound('Der Fall');
    if (c.closedAt) throw new DomainError(409, 'Der Fall ist abgeschlossen.', 'conflict');
    if (await this.repo.openOfCase(c.id)) throw new DomainError(409, 'Für diesen Fall läuft bereits ein Bleiberechtsverfahren.', 'conflict');
    const r = await this.repo.create({ caseId: c.id, kommuneId: c.kommuneId });
    await this.repo.audit(this.repo.db, { ...who(a), action: 'bleiberecht.start', entity: 'ResidencePath', entityId: r.id, caseId: c.id, kommuneId: c.kommuneId, requestId });
    const variables: Variables = { caseId: c.id, clientId: c.clientId, kommuneId: c.kommuneId, bleiberechtId: r.id, bearbeitungsfrist: this.opts.taskDue, fristenPlan: '', fristenNeu: false, ...starterVariables(a) };
    let processInstanceKey: string;
    try {
      processInstanceKey = (await this.engine.start(PROCESS_ID, c.kommuneId, variables)).processInstanceKey;
    } catch (e) {
      await this.repo.remove(r.id);
      throw new DomainError(503, `Das Bleiberechtsverfahren konnte nicht gestartet werden (${(e as Error).name}). Bitte versuchen Sie es erneut.`, 'unavailable');
    }
    await this.repo.setProcessInstance(r.id, processInstanceKey);
    return { bleiberechtId: r.id, caseId: c.id, processInstanceKey };
  }

  private async step(jobKey: string, id: string, kind: string, fn: (tx: Tx, r: { id: string; caseId: string; kommuneId: string }) => Promise<void>): Promise<ResidencePathRow> {
    const row = await this.repo.once(id, jobKey, kind, fn);
    if (!row) throw notFound('Das Bleiberechtsverfahren');
    return row;
  }

  /** The facts of a form as columns (missing booleans false, days 0). */
  private columns(v: ResidenceFacts & Record<string, unknown>) {
    return {
      residenceStatus: oneOf(v.aufenthaltsstatus, AUFENTHALTSSTATUS, 'aufenthaltsstatus', false),
      residenceSince: dateOf(v.aufenthaltSeit, 'aufenthaltSeit'),
      toleratedSince: dateOf(v.duldungSeit, 'duldungSeit'),
      nonCountingDays: days(v.nichtAnrechenbareTage),
      toleranceUntil: dateOf(v.duldungBis, 'duldungBis'),
      permitUntil: dateOf(v.aufenthaltserlaubnisBis, 'aufenthaltserlaubnisBis'),
      passportUntil: dateOf(v.passBis, 'passBis'),
      entryDate: dateOf(v.einreiseAm, 'einreiseAm'),
      employmentToleranceSince: dateOf(v.beschaeftigungsduldungSeit, 'beschaeftigungsduldungSeit'),
    };
  }

  /** The decision inputs of a row (geburtsdatum from the client record). */
  private async inputsOf(r: ResidencePathRow): Promise<VorpruefungInput> {
    return {
      geburtsdatum: isoDay(await this.repo.birthDateOfCase(r.caseId)),
      aufenthaltSeit: isoDay(r.residenceSince),
      nichtAnrechenbareTage: r.nonCountingDays,
      aufenthaltsstatus: (r.residenceStatus as VorpruefungInput['aufenthaltsstatus']) ?? null,
      duldungSeit: isoDay(r.toleratedSince),
      schulbesuchOderAbschluss: r.schooling,
      minderjaehrigesKindImHaushalt: r.minorChild,
      sprachniveauMuendlich: (r.oralLanguageLevel as VorpruefungInput['sprachniveauMuendlich']) ?? null,
      lebensunterhaltUeberwiegendGesichert: r.livelihoodSecured,
      ausnahmeKrankheitBehinderungAlter: r.exemption,
      bekenntnisFdgo: r.fdgoDeclared,
      schulpflichtigeKinderOhneSchulbesuch: r.childrenNotInSchool,
      identitaetstaeuschung: r.identityDeception,
      ausweisungsinteresseSchwer: r.seriousExpulsionInterest,
    };
  }

  /**
   * Recomputes the tracked dates of a path (the decision on the engine for the paragraph dates) and
   * stores them; returns the reminder plan for the engine.
   */
  async track(id: string): Promise<{ inputs: VorpruefungInput; fristenPlan: string }> {
    const r = await this.repo.get(id);
    if (!r) throw notFound('Das Bleiberechtsverfahren');
    const inputs = await this.inputsOf(r);
    const today = this.today();
    const decision = await this.check.evaluate(r.kommuneId, { ...inputs, stichtag: today });
    const rows = withReminders(
      trackedDates(decision, {
        aufenthaltsstatus: r.residenceStatus,
        duldungBis: isoDay(r.toleranceUntil),
        aufenthaltserlaubnisBis: isoDay(r.permitUntil),
        passBis: isoDay(r.passportUntil),
        einreiseAm: isoDay(r.entryDate),
        beschaeftigungsduldungSeit: isoDay(r.employmentToleranceSince),
      }),
      this.opts.leadTimes,
    );
    await this.repo.db.$transaction((tx) => this.repo.replaceDeadlines(tx, r, rows.map((d) => ({ kind: d.kind, date: new Date(`${d.date}T00:00:00Z`), remindAt: d.remindAt }))));
    return { inputs, fristenPlan: reminderPlan(rows, today) };
  }

  /** What the engine gets after facts changed: decision inputs, the reminder plan and whether to replan. */
  private async engineVariables(id: string, changed: boolean): Promise<Variables> {
    const { inputs, fristenPlan } = await this.track(id);
    return { ...(inputs as Variables), fristenPlan, fristenNeu: changed };
  }

  /** The case manager recorded what the client reports. */
  async saveFacts(jobKey: string, id: string, v: ResidenceFacts & Record<string, unknown>): Promise<Variables> {
    const cols = this.columns(v);
    const level = oneOf(v.sprachniveauMuendlich, SPRACHNIVEAUS, 'sprachniveauMuendlich', false);
    await this.step(jobKey, id, 'facts', async (tx, r) => {
      await this.repo.update(tx, id, {
        ...cols,
        oralLanguageLevel: level,
        schooling: v.schulbesuchOderAbschluss === true,
        minorChild: v.minderjaehrigesKindImHaushalt === true,
        livelihoodSecured: v.lebensunterhaltUeberwiegendGesichert === true,
        exemption: v.ausnahmeKrankheitBehinderungAlter === true,
        fdgoDeclared: v.bekenntnisFdgo === true,
        childrenNotInSchool: v.schulpflichtigeKinderOhneSchulbesuch === true,
        status: STATUS.abh,
      });
      await this.repo.audit(tx, { action: 'bleiberecht.facts', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId, fields: Object.keys(cols) });
    });
    return this.engineVariables(id, false);
  }

  /** The ABH confirmed or corrected the residence facts; dates and reminders follow. */
  async recordConfirmation(jobKey: string, id: string, v: ResidenceFacts & Record<string, unknown>): Promise<Variables> {
    const check = oneOf(v.aufenthaltPruefung, Object.values(RESIDENCE_CHECK), 'aufenthaltPruefung')!;
    const corrected = check === RESIDENCE_CHECK.corrected;
    const cols = corrected ? this.columns(v) : {};
    await this.step(jobKey, id, 'confirmation', async (tx, r) => {
      await this.repo.update(tx, id, {
        ...cols,
        identityDeception: v.identitaetstaeuschung === true,
        seriousExpulsionInterest: v.ausweisungsinteresseSchwer === true,
        identityClarification: typeof v.identitaetsklaerung === 'string' && v.identitaetsklaerung.trim() ? v.identitaetsklaerung.trim().slice(0, 4000) : null,
        confirmedAt: new Date(),
        corrected,
      });
      await this.repo.audit(tx, { action: 'bleiberecht.confirmation', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId, fields: [...Object.keys(cols), 'identityDeception', 'seriousExpulsionInterest', 'identityClarification'] });
    });
    return this.engineVariables(id, true);
  }

  /** The pre-check result of the business rule task. */
  async recordPreCheck(jobKey: string, id: string, v: Record<string, unknown>): Promise<void> {
    const codes = <T extends string>(s: unknown, allowed: readonly T[]) => (typeof s === 'string' ? s.split(',').filter((c): c is T => (allowed as readonly string[]).includes(c)) : []);
    await this.step(jobKey, id, 'precheck', async (tx, r) => {
      await this.repo.update(tx, id, {
        met25a: v.erfuellt25a === true,
        met25b: v.erfuellt25b === true,
        missing25a: codes(v.fehlend25a, CODES_25A),
        missing25b: codes(v.fehlend25b, CODES_25B),
        earliest25a: dateOf(v.fruehestensAb25a, 'fruehestensAb25a'),
        earliest25b: dateOf(v.fruehestensAb25b, 'fruehestensAb25b'),
        latest25a: dateOf(v.antragSpaetestensAm, 'antragSpaetestensAm'),
        checkedAt: new Date(),
        status: v.erfuellt25a === true || v.erfuellt25b === true ? STATUS.preparation : STATUS.notMet,
      });
      await this.repo.audit(tx, { action: 'bleiberecht.precheck', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId });
    });
  }

  /** The application's paragraph and documents; complete when the paragraph is met and its documents are there. */
  async saveApplication(jobKey: string, id: string, v: { antragNach: unknown; unterlagen: unknown }): Promise<{ antragVollstaendig: boolean }> {
    const paragraph = oneOf(v.antragNach, PARAGRAPHS, 'antragNach')!;
    const docs = (Array.isArray(v.unterlagen) ? v.unterlagen : []).filter((d): d is ApplicationDocument => (APPLICATION_DOCUMENTS as readonly string[]).includes(String(d)));
    const row = await this.step(jobKey, id, 'application', async (tx, r) => {
      await this.repo.update(tx, id, { applicationFor: paragraph, documents: Object.fromEntries(APPLICATION_DOCUMENTS.map((d) => [d, docs.includes(d)])) });
      await this.repo.audit(tx, { action: 'bleiberecht.application', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId, fields: ['applicationFor', 'documents'] });
    });
    const met = row.applicationFor === '25a' ? row.met25a : row.met25b;
    const have = row.documents as Record<string, boolean>;
    return { antragVollstaendig: met === true && REQUIRED_DOCUMENTS[row.applicationFor as Paragraph].every((d) => have[d] === true) };
  }

  async handOver(jobKey: string, id: string): Promise<void> {
    await this.step(jobKey, id, 'handover', async (tx, r) => {
      const row = await this.repo.update(tx, id, { submittedAt: new Date(), status: STATUS.submitted });
      // State reporting: applications per paragraph.
      await this.repo.statisticsEvent(tx, r.kommuneId, `bleiberecht_antrag_${row.applicationFor ?? 'unbekannt'}`, jobKey);
      await this.repo.audit(tx, { action: 'bleiberecht.handover', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId });
    });
  }

  async recordDecision(jobKey: string, id: string, v: { entscheidung: unknown; entscheidungsdatum: unknown }): Promise<void> {
    const decision = oneOf(v.entscheidung, DECISIONS, 'entscheidung')!;
    const date = dateOf(v.entscheidungsdatum, 'entscheidungsdatum') ?? new Date(`${this.today()}T00:00:00Z`);
    await this.step(jobKey, id, 'decision', async (tx, r) => {
      const row = await this.repo.update(tx, id, { decision, decisionDate: date, status: STATUS.decided });
      // State reporting: decisions per paragraph and outcome.
      await this.repo.statisticsEvent(tx, r.kommuneId, `bleiberecht_entscheidung_${row.applicationFor ?? 'unbekannt'}_${decision}`, jobKey);
      await this.repo.audit(tx, { action: 'bleiberecht.decision', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId, fields: ['decision', 'decisionDate'] });
    });
  }

  async recordClientInformed(jobKey: string, id: string): Promise<void> {
    await this.step(jobKey, id, 'informed', async (tx, r) => {
      await this.repo.update(tx, id, { clientInformedAt: new Date(), status: STATUS.done });
      await this.repo.audit(tx, { action: 'bleiberecht.informed', entity: 'ResidencePath', entityId: id, caseId: r.caseId, kommuneId: r.kommuneId });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Overviews
  // -------------------------------------------------------------------------------------------

  private view(rows: Array<{ kind: string; date: Date; remindAt: Date }>): DeadlineView[] {
    return rows.map((r) => ({ kind: r.kind as DeadlineKind, label: labelOf(DEADLINE_DE, r.kind), date: isoDay(r.date)!, remindAt: r.remindAt.toISOString() }));
  }

  /** The case of a case manager's own site, else 404 (a case of another site or commune does not exist for them). */
  private async ownCase(a: Actor, caseId: string) {
    const c = UUID.test(caseId) ? await this.repo.getCase(caseId) : null;
    if (!c || c.kommuneId !== a.kommuneId || (a.role === 'case_manager' && c.siteId !== a.siteId)) throw notFound('Der Fall');
    return c;
  }

  /**
   * GET /api/bleiberecht/cases/:caseId – the case's latest residence path for the case manager of the
   * case's site: where it stands, the pre-check, the application and the ABH's decision. The ABH's
   * free text stays out (it belongs to its task).
   */
  async pathOfCase(a: Actor, caseId: string, requestId?: string): Promise<ResidencePathView> {
    if (a.role !== 'case_manager') throw forbidden('Das Bleiberechtsverfahren eines Falls sieht das Case-Management des Standorts.');
    const c = await this.ownCase(a, caseId);
    const r = await this.repo.latestOfCase(c.id);
    if (!r) throw notFound('Das Bleiberechtsverfahren');
    await this.repo.audit(this.repo.db, { ...who(a), action: 'bleiberecht.read', entity: 'ResidencePath', entityId: r.id, caseId: c.id, kommuneId: c.kommuneId, requestId });
    return {
      id: r.id,
      status: r.status,
      aufenthaltsstatus: r.residenceStatus,
      aufenthaltSeit: isoDay(r.residenceSince),
      bestaetigtAm: r.confirmedAt?.toISOString() ?? null,
      korrigiert: r.corrected,
      geprueftAm: r.checkedAt?.toISOString() ?? null,
      paragraf25a: { erfuellt: r.met25a, fehlend: r.missing25a, fruehestensAb: isoDay(r.earliest25a), antragSpaetestensAm: isoDay(r.latest25a) },
      paragraf25b: { erfuellt: r.met25b, fehlend: r.missing25b, fruehestensAb: isoDay(r.earliest25b) },
      antragNach: r.applicationFor,
      uebergebenAm: r.submittedAt?.toISOString() ?? null,
      entscheidung: r.decision,
      entscheidungsdatum: isoDay(r.decisionDate),
      informiertAm: r.clientInformedAt?.toISOString() ?? null,
    };
  }

  /** GET /api/cases/:id/fristen – case managers of the case's site; the ABH of the commune sees the residence dates only. */
  async deadlinesOfCase(a: Actor, caseId: string, requestId?: string): Promise<DeadlineView[]> {
    if (a.role !== 'case_manager' && a.role !== 'abh') throw forbidden('Ihre Rolle sieht keine Fristen des Bleiberechts.');
    const c = await this.ownCase(a, caseId);
    const path = await this.repo.latestOfCase(caseId);
    if (a.role === 'abh' && !path) throw notFound('Der Fall');
    const rows = await this.repo.deadlinesOfCase(caseId, a.role === 'abh' ? ABH_DEADLINE_KINDS : undefined);
    await this.repo.audit(this.repo.db, { ...who(a), action: 'bleiberecht.fristen.read', entity: 'ResidenceDeadline', caseId, kommuneId: c.kommuneId, requestId });
    return this.view(rows);
  }

  /** GET /api/fristen?tage=N – the case manager's own cases, or the ABH's commune (residence dates only). */
  async upcoming(a: Actor, tage: number, requestId?: string): Promise<Array<{ caseId: string; reference: string; kind: DeadlineKind; label: string; date: string }>> {
    if ((a.role !== 'case_manager' && a.role !== 'abh') || !a.kommuneId) throw forbidden('Ihre Rolle sieht keine Fristen des Bleiberechts.');
    const today = this.today();
    const to = new Date(Date.parse(`${today}T00:00:00Z`) + tage * 86_400_000);
    const caseIds = a.role === 'case_manager' ? await this.repo.caseIdsOfManager(a.kommuneId, a.id) : undefined;
    const rows = await this.repo.upcoming(a.kommuneId, new Date(`${today}T00:00:00Z`), to, { caseIds, kinds: a.role === 'abh' ? ABH_DEADLINE_KINDS : undefined });
    const refs = new Map((await this.repo.references([...new Set(rows.map((r) => r.caseId))])).map((c) => [c.id, c.reference]));
    await this.repo.audit(this.repo.db, { ...who(a), action: 'bleiberecht.fristen.list', entity: 'ResidenceDeadline', kommuneId: a.kommuneId, requestId });
    return rows.map((r) => ({ caseId: r.caseId, reference: refs.get(r.caseId) ?? '', kind: r.kind as DeadlineKind, label: labelOf(DEADLINE_DE, r.kind), date: isoDay(r.date)! }));
  }
}

/** The residence path's services as the composition root builds them (stack, HTTP services). */
export function buildResidence(
  db: ResidenceRepository['db'],
  runtime: Pick<ProcessRuntime, 'start' | 'evaluateDecision'> | null,
  audit: ConstructorParameters<typeof ResidenceCheckService>[1],
  cfg: { KIM_TASK_DUE: string; KIM_FRISTEN_VORLAUF?: string },
): ResidenceService {
  const check = new ResidenceCheckService(runtime ?? { evaluateDecision: () => Promise.reject(new Error('Die Prozess-Engine ist nicht verbunden.')) }, audit);
  return new ResidenceService(new ResidenceRepository(db), runtime, check, { taskDue: cfg.KIM_TASK_DUE, leadTimes: leadTimesOf(cfg.KIM_FRISTEN_VORLAUF) });
}
