/**
 * Registry of all workers: one job type per file. The contract test checks that every job type used
 * in a model under processes/ has a worker here and every worker's type is used by some model.
 */
import type { WorkerDeps } from './deps';
import { INBOX_SYNC, inboxSync } from './kim.inbox-sync';
import type { WorkerDefinition } from './runtime';

export const workers: Array<WorkerDefinition<WorkerDeps> & { name: string }> = [{ name: INBOX_SYNC, ...inboxSync }];

/** Job types the engine creates itself (not drawn as taskDefinition in models). */
export const ENGINE_JOB_TYPES = new Set([inboxSync.type]);
