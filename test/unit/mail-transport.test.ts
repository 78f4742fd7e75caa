/**
 * The mail transport pieces without a database: the embedded mail catcher takes a real SMTP
 * delivery; a refused connection becomes the error class "ECONNREFUSED" (never the message with host
 * and port, never an address); the dispatcher's backoff doubles up to its cap and gives up after the
 * last attempt; without KIM_SMTP_URL the configuration leaves the transport to the catcher.
 */
import { loadConfig } from '../../server/config';
import { startEmbeddedCatcher } from '../../server/mail/catcher';
import { MailDispatcher } from '../../server/mail/dispatcher';
import type { MailOutboxRepository } from '../../server/mail/outbox.repository';
import { createLogger } from '../../server/util/log';
import { createSmtpMailer, mailErrorClass, mailErrorDe } from '../../server/util/mailer';
import { freePort } from '../../server/util/ports';

test('the embedded catcher accepts a mail sent over SMTP on loopback', async () => {
  const catcher = await startEmbeddedCatcher();
  const mailer = createSmtpMailer(catcher.url, 'KIM <kim@localhost>');
  try {
    expect(catcher.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const info = await mailer.send({ to: 'stelle@partner.test', subject: 'Test', text: 'Hallo', messageId: '<abc@kim.example>' });
    expect(info.messageId).toBe('<abc@kim.example>');
    expect(catcher.accepted()).toBe(1);
  } finally {
    mailer.close();
    await catcher.close();
  }
});

test('a refused connection is the error class ECONNREFUSED with a German explanation', async () => {
  const port = await freePort(); // nothing listens there
  const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'KIM <kim@localhost>');
  const err = await mailer.send({ to: 'stelle@partner.test', subject: 'Test', text: 'Hallo' }).then(
    () => null,
    (e: unknown) => e,
  );
  mailer.close();
  expect(String((err as Error).message)).toContain('ECONNREFUSED');
  expect(mailErrorClass(err)).toBe('ECONNREFUSED');
  expect(mailErrorDe('ECONNREFUSED')).toBe('Der Mailserver ist nicht erreichbar (Verbindung abgelehnt).');
  expect(mailErrorClass(Object.assign(new Error('550 <x@y.test> unknown'), { responseCode: 550 }))).toBe('SMTP 550');
  expect(mailErrorClass(new Error('irgendwas mit x@y.test'))).toBe('UNKNOWN');
});

test('backoff doubles from the base up to the cap; after the last attempt the mail is given up', () => {
  const d = new MailDispatcher({} as MailOutboxRepository, { send: async () => ({}), close() {} }, createLogger('silent'), { retryBaseMs: 30_000, maxDelayMs: 3_600_000, maxAttempts: 12, messageIdDomain: 'kim.example' });
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => d.delayAfter(n))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000]);
  expect(d.delayAfter(11)).toBe(3_600_000);
  expect(d.delayAfter(12)).toBeNull();
});

test('without KIM_SMTP_URL no mail server is assumed (the stack starts the embedded catcher)', () => {
  expect(loadConfig({}).KIM_SMTP_URL).toBeUndefined();
  expect(loadConfig({ KIM_SMTP_URL: 'smtp://mail.example:587' }).KIM_SMTP_URL).toBe('smtp://mail.example:587');
  expect(() => loadConfig({ KIM_SMTP_URL: 'http://mail.example' })).toThrow();
});
