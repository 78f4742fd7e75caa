/**
 * `npm run backup [-- --datei <pfad>]`: one consistent snapshot of app and engine data (one pg_dump
 * of the app database, whose schema "engine" holds Operaton's tables) into one file. Works while the
 * platform runs; nothing is stopped. Default file: <KIM_DATA_DIR>/backups/<datenbank>-<zeit>.dump.
 */
import { ConfigError, loadConfig } from '../server/config';
import { BackupError, backupDatabase, databaseTarget, defaultBackupFile, describeSnapshot, formatBytes } from '../server/db/backup';
import { Progress } from '../server/util/progress';

const USAGE = 'Aufruf: npm run backup [-- --datei <pfad>]   (Standard: .data/backups/<datenbank>-<zeit>.dump)';

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--hilfe') || args.includes('--help')) return console.log(USAGE);
  const i = args.indexOf('--datei');
  const file = i >= 0 ? args[i + 1] : args.find((a) => !a.startsWith('--'));
  if (i >= 0 && !file) throw new BackupError(`--datei braucht einen Pfad. ${USAGE}`);
  const cfg = loadConfig();
  console.log('KIM Prozessplattform: Sicherung von App- und Engine-Daten …');
  const progress = new Progress(4);
  const target = await databaseTarget(cfg, progress);
  try {
    const r = await backupDatabase(target.url, file ?? defaultBackupFile(cfg.KIM_DATA_DIR, target.name), { binDir: cfg.KIM_PG_BIN_DIR }, progress);
    console.log(`\nSicherung fertig: ${r.file} (${formatBytes(r.bytes)})`);
    console.log(`Inhalt: ${describeSnapshot(r.snapshot)} – Stand ${new Date().toLocaleString('de-DE')}`);
    console.log(`Wiederherstellen: npm run restore -- ${r.file}`);
  } finally {
    await target.pg.stop();
  }
}

main().catch((e) => {
  const known = e instanceof BackupError || e instanceof ConfigError;
  console.error(`\nSicherung fehlgeschlagen: ${known ? e.message : (e as Error).message}`);
  process.exit(known ? 2 : 1);
});
