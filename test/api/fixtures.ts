/** Shared fixtures of the API tests: one complete case per site (client, consent, referral, conference, note, document), and the tenancy tests' engine objects. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROCESS_ID as RESIDENCE_PROCESS } from '../../processes/kim-bleiberecht/contract';
import type { Stack } from '../../server/stack';
import type { WorkerDeps } from '../../workers/deps';
import type { WorkerDefinition } from '../../workers/runtime';
import { actorOf, processesDirWith } from '../support/processes';
import { FIXTURES, login, type Session, until } from '../support/stack';

export interface CaseFixture {
  siteId: string;
  kommuneId: string;
  clientId: string;
  caseId: string;
  consentId: string;
  referralId: string;
  conferenceId: string;
  noteId: string;
  documentId: string;
  organisationId: string;
}

export async function caseFixture(stack: Stack, siteId: string): Promise<CaseFixture> {
  const db = stack.db;
  const site = await db.site.findUniqueOrThrow({ where: { id: siteId } });
  const kommuneId = site.kommuneId;
  const cm = await db.user.findFirst({ where: { siteId, role: 'case_manager' } });
  const org = await db.organisation.findFirstOrThrow({ where: { kommuneId, type: 'Jobcenter' } });
  const tag = crypto.randomBytes(3).toString('hex');
  const client = await db.client.create({ data: { kommuneId, siteId, pseudonym: `T-${tag}`, firstName: 'Test', lastName: `Person ${tag}`, languages: ['Arabisch'] } });
  const kase = await db.case.create({ data: { reference: `T-${tag}`, clientId: client.id, kommuneId, siteId, phase: 'Umsetzung', caseManagerId: cm?.id ?? null } });
  const consent = await db.consent.create({
    data: { caseId: kase.id, recipients: [org.id], dataCategories: ['Stammdaten'], purposes: ['Vermittlung'], validFrom: new Date('2026-01-01T00:00:00Z') },
  });
  const referral = await db.referral.create({ data: { caseId: kase.id, organisationId: org.id, lifeArea: 'Arbeit', purpose: 'Arbeitsvermittlung' } });
  const conference = await db.conference.create({ data: { caseId: kase.id, title: 'Fallkonferenz', scheduledAt: new Date('2030-01-01T10:00:00Z') } });
  const note = await db.note.create({ data: { caseId: kase.id, authorId: cm?.id ?? null, text: 'Notiz' } });
  const document = await db.document.create({ data: { caseId: kase.id, title: 'Pass', kind: 'Ausweis', fileName: 'pass.pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF') } });
  return {
    siteId,
    kommuneId,
    clientId: client.id,
    caseId: kase.id,
    consentId: consent.id,
    referralId: referral.id,
    conferenceId: conference.id,
    noteId: note.id,
    documentId: document.id,
    organisationId: org.id,
  };
}

/** A user task routed to a group and linked to a case (what gives ABH/EBH access). */
export async function taskFor(stack: Stack, caseId: string, group: string, kommuneId = 'duisburg') {
  const id = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
  return stack.db.task.create({
    data: {
      id,
      processInstanceKey: id,
      processDefinitionKey: '1',
      processDefinitionId: 'kim-test-permissions',
      processVersion: 1,
      elementId: 'Task_PreCheckFile',
      name: 'Akte vorprüfen',
      candidateGroups: [group],
      caseId,
      kommuneId,
    },
  });
}

export const q = (o: Record<string, unknown>) => encodeURIComponent(JSON.stringify(o));

/** A session per user name, signed in at first use (`url`: the stack's, read when needed). */
export function sessionCache(url: () => string): (username: string) => Promise<Session> {
  const sessions = new Map<string, Session>();
  return async (username) => {
    let s = sessions.get(username);
    if (!s) {
      s = await login(url(), username);
      sessions.set(username, s);
    }
    return s;
  };
}

/** The JSON body of a response that must have `status` (otherwise an error quoting the body). */
export async function expectJson<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.status} statt ${status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

// ---------------------------------------------------------------------------------------------
// Tenancy fixtures shared by engine-tenancy.test.ts and tenant-isolation.test.ts: the demo roles
// Mettmann lacks, coordinators' stated reasons, and a case with engine objects (a running instance
// waiting at a user task with an incident next to it, and a residence path with a tracked deadline).

/** Mettmann's staff for the roles the demo data has in Duisburg only (same password). */
export async function ensureMettmannRoles(stack: Stack) {
  const template = await stack.db.user.findUniqueOrThrow({ where: { username: 'koord.mettmann' } });
  for (const role of ['abh', 'ebh', 'admin'] as const) {
    const username = `${role}.mettmann`;
    await stack.db.user.upsert({
      where: { username },
      create: { username, displayName: `Test ${role} Mettmann`, passwordHash: template.passwordHash, role, kommuneId: 'mettmann', siteId: null, groups: role === 'admin' ? [] : [role, `${role}:mettmann`] },
      update: { active: true, failedLogins: 0, lockedUntil: null },
    });
  }
}

/** Coordinators reach a person's case content only under a stated reason: one for each case, valid for an hour. */
export async function grantCaseAccess(stack: Stack, username: string, caseIds: string[]) {
  const u = await stack.db.user.findUniqueOrThrow({ where: { username } });
  for (const caseId of caseIds) {
    await stack.db.caseAccess.create({ data: { caseId, userId: u.id, kommuneId: u.kommuneId!, reason: 'Fachaufsicht', note: 'Mandantentest', expiresAt: new Date(Date.now() + 3600_000) } });
  }
}

/** The test process of the tenancy tests (test/fixtures/engine-tenancy): a user task and, in parallel, a worker's step that fails. */
export const TENANCY_PID = 'kim-test-tenancy';

export const failingTenancyWorker: WorkerDefinition<WorkerDeps> = {
  type: 'kim.test-tenancy-fail',
  handler: async () => ({ kind: 'fail', message: 'Partnersystem nicht erreichbar (Test)', retries: 0 }),
};

/** A processes folder with kim-bleiberecht, the tenancy test process and `extra` processes (remove it after the tests). */
export function tenancyProcessesDir(extra: string[] = []): string {
  const dir = processesDirWith([RESIDENCE_PROCESS, ...extra]);
  fs.cpSync(path.join(FIXTURES, 'engine-tenancy'), dir, { recursive: true });
  return dir;
}

export interface EngineCaseFixture extends CaseFixture {
  /** The running instance of {@link TENANCY_PID}, its open task and its incident. */
  instanceKey: string;
  taskId: string;
  incidentId: string;
  /** The case's residence path: its row, its engine instance and its open task. */
  residenceId: string;
  residenceInstanceKey: string;
  residenceTaskId: string;
}

/**
 * A case of the site (see {@link caseFixture}) with engine objects: an instance of the tenancy test
 * process and a residence path begun by the site's case manager `caseManager`, with one tracked date.
 * Needs a stack on {@link tenancyProcessesDir} with the workers and {@link failingTenancyWorker}.
 */
export async function engineCaseFixture(stack: Stack, siteId: string, caseManager: string): Promise<EngineCaseFixture> {
  const fx = await caseFixture(stack, siteId);
  const kommuneId = fx.kommuneId;
  const started = await stack.engine.runtime.start(TENANCY_PID, kommuneId, { kommuneId, caseId: fx.caseId });
  await stack.db.case.update({ where: { id: fx.caseId }, data: { processInstanceKey: started.processInstanceKey } });
  const task = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: started.processInstanceKey, state: 'CREATED' } }), `Aufgabe in ${kommuneId}`);
  const [incident] = await until(async () => {
    const l = await stack.engine.watch.incidents({ tenantId: kommuneId, processInstanceKey: started.processInstanceKey });
    return l.length ? l : null;
  }, `Vorfall in ${kommuneId}`);
  const residence = await stack.services.residence.start(await actorOf(stack, caseManager), { caseId: fx.caseId });
  const residenceTask = await until(() => stack.db.task.findFirst({ where: { processInstanceKey: residence.processInstanceKey, state: 'CREATED' } }), `Bleiberechtsaufgabe in ${kommuneId}`);
  const soon = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 30));
  await stack.db.residenceDeadline.create({ data: { residencePathId: residence.bleiberechtId, caseId: fx.caseId, kommuneId, kind: 'DULDUNG_ABLAUF', date: soon, remindAt: new Date() } });
  return {
    ...fx,
    instanceKey: started.processInstanceKey,
    taskId: task.id,
    incidentId: incident.id,
    residenceId: residence.bleiberechtId,
    residenceInstanceKey: residence.processInstanceKey,
    residenceTaskId: residenceTask.id,
  };
}
