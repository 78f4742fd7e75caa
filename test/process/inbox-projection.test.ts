/**
 * Property test of the inbox projection on the real engine: a seeded random sequence of what can
 * happen to user tasks – start, claim, unclaim, reassign, complete (through the inbox service),
 * cancel, a boundary timer firing, deleting an instance with skipCustomListeners=true, migration to
 * another version – and after every step the open rows of "Task" (id, assignee) equal the engine's
 * open tasks (id, assignee). The engine writes the row in its own transaction, so the comparison
 * runs right after each step, without waiting; only the timer step waits for the engine's job
 * executor to fire the timer. A failure names the seed: KIM_PROPERTY_SEED=<seed> replays it.
 */
import path from 'node:path';
import { DomainError } from '../../server/errors';
import type { Actor } from '../../server/auth/policy';
import { collectResources, deployResources } from '../../server/engine/deploy';
import type { Stack } from '../../server/stack';
import { actorOf } from '../support/processes';
import { FIXTURES, startTestStack, until } from '../support/stack';

const PROCESS = 'kim-test-projection';
const STEPS = 60;

let stack: Stack;
const actors: Record<string, Actor> = {};

beforeAll(async () => {
  stack = await startTestStack({ processesDir: path.join(FIXTURES, 'projection'), workers: false, http: false });
  for (const u of ['cm.duisburg', 'cm2.duisburg', 'koord.duisburg']) actors[u] = await actorOf(stack, u);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

/** mulberry32: small, seeded, good enough to pick steps. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

interface EngineTask {
  id: string;
  assignee: string | null;
  processInstanceId: string;
  processDefinitionId: string;
  taskDefinitionKey: string;
}

/** The engine's open tasks with their assignees, straight from its REST API. */
async function engineTasks(): Promise<EngineTask[]> {
  const res = await fetch(`${stack.engine.url}/task?sortBy=id&sortOrder=asc&maxResults=100000`);
  if (res.status !== 200) throw new Error(`GET /task: ${res.status}`);
  return ((await res.json()) as EngineTask[]).map((t) => ({ ...t, assignee: t.assignee ?? null }));
}

async function runningInstances(): Promise<Array<{ id: string; definitionId: string }>> {
  const res = await fetch(`${stack.engine.url}/process-instance?processDefinitionKey=${PROCESS}&maxResults=100000`);
  if (res.status !== 200) throw new Error(`GET /process-instance: ${res.status}`);
  return (await res.json()) as Array<{ id: string; definitionId: string }>;
}

/** Open rows vs. open engine tasks: the differences, empty when there is no drift. */
async function drift(): Promise<string[]> {
  const [ids, tasks, rows] = await Promise.all([
    stack.engine.tasks.openTaskIds({ tenantId: 'duisburg' }),
    engineTasks(),
    stack.db.task.findMany({ where: { state: 'CREATED' }, select: { id: true, assignee: true, processDefinitionKey: true, elementId: true }, orderBy: { id: 'asc' } }),
  ]);
  const out: string[] = [];
  const engine = new Map(tasks.map((t) => [t.id, t.assignee]));
  if ([...ids].sort().join() !== [...engine.keys()].sort().join()) out.push(`openTaskIds ${JSON.stringify(ids)} ≠ GET /task ${JSON.stringify([...engine.keys()])}`);
  const table = new Map(rows.map((r) => [r.id, r.assignee]));
  const placed = new Map(rows.map((r) => [r.id, `${r.processDefinitionKey}/${r.elementId}`]));
  for (const [id, assignee] of engine) {
    if (!table.has(id)) out.push(`Aufgabe ${id} fehlt im Eingang`);
    else if (table.get(id) !== assignee) out.push(`Aufgabe ${id}: Eingang ${table.get(id)} ≠ Engine ${assignee}`);
  }
  // The row follows its task to another definition (migration) and element.
  for (const t of tasks) {
    const where = `${t.processDefinitionId}/${t.taskDefinitionKey}`;
    if (placed.has(t.id) && placed.get(t.id) !== where) out.push(`Aufgabe ${t.id}: Eingang ${placed.get(t.id)} ≠ Engine ${where}`);
  }
  for (const id of table.keys()) if (!engine.has(id)) out.push(`Aufgabe ${id} ist im Eingang offen, in der Engine nicht`);
  return out;
}

/** A refusal the inbox gives when a step meets a task in the wrong state: part of the game. */
async function tolerated(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof DomainError && e.status === 409) return `409 ${e.message}`;
    throw e;
  }
}

const CASE_MANAGERS = ['cm.duisburg', 'cm2.duisburg'];

let v2: Promise<string> | undefined;
/** Deploys a second version of the model (one name changed) the way the product deploys; its key. */
function secondVersion(): Promise<string> {
  v2 ??= (async () => {
    const [res] = collectResources(path.join(FIXTURES, 'projection'));
    const content = Buffer.from(res.content.toString('utf8').replace('name="Bestätigen"', 'name="Bestätigen (Version 2)"'));
    const out = await deployResources(stack.db, stack.engine.deployer, [{ ...res, content }], { tenants: ['duisburg'] });
    const d = out.deployed.find((x) => x.resourceId === PROCESS);
    if (!d) throw new Error('Version 2 wurde nicht bereitgestellt');
    return d.key;
  })();
  return v2;
}

test('random claim / unclaim / assign / complete / cancel / timer / delete / migration sequences leave zero drift', async () => {
  const seed = Number(process.env.KIM_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const r = rng(seed);
  const log: string[] = [];
  const versions: Record<number, string> = {};
  const defs = await stack.engine.watch.definitions('duisburg', PROCESS);
  versions[1] = defs.find((d) => d.version === 1)!.key;
  const counts: Record<string, number> = {};

  const start = async (pruefFrist: string) => {
    const i = await stack.engine.runtime.start(PROCESS, 'duisburg', { kommuneId: 'duisburg', caseId: `prop-${seed}`, pruefFrist });
    return i.processInstanceKey;
  };

  type Step = { name: string; weight: number; run: () => Promise<string> };
  const steps: Step[] = [
    { name: 'start', weight: 4, run: async () => `Instanz ${await start('P1D')}` },
    {
      name: 'claim',
      weight: 4,
      run: async () => {
        const open = (await engineTasks()).filter((t) => !t.assignee);
        if (!open.length) return 'nichts offen';
        const t = r.pick(open);
        const who = r.pick(CASE_MANAGERS);
        return `${who} übernimmt ${t.id}: ${await tolerated(stack.services.inbox.claim(actors[who], t.id))}`;
      },
    },
    {
      name: 'unclaim',
      weight: 2,
      run: async () => {
        const mine = (await engineTasks()).filter((t) => t.assignee);
        if (!mine.length) return 'nichts zugewiesen';
        const t = r.pick(mine);
        const who = r.next() < 0.7 && t.assignee && actors[t.assignee] ? t.assignee : 'koord.duisburg';
        return `${who} gibt ${t.id} zurück: ${await tolerated(stack.services.inbox.unclaim(actors[who], t.id))}`;
      },
    },
    {
      name: 'assign',
      weight: 2,
      run: async () => {
        const open = await engineTasks();
        if (!open.length) return 'nichts offen';
        const t = r.pick(open);
        const to = r.pick(CASE_MANAGERS);
        return `Koordination weist ${t.id} ${to} zu: ${await tolerated(stack.services.inbox.assign(actors['koord.duisburg'], t.id, { assignee: to, reason: 'Zufallsschritt' }))}`;
      },
    },
    {
      name: 'complete',
      weight: 4,
      run: async () => {
        const open = await engineTasks();
        if (!open.length) return 'nichts offen';
        const t = r.pick(open);
        const who = t.assignee && actors[t.assignee] ? t.assignee : r.pick(CASE_MANAGERS);
        return `${who} schließt ${t.id} ab: ${await tolerated(stack.services.inbox.complete(actors[who], t.id, {}))}`;
      },
    },
    {
      name: 'cancel',
      weight: 2,
      run: async () => {
        const running = await runningInstances();
        if (!running.length) return 'keine Instanz';
        const i = r.pick(running);
        await stack.engine.runtime.cancel(i.id);
        return `Instanz ${i.id} abgebrochen`;
      },
    },
    {
      name: 'delete-skip-listeners',
      weight: 1,
      run: async () => {
        const running = await runningInstances();
        if (!running.length) return 'keine Instanz';
        const i = r.pick(running);
        const res = await fetch(`${stack.engine.url}/process-instance/${i.id}?skipCustomListeners=true`, { method: 'DELETE' });
        if (res.status !== 204) throw new Error(`DELETE mit skipCustomListeners: ${res.status} ${await res.text()}`);
        return `Instanz ${i.id} gelöscht (skipCustomListeners=true)`;
      },
    },
    {
      name: 'timer',
      weight: 1,
      run: async () => {
        const pik = await start('PT1S');
        const [task] = await stack.engine.tasks.openTaskIds({ processInstanceKey: pik });
        // Half the time someone holds the task when the timer takes it away.
        const claimed = r.next() < 0.5 ? await tolerated(stack.services.inbox.claim(actors[r.pick(CASE_MANAGERS)], task)) : 'nein';
        await until(async () => {
          const now = await stack.engine.tasks.openTaskIds({ processInstanceKey: pik });
          return now.length === 1 && now[0] !== task;
        }, `Zeitgeber der Instanz ${pik} hat ausgelöst`);
        return `Instanz ${pik}: Frist von ${task} abgelaufen (übernommen: ${claimed})`;
      },
    },
    {
      name: 'migrate',
      weight: 1,
      run: async () => {
        versions[2] ??= await secondVersion();
        const running = await runningInstances();
        const from = r.next() < 0.5 ? 1 : 2;
        const to = from === 1 ? 2 : 1;
        const keys = running.filter((i) => i.definitionId === versions[from]).map((i) => i.id);
        if (!keys.length) return `keine Instanz in Version ${from}`;
        await stack.engine.watch.migrate(versions[from], versions[to], keys);
        return `${keys.length} Instanz(en) von Version ${from} nach ${to} migriert`;
      },
    },
  ];
  const total = steps.reduce((n, s) => n + s.weight, 0);
  const choose = (): Step => {
    let x = r.next() * total;
    for (const s of steps) if ((x -= s.weight) < 0) return s;
    return steps[steps.length - 1];
  };

  // Every kind of step once, in random order, then random steps: each sequence covers them all.
  const plan = [...steps];
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [plan[i], plan[j]] = [plan[j], plan[i]];
  }
  while (plan.length < STEPS) plan.push(choose());

  try {
    // A few instances to begin with, so that the first steps have tasks to act on.
    for (let i = 0; i < 3; i++) log.push(`start: Instanz ${await start('P1D')}`);
    expect(await drift()).toEqual([]);
    for (let i = 0; i < plan.length; i++) {
      const s = plan[i];
      counts[s.name] = (counts[s.name] ?? 0) + 1;
      log.push(`${i + 1}. ${s.name}: ${await s.run()}`);
      const d = await drift();
      if (d.length) throw new Error(`Abweichung nach Schritt ${i + 1}:\n${d.join('\n')}`);
    }
  } catch (e) {
    throw new Error(`Seed ${seed} (wiederholen mit KIM_PROPERTY_SEED=${seed})\n${(e as Error).message}\nSchritte:\n${log.join('\n')}`);
  }
  if (process.env.KIM_PROPERTY_LOG) console.log(`Seed ${seed}\n${log.join('\n')}`);
  expect(Object.keys(counts).sort()).toEqual(steps.map((s) => s.name).sort());
  // The sequence did what it is meant to: tasks were closed every way the engine closes them.
  const states = await stack.db.task.groupBy({ by: ['state'], _count: true });
  expect(states.map((s) => s.state).sort()).toEqual(expect.arrayContaining(['CANCELED', 'COMPLETED']));
});

test('each way the engine ends a task closes its row: timer, cancel, delete without custom listeners, migration keeps it open', async () => {
  const start = async (pruefFrist: string) => (await stack.engine.runtime.start(PROCESS, 'duisburg', { kommuneId: 'duisburg', pruefFrist })).processInstanceKey;
  const openTask = async (pik: string) => (await stack.engine.tasks.openTaskIds({ processInstanceKey: pik }))[0];

  // Boundary timer: the review task is canceled, the follow-up task appears.
  const timed = await start('PT1S');
  const review = await openTask(timed);
  const followUp = await until(async () => {
    const now = await openTask(timed);
    return now && now !== review ? now : null;
  }, 'Zeitgeber ausgelöst');
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: review } })).state).toBe('CANCELED');
  expect(await stack.db.task.findUniqueOrThrow({ where: { id: followUp } })).toMatchObject({ state: 'CREATED', elementId: 'Task_FollowUp', name: 'Nachfassen' });

  // Delete with skipCustomListeners=true: the projection's listener is built in and still runs.
  const skipped = await start('P1D');
  const t = await openTask(skipped);
  const res = await fetch(`${stack.engine.url}/process-instance/${skipped}?skipCustomListeners=true`, { method: 'DELETE' });
  expect(res.status).toBe(204);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: t } })).state).toBe('CANCELED');

  // Cancel through the port.
  const canceled = await start('P1D');
  const c = await openTask(canceled);
  await stack.engine.runtime.cancel(canceled);
  expect((await stack.db.task.findUniqueOrThrow({ where: { id: c } })).state).toBe('CANCELED');

  // Migration moves the task to the other version; it stays open and keeps its id and assignee.
  const migrated = await start('P1D');
  const m = await openTask(migrated);
  await stack.services.inbox.claim(await actorOf(stack, 'cm.duisburg'), m);
  await secondVersion();
  const defs = await stack.engine.watch.definitions('duisburg', PROCESS);
  const from = (await runningInstances()).find((i) => i.id === migrated)!.definitionId;
  const to = defs.find((d) => d.key !== from)!.key;
  await stack.engine.watch.migrate(from, to, [migrated]);
  expect(await stack.engine.tasks.openTaskIds({ processInstanceKey: migrated })).toEqual([m]);
  const row = await stack.db.task.findUniqueOrThrow({ where: { id: m } });
  const target = defs.find((d) => d.key === to)!;
  expect(row).toMatchObject({ state: 'CREATED', assignee: 'cm.duisburg', processDefinitionKey: to, processVersion: target.version });
  expect(await drift()).toEqual([]);
});
