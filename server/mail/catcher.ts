/**
 * The embedded mail catcher: with no KIM_SMTP_URL configured the product sends to this SMTP server on
 * loopback, which accepts every message and delivers it nowhere. What was sent stays readable in the
 * Postausgang (the MailOutbox rows), so `npm start` works without a mail server and nobody outside
 * receives demo mail.
 */
import { SMTPServer } from 'smtp-server';
import { freePort } from '../util/ports';

export interface EmbeddedCatcher {
  /** smtp://127.0.0.1:<port> for the transport. */
  url: string;
  /** Messages accepted since the start (a count: the content is in the outbox). */
  accepted(): number;
  close(): Promise<void>;
}

export async function startEmbeddedCatcher(port?: number): Promise<EmbeddedCatcher> {
  const p = port || (await freePort());
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'KIM Mail-Catcher (lokal, stellt nichts zu)',
    onData(stream, _session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        count++;
        cb();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: `smtp://127.0.0.1:${p}`,
    accepted: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
