import net from 'node:net';

/** Resolves true when nothing listens on host:port. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Asks the OS for a free port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1' }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it resolves truthy or the deadline passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs: number; intervalMs?: number; what: string; onTick?: (elapsedMs: number) => void },
): Promise<T> {
  const start = Date.now();
  const interval = opts.intervalMs ?? 250;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch {
      /* not ready yet */
    }
    const elapsed = Date.now() - start;
    if (elapsed > opts.timeoutMs) throw new Error(`Zeitüberschreitung: ${opts.what} (nach ${Math.round(elapsed / 1000)} s)`);
    opts.onTick?.(elapsed);
    await new Promise((r) => setTimeout(r, interval));
  }
}
