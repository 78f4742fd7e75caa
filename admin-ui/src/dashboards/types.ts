/** The shapes of /api/dashboards and /api/export (server/dashboards/tables.ts, dashboard.service.ts). */
export interface Labelled {
  key: string;
  label: string;
}

export interface ReportTable {
  id: string;
  title: string;
  description: string;
  snapshot: boolean;
  suppressible: boolean;
  unit: string;
  chart: { axis: 'rows' | 'columns'; layout: 'horizontal' | 'vertical' } | null;
  rowHeader: string;
  columnHeader: string;
  unitsIn: 'rows' | 'columns';
  rows: Labelled[];
  columns: Labelled[];
  /** null = suppressed. */
  cells: Array<Array<number | null>>;
  rowTotals: Array<number | null> | null;
  columnTotals: Array<number | null> | null;
  total?: number | null;
  rowTotalLabel: string;
  columnTotalLabel: string;
  suppressedCount: number;
}

export interface Dashboard {
  view: 'kommune' | 'land';
  kommune: Labelled | null;
  site: Labelled | null;
  sites: Labelled[];
  from: string;
  to: string;
  periodLabel: string;
  generatedAt: string;
  minCount: number;
  suppressedLabel: string;
  tables: ReportTable[];
}

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
