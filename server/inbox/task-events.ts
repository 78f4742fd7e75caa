/**
 * Live inbox: changes of the Task projection reach open inbox lists at once, without a refresh loop.
 *
 * A trigger on "Task" (migration 0085) announces each change on the PostgreSQL channel
 * "kim_task_changed" with its audience (commune, candidate groups, routed user names). One LISTEN
 * connection per server process receives them – whichever node or worker wrote the row – and each
 * open Server-Sent Events stream (GET /api/tasks/events) gets `event: tasks` when the user may see
 * such a task. The event says only that something changed for the commune and which of the user's
 * groups are concerned; the browser then reloads its list through the normal, permission-checked API.
 */
import type { Request, Response } from 'express';
import { Client, Notification } from 'pg';
import type { Logger } from '../util/log';
import { Actor, canSeeTask } from '../auth/policy';

export const TASK_CHANNEL = 'kim_task_changed';

/** What the trigger announces: the audience of a changed task (never sent to a browser as is). */
export interface TaskChange {
  kommuneId: string;
  groups: string[];
  users: string[];
}

export interface TaskEventsOptions {
  /** Comment line that keeps proxies and the browser from closing an idle stream. */
  heartbeatMs?: number;
  /** At most one event per stream and interval; changes in between are folded into the next one. */
  throttleMs?: number;
  /** Open streams per user (tabs); more get 429. */
  maxStreamsPerUser?: number;
  /** Is the stream's session still valid (checked with every heartbeat)? */
  sessionValid?: (token: string) => Promise<boolean>;
}

interface Subscriber {
  actor: Actor;
  token?: string;
  res: Response;
  lastSent: number;
  pending: Set<string> | null;
  timer: NodeJS.Timeout | null;
  heartbeat: NodeJS.Timeout;
}

export function parseTaskChange(payload: string | undefined): TaskChange | null {
  try {
    const p = JSON.parse(payload ?? '') as { k?: unknown; g?: unknown; u?: unknown };
    if (typeof p.k !== 'string') return null;
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return { kommuneId: p.k, groups: list(p.g), users: list(p.u) };
  } catch {
    return null;
  }
}

/** Would the actor see a task with this audience in one of the inbox views? */
export function concerns(a: Actor, c: TaskChange): boolean {
  return canSeeTask(a, { kommuneId: c.kommuneId, assignee: null, candidateGroups: c.groups, candidateUsers: c.users });
}

export class TaskEvents {
  private client: Client | null = null;
  private readonly subs = new Set<Subscriber>();
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly heartbeatMs: number;
  private readonly throttleMs: number;
  private readonly maxStreams: number;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly opts: TaskEventsOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 25_000;
    this.throttleMs = opts.throttleMs ?? 100;
    this.maxStreams = opts.maxStreamsPerUser ?? 10;
  }

  /** Opens the LISTEN connection; a lost connection is re-opened with backoff. */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(attempt = 0): Promise<void> {
    if (this.stopped) return;
    const c = new Client({ connectionString: this.databaseUrl, application_name: 'kim-task-events' });
    c.on('notification', (n: Notification) => this.onNotification(n));
    c.on('error', (e) => {
      this.log.warn({ err: e }, 'task events: LISTEN connection lost');
      this.reconnect(c, 0);
    });
    c.on('end', () => this.reconnect(c, 0));
    try {
      await c.connect();
      await c.query(`LISTEN ${TASK_CHANNEL}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      if (attempt === 0 && !this.client) throw e;
      this.reconnect(c, attempt + 1);
      return;
    }
    if (this.stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    const wasReconnect = this.client === null && attempt > 0;
    this.client = c;
    // Changes during the gap were not heard: every open list reloads once.
    if (wasReconnect) for (const s of this.subs) this.queue(s, ['*']);
  }

  private reconnect(c: Client, attempt: number) {
    if (this.stopped || (this.client !== c && this.client !== null) || this.reconnectTimer) return;
    this.client = null;
    const delay = Math.min(30_000, 500 * 2 ** attempt);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect(Math.max(1, attempt)).catch((e) => this.log.warn({ err: e }, 'task events: reconnect failed'));
    }, delay);
    this.reconnectTimer.unref();
  }

  private onNotification(n: Notification) {
    if (n.channel !== TASK_CHANNEL) return;
    const change = parseTaskChange(n.payload);
    if (!change) return;
    for (const s of this.subs) {
      if (!concerns(s.actor, change)) continue;
      this.queue(
        s,
        change.groups.filter((g) => s.actor.groups.includes(g)),
      );
    }
  }

  private queue(s: Subscriber, groups: string[]) {
    s.pending ??= new Set();
    for (const g of groups) s.pending.add(g);
    if (s.timer) return;
    const wait = Math.max(0, s.lastSent + this.throttleMs - Date.now());
    if (wait === 0) this.flush(s);
    else s.timer = setTimeout(() => this.flush(s), wait);
  }

  private flush(s: Subscriber) {
    s.timer = null;
    if (!s.pending) return;
    const groups = [...s.pending].filter((g) => g !== '*').sort();
    s.pending = null;
    s.lastSent = Date.now();
    s.res.write(`event: tasks\ndata: ${JSON.stringify({ kommuneId: s.actor.kommuneId, groups })}\n\n`);
  }

  /** Number of open streams (for tests and health). */
  get streams(): number {
    return this.subs.size;
  }

  /** Serves one event stream until the client goes away, the session ends or the server stops. */
  stream(a: Actor, req: Request, res: Response): void {
    if ([...this.subs].filter((s) => s.actor.id === a.id).length >= this.maxStreams) {
      res.status(429).type('application/problem+json').json({ type: 'urn:kim:problem:too_many', title: 'Zu viele offene Aufgabenlisten. Bitte schließen Sie andere Tabs.', status: 429 });
      return;
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    const s: Subscriber = {
      actor: a,
      token: req.sessionToken,
      res,
      lastSent: 0,
      pending: null,
      timer: null,
      heartbeat: setInterval(() => void this.beat(s), this.heartbeatMs),
    };
    s.heartbeat.unref();
    this.subs.add(s);
    // The browser reconnects by itself after 3 s; `ready` tells it (and tests) the stream listens.
    res.write(`retry: 3000\nevent: ready\ndata: {}\n\n`);
    const done = () => this.drop(s);
    req.on('close', done);
    res.on('error', done);
  }

  private async beat(s: Subscriber) {
    if (!this.subs.has(s)) return;
    if (s.token && this.opts.sessionValid && !(await this.opts.sessionValid(s.token).catch(() => true))) {
      s.res.write(`event: signed-out\ndata: {}\n\n`);
      this.drop(s, true);
      return;
    }
    s.res.write(`: ping\n\n`);
  }

  private drop(s: Subscriber, end = false) {
    if (!this.subs.delete(s)) return;
    clearInterval(s.heartbeat);
    if (s.timer) clearTimeout(s.timer);
    if (end) s.res.end();
  }

  /** Ends all streams and the LISTEN connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const s of [...this.subs]) this.drop(s, true);
    const c = this.client;
    this.client = null;
    if (c) await c.end().catch(() => undefined);
  }
}
