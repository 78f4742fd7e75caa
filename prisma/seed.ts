/**
 * Demo data: two communes with sites and the demo users (password from KIM_DEMO_PASSWORD, default
 * "kim-demo"). Idempotent: existing rows are left as they are.
 */
import type { Db } from '../server/data/prisma';
import { hashPassword } from '../server/domain/auth.service';
import type { RoleName } from '../server/domain/policy';

export interface DemoUser {
  username: string;
  displayName: string;
  role: RoleName;
  kommuneId: string | null;
  siteId: string | null;
  groups: string[];
}

export const KOMMUNEN = [
  { id: 'duisburg', name: 'Stadt Duisburg' },
  { id: 'mettmann', name: 'Kreis Mettmann' },
];

export const SITES = [
  { id: 'duisburg-nord', kommuneId: 'duisburg', name: 'Regional Support Center Nord (Hamborn)' },
  { id: 'duisburg-mitte', kommuneId: 'duisburg', name: 'Regional Support Center Mitte' },
  { id: 'duisburg-sued', kommuneId: 'duisburg', name: 'Regional Support Center Süd (Rheinhausen)' },
  { id: 'mettmann-ratingen', kommuneId: 'mettmann', name: 'KIM Ratingen' },
  { id: 'mettmann-velbert', kommuneId: 'mettmann', name: 'KIM Velbert' },
];

export const DEMO_USERS: DemoUser[] = [
  { username: 'cm.duisburg', displayName: 'Aylin Demir', role: 'case_manager', kommuneId: 'duisburg', siteId: 'duisburg-nord', groups: ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-nord'] },
  { username: 'cm2.duisburg', displayName: 'Jonas Becker', role: 'case_manager', kommuneId: 'duisburg', siteId: 'duisburg-sued', groups: ['case-manager', 'case-manager:duisburg', 'case-manager:duisburg-sued'] },
  { username: 'koord.duisburg', displayName: 'Dr. Miriam Hoffmann', role: 'coordinator', kommuneId: 'duisburg', siteId: null, groups: ['coordinator', 'coordinator:duisburg'] },
  { username: 'abh.duisburg', displayName: 'Thomas Wagner', role: 'abh', kommuneId: 'duisburg', siteId: null, groups: ['abh', 'abh:duisburg'] },
  { username: 'ebh.duisburg', displayName: 'Sabine Krüger', role: 'ebh', kommuneId: 'duisburg', siteId: null, groups: ['ebh', 'ebh:duisburg'] },
  { username: 'admin.duisburg', displayName: 'Markus Schulz', role: 'admin', kommuneId: 'duisburg', siteId: null, groups: [] },
  { username: 'cm.mettmann', displayName: 'Elif Yıldız', role: 'case_manager', kommuneId: 'mettmann', siteId: 'mettmann-ratingen', groups: ['case-manager', 'case-manager:mettmann', 'case-manager:mettmann-ratingen'] },
  { username: 'koord.mettmann', displayName: 'Stefan Lange', role: 'coordinator', kommuneId: 'mettmann', siteId: null, groups: ['coordinator', 'coordinator:mettmann'] },
  { username: 'land.nrw', displayName: 'Landescontrolling NRW (MKJFGFI)', role: 'land', kommuneId: null, siteId: null, groups: [] },
];

export async function seed(db: Db, password = process.env.KIM_DEMO_PASSWORD || 'kim-demo'): Promise<{ users: number }> {
  for (const k of KOMMUNEN) await db.kommune.upsert({ where: { id: k.id }, create: k, update: {} });
  for (const s of SITES) await db.site.upsert({ where: { id: s.id }, create: s, update: {} });
  let created = 0;
  const hash = await hashPassword(password);
  for (const u of DEMO_USERS) {
    const exists = await db.user.findUnique({ where: { username: u.username }, select: { id: true } });
    if (exists) continue;
    await db.user.create({ data: { ...u, passwordHash: hash } });
    created++;
  }
  return { users: created };
}
