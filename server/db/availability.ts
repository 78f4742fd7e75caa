/**
 * Recognises "the database is not there right now" among the errors that reach the HTTP edge: the
 * server is down, restarting, refusing connections or the pool has none to give. Such a request gets
 * a 503 with a German message (see server/app.ts) instead of a 500; the pg pool behind Prisma drops
 * broken connections and opens new ones once PostgreSQL answers again, so nothing has to restart.
 *
 * Errors arrive in three shapes: Prisma's (code P1001 …, the driver adapter's kind in meta), pg's own
 * (SQLSTATE or socket code) from the LISTEN clients and raw queries, and bare "Connection terminated"
 * errors without a code. The check walks causes, because wrappers keep the original there.
 */

/**
 * Prisma: can't reach, timed out, server closed the connection, pool exhausted, database gone, and
 * P2028 – an interactive transaction could not start or ran past its time limit on an overloaded
 * server; Prisma rolled it back, so a retry is safe and 503 is the honest answer.
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1003', 'P1008', 'P1017', 'P2024', 'P2028']);
/** @prisma/adapter-pg's kinds for the same situations. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'DatabaseDoesNotExist']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * SQLSTATE: class 08 (connection exception), 57P01–57P03 (admin/crash shutdown, cannot connect now),
 * 53300 (too many connections), 3D000 (database missing – a restore swaps it for a moment).
 */
const SQLSTATE = /^(08\w{3}|57P0[1-3]|53300|3D000)$/;
const MESSAGES =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|is not currently accepting connections|Can't reach database server|Server has closed the connection/i;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 6) return false;
  const e = err as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } };
  };
  const code = typeof e.code === 'string' ? e.code : '';
  if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATE.test(code)) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter) {
    if (typeof adapter.kind === 'string' && ADAPTER_KINDS.has(adapter.kind)) return true;
    for (const c of [adapter.code, adapter.originalCode]) if (typeof c === 'string' && SQLSTATE.test(c)) return true;
  }
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** A short, data-free description for logs: which kind of failure, never the driver's text. */
export function unavailabilityKind(err: unknown): string {
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } } } | null;
  const adapter = e?.meta?.driverAdapterError?.cause;
  return [typeof e?.code === 'string' ? e.code : undefined, adapter?.kind, adapter?.originalCode].filter((x) => typeof x === 'string').join('/') || 'connection';
}
