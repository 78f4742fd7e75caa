/**
 * The app's layout: react-admin's own, with a menu that lists the resources plus the pages that are
 * no resource (the naturalisation quick check), each only for the roles that may use it.
 */
import type { ReactNode } from 'react';
import { Layout, Menu, usePermissions } from 'react-admin';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import GavelIcon from '@mui/icons-material/Gavel';
import { QUICK_CHECK_PATH, QUICK_CHECK_ROLES } from './pages/QuickCheck';
import { RESIDENCE_CHECK_PATH, RESIDENCE_CHECK_ROLES } from './pages/ResidenceCheck';
import BarChartIcon from '@mui/icons-material/BarChart';
import CloudUploadIcon from '@mui/icons-material/CloudUpload';
import BadgeIcon from '@mui/icons-material/Badge';
import { DASHBOARD_PATH, DASHBOARD_ROLES, EXPORT_PATH, EXPORT_ROLES, STAFF_POSTS_PATH, STAFF_POSTS_ROLES } from './dashboards/paths';
import { ReLoginDialog } from './auth/ReLoginDialog';
import { KimSidebar, SidebarFollowsWidth } from './SidebarFollowsWidth';
import { SignOutSync } from './auth/SignOutSync';

function KimMenu() {
  const { permissions } = usePermissions();
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItems />
      {QUICK_CHECK_ROLES.includes(String(permissions)) && <Menu.Item to={QUICK_CHECK_PATH} primaryText="Schnellprüfung" leftIcon={<FactCheckIcon />} />}
      {RESIDENCE_CHECK_ROLES.includes(String(permissions)) && <Menu.Item to={RESIDENCE_CHECK_PATH} primaryText="Bleiberecht prüfen" leftIcon={<GavelIcon />} />}
      {DASHBOARD_ROLES.includes(String(permissions)) && (
        <Menu.Item to={DASHBOARD_PATH} primaryText={permissions === 'land' ? 'Landesübersicht' : 'Kennzahlen'} leftIcon={<BarChartIcon />} />
      )}
      {EXPORT_ROLES.includes(String(permissions)) && <Menu.Item to={EXPORT_PATH} primaryText="Export Datenbank KIM" leftIcon={<CloudUploadIcon />} />}
      {STAFF_POSTS_ROLES.includes(String(permissions)) && <Menu.Item to={STAFF_POSTS_PATH} primaryText="Stellen (VZÄ)" leftIcon={<BadgeIcon />} />}
    </Menu>
  );
}

export function KimLayout({ children }: { children: ReactNode }) {
  return (
    // react-admin's layout is at least as wide as its content's unwrapped width (fit-content), so a
    // long line of text widened the page beyond the window: let it be the window's width instead.
    // The menu keeps its width (a wide case file squeezed it until its entries were cut off).
    <Layout
      menu={KimMenu}
      sidebar={KimSidebar}
      sx={{ minWidth: 0, '& .RaLayout-content, & .RaShow-main, & .RaShow-card, & .RaList-main': { minWidth: 0 }, '& .RaSidebar-docked': { flexShrink: 0 } }}
    >
      {children}
      {/* Session expiry: sign in again in place; sign-out in another tab: drop this tab's data. */}
      <ReLoginDialog />
      <SidebarFollowsWidth />
      <SignOutSync />
    </Layout>
  );
}
