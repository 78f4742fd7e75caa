/**
 * The one place that talks HTTP to the API: cookie session (credentials), the CSRF token kept in
 * memory (never in storage) and sent on every state-changing request, and problem+json errors
 * turned into HttpErrors whose message is the API's German `title`.
 */
import { fetchUtils, HttpError } from 'react-admin';

export interface ApiUser {
  id: string;
  username: string;
  displayName: string;
  role: string;
  kommuneId: string | null;
  siteId: string | null;
  groups: string[];
  /** Signed in with a one-time password: an own password must be set first. */
  mustChangePassword?: boolean;
}

interface Problem {
  title?: string;
  status?: number;
  requestId?: string;
  errors?: Record<string, string>;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

let csrfToken: string | null = null;
let currentUser: ApiUser | null = null;

export const session = {
  get user() {
    return currentUser;
  },
  set(user: ApiUser, token: string) {
    currentUser = user;
    csrfToken = token;
  },
  clear() {
    currentUser = null;
    csrfToken = null;
  },
};

const NETWORK_ERROR = 'Der Server ist nicht erreichbar. Bitte prüfen Sie die Verbindung und versuchen Sie es erneut.';

/**
 * Signing in again in place: when a request of a signed-in person answers 401 (the session expired),
 * the registered handler (ReLoginDialog) asks for the password and resolves true once signed in; the
 * request is then sent again, so the page and everything typed on it stay. False (the person chose to
 * sign out) lets the 401 through to react-admin, which goes to the login page.
 */
let reauthHandler: (() => Promise<boolean>) | null = null;
let reauthPending: Promise<boolean> | null = null;
export function setReauthHandler(h: (() => Promise<boolean>) | null) {
  reauthHandler = h;
}
function reauthenticate(path: string): Promise<boolean> {
  if (!reauthHandler || !session.user || path.startsWith('/api/auth/')) return Promise.resolve(false);
  // Several requests failing at once share one dialog.
  reauthPending ??= reauthHandler().finally(() => (reauthPending = null));
  return reauthPending;
}

/** Message for a failed response: the problem body's title, else a German default per status. */
export function problemMessage(status: number, body: unknown): string {
  const title = (body as Problem | null)?.title;
  if (typeof title === 'string' && title) return title;
  if (status === 401) return 'Bitte melden Sie sich an.';
  if (status === 403) return 'Dafür fehlt Ihnen die Berechtigung.';
  if (status === 404) return 'Nicht gefunden.';
  return `Die Anfrage ist fehlgeschlagen (HTTP ${status}).`;
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** GET /api/auth/me: the signed-in user and a fresh CSRF token, or null when not signed in. */
export async function refreshSession(): Promise<ApiUser | null> {
  let res: Response;
  try {
    res = await fetch('/api/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new Error(NETWORK_ERROR);
  }
  if (res.status === 401) {
    session.clear();
    return null;
  }
  const body = await parse(res);
  if (!res.ok) throw new HttpError(problemMessage(res.status, body), res.status, body);
  const { user, csrfToken: token } = body as { user: ApiUser; csrfToken: string };
  session.set(user, token);
  return user;
}

async function headersFor(method: string, init?: HeadersInit): Promise<Headers> {
  const headers = new Headers(init);
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  if (!SAFE.has(method)) {
    // After a reload the token is gone from memory: fetch it again with the session cookie.
    if (!csrfToken) await refreshSession();
    if (csrfToken) headers.set('X-CSRF-Token', csrfToken);
  }
  return headers;
}

/** httpClient for ra-data-simple-rest: fetchUtils.fetchJson with session, CSRF and German errors. */
export async function httpClient(url: string, options: fetchUtils.Options = {}) {
  const method = (options.method ?? 'GET').toUpperCase();
  const headers = await headersFor(method, options.headers as HeadersInit | undefined);
  if (options.body && !headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
  try {
    return await fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' });
  } catch (e) {
    if (e instanceof HttpError && e.status === 401 && (await reauthenticate(new URL(url, window.location.origin).pathname))) return httpClient(url, options);
    if (e instanceof HttpError) throw new HttpError(problemMessage(e.status, e.body), e.status, e.body);
    throw new Error(NETWORK_ERROR);
  }
}

/** A call to one of the API's verbs (e.g. POST /api/tasks/:id/claim); resolves with the JSON body. */
export async function apiCall<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = await headersFor(method);
  if (init.body !== undefined) headers.set('Content-Type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: init.body !== undefined ? JSON.stringify(init.body) : undefined });
  } catch {
    throw new Error(NETWORK_ERROR);
  }
  if (res.status === 401 && (await reauthenticate(path))) return apiCall<T>(path, init);
  const body = await parse(res);
  if (!res.ok) throw new HttpError(problemMessage(res.status, body), res.status, body);
  return body as T;
}

/** Sends a file as the raw request body (uploads: no base64 in JSON); resolves with the JSON answer. */
export async function apiUpload<T = unknown>(path: string, file: Blob): Promise<T> {
  const headers = await headersFor('POST');
  headers.set('Content-Type', file.type || 'application/octet-stream');
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    throw new Error(NETWORK_ERROR);
  }
  if (res.status === 401 && (await reauthenticate(path))) return apiUpload<T>(path, file);
  const body = await parse(res);
  if (!res.ok) throw new HttpError(problemMessage(res.status, body), res.status, body);
  return body as T;
}

/** Like apiCall but also hands back non-2xx JSON bodies (for /api/health, which answers 503 when degraded). */
export async function apiGetAnyStatus<T = unknown>(path: string): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new Error(NETWORK_ERROR);
  }
  return { status: res.status, body: (await parse(res)) as T };
}
