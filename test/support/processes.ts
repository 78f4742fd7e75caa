/**
 * Helpers for the engine-backed tests of kim-intake and kim-case: a processes folder with just the
 * models under test, the demo actor, and waiting for / completing inbox tasks of a case.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../server/config';
import type { Actor } from '../../server/auth/policy';
import type { Stack } from '../../server/stack';
import { until } from './stack';

/** A temporary folder holding copies of processes/<id> for the given process ids. */
export function processesDirWith(ids: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kim-processes-'));
  for (const id of ids) fs.cpSync(path.join(ROOT, 'processes', id), path.join(dir, id), { recursive: true });
  return dir;
}

export async function actorOf(stack: Stack, username: string): Promise<Actor> {
  const u = await stack.db.user.findUniqueOrThrow({ where: { username } });
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role, kommuneId: u.kommuneId, siteId: u.siteId, groups: u.groups };
}

export function openTask(stack: Stack, caseId: string, elementId: string) {
  return until(() => stack.db.task.findFirst({ where: { caseId, elementId, state: 'CREATED' }, orderBy: { createdAt: 'asc' } }), `Aufgabe ${elementId} für Fall ${caseId}`, 60_000);
}

export async function completeTask(stack: Stack, actor: Actor, caseId: string, elementId: string, variables: Record<string, unknown>) {
  const t = await openTask(stack, caseId, elementId);
  await stack.services.inbox.complete(actor, t.id, variables);
  return t;
}
