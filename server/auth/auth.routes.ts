import { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../errors';
import type { AppDeps } from '../http/deps';
import { asyncRoute, parseBody } from '../http/http';
import { SlidingWindow } from '../http/rate-limit';

export const SESSION_COOKIE = 'kim_session';

const loginSchema = z.object({
  username: z.string().trim().min(1, 'Bitte den Benutzernamen angeben.').max(100),
  password: z.string().min(1, 'Bitte das Passwort angeben.').max(200),
});

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'Bitte das bisherige Passwort angeben.').max(200),
  newPassword: z.string().min(10, 'Das neue Passwort muss mindestens 10 Zeichen haben.').max(200, 'Höchstens 200 Zeichen.'),
});

/** Per-address limit of sign-in attempts (the per-account lock lives in the database). */
export function loginLimiter(max = 20, windowMs = 60_000) {
  const window = new SlidingWindow({ max, windowMs });
  return (ip: string) => {
    if (window.hit(ip)) throw new DomainError(429, 'Zu viele Anmeldeversuche von dieser Adresse. Bitte warten Sie eine Minute.', 'rate_limited');
  };
}

export function authRoutes(deps: AppDeps): Router {
  const r = Router();
  const limit = loginLimiter(deps.config.NODE_ENV === 'test' ? 1000 : 20);
  r.post(
    '/login',
    asyncRoute(async (req, res) => {
      limit(req.ip ?? 'unknown');
      const body = parseBody(loginSchema, req.body);
      const s = await deps.auth.login(body.username, body.password);
      // A new sign-in replaces the session the browser still holds (e.g. the one-time password's).
      if (req.sessionToken) await deps.auth.logout(req.sessionToken);
      res.cookie(SESSION_COOKIE, s.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.config.KIM_COOKIE_SECURE,
        path: '/',
        expires: s.expiresAt,
      });
      res.json({ user: publicUser(s.actor), csrfToken: s.csrfToken });
    }),
  );
  r.post(
    '/logout',
    asyncRoute(async (req, res) => {
      if (req.sessionToken) await deps.auth.logout(req.sessionToken);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.status(204).end();
    }),
  );
  r.post(
    '/password',
    asyncRoute(async (req, res) => {
      if (!req.actor) throw new DomainError(401, 'Bitte melden Sie sich an.', 'unauthenticated');
      const body = parseBody(changePasswordSchema, req.body);
      await deps.auth.changePassword(req.actor, body.currentPassword, body.newPassword);
      res.json({ user: publicUser({ ...req.actor, mustChangePassword: false }) });
    }),
  );
  r.get(
    '/me',
    asyncRoute(async (req, res) => {
      if (!req.actor) throw new DomainError(401, 'Bitte melden Sie sich an.', 'unauthenticated');
      res.json({ user: publicUser(req.actor), csrfToken: req.csrfToken });
    }),
  );
  return r;
}

export function publicUser(a: NonNullable<Express.Request['actor']>) {
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, kommuneId: a.kommuneId, siteId: a.siteId, groups: a.groups, mustChangePassword: a.mustChangePassword === true };
}
