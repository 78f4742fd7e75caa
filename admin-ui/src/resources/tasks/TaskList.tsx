/**
 * The inbox: tabs for "Meine Aufgaben", "Gruppenaufgaben" and (coordinators) "Alle Aufgaben"; each
 * tab is the API filter `view`. Rows open the task; claim/unclaim act directly in the row. The list
 * updates by itself: the server announces changes of the task projection on an event stream
 * (GET /api/tasks/events) and the list reloads. On narrow screens (phones, tablets) the tasks are
 * cards instead of table rows (TaskCards), with every action reachable and no sideways scrolling.
 */
import { SyntheticEvent, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import {
  BooleanInput,
  Datagrid,
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
  TopToolbar,
  useGetIdentity,
  useListContext,
  usePermissions,
  useStore,
  useTranslate,
} from 'react-admin';
import { Box, Button, Tab, Tabs, Typography, useMediaQuery, type Theme } from '@mui/material';
import FilterListIcon from '@mui/icons-material/FilterList';
import { useLocation } from 'react-router-dom';
import { assigneeLabel, ClaimButton, TaskRecord, UnclaimButton } from './TaskButtons';
import { ReassignButton } from './ReassignButton';
import { LIFE_AREAS } from '../cases/StartActions';
import { apiCall } from '../../providers/http';
import { GermanDateInput } from '../../inputs/GermanDateInput';
import { PROCESSES, processName } from './processes';
import { SiteName, TaskCards } from './TaskCards';

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
      <Tabs value={current} onChange={change} aria-label={translate('kim.tasks.views')} variant="scrollable" allowScrollButtonsMobile>
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

/** Dates of the table: day only (the time is in the task; the table must fit a 1440 px screen). */
const dateOptions: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric' };

function SiteInput(props: { source: string; label: string; alwaysOn?: boolean }) {
  const { data } = useGetList('sites', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
  return <SelectInput {...props} choices={data ?? []} emptyText="Alle Standorte" />;
}


/** Roles whose list shows the client and may filter by life area (ABH/EBH see only their task). */
const seesCaseData = (role: unknown) => role === 'case_manager' || role === 'coordinator';

/** "Bearbeitung": not yet taken, or taken by me (the API filters by the assignee's user name). */
const assigneeChoices = (username?: string) => [{ id: 'unassigned', name: 'offen (nicht übernommen)' }, ...(username ? [{ id: username, name: 'von mir übernommen' }] : [])];

const taskFilters = (role: unknown, username?: string) => [
  <TextInput key="q" source="q" label="Aufgabe" alwaysOn resettable />,
  <SelectInput key="p" source="processDefinitionId" label="Prozess" choices={PROCESSES} alwaysOn emptyText="Alle Prozesse" />,
  <GermanDateInput key="d" source="dueBefore" label="fällig bis" alwaysOn helperText={false} />,
  <BooleanInput key="o" source="overdue" label="überfällig" alwaysOn />,
  <SiteInput key="s" source="siteId" label="Standort" alwaysOn />,
  ...(seesCaseData(role) ? [<SelectInput key="l" source="lifeArea" label="Lebensbereich" choices={LIFE_AREAS} alwaysOn emptyText="Alle Lebensbereiche" />] : []),
  <SelectInput key="a" source="assignee" label="Bearbeitung" choices={assigneeChoices(username)} alwaysOn emptyText="Alle" helperText={false} />,
];

const STORE_KEY = 'kim.tasks';

/**
 * Keeps the filters a user sets on the server (GET/PUT /api/me/preferences, key "inbox"): loaded
 * once when the inbox opens, saved shortly after each change.
 */
function PersistedFilters() {
  const { filterValues, setFilters, displayedFilters } = useListContext();
  const loaded = useRef(false);
  const json = JSON.stringify(filterValues);
  // A link with filters (e.g. "Überfällige anzeigen" on the start page) wins over the saved ones.
  const linked = useRef(new URLSearchParams(useLocation().search).has('filter'));
  // So do the filters this browser kept (the list's store): they are the newest – a reload right
  // after a change would otherwise bring back the server's copy before the change was saved there.
  const [keptHere] = useStore<unknown>(STORE_KEY);
  const local = useRef(keptHere !== undefined);
  useEffect(() => {
    let alive = true;
    if (linked.current || local.current) {
      loaded.current = true;
      return;
    }
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

/** Phones: the filters fold away behind one button that says how many are set. */
function FilterToggle({ open, onToggle }: { open: boolean; onToggle: () => void }) {
  const { filterValues } = useListContext();
  const active = Object.entries(filterValues).filter(([k, v]) => k !== 'view' && v !== undefined && v !== null && v !== '' && v !== false).length;
  return (
    <TopToolbar sx={{ minHeight: 'auto', pt: 1 }}>
      <Button size="small" startIcon={<FilterListIcon aria-hidden />} aria-expanded={open} onClick={onToggle}>
        {`${open ? 'Filter ausblenden' : 'Filter anzeigen'}${active ? ` (${active} aktiv)` : ''}`}
      </Button>
    </TopToolbar>
  );
}

export function TaskList() {
  const translate = useTranslate();
  const { permissions } = usePermissions();
  const { identity } = useGetIdentity();
  // Below 1200 px (with the menu beside it) the table's columns no longer fit: cards instead.
  const narrow = useMediaQuery((theme: Theme) => theme.breakpoints.down('lg'), { noSsr: true });
  // The priority column only where there is room to spare (it rarely differs; sorting by it stays).
  const wide = useMediaQuery((theme: Theme) => theme.breakpoints.up('xl'), { noSsr: true });
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'), { noSsr: true });
  const [filtersOpen, setFiltersOpen] = useState(false);
  return (
    <List
      title={translate('resources.tasks.name', { smart_count: 2 })}
      filters={!phone || filtersOpen ? taskFilters(permissions, identity?.username as string | undefined) : undefined}
      filterDefaultValues={{ view: 'mine' }}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      pagination={<Pagination rowsPerPageOptions={[10, 25, 50, 100]} />}
      actions={phone ? <FilterToggle open={filtersOpen} onToggle={() => setFiltersOpen((v) => !v)} /> : false}
      empty={false}
      storeKey={STORE_KEY}
    >
      <PersistedFilters />
      <ViewTabs />
      {narrow ? (
        <TaskCards seesCaseData={seesCaseData(permissions)} />
      ) : (
      <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>{translate('resources.tasks.empty')}</Box>} sx={{ '& td, & th': { px: 1 } }}>
        <TextField source="name" />
        <FunctionField<TaskRecord> source="processDefinitionId" sortable={false} render={(r) => processName(r.processDefinitionId)} />
        {seesCaseData(permissions) && (
          <FunctionField<TaskRecord & { client?: string | null; clientIsPseudonym?: boolean }>
            source="client"
            sortable={false}
            render={(r) => (r.client ? <span title={r.clientIsPseudonym ? translate('kim.tasks.pseudonym') : undefined}>{r.client}</span> : '—')}
          />
        )}
        <FunctionField<TaskRecord & { caseReference?: string | null }> source="caseId" sortable={false} sx={{ whiteSpace: 'nowrap' }} render={(r) => r.caseReference ?? '—'} />
        {seesCaseData(permissions) && <FunctionField<TaskRecord & { siteId?: string | null }> source="siteId" sortable={false} render={(r) => <SiteName id={r.siteId} />} />}
        <DateField source="createdAt" locales="de-DE" options={dateOptions} />
        <DateField source="dueDate" locales="de-DE" options={dateOptions} emptyText="—" />
        <DateField source="followUpDate" locales="de-DE" options={dateOptions} emptyText="—" sortable={false} />
        {wide && <NumberField source="priority" locales="de-DE" />}
        <FunctionField<TaskRecord> source="assignee" sortable={false} render={(r) => assigneeLabel(r, translate('kim.tasks.unassigned'))} />
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
      )}
    </List>
  );
}
