/**
 * Messages for the engine (a partner's answer, an agency's confirmation). The engine correlates a
 * message only to an instance that waits for it right now, while a partner may answer before the
 * process reaches its wait. So every message is recorded once (by its messageId) and:
 *  - delivered at once when an instance waits for it;
 *  - kept when an instance that will wait for it is running, and delivered when that instance starts
 *    waiting (the engine announces every new message wait, see server/engine/message-waits.ts, and
 *    the composition root calls deliverFor with the instance's key);
 *  - dropped when no running instance matches (the process ended or never existed) or it expired.
 * The same messageId twice is reported as 'duplicate' and never correlated twice.
 *
 * Which instance a kept message is for: for an ordinary (process-level) correlation, the running
 * instances of the tenant whose process variable `correlation.variable` has the value. For a local
 * correlation (the variable lives on the waiting execution only, e.g. a multi-instance element
 * variable such as agreementId) the engine cannot be asked that way: the caller names the instance
 * in `instance` – a process-level variable that identifies it (e.g. conferenceId) or its key. A local
 * message without `instance` is kept until it is delivered or expires. The engine matches local keys
 * against the waiting execution's own variables only: inside a multi-instance the model maps the
 * element variable onto the waiting activity (camunda:inputParameter name="agreementId").
 *
 * Several server nodes may deliver at once: every attempt holds the row's lock (see
 * PendingMessageRepository.locked), so a message is correlated at most once.
 *
 * Logs carry message ids, message names and instance keys only – never variable values.
 */
import type { PendingMessageRepository, PendingMessageRow, StoredVariables } from './pending-message.repository';
import { EngineNoCorrelation, EngineUnavailable, type ProcessRuntime, type Variables } from '../engine/port';
import type { Logger } from '../util/log';

export interface OutgoingMessage {
  /** Business key of the message (e.g. `<referralId>:accepted`): the same id is delivered once. */
  messageId: string;
  name: string;
  tenantId: string;
  /** The variable the waiting instance (or, with local, the waiting execution) must have, and its value. */
  correlation: { variable: string; value: string; local?: boolean };
  /** Finds the instance when nobody waits yet (needed for local correlation, see above). */
  instance?: { variable: string; value: string } | { processInstanceKey: string };
  /** Ids and decision inputs only (they become process variables). */
  variables?: Variables;
}

export type SendResult = 'delivered' | 'kept' | 'duplicate' | 'no-instance';

export interface MessageServiceOptions {
  /** How long a kept message waits for its instance before it is dropped. */
  ttlDays: number;
}

const DAY_MS = 86_400_000;

function storable(v: Variables | undefined): StoredVariables {
  const out: StoredVariables = {};
  for (const [k, x] of Object.entries(v ?? {})) if (x !== undefined) out[k] = x;
  return out;
}

export class MessageService {
  /** deliverFor runs once per instance at a time; a wait announced meanwhile runs it once more. */
  private readonly inFlight = new Map<string, { again: boolean; done: Promise<number> }>();

  constructor(
    private readonly repo: PendingMessageRepository,
    private readonly runtime: ProcessRuntime,
    private readonly log: Logger,
    private readonly opts: MessageServiceOptions,
  ) {}

  /**
   * Sends a message: 'delivered' (an instance waited), 'kept' (a running instance will wait for it),
   * 'duplicate' (this messageId was sent before) or 'no-instance' (nothing runs that could take it).
   * When the engine cannot be reached nothing is recorded and the error is thrown: the caller may
   * send again.
   */
  async send(m: OutgoingMessage): Promise<SendResult> {
    const now = Date.now();
    const row = await this.repo.insert({
      messageId: m.messageId,
      name: m.name,
      tenantId: m.tenantId,
      correlationVariable: m.correlation.variable,
      correlationValue: m.correlation.value,
      local: m.correlation.local === true,
      variables: storable(m.variables),
      processInstanceKey: m.instance && 'processInstanceKey' in m.instance ? m.instance.processInstanceKey : null,
      expiresAt: new Date(now + this.opts.ttlDays * DAY_MS),
    });
    if (!row) {
      this.log.info({ messageId: m.messageId, message: m.name }, 'message: duplicate, not sent again');
      return 'duplicate';
    }
    try {
      const result = await this.repo.locked(row.id, async (r, ops): Promise<SendResult> => {
        // A delivery triggered by the instance's wait may have taken the row meanwhile.
        if (!r) return 'no-instance';
        if (r.state === 'DELIVERED') return 'delivered';
        if (r.state === 'DROPPED') return 'no-instance';
        const first = await this.tryCorrelate(r, r.processInstanceKey);
        if (first) {
          await ops.delivered(first);
          return 'delivered';
        }
        const found = await this.locate(r, m.instance);
        if (found && found.length === 0) {
          await ops.dropped();
          return 'no-instance';
        }
        const key = found?.length === 1 ? found[0] : null;
        // The instance may have reached its wait between the first try and now; its announcement
        // then found this row locked and waits for it, but one more try here costs one call.
        if (key) {
          const second = await this.tryCorrelate(r, key);
          if (second) {
            await ops.delivered(second);
            return 'delivered';
          }
        }
        await ops.kept(key);
        return 'kept';
      });
      this.log.info({ messageId: m.messageId, message: m.name, outcome: result }, 'message sent');
      return result;
    } catch (e) {
      // Nothing was delivered: forget the row so that sending again is not taken for a duplicate.
      await this.repo
        .locked(row.id, async (r, ops) => {
          if (r?.state === 'PENDING') await ops.remove();
        })
        .catch(() => undefined);
      this.log.warn({ messageId: m.messageId, message: m.name, err: (e as Error).name }, 'message not sent');
      throw e;
    }
  }

  /** Delivers the kept messages an instance may now be waiting for; returns how many were delivered. */
  deliverFor(processInstanceKey: string): Promise<number> {
    const running = this.inFlight.get(processInstanceKey);
    if (running) {
      running.again = true;
      return running.done;
    }
    const entry = { again: false, done: Promise.resolve(0) };
    entry.done = (async () => {
      let n = 0;
      try {
        do {
          entry.again = false;
          n += await this.deliverForOnce(processInstanceKey);
        } while (entry.again);
      } finally {
        this.inFlight.delete(processInstanceKey);
      }
      return n;
    })();
    this.inFlight.set(processInstanceKey, entry);
    return entry.done;
  }

  private async deliverForOnce(processInstanceKey: string): Promise<number> {
    let delivered = 0;
    for (const id of await this.repo.pendingFor(processInstanceKey)) {
      const ok = await this.repo.locked(id, async (r, ops) => {
        if (!r || r.state !== 'PENDING' || (r.processInstanceKey && r.processInstanceKey !== processInstanceKey)) return false;
        const key = await this.tryCorrelateLogged(r, r.processInstanceKey);
        if (key) await ops.delivered(key);
        return !!key;
      });
      if (ok) delivered++;
    }
    if (delivered) this.log.info({ processInstanceKey, delivered }, 'messages delivered on wait');
    return delivered;
  }

  /**
   * Goes through every kept message: delivers what can be delivered, drops expired ones and those
   * whose instance is gone. Run after the wait announcements were missed (e.g. on reconnect).
   * Returns how many were delivered.
   */
  async deliverAll(now = new Date()): Promise<number> {
    const expired = await this.repo.dropExpired(now);
    let delivered = 0;
    let dropped = 0;
    for (const id of await this.repo.pending()) {
      const outcome = await this.repo.locked(id, async (r, ops) => {
        if (!r || r.state !== 'PENDING') return 'skip' as const;
        const key = await this.tryCorrelateLogged(r, r.processInstanceKey);
        if (key) {
          await ops.delivered(key);
          return 'delivered' as const;
        }
        const found = await this.locate(r);
        if (found && found.length === 0) {
          await ops.dropped();
          return 'dropped' as const;
        }
        await ops.kept(found?.length === 1 ? found[0] : r.processInstanceKey);
        return 'kept' as const;
      });
      if (outcome === 'delivered') delivered++;
      if (outcome === 'dropped') dropped++;
    }
    if (delivered || dropped || expired) this.log.info({ delivered, dropped, expired }, 'kept messages processed');
    return delivered;
  }

  /** Correlates the row (to this instance when known); null when no instance waits for it. */
  private async tryCorrelate(r: PendingMessageRow, processInstanceKey: string | null): Promise<string | null> {
    const keys = { [r.correlationVariable]: r.correlationValue };
    try {
      const res = await this.runtime.correlate({
        name: r.name,
        tenantId: r.tenantId,
        ...(r.local ? { localCorrelationKeys: keys } : { correlationKeys: keys }),
        processInstanceKey: processInstanceKey ?? undefined,
        variables: Object.keys(r.variables).length ? r.variables : undefined,
      });
      return res.processInstanceKey;
    } catch (e) {
      if (e instanceof EngineNoCorrelation) return null;
      throw e;
    }
  }

  /** As tryCorrelate, for the retries: an unreachable engine stops the run, any other refusal skips the row. */
  private async tryCorrelateLogged(r: PendingMessageRow, processInstanceKey: string | null): Promise<string | null> {
    try {
      return await this.tryCorrelate(r, processInstanceKey);
    } catch (e) {
      if (e instanceof EngineUnavailable) throw e;
      this.log.warn({ messageId: r.messageId, message: r.name, err: (e as Error).name }, 'kept message refused by the engine');
      return null;
    }
  }

  /**
   * The running instances the message can be for: [] = none (drop it), null = cannot tell (keep it).
   * Uses the instance hint of the sender, else the instance the row was kept for, else (process-level
   * correlation only) the instances whose correlating variable has the value.
   */
  private async locate(r: PendingMessageRow, hint?: OutgoingMessage['instance']): Promise<string[] | null> {
    const known = hint && 'processInstanceKey' in hint ? hint.processInstanceKey : r.processInstanceKey;
    if (known) return (await this.runtime.isRunning(known)) ? [known] : [];
    if (hint && 'variable' in hint) return this.runtime.findInstances(r.tenantId, hint.variable, hint.value);
    if (!r.local) return this.runtime.findInstances(r.tenantId, r.correlationVariable, r.correlationValue);
    return null;
  }
}
