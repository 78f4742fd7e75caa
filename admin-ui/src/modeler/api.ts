/** Types and calls of /api/models: the commune's processes, versions, drafts, incidents and migration. */
import { apiCall } from '../providers/http';

export interface VersionInfo {
  version: number;
  processDefinitionKey: string;
  deployedAt: string | null;
  deployedBy: string | null;
  authoredBy: string | null;
  comment: string | null;
  kommuneId: string | null;
  openTasks: number;
  /** Instances with an open user task (inbox). */
  openInstances: number;
  /** Running instances (engine). */
  runningInstances: number;
  /** Open incidents (engine). */
  incidents: number;
}
export interface DraftMeta {
  processId: string;
  revision: number;
  status: 'draft' | 'in_review' | 'deploying';
  createdBy: string;
  updatedBy: string;
  updatedAt: string;
  submittedBy: string | null;
  submittedAt: string | null;
  submitComment: string | null;
  baseVersion: number | null;
}
export interface Draft extends DraftMeta {
  xml: string;
  forms: Record<string, Record<string, unknown>>;
}
export interface ProcessModel {
  id: string;
  processId: string;
  name: string;
  latestVersion: number;
  versions: VersionInfo[];
  draft: DraftMeta | null;
}
export interface Finding {
  rule: string;
  elementId: string;
  severity: 'error' | 'warning';
  message: string;
}
export interface CheckResult {
  ok: boolean;
  errors: Finding[];
  warnings: Finding[];
}
export interface Incident {
  id: string;
  /** failedExternalTask (a worker's step), failedJob (the engine's own step), … */
  type: string;
  processInstanceKey: string;
  processVersion: number | null;
  elementId: string;
  /** The step's name from the model. */
  elementName: string;
  /** The instance's case, only when the user may see it. */
  caseId: string | null;
  caseReference: string | null;
  message: string;
  state: 'open' | 'retried';
  retriedBy: string | null;
  createdAt: string;
}
export interface MigrationPreview {
  to: { version: number };
  mappings: unknown[];
  instances: Array<{ processInstanceKey: string; elements: string[]; migratable: boolean; reason: string | null }>;
  note: string;
}

const base = (id: string) => `/api/models/${encodeURIComponent(id)}`;

export const modelsApi = {
  list: () => apiCall<ProcessModel[]>('/api/models'),
  get: (id: string) => apiCall<ProcessModel>(base(id)),
  version: (id: string, v: number) => apiCall<{ xml: string | null; heatmap: Record<string, number>; runningInstances: number }>(`${base(id)}/versions/${v}`),
  templates: () => apiCall<unknown[]>('/api/models/element-templates'),
  draft: (id: string) => apiCall<Draft>(`${base(id)}/draft`),
  createDraft: (id: string) => apiCall<Draft>(`${base(id)}/draft`, { method: 'POST' }),
  saveDraft: (id: string, body: { xml: string; forms: Draft['forms']; revision: number }) => apiCall<Draft>(`${base(id)}/draft`, { method: 'PUT', body }),
  discard: (id: string) => apiCall(`${base(id)}/draft`, { method: 'DELETE' }),
  check: (id: string, body: { xml: string; forms: Draft['forms'] }) => apiCall<CheckResult>(`${base(id)}/draft/check`, { method: 'POST', body }),
  submit: (id: string, comment: string, revision: number) => apiCall<Draft>(`${base(id)}/draft/submit`, { method: 'POST', body: { comment, revision } }),
  approve: (id: string, comment: string) => apiCall<{ version: number }>(`${base(id)}/draft/approve`, { method: 'POST', body: { comment } }),
  reject: (id: string, comment: string) => apiCall(`${base(id)}/draft/reject`, { method: 'POST', body: { comment } }),
  incidents: (id: string) => apiCall<Incident[]>(`${base(id)}/incidents`),
  retry: (id: string, incidentId: string) => apiCall<Incident>(`${base(id)}/incidents/${incidentId}/retry`, { method: 'POST' }),
  migrationPreview: (id: string, from: number) => apiCall<MigrationPreview>(`${base(id)}/migration?from=${from}`),
  migrate: (id: string, from: number) => apiCall<{ results: Array<{ processInstanceKey: string; migrated: boolean; message?: string }> }>(`${base(id)}/migration`, { method: 'POST', body: { from } }),
};

export const dateTime = (v: string | null) => (v ? new Date(v).toLocaleString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }) : '—');
