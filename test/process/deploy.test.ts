/**
 * Deployment on the real engine: every BPMN, DMN and form of a folder is deployed; unchanged
 * resources create no new version; a changed model creates exactly one; Camunda user-task markers
 * are removed so every user task reaches the inbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectResources, deployResources } from '../../server/camunda/deploy';
import type { Stack } from '../../server/stack';
import { FIXTURES, startTestStack } from '../support/stack';

let stack: Stack;
let dir: string;
const pid = `kim-test-deploy-${process.pid}`;

beforeAll(async () => {
  stack = await startTestStack({ workers: false, http: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-deploy-'));
  fs.mkdirSync(path.join(dir, pid));
  const src = fs.readFileSync(path.join(FIXTURES, 'processes', 'kim-test-inbox', 'kim-test-inbox.bpmn'), 'utf8');
  fs.writeFileSync(path.join(dir, pid, `${pid}.bpmn`), src.replaceAll('kim-test-inbox', pid));
  fs.copyFileSync(path.join(FIXTURES, 'processes', 'kim-test-inbox', 'test-check-first-contact.form'), path.join(dir, pid, 'test-check-first-contact.form'));
});
afterAll(async () => {
  await stack?.stop();
});

test('forms go first, unchanged resources are skipped, a change creates one new version', async () => {
  const resources = collectResources(dir);
  expect(resources.map((r) => r.kind)).toEqual(['form', 'bpmn']);

  const first = await deployResources(stack.db, stack.zeebe, resources);
  expect(first.deployed.map((d) => d.resourceId).sort()).toEqual([pid, 'test-check-first-contact'].sort());
  const v1 = first.deployed.find((d) => d.resourceId === pid)!.version;

  const second = await deployResources(stack.db, stack.zeebe, collectResources(dir));
  expect(second.deployed).toEqual([]);
  expect(second.unchanged.sort()).toEqual(resources.map((r) => r.name).sort());

  const file = path.join(dir, pid, `${pid}.bpmn`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Erstkontakt prüfen', 'Erstkontakt gründlich prüfen'));
  const third = await deployResources(stack.db, stack.zeebe, collectResources(dir));
  expect(third.deployed).toEqual([{ name: `${pid}/${pid}.bpmn`, resourceId: pid, version: v1 + 1 }]);

  const def = await stack.db.processDefinition.findFirstOrThrow({ where: { processId: pid, version: v1 + 1 } });
  expect((def.elementNames as Record<string, string>).Task_CheckFirstContact).toBe('Erstkontakt gründlich prüfen');
});
