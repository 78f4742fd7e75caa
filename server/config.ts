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
  KIM_CAMUNDA_DB_NAME: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('camunda'),
  /**
   * Engine history (process view): the KIM exporter of the local engine writes element events and
   * incidents into this database on the app's PostgreSQL (created at start).
   */
  KIM_ENGINE_DB_NAME: z.string().regex(/^[a-z_][a-z0-9_]*$/).default('kim_engine'),
  /** Engine history database somewhere else (e.g. the exporter of an external engine writes there). */
  KIM_ENGINE_DATABASE_URL: z.string().url().optional(),

  /** External Camunda cluster (SDK standard variables). When unset a local engine is started. */
  ZEEBE_REST_ADDRESS: z.string().url().optional(),
  ZEEBE_GRPC_ADDRESS: z.string().optional(),
  CAMUNDA_AUTH_STRATEGY: z.enum(['NONE', 'OAUTH', 'BASIC', 'BEARER', 'COOKIE']).default('NONE'),

  /** Local engine. */
  KIM_CAMUNDA_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/).default('8.6.0'),
  KIM_CACHE_DIR: z.string().default(path.join(os.homedir(), '.cache', 'kim')),
  KIM_DATA_DIR: z.string().default(path.join(ROOT, '.data')),
  KIM_ENGINE_REST_PORT: port.default(8080),
  KIM_ENGINE_GRPC_PORT: port.default(26500),
  KIM_ENGINE_MANAGEMENT_PORT: port.default(9600),
  KIM_ENGINE_HEAP: z.string().regex(/^\d+[mg]$/).default('1g'),
  /** Free disk the engine insists on before it accepts commands. */
  KIM_ENGINE_DISK_WATERMARK: z.string().regex(/^\d+(MB|GB)$/).default('1GB'),

  KIM_DEMO_PASSWORD: z.string().min(4).default('kim-demo'),
  /** Session lifetime in minutes. */
  KIM_SESSION_MINUTES: z.coerce.number().int().min(5).default(480),
  /** Set the Secure flag on the session cookie (behind HTTPS). */
  KIM_COOKIE_SECURE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** How often the inbox reconciler compares the projection with the engine (ms). */
  KIM_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),

  /** kim-referral: SMTP transport for referral e-mails (nodemailer URL, e.g. smtp://user:pass@host:587). */
  KIM_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'smtp://… oder smtps://…').default('smtp://127.0.0.1:2525'),
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
  /** Years a closed case is kept before its personal data is deleted (deletion date). */
  KIM_CASE_RETENTION_YEARS: z.coerce.number().int().min(1).max(30).default(3),
  /** How often the retention job deletes closed cases whose deletion date has come (ms). */
  KIM_RETENTION_INTERVAL_MS: z.coerce.number().int().min(100).default(3_600_000),
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

/** True when the SDK's standard variables point at a cluster someone else runs. */
export function usesExternalEngine(cfg: Config): boolean {
  return Boolean(cfg.ZEEBE_GRPC_ADDRESS || cfg.ZEEBE_REST_ADDRESS);
}
