import { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import type { AppDeps } from '../app';
import { asyncRoute, parseBody } from './http';

export const SESSION_COOKIE = 'kim_session';

const loginSchema = z.object({
  username: z.string().trim().min(1, 'Bitte den Benutzernamen angeben.').max(100),
  password: z.string().min(1, 'Bitte das Passwort angeben.').max(200),
});

/** Simple per-IP window limiter for login attempts (the per-account lock lives in the database). */
export function loginLimiter(max = 20, windowMs = 60_000) {
  const hits = new Map<string, number[]>();
  return (ip: string) => {
    const now = Date.now();
    const list = (hits.get(ip) ?? []).filter((t) => now - t < windowMs);
    list.push(now);
    hits.set(ip, list);
    if (hits.size > 10_000) hits.clear();
    if (list.length > max) throw new DomainError(429, 'Zu viele Anmeldeversuche von dieser Adresse. Bitte warten Sie eine Minute.', 'rate_limited');
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
  return { id: a.id, username: a.username, displayName: a.displayName, role: a.role, kommuneId: a.kommuneId, siteId: a.siteId, groups: a.groups };
}
