/**
 * The step context of a task (see step-context.ts): asks the provider of the task's process and
 * adds what every case-manager step of a case needs to know – the process's German name from its
 * model and whether the person needs an interpreter.
 */
import type { Task } from '../../generated/prisma/client';
import type { Actor } from '../auth/policy';
import type { Db } from '../db/prisma';
import { conferenceStep, interpreterNeed } from '../conferences/conference-task-context';
import { einbuergerungStep } from '../naturalisation/einbuergerung-task-context';
import { bleiberechtStep } from '../residence/residence-task-context';
import { partnerOptions, referralStep } from '../referrals/referral-task-context';
import { steeringStep } from '../steering/steering-task-context';
import { ELEMENTS as CASE, PROCESS_ID as CASE_PROCESS } from '../../processes/kim-case/contract';
import { ELEMENTS as INTAKE, EXISTING_SUPPORT_DE, PROCESS_ID as INTAKE_PROCESS, type ExistingSupportCode } from '../../processes/kim-intake/contract';
import { stepOf, type StepContext, type StepProvider } from './step-context';

/** kim-intake and kim-case: the partner list of the referral step, the interpreter need, readable codes. */
const caseSteps: StepProvider = async (db, { task, actor, caseVisible }) => {
  if (actor.role !== 'case_manager' || !caseVisible || !task.caseId) return null;
  if (task.processDefinitionId === CASE_PROCESS && task.elementId === CASE.planNextStep) {
    return { title: 'Vermittlung vorbereiten', data: { partnerOrganisationen: await partnerOptions(db, task.kommuneId ?? '__none__') } };
  }
  if (task.processDefinitionId !== INTAKE_PROCESS) return null;
  const c = await db.case.findUnique({ where: { id: task.caseId }, select: { existingSupport: true, client: { select: { interpreterNeeded: true, languages: true } } } });
  if (!c) return null;
  if (task.elementId === INTAKE.documentFirstContact) {
    const langs = c.client.languages.filter(Boolean);
    return {
      title: 'Aus der Fallakte',
      facts: [
        { label: 'Sprachen', value: langs.length ? langs.join(', ') : 'nicht erfasst' },
        { label: 'Dolmetschbedarf laut Fallakte', value: c.client.interpreterNeeded ? 'ja' : 'nein' },
      ],
      data: { dolmetschBedarf: c.client.interpreterNeeded },
    };
  }
  if (task.elementId === INTAKE.clarifyExistingSupport) {
    const found = c.existingSupport.map((code) => EXISTING_SUPPORT_DE[code as ExistingSupportCode] ?? code);
    return {
      title: 'Gefundene Unterstützung',
      lists: [{ title: 'Die Prüfung auf Doppelförderung hat gefunden', items: found.length ? found : ['keine bestehende Unterstützung'] }],
      data: { bestehendeUnterstuetzung: found.join('; ') || 'keine bestehende Unterstützung' },
    };
  }
  return null;
};

const PROVIDERS: StepProvider[] = [referralStep, conferenceStep, einbuergerungStep, bleiberechtStep, steeringStep, caseSteps];

export class TaskContextService {
  constructor(
    private readonly db: Db,
    private readonly idVariable: (taskId: string, name: string) => Promise<string | null>,
  ) {}

  /** The process's German name: the name in its deployed model (the single source), else the id. */
  async processName(task: Pick<Task, 'processDefinitionKey' | 'processDefinitionId'>): Promise<string> {
    const def = await this.db.processDefinition.findUnique({ where: { key: task.processDefinitionKey }, select: { elementNames: true } });
    const names = (def?.elementNames ?? {}) as Record<string, string>;
    return names[task.processDefinitionId] ?? task.processDefinitionId;
  }

  async step(actor: Actor, task: Task, caseVisible: boolean): Promise<StepContext | null> {
    const input = { actor, task, caseVisible, idVariable: (name: string) => this.idVariable(task.id, name) };
    let found: StepContext | null = null;
    for (const p of PROVIDERS) {
      const r = await p(this.db, input);
      if (r) {
        found = stepOf(r.title ?? 'Zu diesem Schritt', r);
        break;
      }
    }
    // Every case-manager step of a person who needs an interpreter says so (once).
    if (actor.role === 'case_manager' && caseVisible && task.caseId) {
      const need = await interpreterNeed(this.db, task.caseId);
      if (need) {
        found ??= stepOf('Zu diesem Schritt', {});
        if (!found.hints.includes(need.hint)) found.hints.push(need.hint);
      }
    }
    return found;
  }
}
