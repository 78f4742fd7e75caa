/** The answer of GET /api/home (server/home/home.service.ts). */
export type { Home as HomeData, HomeTask, HomeTasks } from '../../../server/home/home.types';

/** The CasePhase values with their German names (one table for every screen). */
export { PHASE_DE as PHASE_LABELS } from '../resources/cases/labels';
