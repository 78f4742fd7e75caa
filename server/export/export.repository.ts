/**
 * Export settings and the record of every export (ExportConfig, ExportRun). Scope: a commune's rows
 * (kommuneId) or the state's (kommuneId null). Rows hold suppressed aggregates only.
 */
import type { Db } from '../db/prisma';

export interface NewRun {
  configId: string | null;
  kommuneId: string | null;
  trigger: 'manuell' | 'zeitplan';
  requestedBy: string;
  role: string;
  indicators: string[];
  from: string;
  to: string;
  format: string;
  fileName: string;
  mimeType: string;
  content: Buffer;
  sha256: string;
}

const RUN_META = { id: true, configId: true, kommuneId: true, trigger: true, requestedBy: true, role: true, indicators: true, from: true, to: true, format: true, fileName: true, size: true, sha256: true, createdAt: true } as const;

export class ExportRepository {
  constructor(private readonly db: Db) {}

  /** Records an export; null when this scheduled period was exported already (another node). */
  async createRun(r: NewRun) {
    try {
      return await this.db.exportRun.create({ data: { ...r, content: new Uint8Array(r.content), size: r.content.length }, select: RUN_META });
    } catch (e) {
      if ((e as { code?: string }).code === 'P2002') return null;
      throw e;
    }
  }

  listRuns(kommuneId: string | null, limit = 100) {
    return this.db.exportRun.findMany({ where: { kommuneId }, orderBy: { createdAt: 'desc' }, take: limit, select: RUN_META });
  }

  run(id: string) {
    return this.db.exportRun.findUnique({ where: { id } });
  }

  createConfig(data: { kommuneId: string | null; indicators: string[]; period: string; format: string; schedule: string; nextRunAt: Date; createdBy: string; createdByRole: string }) {
    return this.db.exportConfig.create({ data });
  }

  listConfigs(kommuneId: string | null) {
    return this.db.exportConfig.findMany({ where: { kommuneId, active: true }, orderBy: { createdAt: 'asc' } });
  }

  config(id: string) {
    return this.db.exportConfig.findUnique({ where: { id } });
  }

  deactivateConfig(id: string) {
    return this.db.exportConfig.update({ where: { id }, data: { active: false } });
  }

  dueConfigs(now: Date) {
    return this.db.exportConfig.findMany({ where: { active: true, nextRunAt: { lte: now } }, orderBy: { nextRunAt: 'asc' }, take: 50 });
  }

  /** Takes a due config for this run: only one node wins (the row still has the due time it read). */
  async claim(id: string, dueAt: Date, next: Date, now: Date): Promise<boolean> {
    const r = await this.db.exportConfig.updateMany({ where: { id, active: true, nextRunAt: dueAt }, data: { nextRunAt: next, lastRunAt: now } });
    return r.count === 1;
  }
}
