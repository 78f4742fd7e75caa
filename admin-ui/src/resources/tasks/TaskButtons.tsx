/**
 * The task verbs as buttons: Übernehmen (claim), Zurückgeben (unclaim), Abschließen (complete).
 * Each posts to the API with the CSRF-aware client, reports the result as a German notification
 * (errors with the API's own title) and refreshes the data on screen.
 */
import { MouseEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNotify, usePermissions, useRecordContext, useRedirect, useRefresh, useTranslate } from 'react-admin';
import { Button, ButtonProps } from '@mui/material';
import AssignmentIndIcon from '@mui/icons-material/AssignmentInd';
import AssignmentReturnIcon from '@mui/icons-material/AssignmentReturn';
import TaskAltIcon from '@mui/icons-material/TaskAlt';
import { apiCall, session } from '../../providers/http';

/** Who works on the task, as people read it: "bei mir", the colleague's name, or "offen". */
export function assigneeLabel(t: Pick<TaskRecord, 'assignee' | 'assigneeName'>, unassigned = 'offen'): string {
  if (!t.assignee) return unassigned;
  if (t.assignee === session.user?.username) return `bei mir (${t.assigneeName ?? session.user?.displayName ?? t.assignee})`;
  return t.assigneeName ?? 'eine Kollegin / ein Kollege';
}

export interface TaskRecord {
  id: string;
  name: string;
  processDefinitionId: string;
  caseId: string | null;
  state: 'CREATED' | 'COMPLETED' | 'CANCELED';
  assignee: string | null;
  /** The assignee's display name (the API adds it; the user name stays for comparisons). */
  assigneeName?: string | null;
  createdAt: string;
  dueDate: string | null;
  priority: number;
  candidateGroups?: string[];
  candidateUsers?: string[];
}

type Verb = 'claim' | 'unclaim' | 'complete';

function useTaskVerb(verb: Verb, onDone?: () => void) {
  const notify = useNotify();
  const refresh = useRefresh();
  const queryClient = useQueryClient();
  const translate = useTranslate();
  return useMutation({
    mutationFn: (id: string) =>
      apiCall<TaskRecord>(`/api/tasks/${encodeURIComponent(id)}/${verb}`, { method: 'POST', body: verb === 'complete' ? { variables: {} } : undefined }),
    onSuccess: () => {
      notify(translate(`kim.tasks.${verb === 'claim' ? 'claimed' : verb === 'unclaim' ? 'unclaimed' : 'completed'}`), { type: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      if (onDone) onDone();
      else refresh();
    },
    onError: (e: Error) => {
      notify(e.message, { type: 'error' });
      refresh();
    },
  });
}

type VerbButtonProps = Omit<ButtonProps, 'onClick'> & { record?: TaskRecord };

const buttonProps = ({ record: _record, ...rest }: VerbButtonProps) => rest;

const stop = (e: MouseEvent) => e.stopPropagation();

export function ClaimButton(props: VerbButtonProps) {
  const record = useRecordContext<TaskRecord>(props);
  const translate = useTranslate();
  const m = useTaskVerb('claim');
  if (!record || record.state !== 'CREATED' || record.assignee) return null;
  return (
    <Button
      size="small"
      variant="outlined"
      startIcon={<AssignmentIndIcon aria-hidden />}
      disabled={m.isPending}
      aria-label={`${translate('kim.tasks.claim')}: ${record.name}`}
      onClick={(e) => {
        stop(e);
        m.mutate(String(record.id));
      }}
      {...buttonProps(props)}
    >
      {translate('kim.tasks.claim')}
    </Button>
  );
}

export function UnclaimButton(props: VerbButtonProps) {
  const record = useRecordContext<TaskRecord>(props);
  const translate = useTranslate();
  const { permissions } = usePermissions();
  const m = useTaskVerb('unclaim');
  if (!record || record.state !== 'CREATED' || !record.assignee) return null;
  if (record.assignee !== session.user?.username && permissions !== 'coordinator') return null;
  return (
    <Button
      size="small"
      startIcon={<AssignmentReturnIcon aria-hidden />}
      disabled={m.isPending}
      aria-label={`${translate('kim.tasks.unclaim')}: ${record.name}`}
      onClick={(e) => {
        stop(e);
        m.mutate(String(record.id));
      }}
      {...buttonProps(props)}
    >
      {translate('kim.tasks.unclaim')}
    </Button>
  );
}

export function CompleteButton(props: VerbButtonProps) {
  const record = useRecordContext<TaskRecord>(props);
  const translate = useTranslate();
  const redirect = useRedirect();
  const m = useTaskVerb('complete', () => redirect('list', 'tasks'));
  if (!record || record.state !== 'CREATED') return null;
  if (record.assignee && record.assignee !== session.user?.username) return null;
  return (
    <Button
      size="small"
      variant="contained"
      startIcon={<TaskAltIcon aria-hidden />}
      disabled={m.isPending}
      onClick={(e) => {
        stop(e);
        m.mutate(String(record.id));
      }}
      {...buttonProps(props)}
    >
      {translate('kim.tasks.complete')}
    </Button>
  );
}
