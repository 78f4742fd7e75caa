/**
 * "Sitzung abgelaufen": signing in again without leaving the page. Registered as the HTTP layer's
 * re-sign-in handler (providers/http.ts): a request that answers 401 waits here, and is sent again
 * once the same person has signed in – the page, the open task and everything typed stay. Only the
 * person who was signed in may continue (another person signs out and in on the login page, so
 * nothing of this page is shown to them).
 */
import { FormEvent, useEffect, useRef, useState } from 'react';
import { useLogout } from 'react-admin';
import { Alert, Button, CircularProgress, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from '@mui/material';
import { authProvider } from '../providers/authProvider';
import { session, setReauthHandler } from '../providers/http';
import { onSignOutElsewhere } from './signOutSync';

export function ReLoginDialog() {
  const logout = useLogout();
  const [open, setOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const resolver = useRef<((ok: boolean) => void) | null>(null);

  useEffect(() => {
    setReauthHandler(
      () =>
        new Promise<boolean>((resolve) => {
          resolver.current = resolve;
          setUsername(session.user?.username ?? '');
          setDisplayName(session.user?.displayName ?? '');
          setPassword('');
          setError(null);
          setBusy(false);
          setOpen(true);
        }),
    );
    // Signed out in another tab while this dialog waits: the waiting requests give up.
    const off = onSignOutElsewhere(() => finish(false));
    return () => {
      setReauthHandler(null);
      off();
    };
  }, []);

  function finish(ok: boolean) {
    setOpen(false);
    setPassword('');
    const r = resolver.current;
    resolver.current = null;
    r?.(ok);
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!password) {
      setError('Bitte geben Sie Ihr Passwort ein.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await authProvider.login({ username, password });
      finish(true);
    } catch (err) {
      setError((err as Error)?.message || 'Die Anmeldung ist fehlgeschlagen.');
      setBusy(false);
    }
  };

  const signOut = () => {
    finish(false);
    void logout();
  };

  return (
    <Dialog open={open} aria-labelledby="relogin-title" aria-describedby="relogin-text" maxWidth="xs" fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle id="relogin-title">Sitzung abgelaufen</DialogTitle>
        <DialogContent>
          <DialogContentText id="relogin-text" sx={{ mb: 1 }}>
            {`Bitte melden Sie sich als ${displayName || username} erneut an. Die Seite und Ihre Eingaben bleiben erhalten; der unterbrochene Schritt wird danach ausgeführt.`}
          </DialogContentText>
          {error && (
            <Alert severity="error" role="alert" sx={{ mb: 1 }}>
              {error}
            </Alert>
          )}
          <TextField id="relogin-username" label="Benutzername" value={username} fullWidth margin="dense" slotProps={{ input: { readOnly: true } }} autoComplete="username" />
          <TextField
            id="relogin-password"
            label="Passwort"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            autoFocus
            required
            fullWidth
            margin="dense"
            disabled={busy}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={signOut} disabled={busy}>
            Abmelden
          </Button>
          <Button type="submit" variant="contained" disabled={busy} startIcon={busy ? <CircularProgress size={18} color="inherit" aria-hidden /> : undefined}>
            Wieder anmelden
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
