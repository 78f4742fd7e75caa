/**
 * The inbox: tabs for "Meine Aufgaben", "Gruppenaufgaben" and (coordinators) "Alle Aufgaben"; each
 * tab is the API filter `view`. Rows open the task; claim/unclaim act directly in the row. The list
 * updates by itself: the server announces changes of the task projection on an event stream
 * (GET /api/tasks/events) and the list reloads.
 */
import { SyntheticEvent, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import {
  BooleanInput,
  Datagrid,
  DateInput,
  SelectInput,
  useGetList,
  DateField,
  FunctionField,
  List,
  NumberField,
  Pagination,
  ShowButton,
  TextField,
  TextInput,
  useListContext,
  usePermissions,
  useTranslate,
} from 'react-admin';
import { Box, Tab, Tabs, Typography } from '@mui/material';
import { ClaimButton, TaskRecord, UnclaimButton } from './TaskButtons';
import { ReassignButton } from './ReassignButton';
import { LIFE_AREAS } from '../cases/StartActions';
import { apiCall } from '../../providers/http';

type View = 'mine' | 'group' | 'all';

function ViewTabs() {
  const { filterValues, setFilters, displayedFilters } = useListContext();
  const { permissions } = usePermissions();
  const translate = useTranslate();
  const views: View[] = permissions === 'coordinator' ? ['mine', 'group', 'all'] : ['mine', 'group'];
  const current = views.includes(filterValues.view as View) ? (filterValues.view as View) : 'mine';
  const change = (_: SyntheticEvent, view: View) => setFilters({ ...filterValues, view }, displayedFilters, false);
  return (
    <Box sx={{ borderBottom: 1, borderColor: 'divider', display: 'flex', alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap', pr: 2 }}>
      <Tabs value={current} onChange={change} aria-label={translate('kim.tasks.views')}>
        {views.map((v) => (
          <Tab key={v} value={v} label={translate(`kim.tasks.${v}`)} id={`kim-tab-${v}`} />
        ))}
      </Tabs>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 2 }}>
        <LiveUpdates />
        <ListStatus view={current} />
      </Box>
    </Box>
  );
}

/** Announces the number of tasks once a view has loaded (also the tests' signal that the list is current). */
function ListStatus({ view }: { view: View }) {
  const { isPending, isFetching, total, meta } = useListContext();
  const translate = useTranslate();
  const loaded = !isPending && !isFetching;
  const capped = (meta as { totalCapped?: boolean } | undefined)?.totalCapped === true;
  const count = capped ? translate('kim.tasks.countCapped', { count: (total ?? 0).toLocaleString('de-DE') }) : translate('kim.tasks.count', { smart_count: total ?? 0 });
  return (
    <Typography role="status" variant="body2" data-testid="task-list-status" data-view={view} data-loaded={loaded ? 'true' : 'false'}>
      {loaded ? count : translate('kim.tasks.loading')}
    </Typography>
  );
}

/**
 * Subscribes to the server's task events while the inbox is open and reloads the task queries on
 * each one (and after a reconnect, which may have missed some). EventSource reconnects by itself.
 */
function LiveUpdates() {
  const queryClient = useQueryClient();
  const translate = useTranslate();
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  useEffect(() => {
    const es = new EventSource('/api/tasks/events');
    let connectedBefore = false;
    const reload = () => void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    es.addEventListener('ready', () => {
      if (connectedBefore) reload();
      connectedBefore = true;
      setLive('live');
    });
    es.addEventListener('tasks', reload);
    es.addEventListener('signed-out', () => {
      es.close();
      setLive('offline');
    });
    es.onerror = () => setLive(es.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    return () => es.close();
  }, [queryClient]);
  return (
    <Typography variant="caption" color="text.secondary" data-testid="task-live" data-live={live}>
      {live === 'live' ? translate('kim.tasks.live') : live === 'offline' ? translate('kim.tasks.liveOffline') : ''}
    </Typography>
  );
}

const dateOptions: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };

const PROCESSES = [
  { id: 'kim-intake', name: 'Erstkontakt und Clearing' },
  { id: 'kim-case', name: 'Fallbegleitung' },
  { id: 'kim-referral', name: 'Vermittlung' },
  { id: 'kim-fallkonferenz', name: 'Fallkonferenz' },
  { id: 'kim-einbuergerung', name: 'Einbürgerung' },
];

function SiteInput(props: { source: string; label: string; alwaysOn?: boolean }) {
  const { data } = useGetList('sites', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
  return <SelectInput {...props} choices={data ?? []} emptyText="Alle Standorte" />;
}

/** The site's name (the sites list is loaded once and cached by react-admin). */
function SiteName({ id }: { id?: string | null }) {
  const { data } = useGetList('sites', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
  if (!id) return <>—</>;
  return <>{data?.find((x) => x.id === id)?.name ?? id}</>;
}


/** Roles whose list shows the client and may filter by life area (ABH/EBH see only their task). */
const seesCaseData = (role: unknown) => role === 'case_manager' || role === 'coordinator';

const taskFilters = (role: unknown) => [
  <TextInput key="q" source="q" label="Aufgabe" alwaysOn resettable />,
  <SelectInput key="p" source="processDefinitionId" label="Prozess" choices={PROCESSES} alwaysOn emptyText="Alle Prozesse" />,
  <DateInput key="d" source="dueBefore" label="fällig bis" alwaysOn />,
  <BooleanInput key="o" source="overdue" label="überfällig" alwaysOn />,
  <SiteInput key="s" source="siteId" label="Standort" alwaysOn />,
  ...(seesCaseData(role) ? [<SelectInput key="l" source="lifeArea" label="Lebensbereich" choices={LIFE_AREAS} alwaysOn emptyText="Alle Lebensbereiche" />] : []),
  <TextInput key="a" source="assignee" label="Bearbeitung" alwaysOn resettable helperText={false} />,
];

/**
 * Keeps the filters a user sets on the server (GET/PUT /api/me/preferences, key "inbox"): loaded
 * once when the inbox opens, saved shortly after each change.
 */
function PersistedFilters() {
  const { filterValues, setFilters, displayedFilters } = useListContext();
  const loaded = useRef(false);
  const json = JSON.stringify(filterValues);
  useEffect(() => {
    let alive = true;
    apiCall<{ inbox?: { filters?: Record<string, unknown> } }>('/api/me/preferences')
      .then((p) => {
        const f = p.inbox?.filters;
        if (alive && f && JSON.stringify(f) !== json) setFilters(f, displayedFilters, false);
      })
      .catch(() => undefined)
      .finally(() => {
        loaded.current = true;
      });
    return () => {
      alive = false;
    };
    // Intentionally runs only on the listed dependencies.
  }, []);
  useEffect(() => {
    if (!loaded.current) return;
    const t = setTimeout(() => {
      apiCall('/api/me/preferences', { method: 'PUT', body: { inbox: { filters: JSON.parse(json) } } }).catch(() => undefined);
    }, 400);
    return () => clearTimeout(t);
  }, [json]);
  return null;
}

export function TaskList() {
  const translate = useTranslate();
  const { permissions } = usePermissions();
  return (
    <List
      title={translate('resources.tasks.name', { smart_count: 2 })}
      filters={taskFilters(permissions)}
      filterDefaultValues={{ view: 'mine' }}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      pagination={<Pagination rowsPerPageOptions={[10, 25, 50, 100]} />}
      actions={false}
      empty={false}
      storeKey="kim.tasks"
    >
      <PersistedFilters />
      <ViewTabs />
      <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>{translate('resources.tasks.empty')}</Box>}>
        <TextField source="name" />
        <FunctionField<TaskRecord> source="processDefinitionId" sortable={false} render={(r) => PROCESSES.find((p) => p.id === r.processDefinitionId)?.name ?? r.processDefinitionId} />
        {seesCaseData(permissions) && (
          <FunctionField<TaskRecord & { client?: string | null; clientIsPseudonym?: boolean }>
            source="client"
            sortable={false}
            render={(r) => (r.client ? <span title={r.clientIsPseudonym ? translate('kim.tasks.pseudonym') : undefined}>{r.client}</span> : '—')}
          />
        )}
        <FunctionField<TaskRecord & { caseReference?: string | null }> source="caseId" sortable={false} sx={{ whiteSpace: 'nowrap' }} render={(r) => r.caseReference ?? r.caseId ?? '—'} />
        {seesCaseData(permissions) && <FunctionField<TaskRecord & { siteId?: string | null }> source="siteId" sortable={false} render={(r) => <SiteName id={r.siteId} />} />}
        <DateField source="createdAt" locales="de-DE" options={dateOptions} />
        <DateField source="dueDate" locales="de-DE" options={dateOptions} emptyText="—" />
        <DateField source="followUpDate" locales="de-DE" options={dateOptions} emptyText="—" sortable={false} />
        <NumberField source="priority" locales="de-DE" />
        <FunctionField<TaskRecord> source="assignee" sortable={false} render={(r) => r.assignee ?? translate('kim.tasks.unassigned')} />
        <FunctionField<TaskRecord>
          label="Aktionen"
          render={(r) => (
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
              <ClaimButton />
              <UnclaimButton />
              <ReassignButton />
              <ShowButton label="kim.tasks.open" aria-label={`${translate('kim.tasks.open')}: ${r.name}`} />
            </Box>
          )}
        />
      </Datagrid>
    </List>
  );
}
