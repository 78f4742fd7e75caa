/**
 * `npm run backup` / `npm run restore` end to end on the real parts: cases opened through the API run
 * kim-intake on the engine with the real workers; the backup script saves a snapshot while everything
 * runs; then work goes on (a task completed, a case opened, a note deleted); the restore script
 * refuses to overwrite without --ueberschreiben, and with it puts the snapshot back under the running
 * server and engine. Afterwards the same inbox, the same cases and the same process states are there
 * – read through the API and the engine's own REST API – and the engine goes on with the restored
 * tasks.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import { ROOT } from '../../server/config';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { q } from '../api/fixtures';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, until } from '../support/stack';

let stack: Stack;
let cm: Session;
let dir: string;
let tmp: string;

beforeAll(async () => {
  dir = processesDirWith(['kim-intake', 'kim-case']);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-backup-'));
  stack = await startTestStack({ processesDir: dir, workerDefs: registry });
  cm = await login(stack.url, 'cm.duisburg');
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs one of the npm scripts as `npm run` does (tsx), against this file's database. */
function script(name: 'backup' | 'restore', args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [path.join('scripts', `${name}.ts`), ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: stack.databaseUrl, KIM_DATA_DIR: tmp }, timeout: 240_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

async function json<T>(res: Response): Promise<T> {
  const body = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`${res.status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

interface TaskRow {
  id: string;
  elementId: string;
  name: string;
  caseId: string;
  assignee: string | null;
}

/** What a person sees (inbox, case list) and what the engine holds (instances where they wait, tasks). */
async function state() {
  const inbox = (await json<TaskRow[]>(await cm.get(`/api/tasks?filter=${q({})}&range=[0,199]`)))
    .map((t) => ({ id: t.id, elementId: t.elementId, name: t.name, caseId: t.caseId, assignee: t.assignee ?? null }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const cases = (await json<Array<{ id: string; reference: string; phase: string }>>(await cm.get(`/api/cases?range=[0,199]`)))
    .map((c) => ({ id: c.id, reference: c.reference, phase: c.phase }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const engine = stack.config.KIM_ENGINE_URL!;
  const get = async <T>(p: string) => {
    const res = await fetch(`${engine}${p}`);
    if (res.status !== 200) throw new Error(`Engine ${p}: ${res.status}`);
    return (await res.json()) as T;
  };
  const instances = [];
  for (const i of (await get<Array<{ id: string; definitionId: string; businessKey: string | null }>>('/process-instance')).sort((a, b) => a.id.localeCompare(b.id))) {
    type Tree = { activityId: string; childActivityInstances: Tree[] };
    const flat = (t: Tree): string[] => [t.activityId, ...t.childActivityInstances.flatMap(flat)];
    instances.push({ id: i.id, definitionId: i.definitionId, waitsAt: flat(await get<Tree>(`/process-instance/${i.id}/activity-instances`)).sort() });
  }
  const engineTasks = (await get<Array<{ id: string; taskDefinitionKey: string; processInstanceId: string; assignee: string | null }>>('/task'))
    .map((t) => ({ id: t.id, taskDefinitionKey: t.taskDefinitionKey, processInstanceId: t.processInstanceId, assignee: t.assignee }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const externalTasks = (await get<{ count: number }>('/external-task/count')).count;
  return { inbox, cases, instances, engineTasks, externalTasks };
}

const openCase = async (lastName: string) =>
  json<{ caseId: string }>(await cm.post('/api/cases', { client: { firstName: 'Amal', lastName, birthDate: '1990-02-03', nationality: 'syrisch', languages: ['Arabisch'] } }));

const taskOf = (caseId: string, elementId: string) =>
  until(async () => (await json<TaskRow[]>(await cm.get(`/api/tasks?filter=${q({ caseId })}&range=[0,49]`))).find((t) => t.elementId === elementId), `Aufgabe ${elementId}`, 90_000);

const FIRST_CONTACT = { lebensbereiche: ['Sprache', 'Arbeit'], kurzfristigLoesbar: false, rechtskreisuebergreifend: true, bekannteBeratung: [], dolmetschBedarf: false };

test('backup while running, work goes on, restore brings back the same inbox, cases and process states', async () => {
  // 1. Two cases in different process states: A waits at its first task (claimed), B one step further.
  const a = await openCase('Backup A');
  const b = await openCase('Backup B');
  const aFirst = await taskOf(a.caseId, INTAKE.documentFirstContact);
  expect((await cm.post(`/api/tasks/${aFirst.id}/claim`)).status).toBe(200);
  const bFirst = await taskOf(b.caseId, INTAKE.documentFirstContact);
  await json(await cm.post(`/api/tasks/${bFirst.id}/claim`));
  await json(await cm.post(`/api/tasks/${bFirst.id}/complete`, { variables: FIRST_CONTACT }));
  await taskOf(b.caseId, INTAKE.captureConsent);
  const note = await json<{ id: string }>(await cm.post('/api/notes', { caseId: a.caseId, text: 'Vor der Sicherung' }));
  // Quiet: every automatic step done, each instance waiting for a person.
  const before = await until(async () => {
    const s = await state();
    return s.externalTasks === 0 && s.inbox.some((t) => t.caseId === a.caseId && t.assignee === 'cm.duisburg') ? s : null;
  }, 'ruhiger Zustand vor der Sicherung', 90_000);
  expect(before.inbox.map((t) => [t.caseId, t.elementId]).sort()).toEqual(
    [
      [a.caseId, INTAKE.documentFirstContact],
      [b.caseId, INTAKE.captureConsent],
    ].sort(),
  );
  expect(before.engineTasks).toHaveLength(2);

  // 2. Backup while everything runs.
  const file = path.join(tmp, 'sicherung.dump');
  const backup = await script('backup', ['--datei', file]);
  expect([backup.code, backup.err]).toEqual([0, '']);
  expect(backup.out).toContain(`Sicherung fertig: ${file}`);
  expect(backup.out).toMatch(/Inhalt: \d+ Fälle, 2 offene Aufgaben im Eingang, \d+ laufende Prozessinstanzen/);
  expect(fs.statSync(file).size).toBeGreaterThan(0);
  // A second backup to the same file overwrites nothing.
  const again = await script('backup', ['--datei', file]);
  expect(again.code).toBe(2);
  expect(again.err).toContain('gibt es schon');

  // 3. Work goes on: A's task completed (its instance moves on), a new case C, the note deleted.
  await json(await cm.post(`/api/tasks/${aFirst.id}/complete`, { variables: FIRST_CONTACT }));
  await taskOf(a.caseId, INTAKE.captureConsent);
  const c = await openCase('Backup C');
  await taskOf(c.caseId, INTAKE.documentFirstContact);
  await stack.db.note.delete({ where: { id: note.id } });
  const changed = await state();
  expect(changed.inbox).not.toEqual(before.inbox);
  expect(changed.instances).not.toEqual(before.instances);

  // 4. Without --ueberschreiben the restore refuses and changes nothing.
  const refused = await script('restore', [file]);
  expect(refused.code).toBe(2);
  expect(refused.err).toMatch(/enthält Daten .*--ueberschreiben/s);
  expect((await state()).cases).toEqual(changed.cases);

  // 5. With it: restored under the running server and engine.
  const restored = await script('restore', [file, '--ueberschreiben']);
  expect([restored.code, restored.err]).toEqual([0, '']);
  expect(restored.out).toMatch(/Wiederhergestellt: Datenbank „kim_test_\w+“ – \d+ Fälle, 2 offene Aufgaben im Eingang/);
  expect(restored.out).toMatch(/Die bisherigen Daten liegen in „kim_test_\w+_alt_\d{8}_\d{6}“/);

  // 6. The same inbox, cases and process states – server and engine reconnected by themselves.
  const after = await until(
    async () => {
      const s = await state().catch(() => null);
      return s && JSON.stringify(s) === JSON.stringify(before) ? s : null;
    },
    'derselbe Stand wie bei der Sicherung',
    120_000,
  );
  expect(after.cases.map((x) => x.id)).not.toContain(c.caseId);
  expect(await stack.db.note.count({ where: { id: note.id } })).toBe(1);

  // 7. The engine answers the restored tasks: A's first task (claimed again) is completed once more.
  const restoredTask = after.inbox.find((t) => t.caseId === a.caseId)!;
  expect(restoredTask).toMatchObject({ id: aFirst.id, assignee: 'cm.duisburg' });
  await until(async () => (await cm.post(`/api/tasks/${aFirst.id}/complete`, { variables: FIRST_CONTACT })).status === 200, 'Aufgabe nach der Wiederherstellung abschließen', 60_000);
  await taskOf(a.caseId, INTAKE.captureConsent);
}, 600_000);
