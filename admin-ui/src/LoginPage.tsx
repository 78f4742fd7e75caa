/**
 * German sign-in page: labelled fields, the API's own error message (its problem `title`) shown in
 * an alert that screen readers announce.
 */
import { FormEvent, useState } from 'react';
import { useLogin, useTranslate } from 'react-admin';
import { problemMessage } from './providers/http';
import { Alert, Box, Button, Card, CardContent, CircularProgress, TextField, Typography } from '@mui/material';

export function LoginPage() {
  const login = useLogin();
  const translate = useTranslate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // After a one-time password (new account or reset by the administration): choose an own password.
  const [changing, setChanging] = useState(false);
  const [newPassword, setNewPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [csrf, setCsrf] = useState('');

  const change = async (e: FormEvent) => {
    e.preventDefault();
    if (newPassword.length < 10) return setError('Das neue Passwort muss mindestens 10 Zeichen haben.');
    if (newPassword !== repeat) return setError('Die beiden Eingaben des neuen Passworts stimmen nicht überein.');
    setBusy(true);
    setError(null);
    try {
      // The token of the session the cookie holds now (the sign-in just made it).
      const me = (await (await fetch('/api/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })).json().catch(() => null)) as { csrfToken?: string } | null;
      const res = await fetch('/api/auth/password', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': me?.csrfToken ?? csrf },
        body: JSON.stringify({ currentPassword: password, newPassword }),
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { errors?: Record<string, string> } | null;
        throw new Error(body?.errors ? Object.values(body.errors).join(' ') : problemMessage(res.status, body));
      }
      await login({ username: username.trim(), password: newPassword });
    } catch (err) {
      setError((err as Error)?.message || 'Das Passwort konnte nicht geändert werden.');
      setBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError(translate('kim.login.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login({ username: username.trim(), password });
    } catch (err) {
      if ((err as { passwordChangeRequired?: boolean }).passwordChangeRequired) {
        setCsrf((err as { csrfToken?: string }).csrfToken ?? '');
        setChanging(true);
        setBusy(false);
        return;
      }
      setError((err as Error)?.message || 'Die Anmeldung ist fehlgeschlagen.');
      setBusy(false);
    }
  };

  if (changing) {
    return (
      <Box component="main" sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100', p: 2 }}>
        <Card sx={{ width: '100%', maxWidth: 400 }}>
          <CardContent>
            <Typography component="h1" variant="h5" gutterBottom>
              {translate('kim.title')}
            </Typography>
            <Typography component="h2" variant="h6">
              Eigenes Passwort festlegen
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
              Sie haben sich mit einem Einmalpasswort der Administration angemeldet. Bitte wählen Sie jetzt Ihr eigenes Passwort (mindestens 10 Zeichen); das Einmalpasswort gilt danach nicht mehr.
            </Typography>
            <form onSubmit={change} noValidate aria-label="Eigenes Passwort festlegen">
              {error && (
                <Alert severity="error" role="alert" sx={{ mb: 2 }}>
                  {error}
                </Alert>
              )}
              <TextField id="kim-new-password" name="newPassword" type="password" label="Neues Passwort" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} autoComplete="new-password" autoFocus required fullWidth margin="normal" disabled={busy} />
              <TextField id="kim-new-password-repeat" name="repeat" type="password" label="Neues Passwort wiederholen" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" required fullWidth margin="normal" disabled={busy} />
              <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy} startIcon={busy ? <CircularProgress size={18} color="inherit" aria-hidden /> : undefined}>
                Passwort speichern und anmelden
              </Button>
            </form>
          </CardContent>
        </Card>
      </Box>
    );
  }

  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100', p: 2 }}>
      <Card sx={{ width: '100%', maxWidth: 400 }}>
        <CardContent>
          <Typography component="h1" variant="h5" gutterBottom>
            {translate('kim.title')}
          </Typography>
          <Typography component="h2" variant="h6">
            {translate('kim.login.heading')}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            {translate('kim.login.intro')}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }} data-testid="login-lock-rule">
            {translate('kim.login.lockRule')}
          </Typography>
          <form onSubmit={submit} noValidate aria-label={translate('kim.login.heading')}>
            {error && (
              <Alert severity="error" role="alert" sx={{ mb: 2 }}>
                {error}
              </Alert>
            )}
            <TextField
              id="kim-login-username"
              name="username"
              label={translate('kim.login.username')}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="username"
              autoFocus
              required
              fullWidth
              margin="normal"
              disabled={busy}
            />
            <TextField
              id="kim-login-password"
              name="password"
              type="password"
              label={translate('kim.login.password')}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="current-password"
              required
              fullWidth
              margin="normal"
              disabled={busy}
            />
            <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy} startIcon={busy ? <CircularProgress size={18} color="inherit" aria-hidden /> : undefined}>
              {translate('kim.login.submit')}
            </Button>
          </form>
        </CardContent>
      </Card>
    </Box>
  );
}
