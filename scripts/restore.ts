/**
 * `npm run restore -- <datei> [--ueberschreiben]`: puts a backup of `npm run backup` back. It is
 * restored into a new database beside the live one; then connections to the live one are ended and
 * the two are swapped by renaming – a running server and engine reconnect by themselves (API answers
 * 503 for those seconds). A database holding data is replaced only with --ueberschreiben; it is kept
 * under <name>_alt_<zeit> until someone drops it.
 */
import { ConfigError, loadConfig } from '../server/config';
import { BackupError, databaseTarget, describeSnapshot, restoreDatabase } from '../server/db/backup';
import { Progress } from '../server/util/progress';

const USAGE = 'Aufruf: npm run restore -- <datei> [--ueberschreiben]';

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--hilfe') || args.includes('--help')) return console.log(USAGE);
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--ueberschreiben');
  if (unknown.length) throw new BackupError(`Unbekannte Option ${unknown.join(', ')}. ${USAGE}`);
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) throw new BackupError(`Welche Sicherung? ${USAGE}`);
  const cfg = loadConfig();
  console.log('KIM Prozessplattform: Wiederherstellung von App- und Engine-Daten …');
  const progress = new Progress(6);
  const target = await databaseTarget(cfg, progress);
  try {
    const r = await restoreDatabase(target.url, file, { overwrite: args.includes('--ueberschreiben'), binDir: cfg.KIM_PG_BIN_DIR }, progress);
    console.log(`\nWiederhergestellt: Datenbank „${r.database}“ – ${describeSnapshot(r.snapshot)}.`);
    if (r.previous) console.log(`Die bisherigen Daten liegen in „${r.previous}“ (entfernen, wenn nicht mehr gebraucht: drop database "${r.previous}").`);
    console.log('Läuft die Plattform, verbinden sich Server und Engine von selbst neu; Angemeldete müssen sich gegebenenfalls neu anmelden.');
  } finally {
    await target.pg.stop();
  }
}

main().catch((e) => {
  const known = e instanceof BackupError || e instanceof ConfigError;
  console.error(`\nWiederherstellung fehlgeschlagen: ${known ? e.message : (e as Error).message}`);
  process.exit(known ? 2 : 1);
});
