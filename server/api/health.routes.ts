import { Router } from 'express';
import type { AppDeps } from '../app';
import { asyncRoute } from './http';

const VERSION: string = require('../../package.json').version;

async function timed<T>(fn: () => Promise<T>, ms = 3000): Promise<T> {
  return Promise.race([fn(), new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`keine Antwort nach ${ms} ms`)), ms))]);
}

/** GET /api/health – database, engine topology, workers, version; 200 only when all are up. */
export function healthRoutes(deps: AppDeps): Router {
  const r = Router();
  r.get(
    '/',
    asyncRoute(async (_req, res) => {
      const database = await timed(() => deps.db.$queryRaw`select 1`)
        .then(() => ({ status: 'UP' as const }))
        .catch((e: Error) => ({ status: 'DOWN' as const, error: e.message }));
      const engine = await timed(() => deps.zeebe.topology())
        .then((t) => {
          const partitions = t.brokers.flatMap((b) => b.partitions);
          const healthy = partitions.length > 0 && partitions.every((p) => String(p.health) === 'HEALTHY' || String(p.health) === '0');
          return { status: healthy ? ('UP' as const) : ('DOWN' as const), brokers: t.brokers.length, partitions: partitions.length, gatewayVersion: t.gatewayVersion };
        })
        .catch((e: Error) => ({ status: 'DOWN' as const, error: e.message }));
      const list = deps.workerStatus();
      const workers = { status: list.length > 0 && list.every((w) => w.running) ? ('UP' as const) : ('DOWN' as const), workers: list };
      const up = database.status === 'UP' && engine.status === 'UP' && workers.status === 'UP';
      res.status(up ? 200 : 503).json({ status: up ? 'UP' : 'DOWN', version: VERSION, database, engine, workers });
    }),
  );
  return r;
}
