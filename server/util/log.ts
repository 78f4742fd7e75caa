import pino from 'pino';

/**
 * Structured logs (JSON). Never log personal data: log ids (caseId, task key), never names,
 * addresses, notes or variables. Known sensitive keys are redacted as a second line of defence.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info') {
  return pino({
    level,
    base: { app: 'kim' },
    redact: {
      paths: ['password', '*.password', 'variables', '*.variables', 'req.headers.cookie', 'headers.cookie', '*.firstName', '*.lastName', '*.name', 'body'],
      censor: '[entfernt]',
    },
  });
}

export type Logger = ReturnType<typeof createLogger>;
