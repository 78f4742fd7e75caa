/** A real SMTP server on a free loopback port that keeps every mail it receives (for process tests). */
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../server/util/ports';

export interface Mail {
  to: string[];
  raw: string;
  /** The text body, quoted-printable decoded. */
  text: string;
}

/** Minimal quoted-printable decoding of the text part (enough to read the link and the wording). */
export function decodeQp(raw: string): string {
  const body = raw.split(/\r?\n\r?\n/).slice(1).join('\n\n');
  return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

export interface MailCatcher {
  /** For KIM_SMTP_URL. */
  url: string;
  mails: Mail[];
  close(): Promise<void>;
}

export async function startMailCatcher(): Promise<MailCatcher> {
  const port = await freePort();
  const mails: Mail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, text: decodeQp(raw) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}
