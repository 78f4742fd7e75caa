import { Admin, Resource } from 'react-admin';
import { Dashboard } from './Dashboard';
import { LoginPage } from './LoginPage';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import { i18nProvider } from './providers/i18nProvider';
import { cases } from './resources/cases';
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
      requireAuth
      disableTelemetry
    >
      <Resource {...tasks} />
      <Resource {...cases} />
    </Admin>
  );
}
