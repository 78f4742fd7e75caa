import { Router } from 'express';
import type { AppDeps } from './deps';
import { asyncRoute } from './http';
import { isDatabaseUnavailable } from '../db/availability';

const VERSION: string = require('../../package.json').version;

async function timed<T>(fn: () => Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([fn(), new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`keine Antwort nach ${ms} ms`)), ms))]);
}

/** GET /api/health – database, engine, workers, version; 200 only when all are up. */
export function healthRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (_req, res) => {
      const database = await timed(() => deps.db.$queryRaw`select 1`)
        .then(() => ({ status: 'UP' as const }))
        // A kind, not the driver's text (which names hosts, files and code).
        .catch((e: Error) => ({ status: 'DOWN' as const, error: isDatabaseUnavailable(e) ? 'nicht erreichbar' : e.message.startsWith('keine Antwort') ? e.message : 'Fehler bei der Abfrage' }));
      const engine = await timed(() => deps.engine.ping())
        .then((up) => ({ status: up ? ('UP' as const) : ('DOWN' as const), kind: 'Operaton' }))
        .catch((e: Error) => ({ status: 'DOWN' as const, kind: 'Operaton', error: e.name }));
      const list = deps.workerStatus();
      const workers = { status: list.length > 0 && list.every((w) => w.running) ? ('UP' as const) : ('DOWN' as const), workers: list };
      const up = database.status === 'UP' && engine.status === 'UP' && workers.status === 'UP';
      res.status(up ? 200 : 503).json({ status: up ? 'UP' : 'DOWN', version: VERSION, database, engine, workers });
    }),
  );
  return r;
}
