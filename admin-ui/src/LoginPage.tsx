/**
 * German sign-in page: labelled fields, the API's own error message (its problem `title`) shown in
 * an alert that screen readers announce.
 */
import { FormEvent, useState } from 'react';
import { useLogin, useTranslate } from 'react-admin';
import { Alert, Box, Button, Card, CardContent, CircularProgress, TextField, Typography } from '@mui/material';

export function LoginPage() {
  const login = useLogin();
  const translate = useTranslate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
      setError((err as Error)?.message || 'Die Anmeldung ist fehlgeschlagen.');
      setBusy(false);
    }
  };

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
