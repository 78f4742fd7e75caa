/** Role names of the API (server/auth/policy.ts) and their German labels. */
export const ROLE_LABELS: Record<string, string> = {
  case_manager: 'Fallmanagement',
  coordinator: 'Koordination',
  abh: 'Ausländerbehörde',
  ebh: 'Einbürgerungsbehörde',
  land: 'Land NRW',
  admin: 'Administration',
};

export const roleLabel = (role: string | null | undefined) => (role ? (ROLE_LABELS[role] ?? role) : '—');

/** Roles with an inbox (server/auth/policy.ts TASK_ROLES). */
export const TASK_ROLES = ['case_manager', 'coordinator', 'abh', 'ebh'];
/** Roles that browse case files (the authorities reach a case's data only through their task). */
export const CASE_FILE_ROLES = ['case_manager', 'coordinator'];
export const AUTHORITY_ROLES = ['abh', 'ebh'];
/** Roles that may look at the process models (server/auth/policy.ts assertCanReadModels). */
export const MODEL_ROLES = ['case_manager', 'coordinator'];
