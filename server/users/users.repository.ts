/** The User rows the administrator's account actions touch (always within one commune). */
import type { Db } from '../db/prisma';

export class UserAdminRepository {
  constructor(private readonly db: Db) {}

  findInKommune(id: string, kommuneId: string) {
    return this.db.user.findFirst({ where: { id, kommuneId }, select: { id: true, username: true, lockedUntil: true, failedLogins: true, active: true } });
  }

  unlock(id: string) {
    return this.db.user.update({ where: { id }, data: { failedLogins: 0, lockedUntil: null } });
  }

  /** A new one-time password: unlocked, to be replaced at the next sign-in; open sessions end. */
  async setOneTimePassword(id: string, passwordHash: string) {
    await this.db.$transaction([
      this.db.user.update({ where: { id }, data: { passwordHash, mustChangePassword: true, failedLogins: 0, lockedUntil: null } }),
      this.db.session.deleteMany({ where: { userId: id } }),
    ]);
  }
}
