/**
 * Outgoing e-mail over a configurable SMTP transport (nodemailer). One transport per process; tests
 * point KIM_SMTP_URL at an smtp-server on loopback.
 */
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Files to attach (kim-fallkonferenz: the .ics invitation, the protocol PDF). */
  attachments?: Array<{ filename: string; content: Buffer | string; contentType: string }>;
}

export interface Mailer {
  send(m: MailMessage): Promise<{ messageId?: string }>;
  close(): void;
}

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url, { from });
  return {
    async send(m) {
      const info = await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, textEncoding: 'quoted-printable', ...(m.attachments?.length ? { attachments: m.attachments } : {}) });
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}
