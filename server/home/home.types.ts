/**
 * The answer of GET /api/home: one definition for the server (home.service.ts) and the web app
 * (admin-ui/src/home/types.ts). Types only.
 */
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
  /** mine: assigned to the user; group: the user's groups (ABH/EBH); commune: the whole commune. */
  scope: 'mine' | 'group' | 'commune';
  open: number;
  overdue: number;
  /** Case managers: unassigned tasks waiting in their groups ("Gruppenaufgaben"). */
  unassignedInGroups?: number;
  overdueTasks: HomeTask[];
  /** Open tasks that are not overdue, soonest due first. */
  upcomingTasks: HomeTask[];
}

export interface HomeCases {
  scope: 'mine' | 'commune';
  total: number;
  byPhase: Array<{ phase: string; count: number }>;
  /** Case managers: their user id, for the case list's filter link. */
  caseManagerId?: string;
}

export interface Home {
  displayName: string;
  role: string;
  kommune: string | null;
  site: string | null;
  tasks?: HomeTasks;
  followUps?: HomeTask[];
  cases?: HomeCases;
  partnerAnswers?: Array<{ kind: 'referral' | 'conference'; answer: string; at: string; organisation: string; purpose: string | null; caseId: string; caseReference: string }>;
  statistics?: { minCount: number; communes: Array<{ name: string; openCases: number | null }> };
  /** Only administrators see the technical system status. */
  systemStatus: boolean;
}
