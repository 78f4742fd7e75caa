/**
 * The HTTP side of a quick check (server/util/quick-check.ts): a strict body of exactly the
 * decision's inputs – any other field (a name, a file number) is refused with a German 400, so no
 * personal data reaches the engine or the log – and the POST route that checks the role before it
 * reads the body.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/policy';
import { asyncRoute, parseBody } from './http';
import { requireActor } from './session';

/** A calendar date YYYY-MM-DD that exists (no 2023-02-29, no 2024-13-01); `example` shows the format. */
export const isoDateInput = (example: string) => z.iso.date({ error: `Bitte ein gültiges Datum im Format JJJJ-MM-TT angeben, z. B. ${example}.` });

/** A yes/no input; missing counts as no in the decisions. */
export const yesNoInput = () => z.boolean({ error: 'Bitte ja oder nein angeben (true/false).' }).optional();

/** Several yes/no inputs by name. */
export function yesNoInputs<K extends string>(keys: readonly K[]): Record<K, ReturnType<typeof yesNoInput>> {
  return Object.fromEntries(keys.map((k) => [k, yesNoInput()])) as Record<K, ReturnType<typeof yesNoInput>>;
}

/** A whole number from 0 (optionally with a maximum); `what` names the field in the German messages. */
export function countInput(what: string, opts: { max?: number; negative?: string } = {}) {
  let n = z
    .number({ error: `${what}: bitte eine Zahl angeben.` })
    .int({ error: `${what}: bitte eine ganze Zahl angeben.` })
    .min(0, { error: opts.negative ?? `${what} darf nicht negativ sein.` });
  if (opts.max !== undefined) n = n.max(opts.max, { error: `${what}: höchstens ${opts.max}.` });
  return n.optional();
}

/** One of the levels A1 … C2, or empty. */
export const languageLevelInput = <T extends readonly [string, ...string[]]>(levels: T) =>
  z.enum(levels, { error: 'Sprachniveau muss A1, A2, B1, B2, C1 oder C2 sein (oder leer bleiben).' }).nullable().optional();

/** Exactly the decision's inputs: an unknown field is refused and the message lists the allowed ones. */
export function decisionInputs<S extends z.core.$ZodLooseShape>(shape: S, inputNames: readonly string[]) {
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `Nur die Angaben der Vorprüfung sind erlaubt, keine personenbezogenen Daten. Unbekannt: ${iss.keys.join(', ')}. Erlaubt: ${inputNames.join(', ')}.`
        : undefined,
  });
}

/** POST handler of a quick check: 403 for other roles before the body is read, 400 for a wrong body, else the check's answer. */
export function quickCheckRoute<T extends z.ZodTypeAny>(
  schema: T,
  check: { assertMayRun(actor: Actor): void; vorpruefung(actor: Actor, input: z.infer<T>, requestId?: string): Promise<unknown> },
): RequestHandler {
  return asyncRoute(async (req, res) => {
    const actor = requireActor(req);
    check.assertMayRun(actor);
    const input = parseBody(schema, req.body);
    res.json(await check.vorpruefung(actor, input, req.requestId));
  });
}
