/**
 * Hears when a process instance starts waiting for a message. The engine plugin (engine/app,
 * MessageWaitNotifier) sends NOTIFY on "kim_message_wait" in the engine's transaction, so the
 * notification arrives once the message subscription exists. The payload carries ids only.
 */
import { Client, Notification } from 'pg';
import type { Logger } from '../util/log';

export const MESSAGE_WAIT_CHANNEL = 'kim_message_wait';

export interface MessageWait {
  processInstanceKey: string;
  tenantId: string | null;
}

export function parseMessageWait(payload: string | undefined): MessageWait | null {
  try {
    const p = JSON.parse(payload ?? '') as { p?: unknown; t?: unknown };
    if (typeof p.p !== 'string' || !p.p) return null;
    return { processInstanceKey: p.p, tenantId: typeof p.t === 'string' ? p.t : null };
  } catch {
    return null;
  }
}

export class MessageWaits {
  private client: Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly onWait: (w: MessageWait) => void,
    /** Called after every (re)connect: waits announced while the connection was down are caught up. */
    private readonly onConnected: () => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect(0);
  }

  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const c = new Client({ connectionString: this.databaseUrl, application_name: 'kim-message-waits' });
    const lost = () => {
      if (this.client !== c || this.stopped) return;
      this.client = null;
      this.log.warn({}, 'message waits: LISTEN connection lost, reconnecting');
      this.schedule(0);
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n: Notification) => {
      if (n.channel !== MESSAGE_WAIT_CHANNEL) return;
      const w = parseMessageWait(n.payload);
      if (w) this.onWait(w);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${MESSAGE_WAIT_CHANNEL}`);
      this.client = c;
      this.onConnected();
    } catch (e) {
      await c.end().catch(() => undefined);
      if (attempt === 0) this.log.warn({ err: (e as Error).name }, 'message waits: LISTEN failed, retrying');
      this.schedule(attempt + 1);
    }
  }

  private schedule(attempt: number) {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect(attempt);
    }, Math.min(250 * 2 ** attempt, 10_000));
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}
