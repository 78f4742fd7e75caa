/**
 * The administrator's account actions beyond the plain user record (which the generic "users"
 * resource serves: list, create with a one-time password, edit name/role/site, deactivate): lifting a
 * sign-in lock and setting a one-time password. Only administrators, only their own commune (another
 * commune's account is "not found"), every action audit-logged.
 */
import type { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/auth.service';
import { assertCan, type Actor } from '../auth/policy';
import { conflict, notFound } from '../errors';
import type { UserAdminRepository } from './users.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class UserAdminService {
  constructor(
    private readonly repo: UserAdminRepository,
    private readonly audit: AuditService,
  ) {}

  private async own(a: Actor, id: string) {
    assertCan(a, 'users', 'update');
    const u = UUID.test(id) ? await this.repo.findInKommune(id, a.kommuneId!) : null;
    if (!u) throw notFound('Die Benutzerin / der Benutzer');
    return u;
  }

  async unlock(a: Actor, id: string, requestId?: string): Promise<{ unlocked: boolean }> {
    const u = await this.own(a, id);
    await this.repo.unlock(u.id);
    await this.audit.write(a, { action: 'users.unlock', entity: 'User', entityId: u.id, fields: ['lockedUntil'], requestId });
    return { unlocked: true };
  }

  async resetPassword(a: Actor, id: string, password: string, requestId?: string): Promise<{ mustChangePassword: true }> {
    const u = await this.own(a, id);
    if (u.id === a.id) throw conflict('Ihr eigenes Passwort ändern Sie über „Passwort ändern“ mit Ihrem bisherigen Passwort.');
    await this.repo.setOneTimePassword(u.id, await hashPassword(password));
    await this.audit.write(a, { action: 'users.password_reset', entity: 'User', entityId: u.id, fields: ['password'], requestId });
    return { mustChangePassword: true };
  }
}
