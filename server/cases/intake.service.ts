/**
 * kim-intake: starting an intake for a new or known person, and the rules behind the intake's
 * workers (first contact, consent, double-funding check, kind of help). Process variables carry ids
 * and decision inputs only; names, addresses and notes stay in the app database.
 */
import crypto from 'node:crypto';
import type { LifeArea, OrganisationType } from '../../generated/prisma/client';
import { CONSENT, EXISTING_SUPPORT, ExistingSupportCode, IntakeVariables, KIND_OF_HELP, KindOfHelpCode, LIFE_AREAS, PROCESS_ID } from '../../processes/kim-intake/contract';
import type { CaseProcessRepository } from './case-process.repository';
import type { ProcessRuntime, Variables } from '../engine/port';
import { badRequest, DomainError, forbidden, notFound } from '../errors';
import type { Actor } from '../auth/policy';
import { starterVariables } from '../engine/starter';

/** Durations (ISO 8601) the models read from variables; from configuration, shortened in tests. */
export interface ProcessTimings {
  /** Due date of intake and case tasks, from their creation (KIM_TASK_DUE). */
  taskDue: string;
  /** Interval of the Wiedervorlage in kim-case (KIM_REVIEW_INTERVAL). */
  reviewInterval: string;
}

export const DEFAULT_TIMINGS: ProcessTimings = { taskDue: 'P7D', reviewInterval: 'P3M' };

export interface NewClientInput {
  firstName: string;
  lastName: string;
  birthDate?: string | null;
  gender?: string | null;
  nationality?: string | null;
  languages?: string[];
  interpreterNeeded?: boolean;
  phone?: string | null;
  email?: string | null;
  address?: string | null;
}

/** Either an existing client of the actor's commune, or the data of a new one. */
export interface StartIntakeInput {
  clientId?: string;
  client?: NewClientInput;
}

export interface StartedIntake {
  caseId: string;
  clientId: string;
  reference: string;
  processInstanceKey: string;
}

/** What the service needs of the engine: starting an instance in the commune's tenant. */
export type ProcessStarter = Pick<ProcessRuntime, 'start'>;

const LIFE_AREA_SET = new Set<string>(LIFE_AREAS);
const ORG_TYPES = new Set<string>(['Jobcenter', 'AgenturFuerArbeit', 'Jugendamt', 'Sozialamt', 'Auslaenderbehoerde', 'Einbuergerungsbehoerde', 'MBE', 'JMD', 'Sprachkurstraeger', 'Schule', 'Beratungsstelle', 'Sonstige']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const code = (bytes: number) => crypto.randomBytes(bytes).toString('hex').toUpperCase();

export function parseLifeAreas(v: unknown): LifeArea[] {
  if (!Array.isArray(v) || v.length === 0) throw badRequest('Mindestens ein Lebensbereich muss angegeben sein.', { lebensbereiche: 'Pflichtfeld' });
  const bad = v.filter((x) => !LIFE_AREA_SET.has(String(x)));
  if (bad.length) throw badRequest(`Unbekannte Lebensbereiche: ${bad.join(', ')}`, { lebensbereiche: 'ungültig' });
  return [...new Set(v.map(String))] as LifeArea[];
}

export class IntakeService {
  constructor(
    private readonly repo: CaseProcessRepository,
    private readonly engine: ProcessStarter | null,
    private readonly timings: ProcessTimings = DEFAULT_TIMINGS,
  ) {}

  /**
   * Opens a case for a new or known person at the actor's site and starts kim-intake for it.
   * If the engine refuses the start, the rows written for it are removed again.
   */
  async startIntake(a: Actor, input: StartIntakeInput, requestId?: string): Promise<StartedIntake> {
    if (a.role !== 'case_manager') throw forbidden('Nur Case-Managerinnen und Case-Manager beginnen einen Erstkontakt.');
    if (!a.kommuneId || !a.siteId) throw forbidden('Ihr Konto ist keinem Standort zugeordnet.');
    if (!this.engine) throw new DomainError(503, 'Die Prozess-Engine ist nicht verbunden.', 'unavailable');
    const kommuneId = a.kommuneId;
    const siteId = a.siteId;
    if (!input.clientId && !input.client) throw badRequest('Bitte eine bestehende Person wählen oder eine neue erfassen.', { clientId: 'Pflichtfeld' });
    if (input.clientId && !(await this.repo.findClient(input.clientId, kommuneId))) throw notFound('Die Person');
    if (input.client && (!input.client.firstName?.trim() || !input.client.lastName?.trim())) {
      throw badRequest('Vor- und Nachname sind Pflichtfelder.', { firstName: 'Pflichtfeld', lastName: 'Pflichtfeld' });
    }

    const created = await this.repo.db.$transaction(async (tx) => {
      let clientId = input.clientId ?? null;
      let newClientId: string | null = null;
      if (!clientId) {
        const c = input.client!;
        const client = await this.repo.createClient(tx, {
          kommuneId,
          siteId,
          pseudonym: `P-${code(5)}`,
          firstName: c.firstName.trim(),
          lastName: c.lastName.trim(),
          birthDate: c.birthDate ? new Date(c.birthDate) : null,
          gender: c.gender ?? null,
          nationality: c.nationality ?? null,
          languages: c.languages ?? [],
          interpreterNeeded: c.interpreterNeeded ?? false,
          phone: c.phone ?? null,
          email: c.email ?? null,
          address: c.address ?? null,
        });
        clientId = newClientId = client.id;
        await this.repo.audit(tx, { ...who(a), action: 'clients.create', entity: 'Client', entityId: client.id, kommuneId, requestId });
      }
      const reference = `${kommuneId.slice(0, 2).toUpperCase()}-${new Date().getFullYear()}-${code(3)}`;
      const row = await this.repo.createCase(tx, { reference, clientId, kommuneId, siteId, caseManagerId: a.id, phase: 'Zugang', kindOfHelp: 'CaseManagement' });
      await this.repo.audit(tx, { ...who(a), action: 'intake.start', entity: 'Case', entityId: row.id, caseId: row.id, kommuneId, requestId });
      return { caseId: row.id, clientId, newClientId, reference };
    });

    const variables = {
      caseId: created.caseId,
      clientId: created.clientId,
      kommuneId,
      bearbeitungsfrist: this.timings.taskDue,
      wiedervorlageIntervall: this.timings.reviewInterval,
      // The intake's tasks go to the person who started it ("Meine Aufgaben"), not to the group.
      ...starterVariables(a),
    } satisfies Partial<IntakeVariables> & Variables;
    let processInstanceKey: string;
    try {
      // The commune is the engine tenant: its variant of kim-intake runs.
      processInstanceKey = (await this.engine.start(PROCESS_ID, kommuneId, variables)).processInstanceKey;
    } catch (e) {
      await this.repo.removeUnstarted(created.caseId, created.newClientId);
      throw new DomainError(503, `Der Erstkontakt konnte nicht gestartet werden (${(e as Error).name}). Bitte versuchen Sie es erneut.`, 'unavailable');
    }
    await this.repo.setProcessInstance(created.caseId, processInstanceKey);
    return { caseId: created.caseId, clientId: created.clientId, reference: created.reference, processInstanceKey };
  }

  /** Needs per life area (once per area), interpreter need on the person, phase Clearing. */
  async recordFirstContact(caseId: string, input: { lebensbereiche: unknown; dolmetschBedarf?: unknown }): Promise<{ anzahlLebensbereiche: number }> {
    const areas = parseLifeAreas(input.lebensbereiche);
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      const existing = new Set((await this.repo.needsOf(tx, caseId)).map((n) => n.lifeArea));
      const missing = areas.filter((x) => !existing.has(x));
      if (missing.length) await this.repo.createNeeds(tx, caseId, missing);
      if (input.dolmetschBedarf === true) await this.repo.updateClient(tx, c.clientId, { interpreterNeeded: true });
      await this.repo.updateCase(tx, caseId, { phase: 'Clearing' });
      if (missing.length) await this.repo.audit(tx, { action: 'intake.first_contact', entity: 'Case', entityId: caseId, caseId, kommuneId: c.kommuneId, fields: ['needs', 'phase'] });
      return { anzahlLebensbereiche: areas.length };
    });
    if (!done) throw notFound('Der Fall');
    return done;
  }

  /**
   * The consent given in the intake. Recipients are organisations of the commune, as in the case
   * file's consent dialog (the consent gate checks the organisation of each share): the form offers
   * the commune's organisations by id. Older form versions sent organisation types; those still
   * resolve to the commune's organisations of the chosen types.
   */
  async recordConsent(
    jobKey: string,
    caseId: string,
    input: { empfaenger?: unknown; zwecke?: unknown; datenkategorien?: unknown; gueltigBis?: unknown },
  ): Promise<{ einwilligungId: string }> {
    const chosen = Array.isArray(input.empfaenger) ? input.empfaenger.map(String) : [];
    const ids = chosen.filter((t) => UUID.test(t));
    const types = chosen.filter((t) => ORG_TYPES.has(t)) as OrganisationType[];
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
    const until = typeof input.gueltigBis === 'string' && input.gueltigBis ? new Date(input.gueltigBis) : null;
    if (until && Number.isNaN(until.getTime())) throw badRequest('Das Datum „Gültig bis“ ist ungültig.', { einwilligungGueltigBis: 'ungültig' });
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      const seen = await this.repo.consentByJob(tx, jobKey);
      if (seen) return { einwilligungId: seen.id };
      const orgs = [
        ...(ids.length ? await this.repo.organisationsOfKommune(tx, c.kommuneId, ids) : []),
        ...(types.length ? await this.repo.organisationIdsOfTypes(tx, c.kommuneId, types) : []),
      ].filter((o, i, all) => all.findIndex((x) => x.id === o.id) === i);
      const consent = await this.repo.createConsent(tx, {
        caseId,
        jobKey,
        recipients: orgs.map((o) => o.id),
        purposes: list(input.zwecke),
        dataCategories: list(input.datenkategorien),
        validFrom: new Date(new Date().toISOString().slice(0, 10)),
        validUntil: until,
      });
      await this.repo.updateCase(tx, caseId, { consentRefusedAt: null });
      await this.repo.audit(tx, { action: 'consents.create', entity: 'Consent', entityId: consent.id, caseId, kommuneId: c.kommuneId, reason: 'Einwilligung im Erstkontakt erteilt' });
      return { einwilligungId: consent.id };
    });
    if (!done) throw notFound('Der Fall');
    return done;
  }

  /** The person refused consent: no data will be shared; the case shows it. */
  async recordConsentRefusal(caseId: string): Promise<void> {
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      const row = await tx.case.findUniqueOrThrow({ where: { id: caseId }, select: { consentRefusedAt: true } });
      if (row.consentRefusedAt) return true;
      await this.repo.updateCase(tx, caseId, { consentRefusedAt: new Date() });
      await this.repo.audit(tx, { action: 'consents.refused', entity: 'Case', entityId: caseId, caseId, kommuneId: c.kommuneId, fields: ['consentRefusedAt'], reason: 'Einwilligung im Erstkontakt verweigert' });
      return true;
    });
    if (!done) throw notFound('Der Fall');
  }

  /**
   * Double-funding check: another open KIM case of the same person in the commune (same client,
   * or same name and birth date), or known MBE/JMD counselling (named in the first contact, or an
   * accepted referral to an MBE/JMD service). Writes the finding to the case.
   */
  async checkExistingSupport(caseId: string, bekannteBeratung: unknown): Promise<{ bestehendeUnterstuetzung: ExistingSupportCode[]; doppelfoerderungMoeglich: boolean }> {
    const c = await this.repo.getCase(caseId);
    if (!c) throw notFound('Der Fall');
    const client = await this.repo.findClient(c.clientId, c.kommuneId);
    if (!client) throw notFound('Die Person');
    const found = new Set<ExistingSupportCode>();
    if ((await this.repo.otherOpenCases(caseId, c.kommuneId, client)) > 0) found.add(EXISTING_SUPPORT.openCase);
    const named = Array.isArray(bekannteBeratung) ? bekannteBeratung.map(String) : [];
    for (const t of [...named, ...(await this.repo.activeCounselling(c.kommuneId, c.clientId))]) {
      if (t === 'MBE') found.add(EXISTING_SUPPORT.mbe);
      if (t === 'JMD') found.add(EXISTING_SUPPORT.jmd);
    }
    const codes = [EXISTING_SUPPORT.openCase, EXISTING_SUPPORT.mbe, EXISTING_SUPPORT.jmd].filter((x) => found.has(x));
    await this.repo.updateCase(this.repo.db, caseId, { existingSupport: codes });
    return { bestehendeUnterstuetzung: codes, doppelfoerderungMoeglich: codes.length > 0 };
  }

  /** The kind of help the decision chose; case management goes on to the Förderplan. */
  async openCase(caseId: string, hilfeart: unknown): Promise<void> {
    const kinds = Object.values(KIND_OF_HELP) as string[];
    if (typeof hilfeart !== 'string' || !kinds.includes(hilfeart)) throw badRequest(`Unbekannte Hilfeart: ${String(hilfeart)}`);
    const kind = hilfeart as KindOfHelpCode;
    const done = await this.repo.withCase(caseId, async (tx, c) => {
      if (c.closedAt) return true;
      await this.repo.updateCase(tx, caseId, { kindOfHelp: kind, phase: kind === KIND_OF_HELP.caseManagement ? 'Foerderplanung' : 'Umsetzung' });
      await this.repo.audit(tx, { action: 'intake.kind_of_help', entity: 'Case', entityId: caseId, caseId, kommuneId: c.kommuneId, fields: ['kindOfHelp', 'phase'], reason: kind });
      return true;
    });
    if (!done) throw notFound('Der Fall');
  }
}

/** The intake's consent answer. */
export const consentGiven = (v: unknown) => v === CONSENT.given;

function who(a: Actor) {
  return { userId: a.id, username: a.username, role: a.role };
}
