/**
 * Which form input never goes to the engine (ARCHITECTURE.md: process variables carry ids and
 * the values gateways decide on, never notes, places or documents). Each process contract names
 * the fields per user task; the inbox keeps them in TaskSubmission and the workers read them back.
 */
import { PROCESS_ID as CASE, PROTECTED_INPUT as CASE_INPUT } from '../../processes/kim-case/contract';
import { PROCESS_ID as NATURALISATION, PROTECTED_INPUT as NATURALISATION_INPUT } from '../../processes/kim-einbuergerung/contract';
import { PROCESS_ID as CONFERENCE, PROTECTED_INPUT as CONFERENCE_INPUT } from '../../processes/kim-fallkonferenz/contract';
import { PROCESS_ID as RESIDENCE, PROTECTED_INPUT as RESIDENCE_INPUT } from '../../processes/kim-bleiberecht/contract';
import { PROCESS_ID as STEERING, PROTECTED_INPUT as STEERING_INPUT } from '../../processes/kim-steuerung/contract';

/** Process id → user task element id → fields kept in the app database. */
export const PROTECTED_INPUT: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  [CASE]: CASE_INPUT,
  [CONFERENCE]: CONFERENCE_INPUT,
  [NATURALISATION]: NATURALISATION_INPUT,
  [RESIDENCE]: RESIDENCE_INPUT,
  [STEERING]: STEERING_INPUT,
};

export function protectedFields(processId: string, elementId: string): readonly string[] {
  return PROTECTED_INPUT[processId]?.[elementId] ?? [];
}

/** Splits submitted variables into what the engine gets and what stays in the app database. */
export function splitProtected(fields: readonly string[], variables: Record<string, unknown>): { engine: Record<string, unknown>; kept: Record<string, unknown> } {
  const engine: Record<string, unknown> = {};
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(variables)) (fields.includes(k) ? kept : engine)[k] = v;
  return { engine, kept };
}
