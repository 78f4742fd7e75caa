/**
 * kim-einbuergerung – Einbürgerungsvorbereitung: starting the process for a case, the steps its
 * workers record (residence facts, pre-check result, language-course referral, test registration,
 * document checklist, EBH pre-check and decision, client informed) and the role-minimised view of a
 * case's naturalisation. Personal facts are stored here, never in process variables. Every worker
 * step runs once per job key (EinbuergerungRepository.once).
 */
import {
  CODES,
  DECISIONS,
  DEFAULT_DOCUMENTS,
  DOCUMENT_KINDS,
  DOCUMENT_STATUS,
  EBH_RESULT,
  PROCESS_ID,
  RESIDENCE_CHECK,
  RESIDENCE_TITLES,
  STATUS,
  type EinbuergerungVariables,
  type Voraussetzung,
} from '../../processes/kim-einbuergerung/contract';
import type { EinbuergerungRepository, NaturalisationRow } from './einbuergerung.repository';
import type { ProcessRuntime, Variables } from '../engine/port';
import { starterVariables } from '../engine/starter';
import { badRequest, DomainError, forbidden, notFound } from '../errors';
import type { Actor } from '../auth/policy';

/** What the service needs of the engine: starting an instance in the commune's tenant. */
export type ProcessStarter = Pick<ProcessRuntime, 'start'>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function dateOf(v: unknown, field: string, required = true): Date | null {
  if (v == null || v === '') {
    if (required) throw badRequest(`${field}: Pflichtfeld.`, { [field]: 'Pflichtfeld' });
    return null;
  }
  const s = String(v).slice(0, 10);
  const d = new Date(`${s}T00:00:00Z`);
  if (!ISO_DATE.test(s) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) throw badRequest(`${field}: ungültiges Datum.`, { [field]: 'JJJJ-MM-TT' });
  return d;
}

const oneOf = <T extends string>(v: unknown, allowed: readonly T[], field: string): T => {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw badRequest(`${field}: ungültiger Wert ${JSON.stringify(v)}.`, { [field]: `Erlaubt: ${allowed.join(', ')}` });
  return v as T;
};

const isoDay = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
const who = (a: Actor) => ({ userId: a.id, username: a.username, role: a.role });

export class EinbuergerungProcessService {
  constructor(
    private readonly repo: EinbuergerungRepository,
    private readonly engine: ProcessStarter | null,
    private readonly timings: { taskDue: string } = { taskDue: 'P7D' },
  ) {}

  /**
   * Starts kim-einbuergerung for a case of the case manager's site. One open preparation per case.
   * `wiedervorlageAm` (ISO date-time) overrides the resubmission date – for tests, not in the API.
   */
  async start(a: Actor, input: { caseId: string }, requestId?: string, opts: { wiedervorlageAm?: string; stichtag?: string } = {}) {
    if (a.role !== 'case_manager') throw forbidden('Nur Case-Managerinnen und Case-Manager beginnen eine Einbürgerungsvorbereitung.');
    if (!this.engine) throw new DomainError(503, 'Die Prozess-Engine ist nicht verbunden.', 'unavailable');
    const c = await this.repo.getCase(input.caseId);
    if (!c || c.kommuneId !== a.kommuneId || c.siteId !== a.siteId) throw notFound('Der Fall');
    if (c.closedAt) throw new DomainError(409, 'Der Fall ist abgeschlossen.', 'conflict');
    if (await this.repo.openOfCase(c.id)) throw new DomainError(409, 'Für diesen Fall läuft bereits eine Einbürgerungsvorbereitung.', 'conflict');
    const n = await this.repo.create({ caseId: c.id, kommuneId: c.kommuneId });
    await this.repo.audit(this.repo.db, { ...who(a), action: 'einbuergerung.start', entity: 'Naturalisation', entityId: n.id, caseId: c.id, kommuneId: c.kommuneId, requestId });
    const variables = {
      caseId: c.id,
      clientId: c.clientId,
      kommuneId: c.kommuneId,
      einbuergerungId: n.id,
      bearbeitungsfrist: this.timings.taskDue,
      wiedervorlageAm: opts.wiedervorlageAm ?? null,
      ...(opts.stichtag ? { stichtag: opts.stichtag } : {}),
      // The first task (requirements) goes to the person who started the preparation.
      ...starterVariables(a),
    } satisfies Partial<EinbuergerungVariables> & Variables;
    let processInstanceKey: string;
    try {
      // The case's commune is the engine tenant.
      processInstanceKey = (await this.engine.start(PROCESS_ID, c.kommuneId, variables)).processInstanceKey;
    } catch (e) {
      await this.repo.remove(n.id);
      throw new DomainError(503, `Die Einbürgerungsvorbereitung konnte nicht gestartet werden (${(e as Error).name}). Bitte versuchen Sie es erneut.`, 'unavailable');
    }
    await this.repo.setProcessInstance(n.id, processInstanceKey);
    return { einbuergerungId: n.id, caseId: c.id, processInstanceKey };
  }

  private async step(jobKey: string, id: string, kind: string, fn: Parameters<EinbuergerungRepository['once']>[3]): Promise<NaturalisationRow> {
    const row = await this.repo.once(id, jobKey, kind, fn);
    if (!row) throw notFound('Die Einbürgerungsvorbereitung');
    return row;
  }

  /** Residence facts as the case manager recorded them (to be confirmed by the ABH). */
  async saveRequirements(jobKey: string, id: string, v: { aufenthaltSeit: unknown; aufenthaltstitel: unknown; aufenthaltstitelGeeignet: unknown }): Promise<void> {
    const since = dateOf(v.aufenthaltSeit, 'aufenthaltSeit');
    const title = oneOf(v.aufenthaltstitel, RESIDENCE_TITLES, 'aufenthaltstitel');
    await this.step(jobKey, id, 'requirements', async (tx, n) => {
      await this.repo.update(tx, id, { residenceSince: since, residenceTitle: title, residenceTitleSuitable: v.aufenthaltstitelGeeignet === true, status: STATUS.residenceCheck });
      await this.repo.audit(tx, { action: 'einbuergerung.requirements', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: ['residenceSince', 'residenceTitle', 'residenceTitleSuitable'] });
    });
  }

  /** The ABH confirmed or corrected the residence facts; returns the decision inputs the model goes on with. */
  async recordResidence(jobKey: string, id: string, v: { aufenthaltPruefung: unknown; aufenthaltSeit: unknown; aufenthaltstitel: unknown; aufenthaltstitelGeeignet: unknown }) {
    const check = oneOf(v.aufenthaltPruefung, Object.values(RESIDENCE_CHECK), 'aufenthaltPruefung');
    // "Daten bestätigen" sends no values: what the product holds is confirmed as it is.
    const held = check === RESIDENCE_CHECK.confirmed ? await this.repo.get(id) : null;
    const since = dateOf(v.aufenthaltSeit ?? isoDay(held?.residenceSince ?? null), 'aufenthaltSeit');
    const title = oneOf(v.aufenthaltstitel ?? held?.residenceTitle, RESIDENCE_TITLES, 'aufenthaltstitel');
    const suitable = v.aufenthaltstitelGeeignet == null && held ? held.residenceTitleSuitable === true : v.aufenthaltstitelGeeignet === true;
    const row = await this.step(jobKey, id, 'residence', async (tx, n) => {
      await this.repo.update(tx, id, {
        residenceSince: since,
        residenceTitle: title,
        residenceTitleSuitable: suitable,
        residenceConfirmedAt: new Date(),
        residenceConfirmedBy: `abh:${n.kommuneId}`,
        residenceCorrected: check === RESIDENCE_CHECK.corrected,
      });
      await this.repo.audit(tx, { action: `einbuergerung.residence_${check}`, entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: ['residenceSince', 'residenceTitle', 'residenceTitleSuitable'] });
    });
    return { aufenthaltSeit: isoDay(row.residenceSince), aufenthaltstitelGeeignet: row.residenceTitleSuitable === true };
  }

  /**
   * Stores the decision's result, opens the document checklist and derives the gateway flags:
   * only the residence time missing → Wiedervorlage; SPRACHE → language course; EINBUERGERUNGSTEST → test.
   */
  async recordPreCheck(jobKey: string, id: string, result: unknown) {
    const r = result as { eligible?: unknown; fehlendeVoraussetzungen?: unknown; fruehesterAntragstermin?: unknown } | null;
    if (!r || typeof r.eligible !== 'boolean' || !Array.isArray(r.fehlendeVoraussetzungen)) throw badRequest('Das Ergebnis der Vorprüfung fehlt.', { vorpruefung: 'Pflichtfeld' });
    const missing = r.fehlendeVoraussetzungen.map((c) => oneOf(c, CODES, 'fehlendeVoraussetzungen')) as Voraussetzung[];
    const earliest = dateOf(r.fruehesterAntragstermin, 'fruehesterAntragstermin', false);
    const nurZeitFehlt = missing.length === 1 && missing[0] === 'AUFENTHALTSDAUER';
    await this.step(jobKey, id, 'precheck', async (tx, n) => {
      await this.repo.update(tx, id, {
        eligible: r.eligible as boolean,
        missingRequirements: missing,
        earliestApplicationDate: earliest,
        checkedAt: new Date(),
        status: r.eligible ? STATUS.completeness : nurZeitFehlt ? STATUS.waiting : STATUS.preparation,
      });
      await this.repo.addDocuments(tx, id, DEFAULT_DOCUMENTS);
      await this.repo.audit(tx, { action: 'einbuergerung.precheck', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: ['eligible', 'missingRequirements', 'earliestApplicationDate'] });
    });
    return { nurZeitFehlt, sprachkursNoetig: missing.includes('SPRACHE'), testNoetig: missing.includes('EINBUERGERUNGSTEST') };
  }

  /** The Referral row (Sprache, Sprachkurs) the called kim-referral works on, with the commune's course provider. */
  async createLanguageReferral(jobKey: string, id: string): Promise<{ referralId: string }> {
    const row = await this.step(jobKey, id, 'language_referral', async (tx, n) => {
      const org = await this.repo.findOrganisationOfType(tx, n.kommuneId, 'Sprachkurstraeger');
      if (!org) throw badRequest('In dieser Kommune ist kein aktiver Sprachkursträger eingetragen.', { organisation: 'fehlt' });
      const ref = await this.repo.createReferral(tx, { caseId: n.caseId, organisationId: org.id, lifeArea: 'Sprache', purpose: 'Sprachkurs (Einbürgerung, B1)', status: 'angelegt', jobKey });
      await this.repo.update(tx, id, { languageReferralId: ref.id });
      await this.repo.audit(tx, { action: 'referrals.create', entity: 'Referral', entityId: ref.id, caseId: n.caseId, kommuneId: n.kommuneId, reason: 'Sprachkurs für die Einbürgerung' });
    });
    if (!row.languageReferralId) throw new DomainError(500, 'Die Vermittlung wurde nicht angelegt.', 'internal');
    return { referralId: row.languageReferralId };
  }

  async recordTestRegistration(jobKey: string, id: string, v: { testTermin: unknown; teststelle: unknown }): Promise<void> {
    const date = dateOf(v.testTermin, 'testTermin');
    const centre = typeof v.teststelle === 'string' ? v.teststelle.trim().slice(0, 200) : '';
    if (!centre) throw badRequest('teststelle: Pflichtfeld.', { teststelle: 'Pflichtfeld' });
    await this.step(jobKey, id, 'test_registration', async (tx, n) => {
      await this.repo.update(tx, id, { testDate: date, testCentre: centre });
      await this.repo.audit(tx, { action: 'einbuergerung.test_registration', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: ['testDate', 'testCentre'] });
    });
  }

  /** Writes the checklist statuses; the application is complete when every document is vollstaendig. */
  async saveDocuments(jobKey: string, id: string, dokumente: unknown): Promise<{ unterlagenVollstaendig: boolean }> {
    const list = Array.isArray(dokumente) ? dokumente : [];
    const docs = list.map((d: { art?: unknown; status?: unknown }) => ({ kind: oneOf(d?.art, DOCUMENT_KINDS, 'dokumente.art'), status: oneOf(d?.status, DOCUMENT_STATUS, 'dokumente.status') }));
    const row = await this.step(jobKey, id, 'documents', async (tx, n) => {
      for (const d of docs) await this.repo.upsertDocument(tx, id, d.kind, { status: d.status, ...(d.status === 'vollstaendig' ? { dueDate: null } : {}) });
      await this.repo.audit(tx, { action: 'einbuergerung.documents', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: docs.map((d) => `documents.${d.kind}`) });
    });
    return { unterlagenVollstaendig: row.documents.length > 0 && row.documents.every((d) => d.status === 'vollstaendig') };
  }

  async handOver(jobKey: string, id: string): Promise<void> {
    await this.step(jobKey, id, 'hand_over', async (tx, n) => {
      await this.repo.update(tx, id, { status: STATUS.ebh, handedOverAt: new Date() });
      await this.repo.audit(tx, { action: 'einbuergerung.hand_over', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, reason: `ebh:${n.kommuneId}` });
    });
  }

  /** EBH pre-check: accept, or request documents (status fehlt, due date) – the model loops back to the case manager. */
  async recordEbhPreCheck(jobKey: string, id: string, v: { ebhErgebnis: unknown; nachgeforderteUnterlagen: unknown; nachforderungFrist: unknown }) {
    const result = oneOf(v.ebhErgebnis, Object.values(EBH_RESULT), 'ebhErgebnis');
    const request = result === EBH_RESULT.requestDocuments;
    const due = request ? dateOf(v.nachforderungFrist, 'nachforderungFrist') : null;
    const kinds = request ? (Array.isArray(v.nachgeforderteUnterlagen) ? v.nachgeforderteUnterlagen : []).map((k) => oneOf(k, DOCUMENT_KINDS, 'nachgeforderteUnterlagen')) : [];
    if (request && kinds.length === 0) throw badRequest('Bitte mindestens eine nachzureichende Unterlage wählen.', { nachgeforderteUnterlagen: 'Pflichtfeld' });
    await this.step(jobKey, id, 'ebh_precheck', async (tx, n) => {
      if (request) {
        for (const k of kinds) await this.repo.upsertDocument(tx, id, k, { status: 'fehlt', requestedByEbh: true, dueDate: due });
        await this.repo.update(tx, id, { status: STATUS.documentsRequested, documentsDueDate: due });
      } else {
        await this.repo.update(tx, id, { status: STATUS.accepted, acceptedAt: new Date(), documentsDueDate: null });
      }
      await this.repo.audit(tx, { action: `einbuergerung.ebh_${request ? 'request_documents' : 'accept'}`, entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: request ? kinds.map((k) => `documents.${k}`) : ['acceptedAt'] });
    });
    return { nachforderungFrist: isoDay(due) };
  }

  async recordDecision(jobKey: string, id: string, v: { entscheidung: unknown; entscheidungsdatum: unknown }): Promise<void> {
    const decision = oneOf(v.entscheidung, DECISIONS, 'entscheidung');
    const date = dateOf(v.entscheidungsdatum, 'entscheidungsdatum');
    await this.step(jobKey, id, 'decision', async (tx, n) => {
      await this.repo.update(tx, id, { decision, decisionDate: date, status: STATUS.decided });
      await this.repo.audit(tx, { action: 'einbuergerung.decision', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: ['decision', 'decisionDate'] });
    });
  }

  async recordInformed(jobKey: string, id: string, v: { informiertAm: unknown }): Promise<void> {
    const date = dateOf(v.informiertAm, 'informiertAm');
    await this.step(jobKey, id, 'client_informed', async (tx, n) => {
      await this.repo.update(tx, id, { clientInformedAt: date, status: STATUS.done });
      await this.repo.audit(tx, { action: 'einbuergerung.client_informed', entity: 'Naturalisation', entityId: id, caseId: n.caseId, kommuneId: n.kommuneId, fields: ['clientInformedAt'] });
    });
  }

  /**
   * A case's naturalisation as the actor may see it: ABH only the residence facts, EBH the pre-check,
   * residence facts, checklist and decision – and both only while a task of their group is open for
   * the case. Case managers their site's cases, coordinators their commune. Never notes.
   */
  async view(a: Actor, caseId: string, requestId?: string) {
    if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
    const c = await this.repo.getCase(caseId);
    let allowed = !!c && c.kommuneId === a.kommuneId;
    if (allowed && a.role === 'case_manager') allowed = c!.siteId === a.siteId;
    else if (allowed && (a.role === 'abh' || a.role === 'ebh')) allowed = (await this.repo.taskCaseIds(a.kommuneId, a.username, a.groups)).includes(caseId);
    else if (allowed && a.role !== 'coordinator') throw forbidden('Ihre Rolle hat keinen Zugang zu Einbürgerungsdaten.');
    const n = allowed ? await this.repo.latestOfCase(caseId) : null;
    if (!n) throw notFound('Die Einbürgerungsvorbereitung');
    await this.repo.audit(this.repo.db, { ...who(a), action: 'einbuergerung.read', entity: 'Naturalisation', entityId: n.id, caseId, kommuneId: n.kommuneId, requestId });
    const residence = { id: n.id, caseId: n.caseId, status: n.status, aufenthaltSeit: isoDay(n.residenceSince), aufenthaltstitel: n.residenceTitle, aufenthaltstitelGeeignet: n.residenceTitleSuitable };
    if (a.role === 'abh') return residence;
    const ebh = {
      ...residence,
      aufenthaltBestaetigtAm: n.residenceConfirmedAt?.toISOString() ?? null,
      aufenthaltKorrigiert: n.residenceCorrected,
      eligible: n.eligible,
      fehlendeVoraussetzungen: n.missingRequirements,
      fruehesterAntragstermin: isoDay(n.earliestApplicationDate),
      testTermin: isoDay(n.testDate),
      dokumente: n.documents.map((d) => ({ art: d.kind, status: d.status, nachgefordert: d.requestedByEbh, frist: isoDay(d.dueDate) })),
      nachforderungFrist: isoDay(n.documentsDueDate),
      uebergebenAm: n.handedOverAt?.toISOString() ?? null,
      angenommenAm: n.acceptedAt?.toISOString() ?? null,
      entscheidung: n.decision,
      entscheidungsdatum: isoDay(n.decisionDate),
    };
    if (a.role === 'ebh') return ebh;
    return { ...ebh, processInstanceKey: n.processInstanceKey, sprachkursVermittlungId: n.languageReferralId, teststelle: n.testCentre, klientinInformiertAm: n.clientInformedAt?.toISOString() ?? null };
  }
}
