/**
 * After an administrator's password reset (or for a new account) the person signs in with a one-time
 * password and must choose their own before anything else: every API call except sign-in, sign-out,
 * the own identity, the password change itself and the health check answers 403.
 */
import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '../errors';

const OPEN = ['/auth/', '/health'];

export function passwordChangeGate(req: Request, _res: Response, next: NextFunction) {
  if (req.actor?.mustChangePassword && !OPEN.some((p) => req.path.startsWith(p))) {
    return next(new DomainError(403, 'Bitte legen Sie zuerst ein eigenes Passwort fest.', 'password_change_required'));
  }
  next();
}
