import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Project root (this file lives in server/). */
export const ROOT = path.resolve(__dirname, '..');

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  // 0 = any free port (tests)
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /** App database; when unset the start command finds or starts a PostgreSQL and sets it. */
  DATABASE_URL: z.string().url().optional(),
  KIM_DB_NAME: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('kim'),
  /**
   * An Operaton (Camunda 7 REST API) someone else runs, e.g. a cluster behind a load balancer:
   * http://host:8080/engine-rest. When unset, the local engine is built and started.
   */
  KIM_ENGINE_URL: z.string().url().optional(),
  /** HTTP Basic credentials of the engine REST API (external engine, or the local one beyond loopback). */
  KIM_ENGINE_USERNAME: z.string().min(1).default('kim'),
  KIM_ENGINE_PASSWORD: z.string().optional(),

  /** Local engine. */
  KIM_CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'kim')),
  KIM_DATA_DIR: z.string().default(path.join(ROOT, '.data')),
  KIM_ENGINE_PORT: port.default(8090),
  KIM_ENGINE_HEAP: z.string().regex(/^\d+[mg]$/).default('512m'),
  /** Longest idle wait of the engine's job acquisition (ms): how late a due timer may fire at most. */
  KIM_ENGINE_JOB_MAX_WAIT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** Folder of pg_dump/pg_restore for npm run backup/restore (else the install folders and PATH are searched). */
  KIM_PG_BIN_DIR: z.string().optional(),

  KIM_DEMO_PASSWORD: z.string().min(4).default('kim-demo'),
  /** Session lifetime in minutes. */
  KIM_SESSION_MINUTES: z.coerce.number().int().min(5).default(480),
  /** Set the Secure flag on the session cookie (behind HTTPS). */
  KIM_COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Requests per minute to the partner links (no account, tokenised): per address and per link. */
  KIM_PARTNER_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(60),
  KIM_PARTNER_LIMIT_PER_LINK: z.coerce.number().int().min(1).default(20),
  /** How long a message for the engine that no instance waits for yet is kept (days). */
  KIM_MESSAGE_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(60),
  /** How often kept messages are retried or dropped when their instance has ended (ms). */
  KIM_MESSAGE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(300_000),

  /**
   * SMTP server for all e-mail (nodemailer URL, e.g. smtp://user:pass@host:587). Unset: an embedded
   * mail catcher on loopback takes every mail and delivers nothing (Postausgang shows what was sent).
   */
  KIM_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'smtp://… oder smtps://…').optional(),
  /** Mail outbox: first retry after a failed send (ms); each further one doubles, up to an hour. */
  KIM_MAIL_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  /** Mail outbox: attempts before a mail is given up (shown as such in the Postausgang). */
  KIM_MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  KIM_MAIL_FROM: z.string().min(3).default('KIM Prozessplattform <kim-noreply@localhost>'),
  /** Base URL partners reach the server under (links in e-mails). */
  KIM_PUBLIC_URL: z.string().url().default('http://localhost:3000'),
  /**
   * HMAC secret of the partner links. Without it a random secret is generated per start (dev only:
   * links from e-mails of an earlier start stop working). Production must set it.
   */
  KIM_LINK_SECRET: z
    .string()
    .min(32, 'mindestens 32 Zeichen')
    .default(() => crypto.randomBytes(32).toString('hex')),
  /** How long a partner link stays valid (days). */
  KIM_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** ISO 8601 duration after which a referral without answer creates a reminder task. */
  KIM_REFERRAL_REMINDER_AFTER: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'ISO-8601-Dauer, z. B. P14D oder PT2S').default('P14D'),

  /** kim-fallkonferenz: the reminder goes out this long before the conference date (ISO 8601 duration; tests use seconds). */
  KIM_CONFERENCE_REMINDER_BEFORE: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'ISO-8601-Dauer, z. B. P2D oder PT2S').default('P2D'),

  /** kim-intake / kim-case: due date of process tasks from their creation (ISO 8601 duration). */
  KIM_TASK_DUE: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'ISO-8601-Dauer, z. B. P7D').default('P7D'),
  /** kim-case: interval of the Wiedervorlage (ISO 8601 duration; tests use PT2S). */
  KIM_REVIEW_INTERVAL: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'ISO-8601-Dauer, z. B. P3M oder PT2S').default('P3M'),
  /** kim-bleiberecht: lead times of the deadline reminders per kind, JSON {"DULDUNG_ABLAUF":"P30D",…}; unset kinds keep their defaults. */
  KIM_FRISTEN_VORLAUF: z.string().optional(),
  /** Years a closed case is kept before its personal data is deleted (deletion date). */
  KIM_CASE_RETENTION_YEARS: z.coerce.number().int().min(1).max(30).default(3),
  /** How often the retention job deletes closed cases whose deletion date has come (ms). */
  KIM_RETENTION_INTERVAL_MS: z.coerce.number().int().min(100).default(3_600_000),
  /** kim-steuerung: Wiedervorlage of a measure in implementation (ISO 8601 duration; tests use seconds). */
  KIM_STEERING_REMINDER_EVERY: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'ISO-8601-Dauer, z. B. P30D oder PT3S').default('P30D'),
  /** kim-steuerung: how often reported gaps and themes without an instance are taken into the process (ms). */
  KIM_STEERING_INTAKE_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  /** How often due export schedules for "Datenbank KIM" are looked for (ms). */
  KIM_EXPORT_INTERVAL_MS: z.coerce.number().int().min(100).default(300_000),
});

export type Config = z.infer<typeof schema>;

/** Reads and validates the environment once; fails fast with a German message per variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Ungültige Konfiguration in den Umgebungsvariablen:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export class ConfigError extends Error {}

/** True when KIM_ENGINE_URL points at an engine someone else runs. */
export function usesExternalEngine(cfg: Config): boolean {
  return Boolean(cfg.KIM_ENGINE_URL);
}
