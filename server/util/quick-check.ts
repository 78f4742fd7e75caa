/**
 * A quick check without a process: one decision of the actor's commune (engine tenant) evaluated on
 * the engine – the same decision the process's business rule task uses – with the decision inputs
 * only. The rules stay in the DMN; this class passes the inputs, checks the shape of the answer,
 * keeps the roles that may ask and writes an audit entry that a check happened (never its inputs).
 * The naturalisation (§ 10 StAG) and the residence (§§ 25a/25b AufenthG) quick checks are two
 * configurations of it.
 */
import type { z } from 'zod';
import type { AuditService } from '../audit/audit.service';
import type { Actor, RoleName } from '../auth/policy';
import { EngineBadRequest, EngineNotFound, type ProcessRuntime, type Variables } from '../engine/port';
import { DomainError, forbidden } from '../errors';

/** Today's date in Germany (YYYY-MM-DD), the default reference date. */
export function todayInBerlin(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Only `roles` run a quick check; others get 403 before their input is even read. */
export function assertQuickCheckRole(actor: Actor, roles: readonly RoleName[], message: string): void {
  if (!roles.includes(actor.role)) throw forbidden(message);
}

export interface QuickCheckSpec<R> {
  decisionId: string;
  roles: readonly RoleName[];
  auditAction: string;
  /** German 403 text for other roles. */
  forbidden: string;
  /** German texts: the decision is not deployed; the engine refused the inputs; the answer has an unexpected shape. */
  unavailable: string;
  failed: string;
  unexpected: string;
  /** The decision's one result, checked. */
  result: z.ZodType<R>;
  /** Picks the result out of the engine's rows (e.g. the decision's single variable). */
  pick: (rules: Array<Record<string, unknown>>) => unknown;
}

export class DecisionQuickCheck<I extends { stichtag?: string }, R> {
  constructor(
    private readonly runtime: Pick<ProcessRuntime, 'evaluateDecision'>,
    private readonly audit: AuditService,
    private readonly spec: QuickCheckSpec<R>,
  ) {}

  assertMayRun(actor: Actor): void {
    assertQuickCheckRole(actor, this.spec.roles, this.spec.forbidden);
  }

  /**
   * Evaluates the decision of the commune `tenantId` on the engine. Missing inputs are left out
   * (the decision gives them its own defaults).
   */
  async evaluate(tenantId: string, input: I): Promise<R> {
    const variables: Variables = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    let rules: Array<Record<string, unknown>>;
    try {
      rules = (await this.runtime.evaluateDecision(this.spec.decisionId, tenantId, variables)).rules;
    } catch (e) {
      if (e instanceof EngineNotFound) throw new DomainError(503, this.spec.unavailable, 'decision_unavailable');
      if (e instanceof EngineBadRequest) throw new DomainError(500, this.spec.failed, 'decision_failed');
      throw new DomainError(503, 'Die Prozess-Engine ist nicht erreichbar. Bitte versuchen Sie es später erneut.', 'engine_unavailable');
    }
    const parsed = this.spec.result.safeParse(this.spec.pick(rules));
    if (!parsed.success) throw new DomainError(500, this.spec.unexpected, 'decision_failed');
    return parsed.data;
  }

  /** The quick check of the web app: role check, evaluation with a reference date (default today), audit entry without the inputs. */
  async run(actor: Actor, input: I, requestId?: string): Promise<{ result: R; stichtag: string }> {
    this.assertMayRun(actor);
    if (!actor.kommuneId) throw forbidden('Ihr Konto ist keiner Kommune zugeordnet.');
    const stichtag = input.stichtag ?? todayInBerlin();
    const result = await this.evaluate(actor.kommuneId, { ...input, stichtag });
    await this.audit.write(actor, { action: this.spec.auditAction, entity: 'Entscheidung', entityId: this.spec.decisionId, requestId });
    return { result, stichtag };
  }
}
