/**
 * The inbox: tabs for "Meine Aufgaben", "Gruppenaufgaben" and (coordinators) "Alle Aufgaben"; each
 * tab is the API filter `view`. Rows open the task; claim/unclaim act directly in the row.
 */
import { SyntheticEvent } from 'react';
import {
  Datagrid,
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
      <ListStatus view={current} />
    </Box>
  );
}

/** Announces the number of tasks once a view has loaded (also the tests' signal that the list is current). */
function ListStatus({ view }: { view: View }) {
  const { isPending, isFetching, total } = useListContext();
  const translate = useTranslate();
  const loaded = !isPending && !isFetching;
  return (
    <Typography role="status" variant="body2" data-testid="task-list-status" data-view={view} data-loaded={loaded ? 'true' : 'false'}>
      {loaded ? translate('kim.tasks.count', { smart_count: total ?? 0 }) : translate('kim.tasks.loading')}
    </Typography>
  );
}

const dateOptions: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };

const taskFilters = [<TextInput key="q" source="q" label="resources.tasks.fields.q" alwaysOn resettable />];

export function TaskList() {
  const translate = useTranslate();
  return (
    <List
      title={translate('resources.tasks.name', { smart_count: 2 })}
      filters={taskFilters}
      filterDefaultValues={{ view: 'mine' }}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      pagination={<Pagination rowsPerPageOptions={[10, 25, 50, 100]} />}
      actions={false}
      empty={false}
      storeKey="kim.tasks"
    >
      <ViewTabs />
      <Datagrid rowClick="show" bulkActionButtons={false} empty={<Box sx={{ p: 2 }}>{translate('resources.tasks.empty')}</Box>}>
        <TextField source="name" />
        <TextField source="processDefinitionId" sortable={false} />
        <TextField source="caseId" sortable={false} emptyText="—" sx={{ whiteSpace: 'nowrap' }} />
        <DateField source="createdAt" locales="de-DE" options={dateOptions} />
        <DateField source="dueDate" locales="de-DE" options={dateOptions} emptyText="—" />
        <NumberField source="priority" locales="de-DE" />
        <FunctionField<TaskRecord> source="assignee" sortable={false} render={(r) => r.assignee ?? translate('kim.tasks.unassigned')} />
        <FunctionField<TaskRecord>
          label="Aktionen"
          render={() => (
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
              <ClaimButton />
              <UnclaimButton />
              <ShowButton label="kim.tasks.open" />
            </Box>
          )}
        />
      </Datagrid>
    </List>
  );
}
