/**
 * Operaton's cluster model: several engine nodes on one PostgreSQL. Two engine JVMs run on the same
 * database, each with the product's worker runtime fetching from it; one node is killed while its
 * worker holds locked external tasks. After the locks expire the other node's worker does them
 * again: every instance ends, none is lost, and the side effect (a row behind a unique business
 * key, as the product's handlers write them) exists exactly once per instance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Pool } from 'pg';
import { jdbcTarget, LocalEngine } from '../../engine/engine';
import { createOperatonEngine } from '../../server/engine';
import { dropDatabase, withDatabase } from '../../server/db/postgres';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/util/log';
import { freePort, waitFor } from '../../server/util/ports';
import { complete, WorkerDefinition, WorkerRuntime } from '../../workers/runtime';

const until = <T>(check: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 30_000) => waitFor(check, { timeoutMs, intervalMs: 100, what });

const TOPIC = 'kim.test-cluster';
const N = 24;
const MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Cluster" targetNamespace="http://kim.nrw/test">
  <bpmn:process id="kim-test-cluster" name="Cluster-Test" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="StartEvent_Cluster"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Cluster" targetRef="Task_SideEffect" />
    <bpmn:serviceTask id="Task_SideEffect" name="Nebenwirkung" camunda:type="external" camunda:topic="${TOPIC}"><bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_SideEffect" targetRef="EndEvent_Cluster" />
    <bpmn:endEvent id="EndEvent_Cluster"><bpmn:incoming>Flow_2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>`;

const base = process.env.KIM_TEST_PG_BASE_URL!;
const dbName = `${process.env.KIM_TEST_DB_NAME}_cluster`;
const runDir = path.join(process.env.KIM_TEST_RUN_DIR ?? '.data/test', 'cluster');
const nodes: LocalEngine[] = [];
const runtimes: Array<WorkerRuntime<unknown>> = [];
let db: Pool;

beforeAll(async () => {
  const admin = new Client({ connectionString: withDatabase(base, 'postgres') });
  await admin.connect();
  await admin.query(`drop database if exists "${dbName}"`);
  await admin.query(`create database "${dbName}" template "${process.env.KIM_TEST_DB_NAME}_tpl"`);
  await admin.end();
  db = new Pool({ connectionString: withDatabase(base, dbName), max: 4 });
  await db.query('create table cluster_effect (instance_key text primary key, node text not null)');
  const cfg = loadConfig({ ...process.env, NODE_ENV: 'test' });
  for (const name of ['a', 'b']) {
    nodes.push(
      new LocalEngine({
        cacheDir: cfg.KIM_CACHE_DIR,
        dataDir: path.join(runDir, name),
        port: await freePort(),
        heap: '384m',
        database: jdbcTarget(withDatabase(base, dbName)),
        jobMaxWaitMs: 500,
      }),
    );
  }
  fs.mkdirSync(runDir, { recursive: true });
  await Promise.all(nodes.map((n) => n.start()));
}, 240_000);

afterAll(async () => {
  for (const r of runtimes) await r.stop().catch(() => undefined);
  for (const n of nodes) await n.stop().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await dropDatabase(base, dbName).catch(() => undefined);
});

test('two engine nodes on one database; one dies holding locked tasks: every task done, each side effect once', async () => {
  const [a, b] = nodes.map((n) => createOperatonEngine({ url: n.url }));
  await a.deployer.deploy('duisburg', 'kim-test-cluster', [{ name: 'kim-test-cluster.bpmn', content: Buffer.from(MODEL) }]);

  const calls: Record<'a' | 'b', string[]> = { a: [], b: [] };
  let releaseA!: () => void;
  const aKilled = new Promise<void>((r) => (releaseA = r));
  const effect = async (node: 'a' | 'b', instance: string) => {
    calls[node].push(instance);
    // The product's idempotent side effect: a business key behind a unique constraint.
    await db.query('insert into cluster_effect (instance_key, node) values ($1, $2) on conflict (instance_key) do nothing', [instance, node]);
  };
  const def = (node: 'a' | 'b'): WorkerDefinition<unknown> => ({
    type: TOPIC,
    timeoutMs: 3000,
    maxParallel: node === 'a' ? 4 : 8,
    handler: async (job) => {
      await effect(node, job.processInstanceKey);
      // Node a's worker keeps its tasks until its engine is dead: their completion is lost.
      if (node === 'a') await aKilled;
      return complete();
    },
  });
  const log = createLogger('silent');
  const ra = new WorkerRuntime(a.work, {}, log, { workerId: 'worker-a', asyncResponseTimeoutMs: 2000, fetchBackoffMs: { min: 200, max: 1000 } });
  const rb = new WorkerRuntime(b.work, {}, log, { workerId: 'worker-b', asyncResponseTimeoutMs: 2000 });
  runtimes.push(ra, rb);
  ra.start([def('a')]);

  // Instances are started through both nodes.
  const started: string[] = [];
  for (let i = 0; i < N; i++) started.push((await (i % 2 ? b : a).runtime.start('kim-test-cluster', 'duisburg', { nr: i })).processInstanceKey);
  await until(async () => calls.a.length >= 4, 'Knoten a hält gesperrte Aufgaben');
  rb.start([def('b')]);
  await until(async () => calls.b.length >= 4, 'Knoten b arbeitet');

  nodes[0].kill();
  releaseA();

  // Everything ends on node b; history of the shared database knows every instance as finished.
  await until(
    async () => {
      const r = await db.query("select count(*)::int as n from engine.act_hi_procinst where proc_def_key_ = 'kim-test-cluster' and end_time_ is not null");
      return r.rows[0].n === N;
    },
    'alle Instanzen beendet',
    60_000,
  );
  const running = await db.query("select count(*)::int as n from engine.act_ru_execution where proc_def_id_ like 'kim-test-cluster:%'");
  expect(running.rows[0].n).toBe(0);
  const effects = await db.query('select instance_key from cluster_effect order by instance_key');
  expect(effects.rows.map((r) => r.instance_key)).toEqual([...started].sort());
  // Node a's tasks really ran twice (their first completion died with the node) – the side effect did not.
  const redone = calls.a.filter((k) => calls.b.includes(k));
  expect(redone.length).toBeGreaterThan(0);
  const incidents = await db.query('select count(*)::int as n from engine.act_ru_incident');
  expect(incidents.rows[0].n).toBe(0);
}, 180_000);
