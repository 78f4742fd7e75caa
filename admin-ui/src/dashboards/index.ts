/**
 * Dashboards, the state's view, the export for "Datenbank KIM" and the staff posts: paths, the roles
 * that see them, and the pages themselves loaded on first use (the charts library stays out of the
 * inbox's bundle).
 */
import { lazyComponent } from '../lazy';

export * from './paths';

export const DashboardPage = lazyComponent(() => import('./DashboardPage'), 'DashboardPage');
export const ExportPage = lazyComponent(() => import('./ExportPage'), 'ExportPage');
export const StaffPostsPage = lazyComponent(() => import('./StaffPostsPage'), 'StaffPostsPage');
