/**
 * The one place that decides who may see and do what: role × commune × site × task groups.
 * Issue-specific resources add their rules here.
 */
import { forbidden } from './errors';

export type RoleName = 'case_manager' | 'coordinator' | 'abh' | 'ebh' | 'land' | 'admin';

export interface Actor {
  id: string;
  username: string;
  displayName: string;
  role: RoleName;
  kommuneId: string | null;
  siteId: string | null;
  groups: string[];
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
// Resources of the REST API (issue 3): which role may do what, and on which rows.
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
}

/** Needs the task-linked case ids (ABH/EBH) before {@link caseScope} can be built. */
export const needsTaskCases = (a: Actor) => a.role === 'abh' || a.role === 'ebh';

export function caseScope(a: Actor, taskCaseIds: string[] = []): CaseScope {
  if (!a.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
  switch (a.role) {
    case 'case_manager':
      if (!a.siteId) throw forbidden('Ihr Konto ist keinem Standort zugeordnet.');
      return { kommuneId: a.kommuneId, siteId: a.siteId };
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
      return { kommuneId: s.kommuneId, ...(s.siteId ? { siteId: s.siteId } : {}) };
    }
    case 'consents':
    case 'referrals':
    case 'conferences':
    case 'notes':
    case 'documents':
      return { case: caseWhere(caseScope(a, taskCaseIds)) };
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
export function visibleFields(a: Actor, resource: ResourceName): readonly string[] | undefined {
  if (a.role === 'abh' || a.role === 'ebh') {
    if (resource === 'cases') return ['id', 'reference', 'clientId', 'kommuneId', 'siteId', 'phase', 'kindOfHelp', 'openedAt', 'closedAt'];
    if (resource === 'clients') return ['id', 'firstName', 'lastName', 'birthDate', 'nationality', 'languages', 'interpreterNeeded'];
  }
  if (resource === 'users' && a.role !== 'admin') return ['id', 'username', 'displayName', 'role', 'kommuneId', 'siteId'];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Process modeler (issue 7): coordinators change their commune's models; case managers may look.
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
// Process view of a case (issue 6): the engine's element history of the case's instances.
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
