import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors';
import type { Actor } from '../auth/policy';
import type { AuthService } from '../auth/auth.service';
import { SESSION_COOKIE } from '../auth/auth.routes';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      actor?: Actor;
      csrfToken?: string;
      sessionToken?: string;
      requestId: string;
    }
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** Loads the signed-in user from the session cookie (if any). */
export function sessionMiddleware(auth: AuthService) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (token) {
        const s = await auth.resolve(token);
        if (s) {
          req.actor = s.actor;
          req.csrfToken = s.csrfToken;
          req.sessionToken = token;
        }
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Paths that change state without a session (sign-in itself). */
const CSRF_EXEMPT = new Set(['/api/auth/login']);

/** State-changing requests of a session must carry its CSRF token in X-CSRF-Token. */
export function csrfMiddleware(req: Request, _res: Response, next: NextFunction) {
  // baseUrl + path: mounted under /api, req.path alone is the path inside the router.
  if (SAFE.has(req.method) || CSRF_EXEMPT.has(req.baseUrl + req.path) || !req.sessionToken) return next();
  const sent = req.get('x-csrf-token') ?? '';
  const expected = req.csrfToken ?? '';
  const ok = sent.length === expected.length && sent.length > 0 && crypto.timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
  if (!ok) return next(new DomainError(403, 'Die Anfrage enthält kein gültiges Sicherheits-Token (CSRF). Bitte laden Sie die Seite neu.', 'csrf'));
  next();
}

export function requireActor(req: Request): Actor {
  if (!req.actor) throw new DomainError(401, 'Bitte melden Sie sich an.', 'unauthenticated');
  return req.actor;
}
