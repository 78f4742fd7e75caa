/**
 * `npm run lint` is part of the suite: ESLint over the whole code base and bpmnlint (Camunda Modeler
 * rules + camunda-compat for Camunda Platform 7.24 + the engine checks) over every model under
 * processes/ must report no error.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../server/config';

const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

test('ESLint reports no error in the code base', () => {
  const r = spawnSync(bin('eslint'), ['.', '--format', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const results = JSON.parse(r.stdout) as Array<{ filePath: string; errorCount: number; messages: Array<{ line: number; ruleId: string; message: string }> }>;
  const errors = results.filter((f) => f.errorCount > 0).flatMap((f) => f.messages.map((m) => `${path.relative(ROOT, f.filePath)}:${m.line} ${m.ruleId}: ${m.message}`));
  expect(errors).toEqual([]);
  expect(results.length).toBeGreaterThan(50);
});

test('every process model passes bpmnlint with the Camunda 7 rules and the engine checks', () => {
  const r = spawnSync(bin('tsx'), ['scripts/lint-bpmn.ts', 'processes'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stdout).toMatch(/BPMN-Prüfung: [1-9]\d* Modell\(e\), 0 Fehler/);
  expect(r.status).toBe(0);
});
