/**
 * Proof that text never reached the engine: scans every text and binary column of every table in
 * the engine's schema ("engine") of the test file's database for a marker – runtime, history, byte
 * arrays (serialized variables), job and incident tables alike. A control marker that the engine
 * does store (a process variable of a running instance) shows first that the scan sees what the
 * engine writes.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Stack } from '../../server/stack';

export const ENGINE_SCHEMA = 'engine';

const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'bytea', 'json', 'jsonb']);

interface Column {
  table: string;
  column: string;
  type: string;
}

async function withClient<T>(databaseUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function columns(c: Client, schema: string, tablePattern = '%'): Promise<Column[]> {
  const r = await c.query<{ table_name: string; column_name: string; data_type: string }>(
    `select c.table_name, c.column_name, c.data_type
       from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = $1 and c.table_name like $2
      order by c.table_name, c.ordinal_position`,
    [schema, tablePattern],
  );
  return r.rows.filter((x) => TEXT_TYPES.has(x.data_type)).map((x) => ({ table: x.table_name, column: x.column_name, type: x.data_type }));
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** A predicate on one column that is true when it contains the marker bound as $1 (its UTF-8 bytes in binary columns). */
function contains(col: Column): string {
  const q = ident(col.column);
  if (col.type === 'bytea') return `position(convert_to($1::text, 'UTF8') in ${q}) > 0`;
  if (col.type === 'json' || col.type === 'jsonb') return `strpos(${q}::text, $1) > 0`;
  return `strpos(${q}, $1) > 0`;
}

export interface EngineHit {
  marker: string;
  table: string;
  column: string;
}

/** Where in the engine's tables (schema `engine`, tables matching `tablePattern`) the markers occur. */
export async function engineHits(databaseUrl: string, markers: string[], tablePattern = '%'): Promise<EngineHit[]> {
  return withClient(databaseUrl, async (c) => {
    const cols = await columns(c, ENGINE_SCHEMA, tablePattern);
    if (cols.length === 0) throw new Error(`Im Schema „${ENGINE_SCHEMA}“ gibt es keine Tabellen mit Textspalten (${tablePattern}) – liegt die Engine in dieser Datenbank?`);
    const byTable = new Map<string, Column[]>();
    for (const col of cols) byTable.set(col.table, [...(byTable.get(col.table) ?? []), col]);
    const hits: EngineHit[] = [];
    for (const marker of markers) {
      for (const [table, tcols] of byTable) {
        const select = tcols.map((col, i) => `bool_or(${contains(col)}) as c${i}`).join(', ');
        const r = await c.query(`select ${select} from ${ident(ENGINE_SCHEMA)}.${ident(table)}`, [marker]);
        const row = r.rows[0] as Record<string, boolean | null>;
        tcols.forEach((col, i) => {
          if (row[`c${i}`]) hits.push({ marker, table, column: col.column });
        });
      }
    }
    return hits;
  });
}

/** The markers found anywhere in the engine's tables. */
export async function foundInEngine(databaseUrl: string, markers: string[], tablePattern = '%'): Promise<string[]> {
  const hits = await engineHits(databaseUrl, markers, tablePattern);
  return [...new Set(hits.map((h) => h.marker))];
}

/** A process that only waits (a day-long timer): it holds the control variable while the scan runs. */
const CONTROL_PROCESS_ID = 'kim-test-engine-scan';
const CONTROL_TENANT = 'kim-test-engine-scan';
const CONTROL_BPMN = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_EngineScan" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="${CONTROL_PROCESS_ID}" name="Kontrolle der Engine-Suche" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="StartEvent_Scan" />
    <bpmn:sequenceFlow id="Flow_ToWait" sourceRef="StartEvent_Scan" targetRef="Event_Wait" />
    <bpmn:intermediateCatchEvent id="Event_Wait">
      <bpmn:timerEventDefinition id="TimerEventDefinition_Wait"><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="Flow_ToEnd" sourceRef="Event_Wait" targetRef="EndEvent_Scan" />
    <bpmn:endEvent id="EndEvent_Scan" />
  </bpmn:process>
</bpmn:definitions>
`;

/**
 * Puts a control marker into the engine as a process variable of a running instance (stored in the
 * runtime variable table) and returns it with a function that ends the instance again.
 */
export async function engineControl(stack: Pick<Stack, 'engine'>): Promise<{ marker: string; end(): Promise<void> }> {
  await stack.engine.deployer.deploy(CONTROL_TENANT, CONTROL_PROCESS_ID, [{ name: `${CONTROL_PROCESS_ID}.bpmn`, content: Buffer.from(CONTROL_BPMN) }]);
  const marker = `kim-kontrolle-${randomUUID()}`;
  const pi = await stack.engine.runtime.start(CONTROL_PROCESS_ID, CONTROL_TENANT, { kontrolle: marker });
  return { marker, end: () => stack.engine.runtime.cancel(pi.processInstanceKey, 'Kontrolle der Engine-Suche beendet') };
}

/**
 * Asserts that none of the markers is in the engine's tables, after showing with a control marker
 * (a process variable of a running instance) that the scan sees what the engine writes.
 */
export async function expectNotInEngine(stack: Pick<Stack, 'engine' | 'databaseUrl'>, markers: string[]): Promise<void> {
  const control = await engineControl(stack);
  try {
    expect(await engineHits(stack.databaseUrl, [control.marker])).toEqual(expect.arrayContaining([{ marker: control.marker, table: 'act_ru_variable', column: 'text_' }]));
  } finally {
    await control.end();
  }
  expect(await engineHits(stack.databaseUrl, markers)).toEqual([]);
}
