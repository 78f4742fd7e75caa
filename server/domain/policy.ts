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

export function assertTaskRole(a: Actor): void {
  if (!TASK_ROLES.includes(a.role)) throw forbidden('Ihre Rolle hat keinen Aufgabeneingang.');
}
