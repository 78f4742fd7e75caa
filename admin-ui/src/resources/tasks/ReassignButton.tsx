/**
 * "Neu zuweisen" for coordinators: a colleague of the commune whose groups fit the task and a
 * reason (required, written to the audit log) → POST /api/tasks/:id/assign. Inputs stay when the
 * request fails; the API's messages appear at the fields.
 */
import { FormEvent, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useGetList, useNotify, usePermissions, useRecordContext, useRefresh } from 'react-admin';
import { Box, Button, CircularProgress, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, ListItemText, MenuItem, TextField } from '@mui/material';
import SwapHorizIcon from '@mui/icons-material/SwapHoriz';
import { apiCall, type ApiUser } from '../../providers/http';
import { fieldError, FormProblem, toProblem } from '../../forms/problem';
import { ProblemAlert } from '../../forms/ProblemAlert';
import type { TaskRecord } from './TaskButtons';

/** A user as GET /api/users lists them (the signed-in user's shape without the groups). */
type UserRow = Omit<ApiUser, 'groups'>;

const GROUP_ROLE: Record<string, string> = { 'case-manager': 'case_manager', coordinator: 'coordinator', abh: 'abh', ebh: 'ebh' };

/**
 * Whether a colleague fits the task's candidate groups ("case-manager:duisburg" = case managers of
 * the commune, "case-manager:duisburg-nord" = of that site). Only a preselection: the API decides.
 */
export function fitsTask(u: UserRow, t: Pick<TaskRecord, 'candidateGroups' | 'candidateUsers'>): boolean {
  if ((t.candidateUsers ?? []).includes(u.username)) return true;
  return (t.candidateGroups ?? []).some((g) => {
    const [prefix, scope] = g.split(':');
    if (GROUP_ROLE[prefix] !== u.role) return false;
    return !scope || scope === u.kommuneId || scope === u.siteId;
  });
}

function ReassignDialog({ task, onClose }: { task: TaskRecord; onClose: () => void }) {
  const [assignee, setAssignee] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const users = useGetList<UserRow>('users', { pagination: { page: 1, perPage: 200 }, sort: { field: 'displayName', order: 'ASC' }, filter: { active: true } });
  // The site tells a coordinator where the colleague works (a reassignment may cross sites).
  const sites = useGetList('sites', { pagination: { page: 1, perPage: 100 }, sort: { field: 'name', order: 'ASC' } });
  const siteName = (id: unknown) => (id ? sites.data?.find((s) => s.id === id)?.name : undefined);
  const notify = useNotify();
  const refresh = useRefresh();
  const queryClient = useQueryClient();
  const m = useMutation({
    mutationFn: () => apiCall<TaskRecord>(`/api/tasks/${encodeURIComponent(task.id)}/assign`, { method: 'POST', body: { assignee, reason } }),
    onSuccess: (t) => {
      notify(`Aufgabe „${task.name}“ ist jetzt ${t.assigneeName ?? chosen?.displayName ?? assignee} zugewiesen.`, { type: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
      refresh();
      onClose();
    },
    onError: (e) => setProblem(toProblem(e)),
  });
  const all = (users.data ?? []).filter((u) => u.username !== task.assignee);
  const chosen = (users.data ?? []).find((u) => u.username === assignee);
  const fitting = all.filter((u) => fitsTask(u, task));
  const choices = fitting.length ? fitting : all;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (!assignee) fields.assignee = 'Bitte die Person wählen, die die Aufgabe übernehmen soll.';
    if (reason.trim().length < 3) fields.reason = 'Bitte den Grund der Neuzuweisung angeben (mindestens 3 Zeichen).';
    if (Object.keys(fields).length) return setProblem({ title: 'Bitte prüfen Sie die markierten Felder.', fields });
    setProblem(null);
    m.mutate();
  };
  const err = (k: string) => fieldError(problem, k);
  return (
    <Dialog open onClose={m.isPending ? undefined : onClose} aria-labelledby="reassign-title" fullWidth maxWidth="sm" onClick={(e) => e.stopPropagation()}>
      <Box component="form" noValidate onSubmit={submit} aria-busy={m.isPending}>
        <DialogTitle id="reassign-title">Aufgabe neu zuweisen</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>
            „{task.name}“ – derzeit: {task.assignee ? (task.assigneeName ?? task.assignee) : 'niemand'}. Der Grund wird im Protokoll festgehalten. Arbeitet die Person an einem anderen
            Standort, kann sie den Fall dieser Aufgabe lesen, solange die Aufgabe ihr zugewiesen und offen ist; Beginn und Ende werden protokolliert.
          </DialogContentText>
          <Box sx={{ display: 'grid', gap: 2 }}>
            <TextField
              select
              id="reassign-assignee"
              label="Neue Bearbeitung"
              required
              value={assignee}
              onChange={(e) => setAssignee(e.target.value)}
              error={!!err('assignee') || users.isError}
              helperText={
                err('assignee') ??
                (users.isError
                  ? 'Die Kolleginnen und Kollegen konnten nicht geladen werden. Bitte versuchen Sie es erneut.'
                  : users.isPending
                    ? 'Kolleginnen und Kollegen werden geladen …'
                    : chosen && siteName(chosen.siteId)
                      ? `Standort: ${String(siteName(chosen.siteId))}`
                      : undefined)
              }
              slotProps={{ select: { renderValue: (v) => users.data?.find((u) => u.username === v)?.displayName ?? String(v) } }}
            >
              {choices.map((u) => (
                // Two lines (name; user name and site) that wrap on a phone instead of being cut off.
                <MenuItem key={u.id} value={u.username} sx={{ whiteSpace: 'normal' }}>
                  <ListItemText primary={u.displayName} secondary={`${u.username}${siteName(u.siteId) ? ` – ${String(siteName(u.siteId))}` : ''}`} />
                </MenuItem>
              ))}
            </TextField>
            <TextField
              id="reassign-reason"
              label="Grund"
              required
              multiline
              minRows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              error={!!err('reason')}
              helperText={err('reason')}
            />
          </Box>
          <ProblemAlert problem={problem} shown={['assignee', 'reason']} />
        </DialogContent>
        <DialogActions>
          {m.isPending && <CircularProgress size={20} aria-label="Wird zugewiesen" />}
          <Button onClick={onClose} disabled={m.isPending}>
            Abbrechen
          </Button>
          <Button type="submit" variant="contained" disabled={m.isPending}>
            {m.isPending ? 'Wird zugewiesen …' : 'Neu zuweisen'}
          </Button>
        </DialogActions>
      </Box>
    </Dialog>
  );
}

/** Row / task-view button; only coordinators, only open tasks. */
export function ReassignButton() {
  const record = useRecordContext<TaskRecord>();
  const { permissions } = usePermissions();
  const [open, setOpen] = useState(false);
  if (!record || record.state !== 'CREATED' || permissions !== 'coordinator') return null;
  return (
    <>
      <Button
        size="small"
        startIcon={<SwapHorizIcon aria-hidden />}
        aria-label={`Neu zuweisen: ${record.name}`}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        Neu zuweisen
      </Button>
      {open && <ReassignDialog task={record} onClose={() => setOpen(false)} />}
    </>
  );
}
