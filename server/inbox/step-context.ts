/**
 * What one step of a process needs beside its form: facts the task view shows (organisation,
 * referral number, decision, required documents …), values the form starts with, the option lists
 * forms name by `valuesKey`, and at most one one-click completion ("Daten bestätigen").
 *
 * Personal data never travels through process variables: each capability reads it from the app
 * database by the record the task belongs to (Referral / Conference / Naturalisation by the task's
 * process instance, participant and agreement by the multi-instance id) and hands it to the form as
 * initial data. What a role gets is decided per step (see the providers in referrals/,
 * conferences/, naturalisation/).
 */
import type { Task } from '../../generated/prisma/client';
import type { Actor } from '../auth/policy';
import type { Db } from '../db/prisma';

export interface StepFact {
  label: string;
  value: string;
}

export interface StepList {
  title: string;
  items: string[];
}

export interface StepContext {
  /** Heading of the section in the task view, e.g. "Vermittlung". */
  title: string;
  facts: StepFact[];
  lists: StepList[];
  /** Short German notes that need attention (e.g. an interpreter is needed). */
  hints: string[];
  /** Initial form data: prefill values, option lists (valuesKey) and display values for form texts. */
  data: Record<string, unknown>;
  /** A one-click completion with fixed, legit form values. */
  action: { label: string; variables: Record<string, unknown> } | null;
}

export interface StepInput {
  actor: Actor;
  task: Task;
  /** The user may read the task's case file (the records policy said so). */
  caseVisible: boolean;
  /** Reads an id-valued variable in the task's scope (multi-instance element ids). */
  idVariable: (name: string) => Promise<string | null>;
}

/** One capability's contribution for the tasks of its processes; null: nothing to add for this step. */
export type StepProvider = (db: Db, input: StepInput) => Promise<Partial<StepContext> | null>;

export const emptyStep = (title: string): StepContext => ({ title, facts: [], lists: [], hints: [], data: {}, action: null });

/** Fills the gaps of a provider's answer. */
export function stepOf(title: string, p: Partial<StepContext>): StepContext {
  return { ...emptyStep(title), ...p, title: p.title ?? title };
}

/** German date (dd.mm.yyyy) of an ISO date or Date, as the product shows dates; '—' when empty. */
export function deDate(v: Date | string | null | undefined): string {
  if (!v) return '—';
  const d = typeof v === 'string' ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v) : v;
  if (Number.isNaN(d.getTime())) return '—';
  return d.toLocaleDateString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
}

/** German date and time in Europe/Berlin. */
export function deDateTime(v: Date | null | undefined): string {
  if (!v) return '—';
  return `${v.toLocaleString('de-DE', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })} Uhr`;
}

export const yesNo = (v: boolean | null | undefined) => (v == null ? '—' : v ? 'ja' : 'nein');

/** Facts with a value only. */
export const facts = (rows: Array<[string, string | null | undefined]>): StepFact[] =>
  rows.filter(([, v]) => v != null && v !== '').map(([label, value]) => ({ label, value: String(value) }));
