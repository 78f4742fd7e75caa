/**
 * The task view's API: the deployed form of a task with prefill and draft, drafts per user,
 * the case context per role, the next task after a completion, user preferences, and the inbox's
 * filters and fast pagination (keyset pages equal offset pages, Content-Range stays valid).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { FIXTURES, login, Session, startTestStack, until } from '../support/stack';
import { CaseFixture, caseFixture, q, taskFor } from './fixtures';

const qa = (v: unknown) => encodeURIComponent(JSON.stringify(v));

const testWorkers: Array<WorkerDefinition<WorkerDeps>> = [
  { type: 'kim.test-prepare', handler: async () => ({ kind: 'complete' }) },
  { type: 'kim.test-after', handler: async () => ({ kind: 'complete' }) },
];

let stack: Stack;
let fx: CaseFixture;
const s: Record<string, Session> = {};

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'processes'), workerDefs: [...registry, ...testWorkers] });
  fx = await caseFixture(stack, 'duisburg-nord');
  await stack.db.need.create({ data: { caseId: fx.caseId, lifeArea: 'Arbeit', description: 'Arbeit suchen' } });
  for (const u of ['cm.duisburg', 'cm2.duisburg', 'ebh.duisburg', 'cm.mettmann', 'koord.duisburg']) s[u] = await login(stack.url, u);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

test('deploying a form stores its schema under the deployment it belongs to, per commune', async () => {
  const form = await stack.db.formSchema.findFirst({ where: { formId: 'test-check-first-contact', tenantId: 'duisburg' } });
  expect(form).toBeTruthy();
  const dep = await stack.db.resourceDeployment.findFirst({ where: { kind: 'form', resourceId: 'test-check-first-contact', tenantId: 'duisburg' }, orderBy: { id: 'desc' } });
  expect(form!.formKey).toBe(`${dep!.resourceKey}:test-check-first-contact`);
  // The stored schema is the deployed file's, not a copy made elsewhere.
  const file = JSON.parse(readFileSync(path.join(FIXTURES, 'processes', 'kim-test-inbox', 'test-check-first-contact.form'), 'utf8')) as { components: Array<{ key?: string }> };
  expect((form!.schema as { components: Array<{ key?: string }> }).components.map((c) => c.key)).toEqual(file.components.map((c) => c.key));
});

/** An instance of the fixture process for the case; resolves with its user task's row. */
async function engineTask(caseId: string) {
  const pik = (await stack.engine.runtime.start('kim-test-inbox', 'duisburg', { caseId, kommuneId: 'duisburg' })).processInstanceKey;
  return until(() => stack.db.task.findFirst({ where: { processInstanceKey: pik, state: 'CREATED' } }), `Aufgabe der Instanz ${pik}`);
}

test('GET /tasks/:id/form: schema, prefill from the case, draft overlay; drafts are per user', async () => {
  const t = await engineTask(fx.caseId);

  let res = await s['cm.duisburg'].get(`/api/tasks/${t.id}/form`);
  expect(res.status).toBe(200);
  let body = (await res.json()) as { form: { formId: string; schema: { components: unknown[] } }; data: Record<string, unknown>; draft: unknown; context: { case: { id: string }; client: { lastName: string }; consents: unknown[]; notes: unknown[] } };
  expect(body.form.formId).toBe('test-check-first-contact');
  expect(body.data).toMatchObject({ caseId: fx.caseId, lebensbereiche: ['Arbeit'] });
  expect(body.draft).toBeNull();
  expect(body.context.case.id).toBe(fx.caseId);
  expect(body.context.client.lastName).toMatch(/^Person/);
  expect(body.context.consents).toHaveLength(1);
  expect(body.context.notes).toHaveLength(1);

  res = await s['cm.duisburg'].put(`/api/tasks/${t.id}/draft`, { data: { geprueft: true, lebensbereiche: ['Sprache'] } });
  expect(res.status).toBe(200);
  body = await (await s['cm.duisburg'].get(`/api/tasks/${t.id}/form`)).json();
  expect(body.data).toMatchObject({ geprueft: true, lebensbereiche: ['Sprache'] });
  // A colleague of the same group does not see the draft; another commune does not see the task.
  body = await (await s['cm2.duisburg'].get(`/api/tasks/${t.id}/form`)).json();
  expect(body.draft).toBeNull();
  expect((await s['cm.mettmann'].get(`/api/tasks/${t.id}/form`)).status).toBe(404);
  expect((await s['cm.mettmann'].put(`/api/tasks/${t.id}/draft`, { data: { x: 1 } })).status).toBe(404);
  // Bad bodies get a German field message.
  res = await s['cm.duisburg'].put(`/api/tasks/${t.id}/draft`, { data: 'nope' });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { errors: Record<string, string> }).errors.data).toBeTruthy();
  // End the instance so that its task is not "the next task" of the case in the tests below.
  await stack.engine.runtime.cancel(t.processInstanceKey);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t.id } })).state).toBe('CANCELED');
});

test('EBH staff get only the minimised case and no consents or notes in the context', async () => {
  const t = await taskFor(stack, fx.caseId, 'ebh:duisburg');
  const res = await s['ebh.duisburg'].get(`/api/tasks/${t.id}/form`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { form: unknown; context: { case: Record<string, unknown>; client: Record<string, unknown>; consents: unknown; notes: unknown } };
  expect(body.form).toBeNull();
  expect(body.context.case.id).toBe(fx.caseId);
  expect(body.context.case.caseManagerId).toBeUndefined();
  expect(body.context.client.phone).toBeUndefined();
  expect(body.context.consents).toBeNull();
  expect(body.context.notes).toBeNull();
  await stack.db.task.update({ where: { id: t.id }, data: { state: 'COMPLETED' } });
});

test('completing a task names the next open task of the same case that the user may work on', async () => {
  const t1 = await engineTask(fx.caseId);
  const t2 = await engineTask(fx.caseId);
  await s['cm.duisburg'].put(`/api/tasks/${t1.id}/draft`, { data: { geprueft: false } });
  const res = await s['cm.duisburg'].post(`/api/tasks/${t1.id}/complete`, { variables: { geprueft: true } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { state: string; nextTask: { id: string; name: string } | null };
  expect(body.state).toBe('COMPLETED');
  expect(body.nextTask?.id).toBe(t2.id);
  expect(await stack.db.taskDraft.count({ where: { taskId: t1.id } })).toBe(0);
  // The last task of the case has no successor for this user.
  const last = await s['cm.duisburg'].post(`/api/tasks/${t2.id}/complete`, { variables: { geprueft: true } });
  expect(((await last.json()) as { nextTask: unknown }).nextTask).toBeNull();
});

test('GET/PUT /me/preferences keeps settings per user', async () => {
  const me = s['cm2.duisburg'];
  expect(await (await me.get('/api/me/preferences')).json()).toEqual({});
  let res = await me.put('/api/me/preferences', { inbox: { processDefinitionId: 'kim-intake', overdue: true }, theme: 'light' });
  expect(res.status).toBe(200);
  res = await me.put('/api/me/preferences', { theme: null });
  expect(await res.json()).toEqual({ inbox: { processDefinitionId: 'kim-intake', overdue: true } });
  expect(await (await me.get('/api/me/preferences')).json()).toEqual({ inbox: { processDefinitionId: 'kim-intake', overdue: true } });
  expect(await (await s['cm.duisburg'].get('/api/me/preferences')).json()).toEqual({});
  expect((await me.put('/api/me/preferences', [1, 2])).status).toBe(400);
});

describe('inbox list: filters and pagination', () => {
  const ids: string[] = [];
  let sued: CaseFixture;
  beforeAll(async () => {
    await stack.db.task.updateMany({ where: { state: 'CREATED' }, data: { state: 'CANCELED' } });
    sued = await caseFixture(stack, 'duisburg-sued');
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 60; i++) {
      const t = await taskFor(stack, i % 3 === 0 ? sued.caseId : fx.caseId, 'case-manager:duisburg');
      await stack.db.task.update({
        where: { id: t.id },
        data: {
          createdAt: new Date(base + Math.floor(i / 2) * 60_000),
          dueDate: i % 4 === 0 ? new Date('2020-01-01T00:00:00Z') : i % 4 === 1 ? new Date('2030-06-01T00:00:00Z') : null,
          processDefinitionId: i % 2 ? 'kim-intake' : 'kim-case',
          name: i % 5 === 0 ? 'Fall bewerten' : 'Erstkontakt dokumentieren',
          assignee: i % 10 === 0 ? 'cm.duisburg' : null,
        },
      });
      ids.push(t.id);
    }
  });

  const list = async (filter: Record<string, unknown>, range = [0, 24], sort = ['createdAt', 'DESC']) => {
    const res = await s['koord.duisburg'].get(`/api/tasks?filter=${q({ view: 'all', ...filter })}&range=${qa(range)}&sort=${qa(sort)}`);
    expect(res.status).toBe(200);
    const m = /^tasks (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('content-range') ?? '');
    expect(m).toBeTruthy();
    return { rows: (await res.json()) as Array<{ id: string; dueDate: string | null; caseId: string; assignee: string | null; processDefinitionId: string; name: string }>, total: Number(m![3]) };
  };

  test('sequential pages (keyset) equal one big offset page; totals stay valid', async () => {
    for (const sort of [['createdAt', 'DESC'], ['name', 'ASC'], ['priority', 'DESC'], ['dueDate', 'ASC']]) {
      const all = await list({}, [0, 59], sort);
      expect(all.total).toBe(60);
      const pages = [];
      for (let p = 0; p < 3; p++) pages.push(...(await list({}, [p * 25, p * 25 + 24], sort)).rows.map((r) => r.id));
      expect(pages).toEqual(all.rows.map((r) => r.id));
      const lastPage = await list({}, [50, 74], sort);
      expect(lastPage.total).toBe(60);
    }
  });

  test('filters: process, overdue, due before, site via case, assignee, name', async () => {
    expect((await list({ processDefinitionId: 'kim-intake' })).total).toBe(30);
    const overdue = await list({ overdue: true }, [0, 99]);
    expect(overdue.total).toBe(15);
    expect(overdue.rows.every((r) => r.dueDate && new Date(r.dueDate) < new Date())).toBe(true);
    expect((await list({ dueBefore: '2030-06-01' })).total).toBe(30);
    const site = await list({ siteId: 'duisburg-sued' }, [0, 99]);
    expect(site.total).toBe(20);
    expect(site.rows.every((r) => r.caseId === sued.caseId)).toBe(true);
    expect((await list({ assignee: 'cm.duisburg' })).total).toBe(6);
    expect((await list({ assignee: 'unassigned' })).total).toBe(54);
    expect((await list({ name: 'bewerten' })).total).toBe(12);
    const bad = await s['koord.duisburg'].get(`/api/tasks?filter=${q({ dueBefore: 'morgen' })}`);
    expect(bad.status).toBe(400);
  });

  test('a case manager of another commune sees none of them', async () => {
    const res = await s['cm.mettmann'].get(`/api/tasks?filter=${q({ view: 'group' })}&range=${qa([0, 99])}`);
    const rows = (await res.json()) as Array<{ id: string }>;
    expect(rows.filter((r) => ids.includes(r.id))).toEqual([]);
  });
});
