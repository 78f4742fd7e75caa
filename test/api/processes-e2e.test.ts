/**
 * Case work end to end on the real engine, through the API only: cm.duisburg opens a case over HTTP
 * (POST /api/cases → kim-intake), works every intake task with the variables its form defines
 * (GET /api/tasks, claim, complete), reaches kim-case (case management), completes the Förderplan,
 * starts a referral from the plan that runs the real kim-referral (e-mail to an SMTP server on
 * loopback, partner answers through the signed link page), starts a second referral with
 * POST /api/referrals, and closes the case. A second test walks the short-counselling path.
 */
import fs from 'node:fs';
import { ELEMENTS as CASE } from '../../processes/kim-case/contract';
import { ELEMENTS as INTAKE } from '../../processes/kim-intake/contract';
import { ELEMENT as REFERRAL } from '../../processes/kim-referral/contract';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { processesDirWith } from '../support/processes';
import { login, Session, startTestStack, testConfig, until } from '../support/stack';
import { q } from './fixtures';
import { Mail, MailCatcher, startMailCatcher } from '../support/smtp';

interface Task {
  id: string;
  elementId: string;
  name: string;
  processDefinitionId: string;
  candidateGroups: string[];
}
interface CaseRow {
  id: string;
  phase: string;
  kindOfHelp: string;
  outcome: string | null;
  goalsReached: string | null;
  closedAt: string | null;
  deletionDate: string | null;
  consentRefusedAt: string | null;
  processInstanceKey: string | null;
}
interface ReferralRow {
  id: string;
  caseId: string;
  organisationId: string;
  lifeArea: string;
  status: string;
  withData: boolean;
  outcome: string | null;
  processInstanceKey: string | null;
}

let mailCatcher: MailCatcher;
let mails: Mail[];
let stack: Stack;
let cm: Session;
let dir: string;
let course: { id: string; email: string };
let jobcenter: { id: string; email: string };
const tag = `${process.pid}-${Date.now()}`;


beforeAll(async () => {
  mailCatcher = await startMailCatcher();
  mails = mailCatcher.mails;
  dir = processesDirWith(['kim-intake', 'kim-case', 'kim-referral']);
  stack = await startTestStack({
    processesDir: dir,
    workerDefs: registry,
    config: testConfig({ KIM_SMTP_URL: mailCatcher.url, KIM_LINK_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456', KIM_REFERRAL_REMINDER_AFTER: 'PT1H', KIM_REVIEW_INTERVAL: 'P30D' }),
  });
  const org = (name: string, type: 'Sprachkurstraeger' | 'Jobcenter') =>
    stack.db.organisation.create({ data: { kommuneId: 'duisburg', name: `${name} ${tag}`, type, email: `${type.toLowerCase()}-${tag}@partner.test` } });
  course = (await org('Sprachschule am Hafen', 'Sprachkurstraeger')) as { id: string; email: string };
  jobcenter = (await org('Jobcenter Duisburg-Mitte', 'Jobcenter')) as { id: string; email: string };
  cm = await login(stack.url, 'cm.duisburg');
});
afterAll(async () => {
  await stack?.stop();
  await mailCatcher?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function json<T>(res: Response, status = 200): Promise<T> {
  const body = await res.text();
  if (res.status !== status) throw new Error(`${res.status} statt ${status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}

/** Waits for the case's open task with this element in the inbox, claims and completes it – all over HTTP. */
async function work(caseId: string, elementId: string, variables: Record<string, unknown>): Promise<Task> {
  const t = await until(async () => {
    const rows = await json<Task[]>(await cm.get(`/api/tasks?filter=${q({ caseId })}&range=[0,49]`));
    return rows.find((r) => r.elementId === elementId);
  }, `Aufgabe ${elementId} im Eingang`, 60_000);
  await json(await cm.post(`/api/tasks/${t.id}/claim`));
  await json(await cm.post(`/api/tasks/${t.id}/complete`, { variables }));
  return t;
}

const getCase = async (id: string) => json<CaseRow>(await cm.get(`/api/cases/${id}`));
const referralsOf = async (caseId: string) => json<ReferralRow[]>(await cm.get(`/api/referrals?filter=${q({ caseId })}&sort=${q(['createdAt', 'ASC'] as never)}`));
const referralIn = (caseId: string, id: string, status: string) =>
  until(async () => (await referralsOf(caseId)).find((r) => r.id === id && r.status === status), `Vermittlung im Status ${status}`, 60_000);
const mailTo = (address: string) => until(async () => mails.find((m) => m.to.includes(address)), `E-Mail an ${address}`, 60_000);
function linkOf(m: Mail): string {
  const match = /\/partner\/referrals\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(m.text);
  if (!match) throw new Error('Kein Link in der E-Mail');
  return match[0];
}
const answer = (link: string, form: Record<string, string>) =>
  fetch(`${stack.url}${link}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });

test('case management end to end: intake → kim-case → Förderplan → real kim-referral with the partner answering → second referral via the API → closing', async () => {
  // 1. Open the case for a new person (kim-intake).
  const started = await json<{ caseId: string; clientId: string; reference: string; processInstanceKey: string }>(
    await cm.post('/api/cases', { client: { firstName: 'Samira', lastName: `Haddad ${tag}`, birthDate: '1991-04-12', nationality: 'syrisch', languages: ['Arabisch'], phone: '0203 555 0101' } }),
    201,
  );
  expect(started.reference).toMatch(/^DU-\d{4}-/);
  const caseId = started.caseId;
  expect(await getCase(caseId)).toMatchObject({ phase: 'Zugang', processInstanceKey: started.processInstanceKey });

  // 2. Intake tasks with the variables of their forms.
  const first = await work(caseId, INTAKE.documentFirstContact, { lebensbereiche: ['Sprache', 'Arbeit', 'Wohnen'], kurzfristigLoesbar: false, rechtskreisuebergreifend: true, bekannteBeratung: [], dolmetschBedarf: true });
  expect(first).toMatchObject({ name: 'Erstkontakt dokumentieren', processDefinitionId: 'kim-intake', candidateGroups: ['case-manager:duisburg'] });
  await work(caseId, INTAKE.captureConsent, {
    einwilligung: 'erteilt',
    einwilligungEmpfaenger: ['Sprachkurstraeger'],
    einwilligungZwecke: ['Vermittlung'],
    einwilligungDatenkategorien: ['Stammdaten'],
    einwilligungGueltigBis: '2030-12-31',
  });

  // 3. The decision chose case management: kim-case starts with the Förderplan.
  const plan = await work(caseId, CASE.createSupportPlan, {
    ziele: [
      { lebensbereich: 'Sprache', beschreibung: 'Integrationskurs bis B1 abschließen', zieldatum: '2027-06-30' },
      { lebensbereich: 'Arbeit', beschreibung: 'Anerkennung des Berufsabschlusses beantragen' },
    ],
  });
  expect(plan.processDefinitionId).toBe('kim-case');
  const needs = await json<Array<{ lifeArea: string }>>(await cm.get(`/api/cases/${caseId}/needs`));
  expect(needs.map((n) => n.lifeArea).sort()).toEqual(['Arbeit', 'Sprache', 'Wohnen']);
  const goals = await until(async () => {
    const g = await json<Array<{ lifeArea: string; status: string }>>(await cm.get(`/api/cases/${caseId}/goals`));
    return g.length === 2 ? g : null;
  }, 'Ziele des Förderplans');
  expect(goals.map((g) => [g.lifeArea, g.status]).sort()).toEqual([
    ['Arbeit', 'laufend'],
    ['Sprache', 'laufend'],
  ]);
  const consents = await json<Array<{ recipients: string[] }>>(await cm.get(`/api/consents?filter=${q({ caseId })}`));
  expect(consents).toHaveLength(1);
  expect(consents[0].recipients).toContain(course.id);

  // 4. Referral from the plan: kim-case creates it and calls the real kim-referral.
  await work(caseId, CASE.planNextStep, { naechsterSchritt: 'vermittlung', vermittlungOrganisationId: course.id, vermittlungLebensbereich: 'Sprache', vermittlungZweck: 'Sprachkurs' });
  expect((await getCase(caseId)).phase).toBe('Umsetzung');
  const fromPlan = await until(async () => (await referralsOf(caseId)).find((r) => r.organisationId === course.id), 'Vermittlung aus dem Förderplan');
  expect(fromPlan).toMatchObject({ lifeArea: 'Sprache' });
  // The consent covers the course provider: the case manager releases the referral with data.
  const release = await work(caseId, REFERRAL.releaseReferral, { freigegeben: true });
  expect(release.processDefinitionId).toBe('kim-referral');
  const mail = await mailTo(course.email);
  expect(mail.raw).not.toContain('Haddad');
  const link = linkOf(mail);
  await referralIn(caseId, fromPlan.id, 'gesendet');

  // 5. The partner answers through the signed link page: sees only what the consent covers, accepts, reports.
  const pageRes = await fetch(`${stack.url}${link}`);
  expect(pageRes.status).toBe(200);
  const html = await pageRes.text();
  expect(html).toContain(`Samira Haddad ${tag}`);
  expect(html).not.toContain('0203 555 0101');
  expect((await answer(link, { action: 'accept' })).status).toBe(303);
  await referralIn(caseId, fromPlan.id, 'angenommen');
  expect((await answer(link, { action: 'outcome', text: 'Kurs begonnen, Modul 1 läuft' })).status).toBe(303);
  const done = await referralIn(caseId, fromPlan.id, 'abgeschlossen');
  expect(done).toMatchObject({ withData: true, outcome: 'Ergebnis laut Angebot: Kurs begonnen, Modul 1 läuft' });

  // 6. kim-referral ended, kim-case is back at the next step. Meanwhile a referral started with
  //    POST /api/referrals (the consent does not cover the Jobcenter: without data, contact handed over).
  await until(async () => (await json<Task[]>(await cm.get(`/api/tasks?filter=${q({ caseId })}`))).find((t) => t.elementId === CASE.planNextStep), 'wieder „Nächsten Schritt festlegen“', 60_000);
  const viaApi = await json<ReferralRow>(
    await cm.post('/api/referrals', { caseId, organisationId: jobcenter.id, lifeArea: 'Arbeit', purpose: 'Arbeitsvermittlung', dueDate: '2030-01-31', reminderAfter: 'PT1S', withData: true }),
    201,
  );
  expect(viaApi).toMatchObject({ caseId, status: 'angelegt', withData: false, lifeArea: 'Arbeit' });
  expect(viaApi.processInstanceKey).toBeTruthy();
  await work(caseId, REFERRAL.handOverContact, { kontaktUebergabe: 'persoenlich', kontaktUebergeben: true });
  const jcMail = await mailTo(jobcenter.email);
  expect(jcMail.text).toContain('keine Einwilligung zur Datenweitergabe');
  // The outbox marks the referral as sent right after the SMTP server took the mail.
  await referralIn(caseId, viaApi.id, 'gesendet');
  expect((await answer(linkOf(jcMail), { action: 'decline', text: 'Zuständig ist das Jobcenter Duisburg-Nord' })).status).toBe(303);
  await referralIn(caseId, viaApi.id, 'abgelehnt');

  // 7. Close: evaluation, deletion date, goals reached.
  await work(caseId, CASE.planNextStep, { naechsterSchritt: 'abschluss' });
  await work(caseId, CASE.evaluateCase, { zieleErreicht: 'ja', abschlussGrund: 'ziele-erreicht' });
  const closed = await until(async () => {
    const c = await getCase(caseId);
    return c.closedAt ? c : null;
  }, 'Fall abgeschlossen', 60_000);
  expect(closed).toMatchObject({ phase: 'Abschluss', kindOfHelp: 'CaseManagement', outcome: 'ziele-erreicht', goalsReached: 'ja', consentRefusedAt: null });
  const closedAt = new Date(closed.closedAt!);
  expect(closed.deletionDate!.slice(0, 10)).toBe(`${closedAt.getUTCFullYear() + 3}${closed.closedAt!.slice(4, 10)}`);
  expect((await json<Array<{ status: string }>>(await cm.get(`/api/cases/${caseId}/goals`))).map((g) => g.status)).toEqual(['erreicht', 'erreicht']);
  const referrals = await referralsOf(caseId);
  expect(referrals.map((r) => [r.organisationId, r.status])).toEqual([
    [course.id, 'abgeschlossen'],
    [jobcenter.id, 'abgelehnt'],
  ]);
  expect(referrals[1].outcome).toBe('Vom Angebot abgelehnt: Zuständig ist das Jobcenter Duisburg-Nord');
  // No task of the case is left open.
  await until(async () => (await json<Task[]>(await cm.get(`/api/tasks?filter=${q({ caseId })}`))).length === 0, 'keine offenen Aufgaben', 30_000);
  expect((await cm.put(`/api/cases/${caseId}`, { kindOfHelp: 'Kurzberatung' })).status).toBe(409);
});

test('short counselling through the API: one life area, consent refused → Kurzberatung, closed with deletion date', async () => {
  const started = await json<{ caseId: string }>(await cm.post('/api/cases', { client: { firstName: 'Olena', lastName: `Kovalenko ${tag}`, birthDate: '1985-09-02' } }), 201);
  const caseId = started.caseId;
  await work(caseId, INTAKE.documentFirstContact, { lebensbereiche: ['Sprache'], kurzfristigLoesbar: true, rechtskreisuebergreifend: false, bekannteBeratung: [], dolmetschBedarf: false });
  await work(caseId, INTAKE.captureConsent, { einwilligung: 'verweigert' });
  await work(caseId, INTAKE.shortCounselling, { beratungErfolgt: true });
  const c = await until(async () => {
    const row = await getCase(caseId);
    return row.closedAt ? row : null;
  }, 'Fall abgeschlossen', 60_000);
  expect(c).toMatchObject({ phase: 'Abschluss', kindOfHelp: 'Kurzberatung', outcome: 'kurzberatung' });
  expect(c.consentRefusedAt).not.toBeNull();
  expect(new Date(c.deletionDate!).getUTCFullYear()).toBe(new Date(c.closedAt!).getUTCFullYear() + 3);
  expect(await json<unknown[]>(await cm.get(`/api/consents?filter=${q({ caseId })}`))).toEqual([]);
  expect(await referralsOf(caseId)).toEqual([]);
});
