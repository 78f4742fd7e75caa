/**
 * `npm start`: the whole product on local defaults. Prints the URL and the demo logins when ready;
 * Ctrl-C / SIGTERM stops everything it started (engine JVM, embedded PostgreSQL, workers, server).
 */
import fs from 'node:fs';
import { engineJarCached } from '../engine/engine';
import { ConfigError, loadConfig, usesExternalEngine } from '../server/config';
import { startStack, Stack } from '../server/stack';
import { DEMO_USERS } from '../prisma/seed';
import { createLogger } from '../server/util/log';
import { Progress } from '../server/util/progress';

async function main() {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
  const started = Date.now();
  console.log('KIM Prozessplattform startet …');
  // Seven steps, plus building the engine with Maven the first time (or when its sources changed).
  const local = !usesExternalEngine(cfg);
  const progress = new Progress(7 + (local && !engineJarCached(cfg.KIM_CACHE_DIR) ? 1 : 0));
  let stack: Stack | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} empfangen – beende alle Teile …`);
    await stack?.stop();
    console.log('Beendet.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    // Logs go to stderr as JSON; the console shows progress.
    stack = await startStack({ config: cfg, progress, log: createLogger(cfg.LOG_LEVEL === 'info' ? 'warn' : cfg.LOG_LEVEL) });
  } catch (e) {
    const msg = e instanceof ConfigError ? e.message : (e as Error).message;
    console.error(`\nStart fehlgeschlagen: ${msg}`);
    process.exit(1);
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\nKIM Prozessplattform läuft (bereit nach ${secs} s): ${stack.url}`);
  console.log(`API: ${stack.url}/api   Health: ${stack.url}/api/health`);
  console.log(`Demo-Zugänge (Passwort: ${cfg.KIM_DEMO_PASSWORD === 'kim-demo' ? 'kim-demo' : 'aus KIM_DEMO_PASSWORD'}):`);
  for (const u of DEMO_USERS) console.log(`  ${u.username.padEnd(16)} ${u.role.padEnd(13)} ${u.displayName}`);
  console.log('Beenden mit Strg+C.');
  if (process.env.KIM_READY_FILE) fs.writeFileSync(process.env.KIM_READY_FILE, stack.url);
}

void main();
