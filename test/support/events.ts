/** A reader of the live inbox stream (GET /api/tasks/events, Server-Sent Events) for tests and the bench. */

export interface TaskEvent {
  type: string;
  data: Record<string, unknown>;
  at: number;
}

export interface TaskEventStream {
  status: number;
  /** Every event received so far (`ready` first, then `tasks` …), in order. */
  events: TaskEvent[];
  /** `tasks` events only. */
  readonly changes: TaskEvent[];
  /** Resolves with the first event (from index `from` on) matching `pred`. */
  waitFor(pred: (e: TaskEvent) => boolean, opts?: { from?: number; timeoutMs?: number; what?: string }): Promise<TaskEvent>;
  close(): void;
}

/** Opens the stream with a session cookie and resolves once the server said `ready` (or with the error status). */
export async function openTaskEvents(baseUrl: string, cookie?: string): Promise<TaskEventStream> {
  const ac = new AbortController();
  const res = await fetch(`${baseUrl}/api/tasks/events`, { headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) }, signal: ac.signal });
  const events: TaskEvent[] = [];
  const waiters = new Set<() => void>();
  const stream: TaskEventStream = {
    status: res.status,
    events,
    get changes() {
      return events.filter((e) => e.type === 'tasks');
    },
    waitFor(pred, { from = 0, timeoutMs = 30_000, what = 'Ereignis' } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.slice(from).find(pred);
          if (!hit) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${what}: nicht innerhalb von ${timeoutMs} ms empfangen (bisher: ${events.map((e) => e.type).join(', ') || 'nichts'})`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => ac.abort(),
  };
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    return stream;
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1];
        if (!type) continue; // comment (heartbeat) or retry line
        const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}';
        events.push({ type, data: JSON.parse(data) as Record<string, unknown>, at: performance.now() });
        for (const w of [...waiters]) w();
      }
    }
  })();
  await stream.waitFor((e) => e.type === 'ready', { timeoutMs: 10_000, what: 'ready' });
  return stream;
}
