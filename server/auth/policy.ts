/**
 * The one place that decides who may see and do what: role × commune × site × task groups.
 * Issue-specific resources add their rules here.
 */
import { DomainError, forbidden } from '../errors';
import { DOCUMENT_KINDS as NATURALISATION_DOCUMENTS } from '../../processes/kim-einbuergerung/contract';

export type RoleName = 'case_manager' | 'coordinator' | 'abh' | 'ebh' | 'land' | 'admin';

export interface Actor {
  id: string;
  username: string;
  displayName: string;
  role: RoleName;
  kommuneId: string | null;
  siteId: string | null;
  groups: string[];
  /** Signed in with a one-time password: only the password change is open (server/auth/password-gate.ts). */
  mustChangePassword?: boolean;
}

export interface TaskLike {
  kommuneId: string | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
}

/** Roles that work tasks at all. */
const TASK_ROLES: RoleName[] = ['case_manager', 'coordinator', 'abh', 'ebh'];

export function canSeeTask(a: Actor, t: TaskLike): boolean {
  if (!TASK_ROLES.includes(a.role)) return false;
  if (!a.kommuneId || t.kommuneId !== a.kommuneId) return false;
  if (a.role === 'coordinator') return true;
  if (t.assignee === a.username) return true;
  if (t.candidateUsers.includes(a.username)) return true;
  return t.candidateGroups.some((g) => a.groups.includes(g));
}

/** May work on (claim, complete) the task: visible, and not someone else's. Coordinators only reassign. */
export function assertCanWorkTask(a: Actor, t: TaskLike): void {
  if (!canSeeTask(a, t)) throw forbidden('Diese Aufgabe ist Ihnen nicht zugänglich.');
  if (a.role === 'coordinator' && t.assignee !== a.username && !t.candidateGroups.some((g) => a.groups.includes(g))) {
    throw forbidden('Koordinierende können diese Aufgabe nur neu zuweisen, nicht bearbeiten.');
  }
}

/** Reassigning a task (with a reason) is the coordinators' job; case managers claim and return. */
export function assertCanReassignTask(a: Actor, t: TaskLike): void {
  if (a.role !== 'coordinator') throw forbidden('Nur Koordinierende können Aufgaben neu zuweisen.');
  if (!canSeeTask(a, t)) throw forbidden('Diese Aufgabe ist Ihnen nicht zugänglich.');
}

/** May the user (a possible new assignee) work on the task: same commune and a matching group. */
export function mayBeAssigned(u: { username: string; kommuneId: string | null; groups: string[]; active: boolean }, t: TaskLike): boolean {
  if (!u.active || !u.kommuneId || u.kommuneId !== t.kommuneId) return false;
  return t.candidateUsers.includes(u.username) || t.candidateGroups.some((g) => u.groups.includes(g));
}

export function assertTaskRole(a: Actor): void {
  if (!TASK_ROLES.includes(a.role)) throw forbidden('Ihre Rolle hat keinen Aufgabeneingang.');
}

/**
 * The client column of the inbox list. Case managers see the name for cases of their own site (the
 * clients they may read) and the pseudonym for other sites' cases in their group; coordinators
 * steer and reassign and get the pseudonym only; ABH/EBH get nothing beyond the task itself (the
 * task view shows what their step needs).
 */
export function taskListClient(a: Actor): { kind: 'none' } | { kind: 'pseudonym' } | { kind: 'name'; siteId: string } {
  if (a.role === 'case_manager' && a.siteId) return { kind: 'name', siteId: a.siteId };
  if (a.role === 'case_manager' || a.role === 'coordinator') return { kind: 'pseudonym' };
  return { kind: 'none' };
}

/**
 * Filtering the inbox by life area reads the Förderplan (needs and goals): only roles that may read
 * it, and case managers only over their own site's cases.
 */
export function assertCanFilterTasksByLifeArea(a: Actor): { siteId?: string } {
  if (!(SUPPORT_PLAN[a.role] ?? []).includes('read')) throw forbidden('Ihre Rolle darf Aufgaben nicht nach Lebensbereich filtern (Bedarfe und Ziele sind für sie nicht sichtbar).');
  return a.role === 'case_manager' ? { siteId: a.siteId ?? '__none__' } : {};
}

// ---------------------------------------------------------------------------------------------
// Resources of the REST API: which role may do what, and on which rows.
// ---------------------------------------------------------------------------------------------

export type Verb = 'list' | 'read' | 'create' | 'update' | 'delete';

export const RESOURCES = [
  'clients',
  'cases',
  'consents',
  'referrals',
  'conferences',
  'notes',
  'documents',
  'organisations',
  'users',
  'sites',
  'audit-log',
  'system-gaps',
] as const;
export type ResourceName = (typeof RESOURCES)[number];

const R: Verb[] = ['list', 'read'];
const RC: Verb[] = ['list', 'read', 'create'];
const RCU: Verb[] = ['list', 'read', 'create', 'update'];
const CRUD: Verb[] = ['list', 'read', 'create', 'update', 'delete'];

/**
 * The matrix role × resource → verbs. Rows are further limited by {@link scopeOf}.
 * - case managers: their site's cases and everything hanging off them;
 * - coordinators: the whole commune, read-only on case content; they manage system gaps;
 * - ABH/EBH: read-only, only cases (and their clients and documents) linked to tasks in their groups;
 * - land: no personal data at all (aggregates come from the statistics);
 * - admin: users, sites and organisations of their commune; no case content.
 */
export const MATRIX: Record<ResourceName, Partial<Record<RoleName, Verb[]>>> = {
  clients: { case_manager: RCU, coordinator: R, abh: R, ebh: R },
  cases: { case_manager: RCU, coordinator: R, abh: R, ebh: R },
  consents: { case_manager: RCU, coordinator: R },
  referrals: { case_manager: CRUD, coordinator: R },
  conferences: { case_manager: CRUD, coordinator: R },
  notes: { case_manager: CRUD, coordinator: R },
  documents: { case_manager: ['list', 'read', 'create', 'delete'], coordinator: R, abh: R, ebh: R },
  organisations: { case_manager: R, coordinator: R, abh: R, ebh: R, admin: CRUD },
  users: { case_manager: R, coordinator: R, admin: CRUD },
  sites: { case_manager: R, coordinator: R, abh: R, ebh: R, admin: RCU },
  'audit-log': { coordinator: R },
  'system-gaps': { case_manager: RC, coordinator: CRUD },
};

/**
 * Needs and goals of the Förderplan (GET/POST /cases/:id/needs|goals, PUT /needs/:id, /goals/:id):
 * the case manager of the site writes, coordinators read; nobody else sees them.
 */
export const SUPPORT_PLAN: Partial<Record<RoleName, Verb[]>> = { case_manager: RCU, coordinator: R };

export function assertCanPlan(a: Actor, verb: Verb): void {
  if (!(SUPPORT_PLAN[a.role] ?? []).includes(verb)) throw forbidden(`Ihre Rolle darf Bedarfe und Ziele des Förderplans nicht ${VERB_DE[verb]}.`);
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
}

/** Resources holding personal data: every read and write is audit-logged. */
export const PERSONAL: ReadonlySet<ResourceName> = new Set<ResourceName>(['clients', 'cases', 'consents', 'referrals', 'conferences', 'notes', 'documents', 'users']);

/** Verbs that are not CRUD, each bound to the CRUD verb whose right it needs. */
export const ACTIONS = { 'cases.close': ['cases', 'update'], 'consents.revoke': ['consents', 'update'] } as const satisfies Record<string, readonly [ResourceName, Verb]>;

const VERB_DE: Record<Verb, string> = { list: 'auflisten', read: 'ansehen', create: 'anlegen', update: 'ändern', delete: 'löschen' };

export function can(a: Actor, resource: ResourceName, verb: Verb): boolean {
  return (MATRIX[resource][a.role] ?? []).includes(verb);
}

export function assertCan(a: Actor, resource: ResourceName, verb: Verb): void {
  if (!can(a, resource, verb)) throw forbidden(`Ihre Rolle darf ${RESOURCE_DE[resource]} nicht ${VERB_DE[verb]}.`);
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
}

export const RESOURCE_DE: Record<ResourceName, string> = {
  clients: 'Klient*innen',
  cases: 'Fälle',
  consents: 'Einwilligungen',
  referrals: 'Vermittlungen',
  conferences: 'Fallkonferenzen',
  notes: 'Notizen',
  documents: 'Dokumente',
  organisations: 'Organisationen',
  users: 'Benutzer*innen',
  sites: 'Standorte',
  'audit-log': 'das Audit-Log',
  'system-gaps': 'Systemlücken',
};

/**
 * Which cases an actor reaches. `caseIds` is set for ABH/EBH: the cases of open tasks in their
 * groups (Task.caseId = Case.id), loaded by the caller because the task projection has no relation.
 */
export interface CaseScope {
  kommuneId: string;
  siteId?: string;
  caseIds?: string[];
  /** Case managers: cases of another site reached through an open task assigned to them (reads only). */
  assignedCaseIds?: string[];
}

/** Needs the task-linked case ids (ABH/EBH) before {@link caseScope} can be built. */
export const needsTaskCases = (a: Actor) => a.role === 'abh' || a.role === 'ebh';

/**
 * A task a coordinator reassigns to a case manager of another site must be workable: while the open
 * task is assigned to them, they read its case (and what hangs off it) – never write to it, and never
 * through a task merely offered to their group. The grant is derived from the inbox projection
 * (public."Task": state CREATED, assignee = the user) rather than kept in a grant table: the engine's
 * listener writes that row in the engine's own transaction, so the access ends exactly when the task
 * stops being theirs – completed, reassigned, returned, canceled by a boundary event or a migration –
 * with no second record that could outlive it. Grant and end are audit-logged by the inbox
 * (server/inbox/task-access.ts). `verb` is the CRUD verb of the request.
 */
export const readsAssignedCases = (a: Actor, verb: Verb) => a.role === 'case_manager' && (verb === 'list' || verb === 'read');

export function caseScope(a: Actor, taskCaseIds: string[] = []): CaseScope {
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
  switch (a.role) {
    case 'case_manager':
      if (!a.siteId) throw forbidden('Ihr Konto ist keinem Standort zugeordnet.');
      // taskCaseIds: the cases of open tasks assigned to them (see readsAssignedCases).
      return { kommuneId: a.kommuneId, siteId: a.siteId, ...(taskCaseIds.length ? { assignedCaseIds: taskCaseIds.filter((id) => UUID.test(id)) } : {}) };
    case 'coordinator':
      return { kommuneId: a.kommuneId };
    case 'abh':
    case 'ebh':
      return { kommuneId: a.kommuneId, caseIds: taskCaseIds.filter((id) => UUID.test(id)) };
    default:
      throw forbidden('Ihre Rolle hat keinen Zugang zu Falldaten.');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Prisma-style row filter for the Case table. */
export function caseWhere(s: CaseScope): Record<string, unknown> {
  if (s.siteId && s.assignedCaseIds?.length) return { kommuneId: s.kommuneId, OR: [{ siteId: s.siteId }, { id: { in: s.assignedCaseIds } }] };
  return { kommuneId: s.kommuneId, ...(s.siteId ? { siteId: s.siteId } : {}), ...(s.caseIds ? { id: { in: s.caseIds } } : {}) };
}

/** Row filter per resource: the query itself is scoped, lists are never filtered afterwards. */
export function rowScope(a: Actor, resource: ResourceName, taskCaseIds: string[] = []): Record<string, unknown> {
  const k = a.kommuneId ?? '__none__';
  switch (resource) {
    case 'cases':
      return caseWhere(caseScope(a, taskCaseIds));
    case 'clients': {
      const s = caseScope(a, taskCaseIds);
      if (s.caseIds) return { kommuneId: s.kommuneId, cases: { some: { id: { in: s.caseIds } } } };
      if (s.siteId && s.assignedCaseIds?.length) return { kommuneId: s.kommuneId, OR: [{ siteId: s.siteId }, { cases: { some: { id: { in: s.assignedCaseIds } } } }] };
      return { kommuneId: s.kommuneId, ...(s.siteId ? { siteId: s.siteId } : {}) };
    }
    case 'consents':
    case 'referrals':
    case 'conferences':
    case 'notes':
    case 'documents':
      // Coordinators reach a person's case content only under a stated reason (CaseAccess).
      return { case: { ...caseWhere(caseScope(a, taskCaseIds)), ...(needsAccessReason(a) ? accessGrantWhere(a) : {}) } };
    case 'organisations':
    case 'users':
    case 'sites':
    case 'audit-log':
    case 'system-gaps':
      return { kommuneId: k };
  }
}

/**
 * Field minimisation: the fields a role gets of a resource (undefined = all of the resource's
 * public fields). ABH/EBH see what their tasks need, not the file.
 */
export function visibleFields(a: Actor, resource: ResourceName, opts: { accessGranted?: boolean } = {}): readonly string[] | undefined {
  if (a.role === 'abh' || a.role === 'ebh') {
    if (resource === 'cases') return ['id', 'reference', 'clientId', 'kommuneId', 'siteId', 'phase', 'kindOfHelp', 'openedAt', 'closedAt'];
    if (resource === 'clients') return AUTHORITY_CLIENT_FIELDS[a.role];
  }
  // Coordinators steer under pseudonyms; the name only with a stated reason for that person's file.
  if (resource === 'clients' && needsAccessReason(a) && !opts.accessGranted) return ['id', 'kommuneId', 'siteId', 'pseudonym', 'createdAt'];
  if (resource === 'users' && a.role !== 'admin') return ['id', 'username', 'displayName', 'role', 'kommuneId', 'siteId'];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Coordinators and a person's case file; the authorities' steps and what each needs.
// ---------------------------------------------------------------------------------------------

/** Why a coordinator opens a person's case file (code → German label shown in dialog and history). */
export const CASE_ACCESS_REASONS = {
  Fachaufsicht: 'Fachaufsicht',
  Vertretung: 'Vertretung der Fallverantwortung',
  Beschwerde: 'Beschwerde oder Anliegen der Person',
  Datenschutz: 'Datenschutzanfrage (Auskunft, Berichtigung, Löschung)',
} as const;
export type CaseAccessReason = keyof typeof CASE_ACCESS_REASONS;
/** How long a stated reason opens the file: one working day, then the reason is asked again. */
export const CASE_ACCESS_HOURS = 8;

/** Coordinators see pseudonyms; a person's case content needs a stated, audited reason. */
export const needsAccessReason = (a: Actor) => a.role === 'coordinator';

/** Prisma filter on Case: a valid access grant of the actor. */
export function accessGrantWhere(a: Actor, now = new Date()): Record<string, unknown> {
  return { accessGrants: { some: { userId: a.id, expiresAt: { gt: now } } } };
}

export function assertCanRequestCaseAccess(a: Actor): void {
  if (!needsAccessReason(a)) throw forbidden('Nur Koordinierende öffnen Fallakten mit Angabe eines Grundes.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
}

/** The API's answer when a coordinator opens a person's case file without a reason. */
export function reasonRequired(): DomainError {
  return new DomainError(403, 'Die Fallakte einer Person öffnen Koordinierende nur mit Angabe eines Grundes (z. B. Fachaufsicht oder Vertretung).', 'reason_required');
}

/**
 * The person's fields an authority's steps need: the ABH identifies the person in its register
 * (name, date of birth) to confirm residence facts; the EBH additionally needs the current
 * nationality (multiple citizenship is part of its decision). Languages, interpreter need and
 * contact data are never theirs.
 */
const AUTHORITY_CLIENT_FIELDS: Record<'abh' | 'ebh', readonly string[]> = {
  abh: ['id', 'pseudonym', 'firstName', 'lastName', 'birthDate'],
  ebh: ['id', 'pseudonym', 'firstName', 'lastName', 'birthDate', 'nationality'],
};

/**
 * The documents each authority step needs (user task element id → document kinds), e.g. the ABH's
 * residence confirmation: residence title, passport, registration; the EBH's steps: the
 * naturalisation checklist. A step not listed here gets no documents. On top, the case needs a
 * valid consent naming an organisation of the authority's type (the consent decides, too).
 */
export const AUTHORITY_STEP_DOCUMENTS: Readonly<Record<string, readonly string[]>> = {
  Task_ConfirmResidenceFacts: ['aufenthaltstitel', 'reisepass', 'meldebescheinigung'],
  Task_EbhPreCheck: NATURALISATION_DOCUMENTS,
  Task_RecordDecision: NATURALISATION_DOCUMENTS,
};
export const AUTHORITY_ORG_TYPE: Record<'abh' | 'ebh', string> = { abh: 'Auslaenderbehoerde', ebh: 'Einbuergerungsbehoerde' };

/**
 * Document rows an authority reaches: per open task of theirs, the case's documents of the kinds
 * the step needs, if a valid consent of that case names one of `authorityOrgIds`.
 */
export function authorityDocumentScope(steps: Array<{ caseId: string; elementId: string }>, authorityOrgIds: string[], today: Date): Record<string, unknown> {
  const or = steps
    .filter((s) => UUID.test(s.caseId) && AUTHORITY_STEP_DOCUMENTS[s.elementId]?.length)
    .map((s) => ({ caseId: s.caseId, kind: { in: [...AUTHORITY_STEP_DOCUMENTS[s.elementId]] } }));
  const consent = { revokedAt: null, validFrom: { lte: today }, OR: [{ validUntil: null }, { validUntil: { gte: today } }], recipients: { hasSome: authorityOrgIds } };
  return or.length && authorityOrgIds.length ? { OR: or, case: { consents: { some: consent } } } : { id: { in: [] } };
}

/** The Postausgang (every e-mail the product sent for the commune): administrators only. Returns their commune. */
export function assertCanReadOutbox(a: Actor): string {
  if (a.role !== 'admin') throw forbidden('Den Postausgang sieht nur die Administration.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
  return a.kommuneId;
}

// ---------------------------------------------------------------------------------------------
// Process modeler: coordinators change their commune's models; case managers may look.
// ---------------------------------------------------------------------------------------------

/** Read-only view of processes, versions and the diagram (heatmap): coordinators and case managers. */
export function assertCanReadModels(a: Actor): void {
  if (a.role !== 'coordinator' && a.role !== 'case_manager') throw forbidden('Ihre Rolle hat keinen Zugang zu den Prozessmodellen.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
}

/** Drafts, check, release, migration and incidents: only coordinators of the commune. */
export function assertCanChangeModels(a: Actor): void {
  if (a.role !== 'coordinator') throw forbidden('Nur Koordinierende der Kommune dürfen Prozessmodelle bearbeiten und freigeben.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
}

// ---------------------------------------------------------------------------------------------
// Process view of a case: the engine's element history of the case's instances.
// ---------------------------------------------------------------------------------------------

/**
 * Who sees the process view: the roles that read the case file (case managers of the site,
 * coordinators of the commune); ABH/EBH see only the data of their task, not the case's processes.
 * Which case is reachable is decided by the case row scope ({@link rowScope}).
 */
export function assertCanSeeProcessView(a: Actor): void {
  if (a.role !== 'case_manager' && a.role !== 'coordinator') throw forbidden('Ihre Rolle darf die Prozessansicht eines Falls nicht sehen.');
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
}
