import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { Dashboard } from './Dashboard';
import { KimLayout } from './Layout';
import { QUICK_CHECK_PATH, QuickCheckPage } from './pages/QuickCheck';
import { LoginPage } from './LoginPage';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import { i18nProvider } from './providers/i18nProvider';
import { cases } from './resources/cases';
import { models } from './modeler';
import { tasks } from './resources/tasks';
import { theme } from './theme';

export function App() {
  return (
    <Admin
      title="KIM Prozessplattform"
      dataProvider={dataProvider}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      theme={theme}
      loginPage={LoginPage}
      dashboard={Dashboard}
      layout={KimLayout}
      requireAuth
      disableTelemetry
    >
      <Resource {...tasks} />
      <Resource {...cases} />
      <Resource {...models} />
      <CustomRoutes>
        <Route path={QUICK_CHECK_PATH} element={<QuickCheckPage />} />
      </CustomRoutes>
    </Admin>
  );
}
