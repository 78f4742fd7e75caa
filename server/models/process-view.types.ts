/**
 * The process view of a case (GET /api/cases/:id/processes) as the API returns it; shared by the
 * server and the web app (no imports, so the web app can use it).
 */
export type InstanceState = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface ProcessInstanceView {
  processInstanceKey: string;
  /** Set when a call activity of another instance of the case started this one. */
  parentProcessInstanceKey: string | null;
  processDefinitionId: string;
  processDefinitionKey: string;
  version: number;
  state: InstanceState;
  startedAt: string | null;
  endedAt: string | null;
  /** The deployed model. */
  bpmnXml: string | null;
  /** Element ids with an element instance that is active right now. */
  active: string[];
  /** The active steps with their names from the model (text alternative of the diagram). */
  activeSteps: Array<{ elementId: string; name: string }>;
  /** Element ids completed at least once. */
  completed: string[];
  /** Sequence flow ids taken at least once (derived from the activity history). */
  takenFlows: string[];
  /** Open incidents, with the name of the step they stopped. */
  incidents: Array<{ key: string; elementId: string; name: string; errorType: string; errorMessage: string; createdAt: string }>;
}

export interface CaseProcessesView {
  caseId: string;
  processes: ProcessInstanceView[];
  /** Instances the app knows but the engine's history does not (yet, or no more). */
  pending: string[];
}
