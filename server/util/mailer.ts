/**
 * The SMTP transport (nodemailer) the mail dispatcher (server/mail) sends through: a real server from
 * KIM_SMTP_URL, or the embedded mail catcher when none is configured. Nothing else sends mail
 * directly – domain code queues into the mail outbox.
 */
import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Files to attach (kim-fallkonferenz: the .ics invitation, the protocol PDF). */
  attachments?: Array<{ filename: string; content: Buffer | string; contentType: string }>;
  /** Message-ID header: the outbox id, so a receiver can recognise a repeated delivery. */
  messageId?: string;
}

export interface Mailer {
  send(m: MailMessage): Promise<{ messageId?: string }>;
  close(): void;
}

export function createSmtpMailer(url: string, from: string): Mailer {
  // Short timeouts: a send runs while its outbox row is locked; an unreachable server is retried later.
  const transport = nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }, { from });
  return {
    async send(m) {
      const info = await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        textEncoding: 'quoted-printable',
        ...(m.messageId ? { messageId: m.messageId } : {}),
        ...(m.attachments?.length ? { attachments: m.attachments } : {}),
      });
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}

const SOCKET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE'];

/**
 * The class of a send failure – "SMTP 550", "ECONNREFUSED", "ETIMEDOUT" … – for the outbox row and the
 * log. Never the error message itself: an SMTP server's answer may repeat the recipient's address.
 */
export function mailErrorClass(e: unknown): string {
  const err = e as { responseCode?: number; code?: string; message?: string };
  if (typeof err?.responseCode === 'number') return `SMTP ${err.responseCode}`;
  const msg = String(err?.message ?? '');
  const socket = SOCKET_CODES.find((c) => msg.includes(c) || err?.code === c);
  if (socket) return socket;
  if (typeof err?.code === 'string' && /^[A-Z_]{3,20}$/.test(err.code)) return err.code;
  return 'UNKNOWN';
}

/** German text for an error class (Postausgang, case file). */
export function mailErrorDe(cls: string | null | undefined): string | null {
  if (!cls) return null;
  const smtp = /^SMTP (\d{3})$/.exec(cls);
  if (smtp) return smtp[1].startsWith('4') ? `Der Mailserver hat vorübergehend abgelehnt (Code ${smtp[1]}).` : `Der Mailserver hat die Nachricht abgelehnt (Code ${smtp[1]}).`;
  const de: Record<string, string> = {
    ECONNREFUSED: 'Der Mailserver ist nicht erreichbar (Verbindung abgelehnt).',
    ECONNRESET: 'Die Verbindung zum Mailserver ist abgebrochen.',
    ETIMEDOUT: 'Der Mailserver hat nicht rechtzeitig geantwortet.',
    ENOTFOUND: 'Der Mailserver wurde nicht gefunden (Adresse unbekannt).',
    EAI_AGAIN: 'Der Name des Mailservers konnte nicht aufgelöst werden.',
    EHOSTUNREACH: 'Der Mailserver ist nicht erreichbar.',
    ENETUNREACH: 'Das Netz des Mailservers ist nicht erreichbar.',
    EAUTH: 'Die Anmeldung am Mailserver ist fehlgeschlagen.',
    EENVELOPE: 'Der Mailserver hat Absender oder Empfänger abgelehnt.',
    ATTACHMENT_MISSING: 'Der Anhang ist nicht mehr vorhanden.',
  };
  return de[cls] ?? 'Der Versand ist fehlgeschlagen.';
}
