/**
 * /api/models on the real engine and database: drafts per commune with optimistic locking (409 on a
 * stale save, nothing overwritten), the server check (lint + project rules) blocking the release, the
 * four-eyes rule, deployment of the approved draft as the commune's variant (new instances of that
 * commune get the new version, the other commune keeps its own), migration of running instances with
 * the engine's migration (running counts follow), incidents of a worker's step with retry, and
 * permissions.
 */
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { cleanupModeler, ensureSecondCoordinator, flaky, MODELER_FIXTURES, modelerTestWorkers } from '../support/modeler';
import { login, Session, startTestStack, until } from '../support/stack';

let stack: Stack;
let koord: Session;
let koord2: Session;
let cm: Session;
const P = '/api/models/kim-test-modeler';
/** Versions are counted from the one this file starts on. */
let base = 0;

interface Draft {
  xml: string;
  revision: number;
  status: string;
}
interface Problem {
  title: string;
  errors?: Record<string, string>;
}

beforeAll(async () => {
  stack = await startTestStack({ processesDir: MODELER_FIXTURES, workerDefs: [...registry, ...modelerTestWorkers] });
  await ensureSecondCoordinator(stack);
  await cleanupModeler(stack);
  [koord, koord2, cm] = await Promise.all([login(stack.url, 'koord.duisburg'), login(stack.url, 'koord2.duisburg'), login(stack.url, 'cm.duisburg')]);
}, 180_000);
afterAll(async () => {
  if (stack) await cleanupModeler(stack);
  await stack?.stop();
});

test('processes are listed with versions and the instance signal; case managers read, but reach no draft API', async () => {
  const list = (await (await koord.get('/api/models')).json()) as Array<{ processId: string; versions: Array<{ version: number; processDefinitionKey: string; comment: string | null }>; draft: unknown }>;
  const p = list.find((x) => x.processId === 'kim-test-modeler')!;
  expect(p.versions[0]).toMatchObject({ comment: 'Mit der Anwendung ausgeliefert (beim Start bereitgestellt)' });
  base = p.versions[0].version;
  expect(base).toBeGreaterThanOrEqual(1);
  expect(p.draft).toBeNull();
  expect((await cm.get('/api/models')).status).toBe(200);
  for (const r of [cm.get(`${P}/draft`), cm.post(`${P}/draft`), cm.put(`${P}/draft`, { xml: '<x/>', revision: 1 }), cm.get('/api/models/element-templates'), cm.post(`${P}/draft/check`, {})]) {
    const res = await r;
    expect(res.status).toBe(403);
    expect(((await res.json()) as Problem).title).toBe('Nur Koordinierende der Kommune dürfen Prozessmodelle bearbeiten und freigeben.');
  }
  // Mettmann has its own variant of the process (deployed for its tenant at start).
  const mettmann = await login(stack.url, 'koord.mettmann');
  expect((await mettmann.get(`${P}/draft`)).status).toBe(404);
  const theirs = (await (await mettmann.get(P)).json()) as { versions: Array<{ processDefinitionKey: string; kommuneId: string }> };
  expect(theirs.versions.every((v) => v.kommuneId === 'mettmann')).toBe(true);
  expect(theirs.versions.map((v) => v.processDefinitionKey)).not.toContain(p.versions[0].processDefinitionKey);
});

test('element templates: one Camunda 7 template per worker topic (external service task), with German names', async () => {
  const t = (await (await koord.get('/api/models/element-templates')).json()) as Array<{ name: string; appliesTo: string[]; properties: Array<{ value?: string; binding: { name?: string } }> }>;
  const send = t.find((x) => x.properties.some((p) => p.value === 'kim.send-referral'));
  expect(send?.name).toBe('Vermittlung senden');
  expect(send?.appliesTo).toEqual(['bpmn:ServiceTask']);
  expect(send?.properties).toEqual(
    expect.arrayContaining([expect.objectContaining({ value: 'external', binding: expect.objectContaining({ name: 'camunda:type' }) }), expect.objectContaining({ value: 'kim.send-referral', binding: expect.objectContaining({ name: 'camunda:topic' }) })]),
  );
});

test('drafts: one per commune and process; a stale save gets 409 in German and overwrites nothing', async () => {
  const created = await koord.post(`${P}/draft`);
  expect(created.status).toBe(201);
  const d = (await created.json()) as Draft;
  expect(d.revision).toBe(1);
  expect(d.xml).toContain('Anfrage prüfen');
  expect((await koord2.post(`${P}/draft`)).status).toBe(409);

  const mine = d.xml.replace('name="Anfrage prüfen"', 'name="Anfrage gründlich prüfen"');
  const saved = await koord.put(`${P}/draft`, { xml: mine, revision: 1 });
  expect(saved.status).toBe(200);
  expect(((await saved.json()) as Draft).revision).toBe(2);

  const stale = await koord2.put(`${P}/draft`, { xml: d.xml.replace('Anfrage prüfen', 'Etwas anderes'), revision: 1 });
  expect(stale.status).toBe(409);
  expect(((await stale.json()) as Problem).title).toMatch(/^Der Entwurf wurde inzwischen von koord\.duisburg geändert .*nicht gespeichert/);
  const now = (await (await koord2.get(`${P}/draft`)).json()) as Draft;
  expect(now.xml).toContain('Anfrage gründlich prüfen');
  expect(now.revision).toBe(2);
});

test('check: an unknown topic and generated ids are errors with element id and German message; errors block the submit', async () => {
  const d = (await (await koord.get(`${P}/draft`)).json()) as Draft;
  const bad = d.xml.replace('camunda:topic="kim.test-after"', 'camunda:topic="kim.gibt-es-nicht"').replace(/Task_CheckRequest/g, 'Activity_0abc123');
  const check = (await (await koord.post(`${P}/draft/check`, { xml: bad })).json()) as { ok: boolean; errors: Array<{ elementId: string; message: string }> };
  expect(check.ok).toBe(false);
  expect(check.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ elementId: 'Task_After', message: expect.stringContaining('kim.gibt-es-nicht') }),
      expect.objectContaining({ elementId: 'Activity_0abc123', message: expect.stringContaining('hat der Modeler erzeugt') }),
    ]),
  );
  const saved = (await (await koord.put(`${P}/draft`, { xml: bad, revision: d.revision })).json()) as Draft;
  const submit = await koord.post(`${P}/draft/submit`, { comment: 'Test' });
  expect(submit.status).toBe(422);
  const problem = (await submit.json()) as Problem;
  expect(problem.title).toMatch(/kann nicht freigegeben werden/);
  expect(problem.errors?.Task_After).toContain('kim.gibt-es-nicht');
  // Back to the good model.
  await koord.put(`${P}/draft`, { xml: d.xml, revision: saved.revision });
  const ok = (await (await koord.post(`${P}/draft/check`, {})).json()) as { ok: boolean; errors: unknown[] };
  expect(ok.errors).toEqual([]);
});

test('four eyes: the author cannot approve; a second coordinator approves, the commune\'s variant is deployed; new instances get it; old ones migrate', async () => {
  const mettmann = await login(stack.url, 'koord.mettmann');
  const mettmannBefore = (await (await mettmann.get(P)).json()) as { latestVersion: number };
  // An instance on the current version, waiting at the user task.
  const old = await stack.engine.runtime.start('kim-test-modeler', 'duisburg', { kommuneId: 'duisburg', caseId: 'api-old' });
  const oldKey = old.processInstanceKey;
  await until(() => stack.db.task.findFirst({ where: { processInstanceKey: oldKey } }), 'Aufgabe v1');

  const sub = await koord.post(`${P}/draft/submit`, { comment: 'Aufgabe klarer benannt' });
  expect(sub.status).toBe(200);
  expect(((await sub.json()) as Draft).status).toBe('in_review');
  const self = await koord.post(`${P}/draft/approve`, { comment: 'passt' });
  expect(self.status).toBe(403);
  expect(((await self.json()) as Problem).title).toMatch(/^Vier-Augen-Prinzip/);
  expect((await koord2.post(`${P}/draft/approve`, {})).status).toBe(400);
  const ap = await koord2.post(`${P}/draft/approve`, { comment: 'Geprüft, Name verständlicher' });
  expect(ap.status).toBe(201);
  const rel = (await ap.json()) as { version: number; processDefinitionKey: string };
  expect(rel.version).toBe(base + 1);
  expect((await koord.get(`${P}/draft`)).status).toBe(404);
  // The release is Duisburg's variant: deployed with Duisburg's tenant id only.
  expect((await stack.engine.watch.definitions('duisburg', 'kim-test-modeler')).map((d) => d.version)).toEqual([base + 1, base]);
  expect((await stack.engine.watch.definitions('mettmann', 'kim-test-modeler')).map((d) => d.version)).toEqual([mettmannBefore.latestVersion]);
  expect(((await (await mettmann.get(P)).json()) as { latestVersion: number }).latestVersion).toBe(mettmannBefore.latestVersion);

  const p = (await (await koord.get(P)).json()) as { versions: Array<{ version: number; deployedBy: string; authoredBy: string; comment: string; openInstances: number; runningInstances: number }> };
  expect(p.versions[0]).toMatchObject({ version: base + 1, deployedBy: 'koord2.duisburg', authoredBy: 'koord.duisburg', comment: 'Geprüft, Name verständlicher' });
  expect(p.versions[1]).toMatchObject({ version: base, openInstances: 1, runningInstances: 1 });

  const fresh = await stack.engine.runtime.start('kim-test-modeler', 'duisburg', { kommuneId: 'duisburg', caseId: 'api-new' });
  expect(fresh.version).toBe(base + 1);
  const t = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: fresh.processInstanceKey } }), 'Aufgabe v2');
  expect(t.name).toBe('Anfrage gründlich prüfen');
  expect(t.processVersion).toBe(base + 1);
  // The form was deployed along with the model: the task of the new version finds it.
  expect(await stack.engine.tasks.deployedForm(t.id)).toMatchObject({ id: 'test-check-request' });
  const mettmannStart = await stack.engine.runtime.start('kim-test-modeler', 'mettmann', { kommuneId: 'mettmann', caseId: 'api-me' });
  expect(mettmannStart.version).toBe(mettmannBefore.latestVersion);

  // Heatmap of the old version (the engine's statistics): the old instance waits at the user task.
  const v1 = (await (await cm.get(`${P}/versions/${base}`)).json()) as { heatmap: Record<string, number>; runningInstances: number; xml: string };
  expect(v1).toMatchObject({ heatmap: { Task_CheckRequest: 1 }, runningInstances: 1 });
  expect(v1.xml).toContain('name="Anfrage prüfen"');

  const preview = (await (await koord.get(`${P}/migration?from=${base}&to=${base + 1}`)).json()) as {
    instances: Array<{ processInstanceKey: string; migratable: boolean; elements: string[] }>;
    mappings: unknown[];
  };
  expect(preview.instances).toEqual([expect.objectContaining({ processInstanceKey: oldKey, migratable: true, elements: ['Task_CheckRequest'] })]);
  expect(preview.mappings).toEqual(expect.arrayContaining([{ sourceElementId: 'Task_CheckRequest', targetElementId: 'Task_CheckRequest' }]));
  const mig = (await (await koord.post(`${P}/migration`, { from: base, to: base + 1 })).json()) as { results: Array<{ processInstanceKey: string; migrated: boolean; message?: string }> };
  expect(mig.results).toEqual([expect.objectContaining({ processInstanceKey: oldKey, migrated: true })]);
  expect((await stack.db.task.findFirstOrThrow({ where: { processInstanceKey: oldKey } })).processVersion).toBe(base + 1);
  // The engine runs the migrated instance on the new version now.
  const moved = (await (await koord.get(P)).json()) as { versions: Array<{ version: number; runningInstances: number }> };
  const at = (v: number) => moved.versions.find((x) => x.version === v)?.runningInstances;
  expect([at(base), at(base + 1)]).toEqual([0, 2]);
  for (const k of [oldKey, fresh.processInstanceKey, mettmannStart.processInstanceKey]) await stack.engine.runtime.cancel(k);
});

test('incidents: a worker\'s step failing with no retries left is listed with its step name; retry runs it again after the cause is fixed', async () => {
  flaky.healthy = false;
  const r = await stack.engine.runtime.start('kim-test-incident', 'duisburg', { kommuneId: 'duisburg' });
  const pik = r.processInstanceKey;
  const row = await until(async () => {
    const list = (await (await koord.get('/api/models/kim-test-incident/incidents')).json()) as Array<{ id: string; processInstanceKey: string }>;
    return list.find((i) => i.processInstanceKey === pik);
  }, 'Vorfall der Engine gelistet');
  expect(row).toMatchObject({
    type: 'failedExternalTask',
    elementId: 'Task_Flaky',
    elementName: 'Unzuverlässiger Schritt',
    message: 'Partnersystem nicht erreichbar (Test)',
    state: 'open',
    processVersion: 1,
  });
  const model = (await (await koord.get('/api/models/kim-test-incident')).json()) as { versions: Array<{ incidents: number; runningInstances: number }> };
  expect(model.versions[0]).toMatchObject({ incidents: 1, runningInstances: 1 });
  expect((await cm.get('/api/models/kim-test-incident/incidents')).status).toBe(403);
  expect((await cm.post(`/api/models/kim-test-incident/incidents/${row.id}/retry`)).status).toBe(403);
  // Unknown ids are 404, not 500.
  expect((await koord.post('/api/models/kim-test-incident/incidents/nicht-da/retry')).status).toBe(404);

  flaky.healthy = true;
  const before = flaky.completed;
  const retry = await koord.post(`/api/models/kim-test-incident/incidents/${row.id}/retry`);
  expect(retry.status).toBe(200);
  expect((await retry.json()) as { state: string; retriedBy: string }).toMatchObject({ state: 'retried', retriedBy: 'koord.duisburg' });
  await until(async () => flaky.completed > before, 'Schritt nach Wiederholung erledigt');
  await until(async () => !(await stack.engine.runtime.isRunning(pik)), 'Instanz nach der Wiederholung beendet');
  const again = await koord.post(`/api/models/kim-test-incident/incidents/${row.id}/retry`);
  expect(again.status).toBe(409);
  expect(((await again.json()) as Problem).title).toMatch(/bereits erledigt/);
  const audit = await stack.db.auditLog.findFirst({ where: { action: 'model.incident.retry', entityId: row.id } });
  expect(audit).toMatchObject({ username: 'koord.duisburg', kommuneId: 'duisburg', entity: 'Incident' });
});
