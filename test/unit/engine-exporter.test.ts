/**
 * The KIM element exporter's configuration and the process-view state derivation, without an
 * engine: the broker's application.yaml (exporters block), the JDBC address, the source hash that
 * names the cached jar, a German message when the build fails, that the exporter never touches
 * variables, and how element events become active / completed / taken flows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { engineConfigYaml, EngineOptions, resolveJavaHome } from '../../engine/engine';
import { ensureExporterJar, EXPORTER_CLASS, EXPORTER_DIR, ExporterBuildError, exporterJarPath, exporterSourceHash, jdbcFromUrl } from '../../engine/exporter';
import type { ElementEvent, IncidentEvent } from '../../server/data/engine-history.repository';
import { elementNames, instanceState } from '../../server/domain/process-view.service';

const base: EngineOptions = { version: '8.6.0', cacheDir: '/c', dataDir: '/d', restPort: 1111, grpcPort: 2222, managementPort: 3333, heap: '1g', diskWatermark: '1GB' };
type Broker = { zeebe: { broker: { exporters: Record<string, { className: string; jarPath: string; args: Record<string, unknown> }> } } };

const tmpDirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-exporter-'));
  tmpDirs.push(d);
  return d;
};
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

test('without the exporter option the broker exports nothing', () => {
  const cfg = parse(engineConfigYaml(base)) as Broker;
  expect(cfg.zeebe.broker.exporters).toEqual({});
});

test('with the exporter option application.yaml names our class, the jar and the database arguments', () => {
  const jdbc = jdbcFromUrl('postgresql://kim:s3cr%40t%22x@db.local:5433/kim_engine?sslmode=require');
  const yaml = engineConfigYaml({ ...base, exporter: { ...jdbc, jarPath: '/cache/exporter/abc/kim-element-exporter.jar', batchSize: 50, flushIntervalMs: 100 } });
  const cfg = parse(yaml) as Broker;
  expect(Object.keys(cfg.zeebe.broker.exporters)).toEqual(['kim']);
  expect(cfg.zeebe.broker.exporters.kim).toEqual({
    className: EXPORTER_CLASS,
    jarPath: '/cache/exporter/abc/kim-element-exporter.jar',
    args: { url: 'jdbc:postgresql://db.local:5433/kim_engine?sslmode=require', user: 'kim', password: 's3cr@t"x', batchSize: 50, flushIntervalMs: 100 },
  });
  // The rest of the configuration is unchanged.
  expect(yaml).toContain('port: 2222');
});

test('a URL without user or port gets the PostgreSQL default port and no credentials', () => {
  expect(jdbcFromUrl('postgres://localhost/kim_engine_1')).toEqual({ jdbcUrl: 'jdbc:postgresql://localhost:5432/kim_engine_1', user: undefined, password: undefined });
  expect(() => jdbcFromUrl('mysql://localhost/x')).toThrow(ExporterBuildError);
});

test('the cached jar is named by a hash of the sources: a changed source gets a new folder', () => {
  const dir = tmp();
  fs.cpSync(EXPORTER_DIR, dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}target`) });
  const before = exporterSourceHash(dir);
  expect(before).toBe(exporterSourceHash(EXPORTER_DIR));
  expect(exporterJarPath('/cache', dir)).toBe(`/cache/exporter/${before}/kim-element-exporter.jar`);
  const java = path.join(dir, 'src/main/java/de/kim/exporter/ElementExporter.java');
  fs.appendFileSync(java, '\n// changed\n');
  expect(exporterSourceHash(dir)).not.toBe(before);
});

test('the exporter reads element and incident records only, never variables', () => {
  const java = fs.readFileSync(path.join(EXPORTER_DIR, 'src/main/java/de/kim/exporter/ElementExporter.java'), 'utf8');
  expect(java).not.toMatch(/getVariables|ValueType\.VARIABLE|VariableRecordValue|getPayload/);
  expect(java).toMatch(/valueType == ValueType\.PROCESS_INSTANCE \|\| valueType == ValueType\.INCIDENT/);
  expect(java).toContain('on conflict do nothing');
});

test('a build that fails names the exporter and the Maven output in German', async () => {
  const dir = tmp();
  fs.cpSync(EXPORTER_DIR, dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}target`) });
  fs.appendFileSync(path.join(dir, 'src/main/java/de/kim/exporter/ElementExporter.java'), '\nthis is not java\n');
  const cache = tmp();
  const err = await ensureExporterJar({ cacheDir: cache, javaHome: await resolveJavaHome(), sourceDir: dir }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ExporterBuildError);
  expect((err as Error).message).toMatch(/Bau des KIM-Exporters .* mit Maven fehlgeschlagen|Maven Central ist nicht erreichbar/);
  // Nothing half-built is left in the cache.
  expect(fs.existsSync(exporterJarPath(cache, dir))).toBe(false);
  expect(fs.readdirSync(path.dirname(exporterJarPath(cache, dir)))).toEqual([]);
}, 120_000);

let pos = 0;
const ev = (elementInstanceKey: string, elementId: string, elementType: string, intent: string): ElementEvent => ({
  position: String(++pos),
  elementInstanceKey,
  processInstanceKey: '100',
  processDefinitionKey: '7',
  bpmnProcessId: 'kim-x',
  version: 2,
  elementId,
  elementType,
  intent,
  parentProcessInstanceKey: '-1',
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, pos)),
});

test('element events become active and completed elements, taken flows and open incidents', () => {
  const events = [
    ev('100', 'kim-x', 'PROCESS', 'ELEMENT_ACTIVATED'),
    ev('101', 'Start', 'START_EVENT', 'ELEMENT_ACTIVATED'),
    ev('101', 'Start', 'START_EVENT', 'ELEMENT_COMPLETED'),
    ev('102', 'Flow_1', 'SEQUENCE_FLOW', 'SEQUENCE_FLOW_TAKEN'),
    ev('103', 'Task_A', 'USER_TASK', 'ELEMENT_ACTIVATED'),
    ev('103', 'Task_A', 'USER_TASK', 'ELEMENT_COMPLETED'),
    ev('104', 'Flow_Back', 'SEQUENCE_FLOW', 'SEQUENCE_FLOW_TAKEN'),
    // A loop: Task_A runs again; the second run is active although the first completed.
    ev('105', 'Task_A', 'USER_TASK', 'ELEMENT_ACTIVATED'),
    ev('106', 'Timer', 'BOUNDARY_EVENT', 'ELEMENT_ACTIVATED'),
    ev('106', 'Timer', 'BOUNDARY_EVENT', 'ELEMENT_TERMINATED'),
    ev('107', 'Task_B', 'SERVICE_TASK', 'ELEMENT_ACTIVATED'),
  ];
  const incidents: IncidentEvent[] = [
    { incidentKey: '900', intent: 'CREATED', processInstanceKey: '100', elementId: 'Task_B', elementInstanceKey: '107', errorType: 'JOB_NO_RETRIES', errorMessage: 'Keine Wiederholungen mehr', at: new Date() },
    { incidentKey: '901', intent: 'CREATED', processInstanceKey: '100', elementId: 'Task_A', elementInstanceKey: '103', errorType: 'IO_MAPPING_ERROR', errorMessage: 'x', at: new Date() },
    { incidentKey: '901', intent: 'RESOLVED', processInstanceKey: '100', elementId: 'Task_A', elementInstanceKey: '103', errorType: 'IO_MAPPING_ERROR', errorMessage: 'x', at: new Date() },
  ];
  const s = instanceState(events, incidents);
  expect(s.state).toBe('ACTIVE');
  expect(s.active.sort()).toEqual(['Task_A', 'Task_B']);
  expect(s.completed.sort()).toEqual(['Start', 'Task_A']);
  expect(s.takenFlows.sort()).toEqual(['Flow_1', 'Flow_Back']);
  expect(s.incidents.map((i) => i.incidentKey)).toEqual(['900']);
  expect(s.definition).toMatchObject({ bpmnProcessId: 'kim-x', version: 2, processDefinitionKey: '7' });
  expect(s.endedAt).toBeNull();

  const ended = instanceState([...events, ev('107', 'Task_B', 'SERVICE_TASK', 'ELEMENT_TERMINATED'), ev('105', 'Task_A', 'USER_TASK', 'ELEMENT_TERMINATED'), ev('100', 'kim-x', 'PROCESS', 'ELEMENT_TERMINATED')], incidents);
  expect(ended.state).toBe('TERMINATED');
  expect(ended.active).toEqual([]);
  expect(ended.incidents).toEqual([]);
  expect(ended.endedAt).toBeInstanceOf(Date);
});

test('element names come from the model, entities decoded', () => {
  const names = elementNames(
    '<bpmn:process id="p" name="Prozess"><bpmn:userTask id="Task_A" name="Einwilligung &amp; Daten&#10;prüfen" /><bpmn:startEvent name="Start" id="Start" /><bpmn:sequenceFlow id="F" sourceRef="Start" targetRef="Task_A" /></bpmn:process>',
  );
  expect(names.get('Task_A')).toBe('Einwilligung & Daten prüfen');
  expect(names.get('Start')).toBe('Start');
  expect(names.get('p')).toBe('Prozess');
  expect(names.has('F')).toBe(false);
});
