/**
 * Sign-in: argon2id password hashes, server-side sessions in PostgreSQL (only a hash of the cookie
 * token is stored), a CSRF token per session, and a temporary lock after repeated failures.
 */
import crypto from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../db/prisma';
import type { AuditService } from '../audit/audit.service';
import { DomainError } from '../errors';
import type { Actor, RoleName } from './policy';

/** Wrong passwords allowed in a row; the next wrong one locks the account (the sign-in page says so). */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

/** The lock message: until when (Berlin time) and the two ways out. */
export function lockedMessage(until: Date): string {
  const day = until.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Berlin' });
  const time = until.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
  return `Das Konto ist nach zu vielen falschen Passwörtern bis ${day}, ${time} Uhr gesperrt. Danach können Sie sich wieder anmelden – oder die Administration Ihrer Kommune hebt die Sperre vorher auf.`;
}

export const hashPassword = (pw: string) => argon2.hash(pw, { type: argon2.argon2id });
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

// Verifying against a fixed hash when the user does not exist keeps the response time alike.
let dummyHash: Promise<string> | undefined;

/** A session joined with its user (the user's columns toActor reads, the user's id as userId). */
type SessionRow = Omit<Parameters<typeof toActor>[0], 'id'> & { id: string; csrfToken: string; expiresAt: Date; lastSeenAt: Date; active: boolean; userId: string; mustChangePassword: boolean };

export interface SessionInfo {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  actor: Actor;
}

export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly sessionMinutes: number,
  ) {}

  async login(username: string, password: string): Promise<SessionInfo> {
    const user = await this.db.user.findUnique({ where: { username } });
    const now = new Date();
    if (!user || !user.active) {
      dummyHash ??= hashPassword('kim-placeholder');
      await argon2.verify(await dummyHash, password).catch(() => false);
      throw new DomainError(401, 'Benutzername oder Passwort ist falsch.', 'login_failed');
    }
    if (user.lockedUntil && user.lockedUntil > now) throw new DomainError(423, lockedMessage(user.lockedUntil), 'locked');
    const ok = await argon2.verify(user.passwordHash, password).catch(() => false);
    if (!ok) {
      // Atomic increment: parallel wrong attempts are all counted. MAX_FAILED_LOGINS wrong ones are
      // allowed; the one after them locks.
      const { failedLogins: failed } = await this.db.user.update({ where: { id: user.id }, data: { failedLogins: { increment: 1 } }, select: { failedLogins: true } });
      const lock = failed > MAX_FAILED_LOGINS;
      const lockedUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
      if (lock) await this.db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil } });
      await this.audit.write(null, { action: lock ? 'auth.locked' : 'auth.login_failed', entity: 'User', entityId: user.id });
      if (lock) throw new DomainError(423, lockedMessage(lockedUntil), 'locked');
      throw new DomainError(401, 'Benutzername oder Passwort ist falsch.', 'login_failed');
    }
    await this.db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
    const token = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.sessionMinutes * 60_000);
    await this.db.session.create({ data: { id: sha256(token), userId: user.id, csrfToken, expiresAt } });
    const actor = toActor(user);
    await this.audit.write(actor, { action: 'auth.login', entity: 'User', entityId: user.id });
    return { token, csrfToken, expiresAt, actor };
  }

  /**
   * Resolves a cookie token to its session; expired sessions are removed. Session and user come in
   * one statement: this runs before every request, and Prisma's include made it two round trips.
   */
  async resolve(token: string): Promise<{ actor: Actor; csrfToken: string } | null> {
    const [s] = await this.db.$queryRaw<SessionRow[]>`
      select s."id", s."csrfToken", s."expiresAt", s."lastSeenAt", u."active",
             u."id"::text as "userId", u."username", u."displayName", u."role"::text as "role", u."kommuneId", u."siteId", u."groups", u."mustChangePassword"
      from "Session" s join "User" u on u."id" = s."userId"
      where s."id" = ${sha256(token)}`;
    if (!s) return null;
    if (s.expiresAt < new Date() || !s.active) {
      await this.db.session.deleteMany({ where: { id: s.id } });
      return null;
    }
    if (Date.now() - s.lastSeenAt.getTime() > 60_000) {
      await this.db.session.update({ where: { id: s.id }, data: { lastSeenAt: new Date() } }).catch(() => undefined);
    }
    return { actor: toActor({ ...s, id: s.userId }), csrfToken: s.csrfToken };
  }

  /**
   * The person's own new password (also the required step after a one-time password): the current
   * one is checked, the new one must differ and have at least 10 characters. Audited, no values.
   */
  async changePassword(a: Actor, current: string, next: string): Promise<void> {
    const user = await this.db.user.findUnique({ where: { id: a.id } });
    if (!user || !(await argon2.verify(user.passwordHash, current).catch(() => false))) {
      throw new DomainError(400, 'Das bisherige Passwort stimmt nicht.', 'validation', { currentPassword: 'Das bisherige Passwort stimmt nicht.' });
    }
    if (next.length < 10) throw new DomainError(400, 'Das neue Passwort ist zu kurz.', 'validation', { newPassword: 'Mindestens 10 Zeichen.' });
    if (next === current) throw new DomainError(400, 'Das neue Passwort muss sich vom bisherigen unterscheiden.', 'validation', { newPassword: 'Bitte ein anderes Passwort wählen.' });
    await this.db.user.update({ where: { id: user.id }, data: { passwordHash: await hashPassword(next), mustChangePassword: false } });
    await this.audit.write(a, { action: 'auth.password_changed', entity: 'User', entityId: user.id, fields: ['password'] });
  }

  async logout(token: string): Promise<void> {
    await this.db.session.deleteMany({ where: { id: sha256(token) } });
  }
}

export function toActor(u: { id: string; username: string; displayName: string; role: string; kommuneId: string | null; siteId: string | null; groups: string[]; mustChangePassword?: boolean }): Actor {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role as RoleName, kommuneId: u.kommuneId, siteId: u.siteId, groups: u.groups, ...(u.mustChangePassword ? { mustChangePassword: true } : {}) };
}
