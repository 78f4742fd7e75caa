import pino, { type DestinationStream } from 'pino';

/**
 * What kind of error was thrown, without its message: the class name (or name) plus a short code
 * when the error has one (ECONNREFUSED, P2002, 23505 …). The message of a database, mail server or
 * worker error can quote personal data (a unique-constraint violation repeats the value, an SMTP
 * server the recipient), so logs, incidents and answers carry this kind and a correlation id only.
 */
export function errorKind(e: unknown): string {
  if (e === null || typeof e !== 'object') return typeof e;
  const ctor = (e as { constructor?: { name?: unknown } }).constructor?.name;
  const name = (e as { name?: unknown }).name;
  let kind = typeof ctor === 'string' && ctor && ctor !== 'Error' && ctor !== 'Object' ? ctor : typeof name === 'string' && name ? name : 'Error';
  const code = (e as { code?: unknown }).code;
  if ((typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code)) || typeof code === 'number') kind += ` ${code}`;
  return kind.slice(0, 120);
}

/** The code locations of an error's stack (function, file, line) – never its message lines. */
export function stackFrames(e: unknown, max = 12): string[] {
  const stack = (e as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string') return [];
  return stack
    .split('\n')
    // A frame: "    at fn (file:line:col)" or "    at file:line:col" – code, no data.
    .filter((l) => /^\s+at [^'"`]*:\d+:\d+\)?$/.test(l))
    .slice(0, max)
    .map((l) => l.trim());
}

/** A value under `err` that is already a kind ("PrismaClientKnownRequestError", "Error P2002", "SMTP 550"). */
const KIND = /^[A-Za-z_$][\w$.]{0,80}( [A-Za-z0-9_.-]{1,40})?$/;

/**
 * The `err` of a log line, reduced to its kind: an Error (or any object) becomes { kind }, a string
 * stays only if it is a kind, not a message. pino's standard serializer would log the message and
 * stack – with whatever personal data the message quotes.
 */
export function scrubErr(err: unknown): unknown {
  if (err === null || err === undefined) return err;
  if (typeof err === 'string') return KIND.test(err) ? err : '[Fehlertext entfernt]';
  if (typeof err === 'object') return { kind: errorKind(err) };
  return typeof err;
}

/**
 * Structured logs (JSON). Never log personal data: log ids (caseId, task key), never names,
 * addresses, notes or variables; errors as their kind (see {@link errorKind}) and a correlation id.
 * Known sensitive keys are redacted and every `err` is reduced to its kind, as a second line of
 * defence. `destination`: where the lines go (standard output by default; tests capture them).
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream) {
  return pino(
    {
      level,
      base: { app: 'kim' },
      serializers: { err: scrubErr, error: scrubErr },
      redact: {
        paths: [
          'password',
          '*.password',
          'variables',
          '*.variables',
          'req.headers.cookie',
          'headers.cookie',
          '*.firstName',
          '*.lastName',
          '*.name',
          'body',
          'recipient',
          '*.recipient',
          'email',
          '*.email',
          'detail',
          '*.detail',
        ],
        censor: '[entfernt]',
      },
    },
    destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;
