/**
 * /api/models (issue 7) on the real engine and database: drafts per commune with optimistic locking
 * (409 on a stale save, nothing overwritten), the server check (lint + project rules) blocking the
 * release, the four-eyes rule, deployment of the approved draft (new instances get the new version),
 * migration of instances known from the Task projection (running counts follow the migration in the
 * engine history), incidents with their engine key and retry, and permissions.
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
/** The engine is shared by the whole suite: versions are counted from the one this file starts on. */
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
  const list = (await (await koord.get('/api/models')).json()) as Array<{ processId: string; versions: Array<{ version: number; comment: string | null }>; draft: unknown }>;
  const p = list.find((x) => x.processId === 'kim-test-modeler')!;
  expect(p.versions[0]).toMatchObject({ comment: 'Bereitstellung aus processes/ beim Start' });
  base = p.versions[0].version;
  expect(base).toBeGreaterThanOrEqual(1);
  expect(p.draft).toBeNull();
  expect((await cm.get('/api/models')).status).toBe(200);
  for (const r of [cm.get(`${P}/draft`), cm.post(`${P}/draft`), cm.put(`${P}/draft`, { xml: '<x/>', revision: 1 }), cm.get('/api/models/element-templates'), cm.post(`${P}/draft/check`, {})]) {
    const res = await r;
    expect(res.status).toBe(403);
    expect(((await res.json()) as Problem).title).toBe('Nur Koordinierende der Kommune dürfen Prozessmodelle bearbeiten und freigeben.');
  }
  const mettmann = await login(stack.url, 'koord.mettmann');
  expect((await mettmann.get(`${P}/draft`)).status).toBe(404);
});

test('element templates: one per job type of a worker, with German names', async () => {
  const t = (await (await koord.get('/api/models/element-templates')).json()) as Array<{ name: string; properties: Array<{ value?: string }> }>;
  const send = t.find((x) => x.properties.some((p) => p.value === 'kim.send-referral'));
  expect(send?.name).toBe('Vermittlung senden');
  expect(t.some((x) => x.properties.some((p) => p.value === 'kim.inbox-sync'))).toBe(false);
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

test('check: an unknown job type and generated ids are errors with element id and German message; errors block the submit', async () => {
  const d = (await (await koord.get(`${P}/draft`)).json()) as Draft;
  const bad = d.xml.replace('type="kim.test-after"', 'type="kim.gibt-es-nicht"').replace(/Task_CheckRequest/g, 'Activity_0abc123');
  const check = (await (await koord.post(`${P}/draft/check`, { xml: bad })).json()) as { ok: boolean; errors: Array<{ elementId: string; message: string }> };
  expect(check.ok).toBe(false);
  expect(check.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ elementId: 'Task_After', message: expect.stringContaining('Unbekannter Job-Typ „kim.gibt-es-nicht“') }),
      expect.objectContaining({ elementId: 'Activity_0abc123', message: expect.stringContaining('hat der Modeler erzeugt') }),
    ]),
  );
  const saved = (await (await koord.put(`${P}/draft`, { xml: bad, revision: d.revision })).json()) as Draft;
  const submit = await koord.post(`${P}/draft/submit`, { comment: 'Test' });
  expect(submit.status).toBe(422);
  const problem = (await submit.json()) as Problem;
  expect(problem.title).toMatch(/kann nicht freigegeben werden/);
  expect(problem.errors?.Task_After).toContain('Unbekannter Job-Typ');
  // Back to the good model.
  await koord.put(`${P}/draft`, { xml: d.xml, revision: saved.revision });
  const ok = (await (await koord.post(`${P}/draft/check`, {})).json()) as { ok: boolean; errors: unknown[] };
  expect(ok.errors).toEqual([]);
});

test('four eyes: the author cannot approve; a second coordinator approves, the server deploys; new instances get the new version; old ones migrate', async () => {
  // An instance on version 1, waiting at the user task.
  const old = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-modeler', variables: { kommuneId: 'duisburg', caseId: 'api-old' } });
  const oldKey = String(old.processInstanceKey);
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

  const p = (await (await koord.get(P)).json()) as { versions: Array<{ version: number; deployedBy: string; authoredBy: string; comment: string; openInstances: number }> };
  expect(p.versions[0]).toMatchObject({ version: base + 1, deployedBy: 'koord2.duisburg', authoredBy: 'koord.duisburg', comment: 'Geprüft, Name verständlicher' });
  expect(p.versions[1]).toMatchObject({ version: base, openInstances: 1 });

  const fresh = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-modeler', variables: { kommuneId: 'duisburg', caseId: 'api-new' } });
  const t = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: String(fresh.processInstanceKey) } }), 'Aufgabe v2');
  expect(t.name).toBe('Anfrage gründlich prüfen');
  expect(t.processVersion).toBe(base + 1);

  // Heatmap of version 1 (engine history): the old instance waits at the user task.
  const v1 = await until(async () => {
    const r = (await (await cm.get(`${P}/versions/${base}`)).json()) as { heatmap: Record<string, number>; runningInstances: number; watchSource: string };
    return r.heatmap.Task_CheckRequest === 1 ? r : null;
  }, 'Heatmap der Version 1');
  expect(v1).toMatchObject({ heatmap: { Task_CheckRequest: 1 }, runningInstances: 1, watchSource: 'engine' });

  const preview = (await (await koord.get(`${P}/migration?from=${base}&to=${base + 1}`)).json()) as { instances: Array<{ processInstanceKey: string; migratable: boolean }>; mappings: unknown[] };
  expect(preview.instances).toEqual([expect.objectContaining({ processInstanceKey: oldKey, migratable: true, elements: ['Task_CheckRequest'] })]);
  expect(preview.mappings).toEqual(expect.arrayContaining([{ sourceElementId: 'Task_CheckRequest', targetElementId: 'Task_CheckRequest' }]));
  const mig = (await (await koord.post(`${P}/migration`, { from: base, to: base + 1 })).json()) as { results: Array<{ migrated: boolean; message?: string }> };
  expect(mig.results).toEqual([expect.objectContaining({ migrated: true })]);
  expect((await stack.db.task.findFirstOrThrow({ where: { processInstanceKey: oldKey } })).processVersion).toBe(base + 1);
  // The engine history re-labels the migrated instance: it runs on the new version now.
  const moved = await until(async () => {
    const m = (await (await koord.get(P)).json()) as { versions: Array<{ version: number; runningInstances: number }> };
    const at = (v: number) => m.versions.find((x) => x.version === v)?.runningInstances;
    return at(base) === 0 && at(base + 1) === 2 ? m : null;
  }, 'laufende Instanzen nach der Migration in Version 2');
  expect(moved.versions[0]).toMatchObject({ version: base + 1, runningInstances: 2 });
});

test('incidents: a job failing with no retries left is recorded; retry re-runs the element after the cause is fixed', async () => {
  flaky.healthy = false;
  const r = await stack.zeebe.createProcessInstance({ bpmnProcessId: 'kim-test-incident', variables: {} });
  const pik = String(r.processInstanceKey);
  const inc = await until(() => stack.db.incident.findFirst({ where: { processInstanceKey: pik } }), 'Vorfall erfasst');
  expect(inc).toMatchObject({ elementId: 'Task_Flaky', jobType: 'kim.test-flaky', message: 'Partnersystem nicht erreichbar (Test)', state: 'open' });
  // The engine's incident (with its key) and the runtime's row are one entry, under the runtime's id.
  const row = await until(async () => {
    const list = (await (await koord.get('/api/models/kim-test-incident/incidents')).json()) as Array<{ id: string; incidentKey: string | null; source: string }>;
    return list.find((i) => i.id === inc.id && i.incidentKey);
  }, 'Vorfall mit Schlüssel der Engine');
  expect(row).toMatchObject({ source: 'engine', errorType: 'JOB_NO_RETRIES', elementId: 'Task_Flaky', jobKey: inc.jobKey, jobType: 'kim.test-flaky', state: 'open' });
  expect(row.incidentKey).toMatch(/^\d+$/);
  expect((await cm.post(`/api/models/kim-test-incident/incidents/${inc.id}/retry`)).status).toBe(403);

  flaky.healthy = true;
  const before = flaky.completed;
  const retry = await koord.post(`/api/models/kim-test-incident/incidents/${inc.id}/retry`);
  expect(retry.status).toBe(200);
  expect(((await retry.json()) as { state: string; retriedBy: string }).state).toBe('retried');
  await until(async () => flaky.completed > before, 'Schritt nach Wiederholung erledigt');
  expect((await koord.post(`/api/models/kim-test-incident/incidents/${inc.id}/retry`)).status).toBe(409);
});
