/**
 * Deployment on the real engine, per commune (engine tenant): every BPMN and form of a folder is
 * deployed for every commune; unchanged resources create no new version; a changed model creates
 * exactly one per commune and brings along the forms it links (the engine finds a task's form in its
 * process's deployment); deploying for one commune leaves the other's variant alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectResources, deployResources } from '../../server/engine/deploy';
import type { Stack } from '../../server/stack';
import { FIXTURES, startTestStack, until } from '../support/stack';

let stack: Stack;
let dir: string;
const pid = `kim-test-deploy-${process.pid}`;
const FORM = 'test-check-first-contact';

beforeAll(async () => {
  stack = await startTestStack({ workers: false, http: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-deploy-'));
  fs.mkdirSync(path.join(dir, pid, 'forms'), { recursive: true });
  const src = fs.readFileSync(path.join(FIXTURES, 'processes', 'kim-test-inbox', 'kim-test-inbox.bpmn'), 'utf8');
  fs.writeFileSync(path.join(dir, pid, `${pid}.bpmn`), src.replaceAll('kim-test-inbox', pid));
  fs.copyFileSync(path.join(FIXTURES, 'processes', 'kim-test-inbox', `${FORM}.form`), path.join(dir, pid, 'forms', `${FORM}.form`));
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const versions = async (tenantId: string) => (await stack.engine.watch.definitions(tenantId, pid)).map((d) => d.version);

/** Starts the commune's latest version (it waits at the worker's first step) and cancels it again. */
async function startAndCancel(tenantId: string) {
  const started = await stack.engine.runtime.start(pid, tenantId, { kommuneId: tenantId });
  await stack.engine.runtime.cancel(started.processInstanceKey);
  return started;
}

test('forms go first; every commune gets the resources; unchanged ones are skipped; a change creates one new version per commune with its form', async () => {
  const communes = (await stack.db.kommune.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((k) => k.id);
  expect(communes).toEqual(expect.arrayContaining(['duisburg', 'mettmann']));
  const resources = collectResources(dir);
  expect(resources.map((r) => [r.kind, r.name])).toEqual([
    ['form', `${pid}/forms/${FORM}.form`],
    ['bpmn', `${pid}/${pid}.bpmn`],
  ]);

  const first = await deployResources(stack.db, stack.engine.deployer, resources);
  for (const k of communes) {
    expect(first.deployed.filter((d) => d.tenantId === k).map((d) => d.resourceId).sort()).toEqual([FORM, pid].sort());
    expect(await versions(k)).toEqual([1]);
  }
  const v1 = first.deployed.find((d) => d.tenantId === 'duisburg' && d.resourceId === pid)!;
  const def1 = await stack.db.processDefinition.findUniqueOrThrow({ where: { key: v1.key } });
  expect(def1).toMatchObject({ processId: pid, version: 1, tenantId: 'duisburg' });
  expect(await stack.db.processSource.findUniqueOrThrow({ where: { processDefinitionKey: v1.key } })).toMatchObject({ tenantId: 'duisburg', version: 1 });
  expect(await stack.db.formSchema.count({ where: { formId: FORM, tenantId: { in: communes } } })).toBe(communes.length);

  const second = await deployResources(stack.db, stack.engine.deployer, collectResources(dir));
  expect(second.deployed).toEqual([]);
  expect(second.unchanged).toHaveLength(resources.length * communes.length);

  const file = path.join(dir, pid, `${pid}.bpmn`);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Erstkontakt prüfen', 'Erstkontakt gründlich prüfen'));
  const third = await deployResources(stack.db, stack.engine.deployer, collectResources(dir));
  for (const k of communes) {
    const mine = third.deployed.filter((d) => d.tenantId === k);
    // The unchanged form is deployed along (same version): the new process finds it in its deployment.
    expect(mine.map((d) => [d.resourceId, d.version]).sort()).toEqual([[FORM, 1], [pid, 2]].sort());
    expect(await versions(k)).toEqual([2, 1]);
  }
  const v2 = third.deployed.find((d) => d.tenantId === 'mettmann' && d.resourceId === pid)!;
  const def2 = await stack.db.processDefinition.findUniqueOrThrow({ where: { key: v2.key } });
  expect(def2).toMatchObject({ tenantId: 'mettmann', version: 2 });
  expect((def2.elementNames as Record<string, string>).Task_CheckFirstContact).toBe('Erstkontakt gründlich prüfen');
  const form = await stack.db.formSchema.findUniqueOrThrow({ where: { formKey: `${def2.deploymentId}:${FORM}` } });
  expect(form).toMatchObject({ tenantId: 'mettmann', version: 1 });

  // A new instance of each commune runs its commune's latest version.
  for (const k of communes) expect(await startAndCancel(k)).toMatchObject({ bpmnProcessId: pid, version: 2, tenantId: k });
});

test('a change deployed for one commune leaves the other commune on its version; the task of the new version gets its form', async () => {
  const file = path.join(dir, pid, `${pid}.bpmn`);
  // Without the worker step, so the instance reaches its user task at once.
  const xml = fs
    .readFileSync(file, 'utf8')
    .replace('Erstkontakt gründlich prüfen', 'Erstkontakt in Duisburg prüfen')
    .replace('targetRef="Task_Prepare"', 'targetRef="Task_CheckFirstContact"');
  fs.writeFileSync(file, xml.replace(/\s*<bpmn:sequenceFlow id="Flow_2"[^>]*\/>/, '').replace(/\s*<bpmn:serviceTask id="Task_Prepare"[^>]*\/>/, ''));
  const r = await deployResources(stack.db, stack.engine.deployer, collectResources(dir), { tenants: ['duisburg'] });
  expect(r.deployed.every((d) => d.tenantId === 'duisburg')).toBe(true);
  expect(await versions('duisburg')).toEqual([3, 2, 1]);
  expect(await versions('mettmann')).toEqual([2, 1]);

  const started = await stack.engine.runtime.start(pid, 'duisburg', { kommuneId: 'duisburg' });
  expect(started.version).toBe(3);
  const task = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: started.processInstanceKey, state: 'CREATED' } }), 'Benutzeraufgabe der Version 3');
  expect(task).toMatchObject({ name: 'Erstkontakt in Duisburg prüfen', kommuneId: 'duisburg', formKey: FORM });
  expect(await stack.engine.tasks.deployedForm(task.id)).toMatchObject({ id: FORM });
  await stack.engine.runtime.cancel(started.processInstanceKey);
});
