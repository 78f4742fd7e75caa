/**
 * The engine task groups that follow from a person's role, commune and site – derived, so an
 * administrator never types group names (the models' candidate groups use the same patterns, see
 * the demo users in prisma/seed.ts).
 */
export function groupsFor(role: string, kommuneId: string, siteId: string | null | undefined): string[] {
  switch (role) {
    case 'case_manager':
      return ['case-manager', `case-manager:${kommuneId}`, ...(siteId ? [`case-manager:${siteId}`] : [])];
    case 'coordinator':
      return ['coordinator', `coordinator:${kommuneId}`];
    case 'abh':
      return ['abh', `abh:${kommuneId}`];
    case 'ebh':
      return ['ebh', `ebh:${kommuneId}`];
    default:
      return [];
  }
}
