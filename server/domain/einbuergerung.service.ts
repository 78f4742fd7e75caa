/**
 * The naturalisation pre-check: evaluates the engine's decision `kim-einbuergerung-vorpruefung`
 * (processes/kim-einbuergerung) — the same decision the process's business rule task uses — without
 * starting a process. The request carries only the decision inputs, no personal data; the audit log
 * records that a pre-check happened, never its inputs.
 */
import { z } from 'zod';
import { CODES, DECISION_ID, VorpruefungInput, VorpruefungResult } from '../../processes/kim-einbuergerung/contract';
import type { Zeebe } from '../camunda/client';
import { isNotFound } from '../camunda/client';
import type { AuditService } from './audit.service';
import { DomainError, forbidden } from './errors';
import type { Actor, RoleName } from './policy';

/** Roles that may run the quick check (case management, coordination, naturalisation authority). */
export const VORPRUEFUNG_ROLES: readonly RoleName[] = ['case_manager', 'coordinator', 'ebh'];

export const AUDIT_ACTION = 'einbuergerung.vorpruefung';

const resultSchema = z.object({
  eligible: z.boolean(),
  fehlendeVoraussetzungen: z.array(z.enum(CODES)),
  fruehesterAntragstermin: z.string().nullable(),
});

/** Only these roles run the quick check; others get 403 before their input is even read. */
export function assertMayRunVorpruefung(actor: Actor): void {
  if (!VORPRUEFUNG_ROLES.includes(actor.role)) throw forbidden('Ihre Rolle darf keine Einbürgerungs-Vorprüfung durchführen.');
}

/** Today's date in Germany (YYYY-MM-DD), the default reference date. */
export function todayInBerlin(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export class EinbuergerungService {
  constructor(
    private readonly zeebe: Zeebe,
    private readonly audit: AuditService,
  ) {}

  /** Evaluates the decision on the engine. Missing inputs are left out (the decision treats them as false / 0 / null). */
  async evaluate(input: VorpruefungInput): Promise<VorpruefungResult> {
    const variables = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    let res: Awaited<ReturnType<Zeebe['evaluateDecision']>>;
    try {
      res = await this.zeebe.evaluateDecision({ decisionId: DECISION_ID, variables });
    } catch (e) {
      if (isNotFound(e)) throw new DomainError(503, 'Die Entscheidungstabelle für die Einbürgerungs-Vorprüfung ist nicht bereitgestellt.', 'decision_unavailable');
      throw new DomainError(503, 'Die Prozess-Engine ist nicht erreichbar. Bitte versuchen Sie es später erneut.', 'engine_unavailable');
    }
    if (res.failureMessage || res.failedDecisionId) {
      throw new DomainError(500, 'Die Vorprüfung konnte nicht ausgewertet werden.', 'decision_failed');
    }
    const parsed = resultSchema.safeParse(JSON.parse(res.decisionOutput));
    if (!parsed.success) throw new DomainError(500, 'Die Vorprüfung lieferte ein unerwartetes Ergebnis.', 'decision_failed');
    return parsed.data;
  }

  /** The quick check of the web app: role check, evaluation with a reference date, audit entry without the inputs. */
  async vorpruefung(actor: Actor, input: VorpruefungInput, requestId?: string): Promise<VorpruefungResult & { stichtag: string }> {
    assertMayRunVorpruefung(actor);
    const stichtag = input.stichtag ?? todayInBerlin();
    const result = await this.evaluate({ ...input, stichtag });
    await this.audit.write(actor, { action: AUDIT_ACTION, entity: 'Entscheidung', entityId: DECISION_ID, requestId });
    return { ...result, stichtag };
  }
}
