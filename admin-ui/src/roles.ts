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
