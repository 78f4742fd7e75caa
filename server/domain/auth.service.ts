/**
 * Sign-in: argon2id password hashes, server-side sessions in PostgreSQL (only a hash of the cookie
 * token is stored), a CSRF token per session, and a temporary lock after repeated failures.
 */
import crypto from 'node:crypto';
import argon2 from 'argon2';
import type { Db } from '../data/prisma';
import type { AuditService } from './audit.service';
import { DomainError } from './errors';
import type { Actor, RoleName } from './policy';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

export const hashPassword = (pw: string) => argon2.hash(pw, { type: argon2.argon2id });
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

// Verifying against a fixed hash when the user does not exist keeps the response time alike.
let dummyHash: Promise<string> | undefined;

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
    if (user.lockedUntil && user.lockedUntil > now) {
      const until = user.lockedUntil.toLocaleTimeString('de-DE', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' });
      throw new DomainError(423, `Das Konto ist nach mehreren Fehlversuchen bis ${until} Uhr gesperrt. Versuchen Sie es danach erneut.`, 'locked');
    }
    const ok = await argon2.verify(user.passwordHash, password).catch(() => false);
    if (!ok) {
      const failed = user.failedLogins + 1;
      const lock = failed >= MAX_FAILED_LOGINS;
      await this.db.user.update({
        where: { id: user.id },
        data: { failedLogins: lock ? 0 : failed, lockedUntil: lock ? new Date(now.getTime() + LOCK_MINUTES * 60_000) : user.lockedUntil },
      });
      await this.audit.write(null, { action: lock ? 'auth.locked' : 'auth.login_failed', entity: 'User', entityId: user.id });
      if (lock) throw new DomainError(423, `Zu viele Fehlversuche. Das Konto ist für ${LOCK_MINUTES} Minuten gesperrt.`, 'locked');
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

  /** Resolves a cookie token to its session; expired sessions are removed. */
  async resolve(token: string): Promise<{ actor: Actor; csrfToken: string } | null> {
    const s = await this.db.session.findUnique({ where: { id: sha256(token) }, include: { user: true } });
    if (!s) return null;
    if (s.expiresAt < new Date() || !s.user.active) {
      await this.db.session.deleteMany({ where: { id: s.id } });
      return null;
    }
    if (Date.now() - s.lastSeenAt.getTime() > 60_000) {
      await this.db.session.update({ where: { id: s.id }, data: { lastSeenAt: new Date() } }).catch(() => undefined);
    }
    return { actor: toActor(s.user), csrfToken: s.csrfToken };
  }

  async logout(token: string): Promise<void> {
    await this.db.session.deleteMany({ where: { id: sha256(token) } });
  }
}

export function toActor(u: { id: string; username: string; displayName: string; role: string; kommuneId: string | null; siteId: string | null; groups: string[] }): Actor {
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role as RoleName, kommuneId: u.kommuneId, siteId: u.siteId, groups: u.groups };
}
