/**
 * The KIM element exporter inside a real broker: records the engine produces while the history
 * database is missing are not lost – the exporter keeps them and writes them once the database is
 * there; the element events of an instance arrive in order; variables never reach the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { LocalEngine } from '../../engine/engine';
import { jdbcFromUrl } from '../../engine/exporter';
import { loadConfig, ROOT } from '../../server/config';
import { dropDatabase, ensureDatabase, withDatabase } from '../../server/db/postgres';
import { freePort } from '../../server/util/ports';
import { until } from '../support/stack';

const runDir = path.join(process.env.KIM_TEST_RUN_DIR ?? path.join(ROOT, '.data', 'test'), 'exporter-engine');
const dbName = `kim_test_exporter_${process.pid}`;
const baseUrl = () => process.env.KIM_TEST_PG_BASE_URL!;
let engine: LocalEngine;

const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_ExporterTest" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="kim-test-exporter" isExecutable="true">
    <bpmn:startEvent id="StartEvent_Go"><bpmn:outgoing>Flow_ToWait</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_ToWait" sourceRef="StartEvent_Go" targetRef="Task_Wait" />
    <bpmn:serviceTask id="Task_Wait">
      <bpmn:extensionElements><zeebe:taskDefinition type="kim.test-exporter-nobody" /></bpmn:extensionElements>
      <bpmn:incoming>Flow_ToWait</bpmn:incoming>
    </bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>`;

beforeAll(async () => {
  await dropDatabase(baseUrl(), dbName).catch(() => undefined);
  fs.rmSync(runDir, { recursive: true, force: true });
  const cfg = loadConfig({ ...process.env, NODE_ENV: 'test' });
  engine = new LocalEngine({
    version: cfg.KIM_CAMUNDA_VERSION,
    cacheDir: cfg.KIM_CACHE_DIR,
    dataDir: runDir,
    restPort: await freePort(),
    grpcPort: await freePort(),
    commandPort: await freePort(),
    internalPort: await freePort(),
    managementPort: await freePort(),
    heap: '512m',
    diskWatermark: '512MB',
    // The database does not exist yet.
    exporter: { ...jdbcFromUrl(withDatabase(baseUrl(), dbName)), flushIntervalMs: 100 },
  });
  await engine.start();
}, 240_000);

afterAll(async () => {
  await engine?.stop();
  await dropDatabase(baseUrl(), dbName).catch(() => undefined);
});

async function rest<T>(p: string, init: RequestInit): Promise<T> {
  const res = await fetch(`${engine.endpoints.restAddress}${p}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${p}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

test('records written while the history database is missing arrive once it exists, in order and without variables', async () => {
  const form = new FormData();
  form.append('resources', new Blob([MODEL]), 'kim-test-exporter.bpmn');
  await rest('/v2/deployments', { method: 'POST', body: form });
  const started = await rest<{ processInstanceKey: number | string }>('/v2/process-instances', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ processDefinitionId: 'kim-test-exporter', variables: { clientName: 'Mustermann-Geheim', note: 'vertraulich-123' } }),
  });
  const key = String(started.processInstanceKey);

  // The exporter holds the instance's records and has failed to write them: the engine log says so, in German.
  await until(async () => /KIM-Exporter: Schreiben in PostgreSQL fehlgeschlagen/.test(fs.readFileSync(engine.logFile, 'utf8')), 'Fehlversuch des Exporters im Engine-Protokoll', 60_000);

  await ensureDatabase(baseUrl(), dbName);
  const c = new Client({ connectionString: withDatabase(baseUrl(), dbName) });
  await c.connect();
  try {
    const rows = await until(
      async () => {
        const r = await c
          .query<{ element_id: string; intent: string; position: string }>('select element_id, intent, position::text from engine_element_event where process_instance_key = $1 order by position', [key])
          .catch(() => null);
        return r && r.rows.some((x) => x.element_id === 'Task_Wait') ? r.rows : null;
      },
      'Element-Ereignisse nach dem Anlegen der Datenbank',
      60_000,
    );
    expect(rows.map((r) => `${r.element_id} ${r.intent}`)).toEqual([
      'kim-test-exporter ELEMENT_ACTIVATED',
      'StartEvent_Go ELEMENT_ACTIVATED',
      'StartEvent_Go ELEMENT_COMPLETED',
      'Flow_ToWait SEQUENCE_FLOW_TAKEN',
      'Task_Wait ELEMENT_ACTIVATED',
    ]);
    await until(async () => /KIM-Exporter: PostgreSQL wieder erreichbar/.test(fs.readFileSync(engine.logFile, 'utf8')), 'Erholung im Engine-Protokoll');
    const dump = await c.query<{ t: string | null }>("select string_agg(e::text, ' ') as t from engine_element_event e");
    expect(dump.rows[0].t).toContain('Task_Wait');
    expect(dump.rows[0].t).not.toMatch(/Mustermann|vertraulich/);
    const incidents = await c.query<{ t: string | null }>("select string_agg(i::text, ' ') as t from engine_incident i");
    expect(incidents.rows[0].t ?? '').not.toMatch(/Mustermann|vertraulich/);
  } finally {
    await c.end();
  }
}, 180_000);
