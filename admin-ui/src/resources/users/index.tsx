/**
 * "Benutzer*innen" (administrators of a commune): list, create with a one-time password, edit name,
 * role and site (the task groups follow from role and site), deactivate, lift a sign-in lock and set
 * a new one-time password. The API limits everything to the own commune and audit-logs it.
 */
import { useState } from 'react';
import PeopleIcon from '@mui/icons-material/People';
import { Alert, Box, Button, Card, CardContent, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField as MuiTextField, Typography, useMediaQuery, type Theme } from '@mui/material';
import {
  BooleanInput,
  Create,
  Datagrid,
  Edit,
  FunctionField,
  List,
  PasswordInput,
  ReferenceField,
  ReferenceInput,
  required,
  SelectInput,
  SaveButton,
  SimpleForm,
  Toolbar,
  SimpleList,
  TextField,
  TextInput,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { apiCall } from '../../providers/http';
import { ROLE_LABELS } from '../../roles';

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: string;
  siteId: string | null;
  active: boolean;
  lockedUntil: string | null;
  mustChangePassword: boolean;
}

// Roles an administrator may give (Land NRW accounts are not managed by a commune).
const ROLE_CHOICES = ['case_manager', 'coordinator', 'abh', 'ebh', 'admin'].map((id) => ({ id, name: ROLE_LABELS[id] }));
const ONE_TIME_HELP = 'Einmalpasswort (mindestens 10 Zeichen): Teilen Sie es der Person persönlich mit. Bei der ersten Anmeldung legt sie ihr eigenes Passwort fest.';

const time = (iso: string) => new Date(iso).toLocaleString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const isLocked = (u: UserRow) => Boolean(u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now());

export function accountState(u: UserRow): string {
  if (!u.active) return 'deaktiviert';
  if (isLocked(u)) return `gesperrt bis ${time(u.lockedUntil!)} Uhr`;
  if (u.mustChangePassword) return 'aktiv – Einmalpasswort noch nicht ersetzt';
  return 'aktiv';
}

const filters = [
  <TextInput key="q" source="q" label="Suche (Name oder Benutzername)" alwaysOn />,
  <SelectInput key="role" source="role" label="Rolle" choices={ROLE_CHOICES} />,
];

function UserList() {
  // Phones: one block per person instead of a table wider than the screen.
  const small = useMediaQuery((t: Theme) => t.breakpoints.down('md'));
  return (
    <List title="Benutzer*innen" sort={{ field: 'displayName', order: 'ASC' }} filters={filters} exporter={false}>
      {small ? (
        <SimpleList<UserRow> linkType="edit" primaryText={(u) => u.displayName} secondaryText={(u) => `${u.username} · ${ROLE_LABELS[u.role] ?? '—'}`} tertiaryText={accountState} />
      ) : (
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="displayName" label="Name" />
        <TextField source="username" label="Benutzername" />
        <FunctionField<UserRow> label="Rolle" sortBy="role" render={(u) => ROLE_LABELS[u.role] ?? '—'} />
        <ReferenceField source="siteId" reference="sites" label="Standort" link={false} emptyText="—" sortable={false}>
          <TextField source="name" />
        </ReferenceField>
        <FunctionField<UserRow> label="Konto" sortable={false} render={accountState} />
      </Datagrid>
      )}
    </List>
  );
}

function SiteInput() {
  return (
    <ReferenceInput source="siteId" reference="sites" sort={{ field: 'name', order: 'ASC' }}>
      <SelectInput label="Standort" optionText="name" emptyText="kein Standort" helperText="Für Fallmanagement erforderlich: bestimmt, welche Fälle und Gruppenaufgaben die Person sieht." />
    </ReferenceInput>
  );
}

function UserCreate() {
  return (
    <Create title="Neue Benutzerin / neuer Benutzer" redirect="list">
      <SimpleForm>
        <TextInput source="username" label="Benutzername" validate={required('Bitte einen Benutzernamen angeben.')} helperText="Kleinbuchstaben, Ziffern, Punkt, z. B. vorname.duisburg" />
        <TextInput source="displayName" label="Name" validate={required('Bitte den Namen angeben.')} />
        <SelectInput source="role" label="Rolle" choices={ROLE_CHOICES} validate={required('Bitte eine Rolle wählen.')} />
        <SiteInput />
        <PasswordInput source="password" label="Einmalpasswort" validate={required('Bitte ein Einmalpasswort vergeben.')} helperText={ONE_TIME_HELP} autoComplete="new-password" />
      </SimpleForm>
    </Create>
  );
}

function ResetPassword({ user }: { user: UserRow }) {
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    try {
      await apiCall(`/api/users/${user.id}/password`, { method: 'POST', body: { password } });
      setOpen(false);
      setPassword('');
      notify(`Einmalpasswort für ${user.displayName} gesetzt. Offene Sitzungen der Person sind beendet.`, { type: 'success' });
      refresh();
    } catch (e) {
      const fields = (e as { body?: { errors?: Record<string, string> } }).body?.errors;
      setError(fields ? Object.values(fields).join(' ') : (e as Error).message);
    }
  };
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Passwort zurücksetzen
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="reset-title" maxWidth="sm" fullWidth>
        <DialogTitle id="reset-title">Passwort zurücksetzen</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 1 }}>
            {`Sie vergeben ein Einmalpasswort für ${user.displayName}. Die Person wird abgemeldet, eine Sperre wird aufgehoben, und bei der nächsten Anmeldung muss sie ein eigenes Passwort festlegen.`}
          </DialogContentText>
          {error && (
            <Alert severity="error" role="alert" sx={{ mb: 1 }}>
              {error}
            </Alert>
          )}
          <MuiTextField id="reset-password" label="Einmalpasswort" type="password" value={password} onChange={(e) => setPassword(e.target.value)} fullWidth margin="dense" autoComplete="new-password" helperText="Mindestens 10 Zeichen. Teilen Sie es der Person persönlich mit." />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>Abbrechen</Button>
          <Button variant="contained" onClick={submit}>
            Einmalpasswort setzen
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}

function AccountActions() {
  const user = useRecordContext<UserRow>();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!user) return null;
  const unlock = async () => {
    try {
      await apiCall(`/api/users/${user.id}/unlock`, { method: 'POST' });
      notify(`Die Sperre von ${user.displayName} ist aufgehoben.`, { type: 'success' });
      refresh();
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
    }
  };
  return (
    <Card variant="outlined" sx={{ m: 2 }}>
      <CardContent>
        <Typography component="h2" variant="h6" gutterBottom>
          Anmeldung
        </Typography>
        <Typography variant="body2" sx={{ mb: 1 }} data-testid="account-state">
          {`Benutzername: ${user.username} · Konto: ${accountState(user)}`}
        </Typography>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1}>
          {isLocked(user) && (
            <Button variant="contained" onClick={unlock}>
              Sperre aufheben
            </Button>
          )}
          <ResetPassword user={user} />
        </Stack>
      </CardContent>
    </Card>
  );
}

/** Accounts are deactivated, never deleted (the audit log and case history keep referring to them). */
export function SaveOnly() {
  return (
    <Toolbar>
      <SaveButton />
    </Toolbar>
  );
}

function UserEdit() {
  return (
    <Edit
      title="Benutzerin / Benutzer bearbeiten"
      mutationMode="pessimistic"
      redirect={false}
      // Only what the form edits: the task groups then follow from role and site on the server.
      transform={(d: Partial<UserRow>) => ({ displayName: d.displayName, role: d.role, siteId: d.siteId ?? null, active: d.active })}
    >
      <Box>
        <SimpleForm toolbar={<SaveOnly />}>
          <TextInput source="displayName" label="Name" validate={required('Bitte den Namen angeben.')} />
          <SelectInput source="role" label="Rolle" choices={ROLE_CHOICES} validate={required('Bitte eine Rolle wählen.')} />
          <SiteInput />
          <BooleanInput source="active" label="Konto aktiv (deaktiviert: keine Anmeldung mehr möglich)" />
        </SimpleForm>
        <AccountActions />
      </Box>
    </Edit>
  );
}

export const users = { name: 'users', list: UserList, create: UserCreate, edit: UserEdit, icon: PeopleIcon, options: { label: 'Benutzer*innen' } };
