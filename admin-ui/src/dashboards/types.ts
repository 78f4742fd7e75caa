/** The shapes of /api/dashboards and /api/export (server/dashboards/tables.ts, dashboard.service.ts). */
import type { ReportTable } from '../../../server/dashboards/dashboard.types';

export type { Dashboard, Labelled, ReportTable } from '../../../server/dashboards/dashboard.types';

export interface IndicatorInfo {
  id: string;
  title: string;
  description: string;
  snapshot: boolean;
  suppressed: boolean;
}

export interface ExportRun {
  id: string;
  configId: string | null;
  trigger: 'manuell' | 'zeitplan';
  requestedBy: string;
  role: string;
  indicators: string[];
  from: string;
  to: string;
  format: 'csv' | 'json';
  fileName: string;
  size: number;
  createdAt: string;
}

export interface ExportConfig {
  id: string;
  indicators: string[];
  format: 'csv' | 'json';
  schedule: 'monatlich' | 'vierteljaehrlich' | 'jaehrlich';
  nextRunAt: string;
  lastRunAt: string | null;
  createdBy: string;
  createdAt: string;
}

export interface Sachbericht {
  year: number;
  view: 'kommune' | 'land';
  minCount: number;
  suppressedLabel: string;
  generatedAt: string;
  tables: ReportTable[];
}

export interface StaffPosts {
  year: number;
  kommune: string;
  posts: Array<{ baustein: number; label: string; fte: number; updatedBy: string | null; updatedAt: string | null }>;
}
