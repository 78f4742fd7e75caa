/** One task: its data and the verbs (Übernehmen, Zurückgeben, Abschließen). */
import {
  DateField,
  FunctionField,
  ListButton,
  NumberField,
  Show,
  SimpleShowLayout,
  TextField,
  TopToolbar,
  useNotify,
  useRecordContext,
  useRedirect,
  useTranslate,
} from 'react-admin';
import { Box, Typography } from '@mui/material';
import { ClaimButton, CompleteButton, TaskRecord, UnclaimButton } from './TaskButtons';

const dateOptions: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' };

function TaskTitle() {
  const record = useRecordContext<TaskRecord>();
  const translate = useTranslate();
  return <span>{record ? `${translate('resources.tasks.name', { smart_count: 1 })}: ${record.name}` : ''}</span>;
}

function TaskHeading() {
  const record = useRecordContext<TaskRecord>();
  if (!record) return null;
  return (
    <Typography component="h2" variant="h5">
      {record.name}
    </Typography>
  );
}

function ShowActions() {
  return (
    <TopToolbar sx={{ gap: 1, alignItems: 'center' }}>
      <ListButton label="kim.tasks.backToList" />
      <Box sx={{ flex: 1 }} />
      <ClaimButton />
      <UnclaimButton />
      <CompleteButton />
    </TopToolbar>
  );
}

export function TaskShow() {
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  // The API's own message (e.g. "Die Aufgabe wurde nicht gefunden.") instead of react-admin's generic one.
  const onError = (e: Error) => {
    notify(e.message, { type: 'error' });
    redirect('list', 'tasks');
  };
  return (
    <Show title={<TaskTitle />} actions={<ShowActions />} queryOptions={{ onError }}>
      <SimpleShowLayout>
        <TaskHeading />
        <TextField source="processDefinitionId" />
        <TextField source="caseId" emptyText="—" />
        <FunctionField<TaskRecord> source="state" render={(r) => translate(`kim.tasks.states.${r.state}`, { _: r.state })} />
        <FunctionField<TaskRecord> source="assignee" render={(r) => r.assignee ?? translate('kim.tasks.unassigned')} />
        <DateField source="createdAt" locales="de-DE" options={dateOptions} />
        <DateField source="dueDate" locales="de-DE" options={dateOptions} emptyText="—" />
        <NumberField source="priority" locales="de-DE" />
        <FunctionField<TaskRecord & { candidateGroups?: string[] }>
          source="candidateGroups"
          render={(r) => (r.candidateGroups?.length ? r.candidateGroups.join(', ') : '—')}
        />
      </SimpleShowLayout>
    </Show>
  );
}
