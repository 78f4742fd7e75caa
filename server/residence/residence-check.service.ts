/**
 * The residence pre-check (§§ 25a, 25b AufenthG): evaluates the engine's decision
 * `kim-bleiberecht-vorpruefung` (processes/kim-bleiberecht) of the actor's commune (engine tenant) —
 * the same decision the process's business rule task and the deadline tracker use — without
 * starting a process (server/util/quick-check.ts). The rules live only in the DMN; the answer's
 * shape is checked strictly. The request carries only the decision inputs; the audit log records
 * that a pre-check happened, never its inputs.
 */
import { z } from 'zod';
import { CODES_25A, CODES_25B, DECISION_ID, FRIST_CODES, VorpruefungInput, VorpruefungResult } from '../../processes/kim-bleiberecht/contract';
import type { ProcessRuntime } from '../engine/port';
import type { AuditService } from '../audit/audit.service';
import type { Actor, RoleName } from '../auth/policy';
import { assertQuickCheckRole, DecisionQuickCheck } from '../util/quick-check';

/** Roles that may run the quick check: case management, the foreigners' authority, coordination. */
export const BLEIBERECHT_CHECK_ROLES: readonly RoleName[] = ['case_manager', 'abh', 'coordinator'];

export const AUDIT_ACTION = 'bleiberecht.vorpruefung';

const FORBIDDEN = 'Ihre Rolle darf keine Bleiberechts-Vorprüfung durchführen.';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const resultSchema = z.strictObject({
  paragraf25a: z.strictObject({ erfuellt: z.boolean(), fehlend: z.array(z.enum(CODES_25A)), fruehestensAb: isoDate.nullable(), antragSpaetestensAm: isoDate.nullable() }),
  paragraf25b: z.strictObject({ erfuellt: z.boolean(), fehlend: z.array(z.enum(CODES_25B)), fruehestensAb: isoDate.nullable() }),
  fristen: z.array(z.strictObject({ code: z.enum(FRIST_CODES), datum: isoDate })),
});

/** Only these roles run the quick check; others get 403 before their input is even read. */
export function assertMayRunBleiberechtCheck(actor: Actor): void {
  assertQuickCheckRole(actor, BLEIBERECHT_CHECK_ROLES, FORBIDDEN);
}

export class ResidenceCheckService {
  private readonly check: DecisionQuickCheck<VorpruefungInput, VorpruefungResult>;

  constructor(runtime: Pick<ProcessRuntime, 'evaluateDecision'>, audit: AuditService) {
    this.check = new DecisionQuickCheck(runtime, audit, {
      decisionId: DECISION_ID,
      roles: BLEIBERECHT_CHECK_ROLES,
      auditAction: AUDIT_ACTION,
      forbidden: FORBIDDEN,
      unavailable: 'Die Entscheidungstabelle für die Bleiberechts-Vorprüfung ist nicht bereitgestellt.',
      failed: 'Die Bleiberechts-Vorprüfung konnte nicht ausgewertet werden.',
      unexpected: 'Die Bleiberechts-Vorprüfung lieferte ein unerwartetes Ergebnis.',
      result: resultSchema,
      // The literal expression's single result is the decision's variable `vorpruefung`.
      pick: (rules) => (rules.length === 1 ? rules[0].vorpruefung : null),
    });
  }

  assertMayRun(actor: Actor): void {
    assertMayRunBleiberechtCheck(actor);
  }

  /** Evaluates the decision of the commune `tenantId` on the engine (booleans false, days 0, dates unknown when missing). */
  evaluate(tenantId: string, input: VorpruefungInput): Promise<VorpruefungResult> {
    return this.check.evaluate(tenantId, input);
  }

  /** The quick check of the web app: exactly the decision's answer. */
  async vorpruefung(actor: Actor, input: VorpruefungInput, requestId?: string): Promise<VorpruefungResult> {
    return (await this.check.run(actor, input, requestId)).result;
  }
}
