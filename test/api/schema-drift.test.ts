/**
 * Schema drift: the hand-written migrations and prisma/schema.prisma describe the same database.
 * After the migrations ran, every model and every scalar/enum field of the generated client's
 * runtime data model is a table/column in the app's schema "public" of the test database
 * (information_schema), and every table there (besides Prisma's own _prisma_migrations) is a model.
 * The engine's tables live in their own schema ("engine") and are not the app's data model.
 */
import { Prisma } from '../../generated/prisma/client';
import { createPrisma, Db } from '../../server/db/prisma';

interface RuntimeField {
  name: string;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  dbName?: string | null;
}
interface RuntimeDataModel {
  models: Record<string, { dbName: string | null; fields: RuntimeField[] }>;
}

let db: Db;
let model: RuntimeDataModel;
let columns: Map<string, Set<string>>;

beforeAll(async () => {
  if (!process.env.KIM_TEST_DATABASE_URL) throw new Error('KIM_TEST_DATABASE_URL fehlt – Tests bitte mit "npm test" starten.');
  db = createPrisma(process.env.KIM_TEST_DATABASE_URL);
  // Prisma 7 keeps the data model the generated client was built from on the client instance
  // (generated/prisma/internal/class.ts: config.runtimeDataModel).
  model = (db as unknown as { _runtimeDataModel: RuntimeDataModel })._runtimeDataModel;
  const rows = await db.$queryRaw<Array<{ table_name: string; column_name: string }>>`
    select c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`;
  columns = new Map();
  for (const r of rows) {
    if (!columns.has(r.table_name)) columns.set(r.table_name, new Set());
    columns.get(r.table_name)!.add(r.column_name);
  }
});
afterAll(async () => {
  await db?.$disconnect();
});

const tableOf = (name: string) => model.models[name].dbName ?? name;

test('the runtime data model is the one of the generated client', () => {
  expect(Object.keys(model.models).sort()).toEqual(Object.values(Prisma.ModelName).sort());
  expect(Object.keys(model.models).length).toBeGreaterThan(15);
});

test('every model is a table and every scalar field a column', () => {
  const missing: string[] = [];
  for (const [name, m] of Object.entries(model.models)) {
    const cols = columns.get(tableOf(name));
    if (!cols) {
      missing.push(`Tabelle "${tableOf(name)}" (Modell ${name})`);
      continue;
    }
    for (const f of m.fields) {
      if (f.kind !== 'scalar' && f.kind !== 'enum') continue;
      const col = f.dbName ?? f.name;
      if (!cols.has(col)) missing.push(`Spalte "${tableOf(name)}"."${col}" (Feld ${name}.${f.name})`);
    }
  }
  expect(missing).toEqual([]);
});

test('every table of the app schema is a model (besides _prisma_migrations)', () => {
  const models = new Set(Object.keys(model.models).map(tableOf));
  const extra = [...columns.keys()].filter((t) => t !== '_prisma_migrations' && !models.has(t));
  expect(extra).toEqual([]);
});
