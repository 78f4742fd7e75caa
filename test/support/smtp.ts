/** A real SMTP server on a free loopback port that keeps every mail it receives (for process tests). */
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../server/util/ports';

export interface Part {
  headers: string;
  body: Buffer;
}

export interface Mail {
  to: string[];
  raw: string;
  /** Top-level MIME parts, transfer-decoded (one part for a single-part mail). */
  parts: Part[];
  /** The text body (the text/plain part), decoded. */
  text: string;
}

const decodeQpBytes = (s: string) => Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');

/** Minimal quoted-printable decoding of a whole single-part mail's body. */
export function decodeQp(raw: string): string {
  return decodeQpBytes(raw.split(/\r?\n\r?\n/).slice(1).join('\n\n')).toString('utf8');
}

function decodePart(headers: string, body: string): Buffer {
  const enc = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (enc === 'quoted-printable') return decodeQpBytes(body);
  return Buffer.from(body, 'utf8');
}

/** Minimal MIME parsing: the top-level parts of a multipart mail (or the single body). */
export function parseMail(raw: string): Part[] {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\r\n\r\n');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(head)?.[1];
  if (!boundary) return [{ headers: head, body: decodePart(head, body) }];
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const c = chunk.replace(/^\r?\n/, '');
      const i = c.search(/\r?\n\r?\n/);
      const h = c.slice(0, i);
      return { headers: h, body: decodePart(h, c.slice(i).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '')) };
    });
}

/**
 * How the catcher behaves (switchable while it runs, for the mail fault tests):
 * accept – takes every mail; refuse – answers every recipient with a temporary refusal (451), as a
 * full or overloaded server does; hang – accepts the connection but never greets, as a stuck server
 * does (the client runs into its greeting timeout).
 */
export type CatcherMode = 'accept' | 'refuse' | 'hang';

export interface MailCatcherOptions {
  mode?: CatcherMode;
}

export interface MailCatcher {
  /** For KIM_SMTP_URL. */
  url: string;
  mails: Mail[];
  /** What the sender tried: connections opened, recipients refused (with the time, for backoff checks). */
  stats: { connections: number; refusals: Array<{ to: string; at: number }> };
  mode(): CatcherMode;
  setMode(mode: CatcherMode): void;
  close(): Promise<void>;
}

export async function startMailCatcher(opts: MailCatcherOptions = {}): Promise<MailCatcher> {
  const port = await freePort();
  const mails: Mail[] = [];
  let mode: CatcherMode = opts.mode ?? 'accept';
  const stats: MailCatcher['stats'] = { connections: 0, refusals: [] };
  /** Greetings withheld in hang mode; released (the connection closed) when the mode changes. */
  const held = new Set<(err?: Error) => void>();
  const releaseHeld = () => {
    for (const cb of held) cb(Object.assign(new Error('Dienst vorübergehend nicht verfügbar'), { responseCode: 421 }));
    held.clear();
  };
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, cb) {
      stats.connections++;
      if (mode === 'hang') held.add(cb);
      else cb();
    },
    onRcptTo(address, _session, cb) {
      if (mode === 'refuse') {
        stats.refusals.push({ to: address.address, at: Date.now() });
        // The refusal names the address, as real servers do: it must not reach the product's logs.
        return cb(Object.assign(new Error(`Postfach ${address.address} voruebergehend nicht erreichbar`), { responseCode: 451 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parts = parseMail(raw);
        const textPart = parts.find((p) => /text\/plain/i.test(p.headers)) ?? parts[0];
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, parts, text: textPart.body.toString('utf8') });
        cb();
      });
    },
  });
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    stats,
    mode: () => mode,
    setMode(m) {
      mode = m;
      if (m !== 'hang') releaseHeld();
    },
    close: () => {
      releaseHeld();
      return new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
