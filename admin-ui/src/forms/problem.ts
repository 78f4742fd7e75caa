/**
 * Problem details of a failed API call (application/problem+json): the German `title` for the
 * form's alert and the per-field messages of `errors` (keys are the request body's paths, e.g.
 * "client.firstName" or "agencies.0") for the fields themselves.
 */
import { HttpError } from 'react-admin';

export interface FormProblem {
  title: string;
  fields: Record<string, string>;
}

export function toProblem(e: unknown): FormProblem {
  const title = e instanceof Error && e.message ? e.message : 'Die Anfrage ist fehlgeschlagen. Bitte versuchen Sie es erneut.';
  const body = e instanceof HttpError ? (e.body as { errors?: unknown } | null) : null;
  const raw = body && typeof body.errors === 'object' && body.errors ? (body.errors as Record<string, unknown>) : {};
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') fields[k] = v;
  return { title, fields };
}

/** The message for a field: its own key or any nested key below it ("languages" covers "languages.1"). */
export function fieldError(p: FormProblem | null, ...keys: string[]): string | undefined {
  if (!p) return undefined;
  for (const key of keys) {
    if (p.fields[key]) return p.fields[key];
    const nested = Object.keys(p.fields).find((k) => k.startsWith(`${key}.`));
    if (nested) return p.fields[nested];
  }
  return undefined;
}

/** The field messages no visible field shows (listed under the form's alert so none gets lost). */
export function otherErrors(p: FormProblem | null, shown: string[]): string[] {
  if (!p) return [];
  return Object.entries(p.fields)
    .filter(([k]) => !shown.some((s) => k === s || k.startsWith(`${s}.`)))
    .map(([, v]) => v);
}
