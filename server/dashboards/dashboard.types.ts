/**
 * The response shapes of /api/dashboards: one definition for the server (tables.ts,
 * dashboard.service.ts) and the web app (admin-ui/src/dashboards/types.ts). Types only – the web
 * app's build takes nothing else from the server.
 */
export interface Labelled {
  key: string;
  label: string;
}

export interface ReportTable {
  id: string;
  title: string;
  description: string;
  /** A state today rather than a flow in the period. */
  snapshot: boolean;
  /** Counts of persons: suppressed below 5. */
  suppressible: boolean;
  /** What one count is ("Fälle", "Bedarfe", …). */
  unit: string;
  /** null: a table only (Sachbericht). */
  chart: { axis: 'rows' | 'columns'; layout: 'horizontal' | 'vertical' } | null;
  rowHeader: string;
  /** Heading of the columns (what they distinguish). */
  columnHeader: string;
  /** Where the units (sites, communes, partners) are: the rows, or the columns (months, figures as rows). */
  unitsIn: 'rows' | 'columns';
  rows: Labelled[];
  columns: Labelled[];
  /** rows × columns; null = suppressed ("< 5"). */
  cells: Array<Array<number | null>>;
  rowTotals: Array<number | null> | null;
  columnTotals: Array<number | null> | null;
  /** Absent when the table publishes no grand total (Sachbericht). */
  total?: number | null;
  rowTotalLabel: string;
  columnTotalLabel: string;
  /** How many values are hidden (small ones and those hiding them). */
  suppressedCount: number;
}

export interface Dashboard {
  view: 'kommune' | 'land';
  kommune: Labelled | null;
  site: Labelled | null;
  /** The commune's sites (filter), empty in the state's view. */
  sites: Labelled[];
  from: string;
  to: string;
  periodLabel: string;
  /** ISO date-time the figures were computed. */
  generatedAt: string;
  minCount: number;
  suppressedLabel: string;
  tables: ReportTable[];
}
