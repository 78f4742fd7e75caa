/**
 * The app's layout: react-admin's own, with a menu that lists the resources plus the pages that are
 * no resource (the naturalisation quick check), each only for the roles that may use it.
 */
import type { ReactNode } from 'react';
import { Layout, Menu, usePermissions } from 'react-admin';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import { QUICK_CHECK_PATH, QUICK_CHECK_ROLES } from './pages/QuickCheck';

function KimMenu() {
  const { permissions } = usePermissions();
  return (
    <Menu>
      <Menu.DashboardItem />
      <Menu.ResourceItems />
      {QUICK_CHECK_ROLES.includes(String(permissions)) && <Menu.Item to={QUICK_CHECK_PATH} primaryText="Schnellprüfung" leftIcon={<FactCheckIcon />} />}
    </Menu>
  );
}

export function KimLayout({ children }: { children: ReactNode }) {
  return <Layout menu={KimMenu}>{children}</Layout>;
}
