/**
 * npm run backup / restore pick pg_dump and pg_restore of at least the server's major version, and say
 * in German what is missing when there are none (e.g. for the embedded PostgreSQL 18, which ships no
 * client programs).
 */
import { execFileSync } from 'node:child_process';
import { BackupError, findPgTools } from '../../server/db/backup';

const installed = Number(/\(PostgreSQL\)\s+(\d+)/.exec(execFileSync('pg_dump', ['--version'], { encoding: 'utf8' }))![1]);

test('the client programs of the server major version are found', () => {
  const tools = findPgTools(installed);
  expect(tools.major).toBe(installed);
  expect(execFileSync(tools.pgRestore, ['--version'], { encoding: 'utf8' })).toContain(`(PostgreSQL) ${installed}`);
  // Older servers are served by newer programs.
  expect(findPgTools(installed - 3).major).toBe(installed);
});

test('a newer server without matching programs gets a German message with the remedy', () => {
  const err = (() => {
    try {
      findPgTools(installed + 1, '/gibt/es/nicht');
    } catch (e) {
      return e as Error;
    }
  })();
  expect(err).toBeInstanceOf(BackupError);
  expect(err!.message).toContain(`pg_dump und pg_restore für PostgreSQL ${installed + 1} fehlen (gefunden: ${installed} (`);
  expect(err!.message).toContain(`apt-get install postgresql-client-${installed + 1}`);
  expect(err!.message).toContain('KIM_PG_BIN_DIR');
});
