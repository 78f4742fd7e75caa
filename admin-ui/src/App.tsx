import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { Dashboard } from './Dashboard';
import { KimLayout } from './Layout';
import { QUICK_CHECK_PATH, QuickCheckPage } from './pages/QuickCheck';
import { RESIDENCE_CHECK_PATH, ResidenceCheckPage } from './pages/ResidenceCheck';
import { LoginPage } from './LoginPage';
import { authProvider } from './providers/authProvider';
import { dataProvider } from './providers/dataProvider';
import { i18nProvider } from './providers/i18nProvider';
import { cases } from './resources/cases';
import { models } from './modeler';
import { outbox } from './resources/outbox';
import { users } from './resources/users';
import { sites } from './resources/users/sites';
import { partners } from './resources/users/partners';
import { tasks } from './resources/tasks';
import { steeringMeasures, steeringMeetings, steeringNotices, steeringThemes } from './resources/steering';
import { AUTHORITY_ROLES, CASE_FILE_ROLES, MODEL_ROLES, TASK_ROLES } from './roles';
import { theme } from './theme';
import { DASHBOARD_PATH, DashboardPage, EXPORT_PATH, ExportPage, STAFF_POSTS_PATH, StaffPostsPage } from './dashboards';

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
      {(permissions: string | null) => (
        <>
          {/* Only what the role can use is in the menu (the API answers 403 to everybody else). */}
          {TASK_ROLES.includes(String(permissions)) && <Resource {...tasks} />}
          {CASE_FILE_ROLES.includes(String(permissions)) && <Resource {...cases} />}
          {/* ABH/EBH: no case list; a case address shows where their step's data is (the task). */}
          {AUTHORITY_ROLES.includes(String(permissions)) && <Resource name={cases.name} show={cases.show} options={cases.options} />}
          {MODEL_ROLES.includes(String(permissions)) && <Resource {...models} />}
          {/* Steering (Baustein 1): the coordination's; case managers get the closing notices. */}
          {permissions === 'coordinator' && <Resource {...steeringThemes} />}
          {permissions === 'coordinator' && <Resource {...steeringMeetings} />}
          {permissions === 'coordinator' && <Resource {...steeringMeasures} />}
          {permissions === 'case_manager' && <Resource {...steeringNotices} />}
          {/* Administration only (the API answers 403 to everybody else). */}
          {permissions === 'admin' && <Resource {...users} />}
          {permissions === 'admin' && <Resource {...sites} />}
          {permissions === 'admin' && <Resource {...partners} />}
          {permissions === 'admin' && <Resource {...outbox} />}
          <CustomRoutes>
            <Route path={QUICK_CHECK_PATH} element={<QuickCheckPage />} />
            <Route path={RESIDENCE_CHECK_PATH} element={<ResidenceCheckPage />} />
            <Route path={DASHBOARD_PATH} element={<DashboardPage />} />
            <Route path={EXPORT_PATH} element={<ExportPage />} />
            <Route path={STAFF_POSTS_PATH} element={<StaffPostsPage />} />
          </CustomRoutes>
        </>
      )}
    </Admin>
  );
}
