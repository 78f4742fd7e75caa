/** The answer of GET /api/home (server/home/home.service.ts). */
export interface HomeTask {
  id: string;
  name: string;
  processDefinitionId: string;
  dueDate: string | null;
  followUpDate: string | null;
  overdue: boolean;
  caseId: string | null;
  caseReference: string | null;
  pseudonym?: string | null;
}

export interface HomeTasks {
  scope: 'mine' | 'group' | 'commune';
  open: number;
  overdue: number;
  unassignedInGroups?: number;
  overdueTasks: HomeTask[];
  upcomingTasks: HomeTask[];
}

export interface HomeData {
  displayName: string;
  role: string;
  kommune: string | null;
  site: string | null;
  tasks?: HomeTasks;
  followUps?: HomeTask[];
  cases?: { scope: 'mine' | 'commune'; total: number; byPhase: Array<{ phase: string; count: number }>; caseManagerId?: string };
  partnerAnswers?: Array<{ kind: 'referral' | 'conference'; answer: string; at: string; organisation: string; purpose: string | null; caseId: string; caseReference: string }>;
  statistics?: { minCount: number; communes: Array<{ name: string; openCases: number | null }> };
  systemStatus: boolean;
}

/** The CasePhase values with their German names (one table for every screen). */
export { PHASE_DE as PHASE_LABELS } from '../resources/cases/labels';
