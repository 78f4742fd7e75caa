import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Migrations are plain SQL under prisma/migrations, applied by server/db/migrate.ts (offline; see README).
export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
});
