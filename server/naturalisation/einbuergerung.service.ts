/**
 * The naturalisation pre-check: evaluates the engine's decision `kim-einbuergerung-vorpruefung`
 * (processes/kim-einbuergerung) of the actor's commune (engine tenant) — the same decision the
 * process's business rule task uses — without starting a process (server/util/quick-check.ts). The
 * request carries only the decision inputs, no personal data; the audit log records that a
 * pre-check happened, never its inputs.
 */
import { z } from 'zod';
import { CODES, DECISION_ID, VorpruefungInput, VorpruefungResult } from '../../processes/kim-einbuergerung/contract';
import type { ProcessRuntime } from '../engine/port';
import type { AuditService } from '../audit/audit.service';
import type { Actor, RoleName } from '../auth/policy';
import { assertQuickCheckRole, DecisionQuickCheck, todayInBerlin } from '../util/quick-check';

export { todayInBerlin };

/** Roles that may run the quick check (case management, coordination, naturalisation authority). */
export const VORPRUEFUNG_ROLES: readonly RoleName[] = ['case_manager', 'coordinator', 'ebh'];

export const AUDIT_ACTION = 'einbuergerung.vorpruefung';

const resultSchema = z.object({
  eligible: z.boolean(),
  fehlendeVoraussetzungen: z.array(z.enum(CODES)),
  fruehesterAntragstermin: z.string().nullable(),
});

/**
 * The decision's one result as the engine gives it back: the decision's variable (`vorpruefung`)
 * holding the context, or – should the model name its outputs directly – the outputs themselves.
 */
function resultOf(rules: Array<Record<string, unknown>>): unknown {
  if (rules.length !== 1) return null;
  const row = rules[0];
  if ('eligible' in row) return row;
  const values = Object.values(row);
  return values.length === 1 ? values[0] : null;
}

const FORBIDDEN = 'Ihre Rolle darf keine Einbürgerungs-Vorprüfung durchführen.';

/** Only these roles run the quick check; others get 403 before their input is even read. */
export function assertMayRunVorpruefung(actor: Actor): void {
  assertQuickCheckRole(actor, VORPRUEFUNG_ROLES, FORBIDDEN);
}

const SPEC = {
  decisionId: DECISION_ID,
  roles: VORPRUEFUNG_ROLES,
  auditAction: AUDIT_ACTION,
  forbidden: FORBIDDEN,
  unavailable: 'Die Entscheidungstabelle für die Einbürgerungs-Vorprüfung ist nicht bereitgestellt.',
  failed: 'Die Vorprüfung konnte nicht ausgewertet werden.',
  unexpected: 'Die Vorprüfung lieferte ein unerwartetes Ergebnis.',
  result: resultSchema,
  pick: resultOf,
};

export class EinbuergerungService {
  private readonly check: DecisionQuickCheck<VorpruefungInput, VorpruefungResult>;

  constructor(runtime: Pick<ProcessRuntime, 'evaluateDecision'>, audit: AuditService) {
    this.check = new DecisionQuickCheck(runtime, audit, SPEC);
  }

  assertMayRun(actor: Actor): void {
    assertMayRunVorpruefung(actor);
  }

  /** Evaluates the decision of the commune `tenantId` on the engine; missing inputs count as false / 0 / null. */
  evaluate(tenantId: string, input: VorpruefungInput): Promise<VorpruefungResult> {
    return this.check.evaluate(tenantId, input);
  }

  /** The quick check of the web app; the answer names the reference date it used. */
  async vorpruefung(actor: Actor, input: VorpruefungInput, requestId?: string): Promise<VorpruefungResult & { stichtag: string }> {
    const { result, stichtag } = await this.check.run(actor, input, requestId);
    return { ...result, stichtag };
  }
}
