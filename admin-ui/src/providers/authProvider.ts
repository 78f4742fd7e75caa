/**
 * Sign-in against the API's cookie session. The CSRF token comes back from login and /auth/me and
 * lives only in memory (see http.ts); after a reload checkAuth fetches it again.
 */
import type { AuthProvider } from 'react-admin';
import { apiCall, ApiUser, problemMessage, refreshSession, session } from './http';
import { announceSignOut } from '../auth/signOutSync';

export const authProvider: AuthProvider = {
  async login({ username, password }: { username: string; password: string }) {
    let res: Response;
    try {
      res = await fetch('/api/auth/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    } catch {
      throw new Error('Der Server ist nicht erreichbar. Bitte versuchen Sie es erneut.');
    }
    const body = (await res.json().catch(() => null)) as { user: ApiUser; csrfToken: string } | null;
    if (!res.ok || !body) throw new Error(problemMessage(res.status, body));
    // Signed in with a one-time password: the login page asks for an own password first (with this
    // session's CSRF token); the app itself stays closed until then.
    if (body.user.mustChangePassword) throw Object.assign(new Error('Bitte legen Sie ein eigenes Passwort fest.'), { passwordChangeRequired: true, csrfToken: body.csrfToken });
    session.set(body.user, body.csrfToken);
  },

  async logout(params?: { fromOtherTab?: boolean }) {
    if (session.user && !params?.fromOtherTab) {
      // Best effort: an expired session is signed out anyway.
      await apiCall('/api/auth/logout', { method: 'POST' }).catch(() => undefined);
    }
    const wasSignedIn = session.user !== null;
    session.clear();
    // Every other open tab drops what it shows (see SignOutSync); not echoed back by those tabs.
    if (wasSignedIn && !params?.fromOtherTab) announceSignOut();
  },

  async checkAuth() {
    const user = session.user ?? (await refreshSession());
    if (!user) throw new Error('Bitte melden Sie sich an.');
    // A one-time password opens nothing but the password change on the login page (cleared first, so
    // the logout react-admin follows this with does not end the session the change needs).
    if (user.mustChangePassword) {
      session.clear();
      throw new Error('Bitte legen Sie ein eigenes Passwort fest.');
    }
  },

  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      session.clear();
      throw new Error('Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.');
    }
    // 403 (missing right or CSRF) stays signed in; the message is shown as a notification.
  },

  async getIdentity() {
    const user = session.user ?? (await refreshSession());
    if (!user) throw new Error('Bitte melden Sie sich an.');
    return { ...user, fullName: user.displayName };
  },

  async getPermissions() {
    const user = session.user ?? (await refreshSession().catch(() => null));
    return user?.role ?? null;
  },
};
