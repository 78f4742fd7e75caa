/**
 * Tenant isolation, generated from the API description. Every operation of /api/openapi.json is
 * called by every role with another commune's objects – Duisburg's staff and the Land with
 * Mettmann's, Mettmann's staff with Duisburg's – and a Duisburg case manager with the other
 * Duisburg site's case content (where site scoping applies):
 *
 * - by id: the path parameters name the other place's objects (cases, tasks, incidents, outbox
 *   mails, steering rows, exports …) – the answer is 403 or 404;
 * - in the body or the query: a request body or query parameter names them – 400, 403 or 404;
 * - by filter and by list: every list with a `filter` is asked for the other place's ids, case,
 *   person, commune and site, and read whole – 200 without any of their rows (or a refusal);
 *
 * and no answer (whatever its status) carries an id or name of the other place's objects, except
 * what the request itself sent. Engine-backed operations are included: tasks, instances, the
 * process view, heatmaps (model versions), incidents and the models.
 *
 * The cases are generated: each path parameter is filled by its kind (the table FILL below), each
 * request body and query parameter by the tables BODY and QUERY. An operation the generator cannot
 * fill – a new route, a new parameter – fails the first test with a message naming it, so nothing
 * slips through untested. Controls show the probes can fail: the owning commune reaches each object
 * through the same operations, and its lists show its rows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Stack } from '../../server/stack';
import { workers as registry } from '../../workers';
import { FIXTURES, Session, startTestStack } from '../support/stack';
import { caseFixture, EngineCaseFixture, engineCaseFixture, ensureMettmannRoles, expectJson, failingTenancyWorker, grantCaseAccess, sessionCache, taskFor, TENANCY_PID, tenancyProcessesDir } from './fixtures';

type Commune = 'duisburg' | 'mettmann';
/** Where the objects of a probe live, seen from the caller. */
type Place = 'otherKommune' | 'otherSite';
/** How far an object reaches: a site's case content, a commune's row, or a name every commune shares. */
type Level = 'site' | 'commune' | 'scoped';

const tag = () => crypto.randomBytes(4).toString('hex');

/** A site's case content (what site scoping protects). */
interface SiteObjects {
  siteId: string;
  kommuneId: Commune;
  caseId: string;
  clientId: string;
  consentId: string;
  referralId: string;
  conferenceId: string;
  noteId: string;
  documentId: string;
  needId: string;
  goalId: string;
  naturalisationId: string;
  noticeId: string;
  /** The person's last name (what a search would ask for). */
  clientName: string;
  markers: string[];
}

/** A commune's rows (users, partners, steering, exports, outbox) and its engine objects. */
interface CommuneObjects {
  kommuneId: Commune;
  siteId: string;
  userId: string;
  organisationId: string;
  auditId: string;
  themeId: string;
  gapId: string;
  measureId: string;
  memberId: string;
  meetingId: string;
  itemId: string;
  mailId: string;
  exportRunId: string;
  exportConfigId: string;
  engine: EngineCaseFixture;
  /** The highest version of the test process in the commune (its own variant). */
  version: number;
  markers: string[];
}

/** What a probe addresses: the case content of one site and the rows of one commune. */
interface Target {
  site: SiteObjects;
  commune: CommuneObjects;
}

let stack: Stack;
let dir: string;
const sites = {} as Record<'duisburg-nord' | 'duisburg-sued' | 'mettmann-ratingen', SiteObjects>;
const communes = {} as Record<Commune, CommuneObjects>;

const session = sessionCache(() => stack.url);

const json = expectJson;

// ---------------------------------------------------------------------------------------------
// The objects of each place

/** The case content of a site: a case with everything that hangs off it, each row with a findable name. */
async function siteObjects(base: Awaited<ReturnType<typeof caseFixture>>, themeId: string): Promise<SiteObjects> {
  const db = stack.db;
  const k = base.kommuneId as Commune;
  const t = tag();
  const c = await db.case.findUniqueOrThrow({ where: { id: base.caseId }, include: { client: true } });
  const need = await db.need.create({ data: { caseId: base.caseId, lifeArea: 'Wohnen', description: `Bedarf ${t}` } });
  const goal = await db.goal.create({ data: { caseId: base.caseId, needId: need.id, lifeArea: 'Wohnen', description: `Ziel ${t}` } });
  const naturalisation = await db.naturalisation.create({ data: { caseId: base.caseId, kommuneId: k, residenceTitle: `Titel ${t}` } });
  const notice = await db.steeringNotice.create({ data: { themeId, caseId: base.caseId, kommuneId: k, siteId: base.siteId } });
  await db.note.update({ where: { id: base.noteId }, data: { text: `Notiz ${t}` } });
  return {
    siteId: base.siteId,
    kommuneId: k,
    caseId: base.caseId,
    clientId: base.clientId,
    consentId: base.consentId,
    referralId: base.referralId,
    conferenceId: base.conferenceId,
    noteId: base.noteId,
    documentId: base.documentId,
    needId: need.id,
    goalId: goal.id,
    naturalisationId: naturalisation.id,
    noticeId: notice.id,
    clientName: c.client.lastName,
    markers: [
      base.caseId,
      base.clientId,
      base.consentId,
      base.referralId,
      base.conferenceId,
      base.noteId,
      base.documentId,
      need.id,
      goal.id,
      naturalisation.id,
      notice.id,
      c.reference,
      c.client.lastName,
      `Bedarf ${t}`,
      `Ziel ${t}`,
      `Titel ${t}`,
      `Notiz ${t}`,
    ],
  };
}

/** The commune's own variant of the test process, deployed next to the first version. */
async function deployVariant(k: Commune, name: string): Promise<void> {
  const src = path.join(FIXTURES, 'engine-tenancy', TENANCY_PID);
  const files = fs.readdirSync(src).map((f) => {
    const text = fs.readFileSync(path.join(src, f), 'utf8');
    return { name: f, content: Buffer.from(f.endsWith('.bpmn') ? text.replace('name="Fall sichten"', `name="${name}"`) : text) };
  });
  await stack.engine.deployer.deploy(k, TENANCY_PID, files);
}

async function communeObjects(k: Commune, engine: EngineCaseFixture, themeId: string): Promise<CommuneObjects> {
  const db = stack.db;
  const t = tag();
  const siteId = engine.siteId;
  const user = await db.user.create({ data: { username: `mandant.${t}`, displayName: `Mitarbeiterin ${t}`, passwordHash: 'x', role: 'case_manager', kommuneId: k, siteId, groups: ['case-manager', `case-manager:${k}`] } });
  const org = await db.organisation.create({ data: { kommuneId: k, name: `Beratungsstelle ${t}`, type: 'Beratungsstelle' } });
  const gap = await db.systemGap.create({ data: { kommuneId: k, lifeArea: 'Bildung', title: `Lücke ${t}`, description: 'Mandantentest', themeId, status: 'in_pruefung' } });
  const measure = await db.steeringMeasure.create({ data: { themeId, kommuneId: k, title: `Maßnahme ${t}`, ownerOrganisation: `Träger ${t}`, targetDate: new Date('2030-06-30'), expectedEffect: 'Mandantentest' } });
  const member = await db.steeringGroupMember.create({ data: { kommuneId: k, organisation: `Mitglied ${t}`, kind: 'Sonstige' } });
  const meeting = await db.steeringMeeting.create({ data: { kommuneId: k, title: `Sitzung ${t}`, date: new Date('2030-03-10T13:00:00Z') } });
  const item = await db.steeringAgendaItem.create({ data: { meetingId: meeting.id, position: 1, kind: 'sonstiges', title: `Punkt ${t}` } });
  const mail = await db.mailOutbox.create({
    data: { key: `mandantentest:${t}`, kommuneId: k, caseId: engine.caseId, kind: 'referral', recipient: `empfang-${t}@example.org`, subject: `Betreff ${t}`, body: `Text ${t}`, status: 'failed', attempts: 12, lastError: 'SMTP 550' },
  });
  const koord = await session(`koord.${k}`);
  const run = await json<{ id: string }>(await koord.post('/api/export/runs', { indicators: ['offene-faelle'], from: '2026-01', to: '2026-02', format: 'csv' }), 201);
  const config = await json<{ id: string }>(await koord.post('/api/export/configs', { indicators: ['offene-faelle'], format: 'json', schedule: 'jaehrlich' }), 201);
  const variant = `Fall sichten (Variante ${t})`;
  await deployVariant(k, variant);
  const defs = await stack.engine.watch.definitions(k, TENANCY_PID);
  const theme = await db.steeringTheme.findUniqueOrThrow({ where: { id: themeId } });
  const site = await db.site.findUniqueOrThrow({ where: { id: siteId } });
  // ABH and EBH reach the case through a task in their group (what gives them access at all).
  const authority = [await taskFor(stack, engine.caseId, `abh:${k}`, k), await taskFor(stack, engine.caseId, `ebh:${k}`, k)];
  const audit = await db.auditLog.findFirstOrThrow({ where: { kommuneId: k }, orderBy: { id: 'desc' } });
  return {
    kommuneId: k,
    siteId,
    userId: user.id,
    organisationId: org.id,
    auditId: String(audit.id),
    themeId,
    gapId: gap.id,
    measureId: measure.id,
    memberId: member.id,
    meetingId: meeting.id,
    itemId: item.id,
    mailId: mail.id,
    exportRunId: run.id,
    exportConfigId: config.id,
    engine,
    version: Math.max(...defs.map((d) => d.version)),
    markers: [
      site.id,
      site.name,
      user.id,
      user.username,
      user.displayName,
      org.id,
      org.name,
      gap.id,
      gap.title,
      themeId,
      theme.title,
      measure.id,
      measure.title,
      measure.ownerOrganisation,
      member.id,
      member.organisation,
      meeting.id,
      meeting.title,
      item.id,
      item.title,
      mail.id,
      mail.recipient,
      mail.subject,
      run.id,
      config.id,
      variant,
      engine.instanceKey,
      engine.taskId,
      engine.incidentId,
      engine.residenceId,
      engine.residenceInstanceKey,
      engine.residenceTaskId,
      ...authority.map((x) => x.id),
      ...defs.map((d) => d.key),
    ],
  };
}

beforeAll(async () => {
  // kim-einbuergerung for its decision (the quick check evaluates it in the caller's commune).
  dir = tenancyProcessesDir(['kim-einbuergerung']);
  stack = await startTestStack({ processesDir: dir, workerDefs: [...registry, failingTenancyWorker] });
  await ensureMettmannRoles(stack);
  const engines = {
    duisburg: await engineCaseFixture(stack, 'duisburg-nord', 'cm.duisburg'),
    mettmann: await engineCaseFixture(stack, 'mettmann-ratingen', 'cm.mettmann'),
  };
  const themes = {} as Record<Commune, string>;
  for (const k of ['duisburg', 'mettmann'] as const) themes[k] = (await stack.db.steeringTheme.create({ data: { kommuneId: k, title: `Thema ${tag()}`, state: 'offen' } })).id;
  sites['duisburg-nord'] = await siteObjects(engines.duisburg, themes.duisburg);
  sites['duisburg-sued'] = await siteObjects(await caseFixture(stack, 'duisburg-sued'), themes.duisburg);
  sites['mettmann-ratingen'] = await siteObjects(engines.mettmann, themes.mettmann);
  for (const k of ['duisburg', 'mettmann'] as const) communes[k] = await communeObjects(k, engines[k], themes[k]);
  // Coordinators reach case content under a stated reason: they have one for every case of their commune.
  await grantCaseAccess(stack, 'koord.duisburg', [sites['duisburg-nord'].caseId, sites['duisburg-sued'].caseId]);
  await grantCaseAccess(stack, 'koord.mettmann', [sites['mettmann-ratingen'].caseId]);
}, 300_000);

afterAll(async () => {
  for (const c of Object.values(communes)) for (const key of [c.engine.instanceKey, c.engine.residenceInstanceKey]) await stack?.engine.runtime.cancel(key).catch(() => undefined);
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// How the generator fills a request

/**
 * Path parameters by kind: "<the path segment before it>/{<name>}". `level` says how far the
 * object reaches – "site": case content of one site (case managers of another site must not reach
 * it); "commune": a row of one commune (tasks too: a case manager works the tasks of every site of
 * the commune in her group); "scoped": a name every commune has (a process id, a version number),
 * which the server resolves in the caller's commune – such a probe must show none of the other
 * commune's data, but may succeed.
 */
const FILL: Record<string, { level: Level; of: (t: Target) => string }> = {
  // case content
  'cases/{id}': { level: 'site', of: (t) => t.site.caseId },
  'cases/{caseId}': { level: 'site', of: (t) => t.site.caseId },
  'clients/{id}': { level: 'site', of: (t) => t.site.clientId },
  'consents/{id}': { level: 'site', of: (t) => t.site.consentId },
  'referrals/{id}': { level: 'site', of: (t) => t.site.referralId },
  'conferences/{id}': { level: 'site', of: (t) => t.site.conferenceId },
  'notes/{id}': { level: 'site', of: (t) => t.site.noteId },
  'documents/{id}': { level: 'site', of: (t) => t.site.documentId },
  'needs/{id}': { level: 'site', of: (t) => t.site.needId },
  'goals/{id}': { level: 'site', of: (t) => t.site.goalId },
  // the closing notice of a theme for one case (read by the case managers of the case's site)
  'rueckmeldungen/{id}': { level: 'site', of: (t) => t.site.noticeId },
  // rows of a commune
  'users/{id}': { level: 'commune', of: (t) => t.commune.userId },
  'organisations/{id}': { level: 'commune', of: (t) => t.commune.organisationId },
  'sites/{id}': { level: 'commune', of: (t) => t.commune.siteId },
  'audit-log/{id}': { level: 'commune', of: (t) => t.commune.auditId },
  'system-gaps/{id}': { level: 'commune', of: (t) => t.commune.gapId },
  'outbox/{id}': { level: 'commune', of: (t) => t.commune.mailId },
  'themen/{id}': { level: 'commune', of: (t) => t.commune.themeId },
  'luecken/{id}': { level: 'commune', of: (t) => t.commune.gapId },
  'massnahmen/{id}': { level: 'commune', of: (t) => t.commune.measureId },
  'mitglieder/{id}': { level: 'commune', of: (t) => t.commune.memberId },
  'sitzungen/{id}': { level: 'commune', of: (t) => t.commune.meetingId },
  'punkte/{punktId}': { level: 'commune', of: (t) => t.commune.itemId },
  'runs/{id}': { level: 'commune', of: (t) => t.commune.exportRunId },
  'configs/{id}': { level: 'commune', of: (t) => t.commune.exportConfigId },
  // engine objects: a user task of the commune's running instance, an incident of it
  'tasks/{id}': { level: 'commune', of: (t) => t.commune.engine.taskId },
  'incidents/{id}': { level: 'commune', of: (t) => t.commune.engine.incidentId },
  // names every commune has: the process id of the test process, the other commune's newest version
  'models/{processId}': { level: 'scoped', of: () => TENANCY_PID },
  'versions/{version}': { level: 'scoped', of: (t) => String(t.commune.version) },
};

/**
 * Query parameters other than filter/range/sort: a value that names the other place (its commune,
 * its site) or a plain value. Keyed by name, or by "<path>?<name>" where one name means different
 * things.
 */
const QUERY: Record<string, { level: Level; of: (t: Target) => string }> = {
  kommuneId: { level: 'commune', of: (t) => t.commune.kommuneId },
  siteId: { level: 'commune', of: (t) => t.commune.siteId },
  from: { level: 'scoped', of: () => '2026-01' },
  to: { level: 'scoped', of: () => '2026-03' },
  year: { level: 'scoped', of: () => '2026' },
  tage: { level: 'scoped', of: () => '366' },
  reads: { level: 'scoped', of: () => 'true' },
  // migration between two versions that do not exist in the caller's commune: nothing moves
  '/api/models/{processId}/migration?from': { level: 'scoped', of: () => '98' },
  '/api/models/{processId}/migration?to': { level: 'scoped', of: () => '99' },
  // the upload's metadata (the file is the body)
  title: { level: 'scoped', of: () => 'Mandantentest' },
  kind: { level: 'scoped', of: () => 'sonstiges' },
  fileName: { level: 'scoped', of: () => 'mandantentest.pdf' },
};

interface BodyProbe {
  body: unknown;
  /** The level of the other place's objects the body names (none: only values of the caller's own). */
  names: Level | 'none';
  /** The body is a file (sent as is with this type) rather than JSON. */
  contentType?: string;
}

const PDF = Buffer.from('%PDF-1.4\n% Mandantentest\n');

/**
 * Request bodies: valid for the operation, so that a refusal is about the object and not the input.
 * `me` holds the caller's own commune's rows (undefined for the Land).
 */
const BODY: Record<string, (t: Target, me?: CommuneObjects) => BodyProbe[]> = {
  'PUT /api/tasks/{id}/draft': () => [{ body: { data: { notiz: 'fremd' } }, names: 'none' }],
  'POST /api/tasks/{id}/complete': () => [{ body: { variables: { notiz: 'fremd' } }, names: 'none' }],
  'POST /api/tasks/{id}/assign': (_t, me) => [{ body: { assignee: me ? `cm.${me.kommuneId}` : 'cm.duisburg', reason: 'Vertretung im Test' }, names: 'none' }],
  'POST /api/users/{id}/password': () => [{ body: { password: 'ein-neues-passwort-123' }, names: 'none' }],
  'POST /api/einbuergerung/vorpruefung': () => [{ body: { stichtag: '2025-06-30' }, names: 'none' }],
  'POST /api/bleiberecht/vorpruefung': (t) => [
    { body: { stichtag: '2025-06-30', aufenthaltsstatus: 'DULDUNG' }, names: 'none' },
    { body: { stichtag: '2025-06-30', kommuneId: t.commune.kommuneId }, names: 'commune' },
  ],
  'POST /api/bleiberecht/start': (t) => [{ body: { caseId: t.site.caseId }, names: 'site' }],
  'POST /api/einbuergerung/start': (t) => [{ body: { caseId: t.site.caseId }, names: 'site' }],
  'POST /api/clients': () => [{ body: { firstName: 'Neu', lastName: 'Mandantentest' }, names: 'none' }],
  'PUT /api/clients/{id}': () => [{ body: { phone: '0203 123456' }, names: 'none' }],
  'POST /api/cases': (t) => [{ body: { clientId: t.site.clientId }, names: 'site' }],
  'PUT /api/cases/{id}': () => [{ body: { kindOfHelp: 'CaseManagement' }, names: 'none' }],
  'POST /api/consents': (t, me) => [{ body: { caseId: t.site.caseId, recipients: [(me ?? t.commune).organisationId], dataCategories: ['Stammdaten'], purposes: ['Vermittlung'], validFrom: '2026-01-01' }, names: 'site' }],
  'PUT /api/consents/{id}': () => [{ body: { purposes: ['Vermittlung', 'Fallkonferenz'] }, names: 'none' }],
  'POST /api/referrals': (t, me) => [{ body: { caseId: t.site.caseId, organisationId: (me ?? t.commune).organisationId, lifeArea: 'Arbeit', purpose: 'Beratung' }, names: 'site' }],
  'PUT /api/referrals/{id}': () => [{ body: { outcome: 'Termin vereinbart' }, names: 'none' }],
  'POST /api/conferences': (t) => [{ body: { caseId: t.site.caseId, title: 'Konferenz', scheduledAt: '2030-02-01T09:00:00Z' }, names: 'site' }],
  'PUT /api/conferences/{id}': () => [{ body: { location: 'Raum 2.14' }, names: 'none' }],
  'POST /api/notes': (t) => [{ body: { caseId: t.site.caseId, text: 'Neue Notiz' }, names: 'site' }],
  'PUT /api/notes/{id}': () => [{ body: { text: 'Notiz ergänzt' }, names: 'none' }],
  'POST /api/documents': (t) => [
    { body: { caseId: t.site.caseId, title: 'Meldebescheinigung', kind: 'meldebescheinigung', fileName: 'meldung.pdf', mimeType: 'application/pdf', contentBase64: PDF.toString('base64') }, names: 'site' },
  ],
  'DELETE /api/documents/{id}': () => [{ body: { reason: 'Mandantentest' }, names: 'none' }],
  'POST /api/organisations': () => [{ body: { name: `Beratungsstelle ${tag()}`, type: 'Beratungsstelle' }, names: 'none' }],
  'PUT /api/organisations/{id}': () => [{ body: { phone: '0203 000000' }, names: 'none' }],
  'POST /api/users': (t) => [
    { body: { username: `neu.${tag()}`, displayName: 'Neue Person', role: 'abh', password: 'sehr-geheim-123' }, names: 'none' },
    { body: { username: `neu.${tag()}`, displayName: 'Neue Person', role: 'case_manager', siteId: t.commune.siteId, password: 'sehr-geheim-123' }, names: 'commune' },
  ],
  'PUT /api/users/{id}': () => [{ body: { displayName: 'Geänderter Name' }, names: 'none' }],
  'POST /api/sites': () => [{ body: { id: `standort-${tag()}`, name: 'Neuer Standort' }, names: 'none' }],
  'PUT /api/sites/{id}': () => [{ body: { name: 'Umbenannt' }, names: 'none' }],
  'POST /api/system-gaps': () => [{ body: { lifeArea: 'Wohnen', title: 'Lücke', description: 'Beschreibung' }, names: 'none' }],
  'PUT /api/system-gaps/{id}': () => [{ body: { status: 'in_pruefung' }, names: 'none' }],
  'POST /api/cases/{id}/close': () => [{ body: { outcome: 'Ziele erreicht' }, names: 'none' }],
  'POST /api/cases/{id}/access': () => [{ body: { reason: 'Fachaufsicht', note: 'Mandantentest' }, names: 'none' }],
  'POST /api/cases/{id}/documents': () => [{ body: PDF, contentType: 'application/pdf', names: 'none' }],
  'POST /api/conferences/start': (t) => [{ body: { caseId: t.site.caseId, anlass: 'Abstimmung im Test', agencies: [t.commune.organisationId] }, names: 'site' }],
  'POST /api/consents/{id}/revoke': () => [{ body: { reason: 'Mandantentest' }, names: 'none' }],
  'POST /api/cases/{id}/needs': () => [{ body: { lifeArea: 'Wohnen', description: 'Neuer Bedarf' }, names: 'none' }],
  'PUT /api/needs/{id}': () => [{ body: { description: 'Bedarf geändert' }, names: 'none' }],
  'POST /api/cases/{id}/goals': () => [{ body: { lifeArea: 'Wohnen', description: 'Neues Ziel' }, names: 'none' }],
  'PUT /api/goals/{id}': () => [{ body: { description: 'Ziel geändert' }, names: 'none' }],
  // the models: only names every commune has; nothing that would change the caller's own process
  'PUT /api/models/{processId}/draft': () => [{ body: { xml: '<x/>', revision: 999 }, names: 'none' }],
  'POST /api/models/{processId}/draft/check': () => [{ body: {}, names: 'none' }],
  'POST /api/models/{processId}/draft/submit': () => [{ body: { comment: 'Versuch im Test' }, names: 'none' }],
  'POST /api/models/{processId}/draft/reject': () => [{ body: { comment: 'Versuch im Test' }, names: 'none' }],
  'POST /api/models/{processId}/draft/approve': () => [{ body: { comment: 'Versuch im Test' }, names: 'none' }],
  'POST /api/models/{processId}/migration': () => [{ body: { from: 98, to: 99 }, names: 'none' }],
  // steering
  'POST /api/steuerung/themen': () => [{ body: { title: 'Mandantentest' }, names: 'none' }],
  'PUT /api/steuerung/themen/{id}': () => [{ body: { description: 'geändert' }, names: 'none' }],
  'PUT /api/steuerung/luecken/{id}': (t, me) => [
    { body: { themeId: (me ?? t.commune).themeId }, names: 'none' },
    { body: { themeId: t.commune.themeId }, names: 'commune' },
  ],
  'POST /api/steuerung/mitglieder': () => [{ body: { organisation: 'Mandantentest e. V.', kind: 'Sonstige' }, names: 'none' }],
  'PUT /api/steuerung/mitglieder/{id}': () => [{ body: { representative: 'Vertretung' }, names: 'none' }],
  'POST /api/steuerung/sitzungen': () => [{ body: { date: '2030-03-10T14:00:00+01:00' }, names: 'none' }],
  'PUT /api/steuerung/sitzungen/{id}': () => [{ body: { location: 'Raum 1' }, names: 'none' }],
  'POST /api/steuerung/sitzungen/{id}/punkte': () => [{ body: { title: 'Verschiedenes' }, names: 'none' }],
  'PUT /api/steuerung/sitzungen/{id}/punkte/{punktId}': () => [{ body: { notes: 'Protokoll' }, names: 'none' }],
  'POST /api/steuerung/sitzungen/{id}/punkte/{punktId}/beschluss': () => [{ body: { code: 'kenntnis' }, names: 'none' }],
  // dashboards and exports: the caller's own commune only
  'PUT /api/dashboards/staff-posts': () => [{ body: { year: 2026, posts: [{ baustein: 1, fte: 2 }] }, names: 'none' }],
  'POST /api/export/runs': () => [{ body: { indicators: ['offene-faelle'], from: '2026-01', to: '2026-02', format: 'csv' }, names: 'none' }],
  'POST /api/export/configs': () => [{ body: { indicators: ['offene-faelle'], format: 'csv', schedule: 'monatlich' }, names: 'none' }],
};

/**
 * Operations that hold no commune's objects at all: signing in and out, the own account and
 * settings, the description, the health check, the list of indicators. Their reads are still
 * scanned for the other commune's data; their writes are not called (they would end the session).
 */
const NO_TENANT: Record<string, string> = {
  'GET /api/health': 'Zustand der Teile, keine Daten',
  'GET /api/openapi.json': 'diese Beschreibung',
  'POST /api/auth/login': 'Anmeldung: legt nur eine Sitzung an',
  'POST /api/auth/logout': 'Abmeldung der eigenen Sitzung',
  'GET /api/auth/me': 'die angemeldete Person',
  'POST /api/auth/password': 'das eigene Passwort',
  'GET /api/me/preferences': 'die eigenen Einstellungen',
  'PUT /api/me/preferences': 'die eigenen Einstellungen',
  'GET /api/dashboards/indicators': 'die Liste der Kennzahlen (Texte, keine Zahlen)',
  // A stream that does not end: which signals reach whom is the live update's own test.
  'GET /api/tasks/events': 'Server-Sent Events ohne Aufgabendaten ({kommuneId, groups}); geprüft in der Prüfung der Live-Aktualisierung',
};

/**
 * Reads whose answer has no rows to find (aggregates, texts): the list control does not expect
 * the caller's own markers in them.
 */
const NO_ROWS: Record<string, string> = {
  'GET /api/statistics': 'unterdrückte Zahlen je Kommune und Monat',
  'GET /api/dashboards/kommune': 'unterdrückte Kennzahlen',
  'GET /api/dashboards/kommune/csv': 'unterdrückte Kennzahlen',
  'GET /api/dashboards/land': 'unterdrückte Kennzahlen aller Kommunen',
  'GET /api/dashboards/land/csv': 'unterdrückte Kennzahlen aller Kommunen',
  'GET /api/dashboards/staff-posts': 'Stellen je Baustein',
  'GET /api/export/sachbericht': 'Zahlen des Sachberichts',
  'GET /api/models/element-templates': 'Vorlagen je Worker-Topic',
  'GET /api/fristen': 'die Fristen erscheinen erst mit dem Erinnerungsdatum (der Testfall: in 30 Tagen) – geprüft in bleiberecht-fristen.test.ts',
};

// ---------------------------------------------------------------------------------------------
// The operations and the probes generated from them

interface Operation {
  key: string;
  method: string;
  path: string;
  params: string[];
  query: string[];
  hasFilter: boolean;
  hasBody: boolean;
}

interface Probe {
  url: string;
  body?: unknown;
  contentType?: string;
  /** The statuses that count as refused; null: any answer below 500 (then only the scan decides). */
  refused: number[] | null;
  what: string;
}

async function operations(): Promise<Operation[]> {
  const doc = await json<{ paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown }>> }>(await (await session('koord.duisburg')).get('/api/openapi.json'));
  const out: Operation[] = [];
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const query = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
      out.push({
        key: `${method.toUpperCase()} ${p}`,
        method: method.toUpperCase(),
        path: p,
        params: [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        query: query.filter((q) => !['filter', 'range', 'sort'].includes(q)),
        hasFilter: query.includes('filter'),
        hasBody: !!op.requestBody,
      });
    }
  }
  // Reads first, then changes; deletions last (a change may need the row).
  const rank = (o: Operation) => (o.method === 'GET' ? 0 : o.method === 'DELETE' ? 2 : 1);
  return out.sort((a, b) => rank(a) - rank(b));
}

/** The FILL row of a path parameter: "<segment before it>/{<name>}". */
const fillKey = (op: Operation, name: string) => {
  const segs = op.path.split('/');
  const i = segs.indexOf(`{${name}}`);
  return `${segs[i - 1]}/{${name}}`;
};
const queryRow = (op: Operation, name: string) => QUERY[`${op.path}?${name}`] ?? QUERY[name];

/** What the generator cannot fill, in German: new routes or parameters need a row in FILL, QUERY or BODY. */
function unfillable(op: Operation): string[] {
  if (NO_TENANT[op.key]) return [];
  const out: string[] = [];
  for (const p of op.params) if (!FILL[fillKey(op, p)]) out.push(`${op.key}: Pfadparameter {${p}} (Art „${fillKey(op, p)}“) hat keine Zeile in FILL`);
  for (const q of op.query) if (!queryRow(op, q)) out.push(`${op.key}: Abfrageparameter „${q}“ hat keine Zeile in QUERY`);
  if (op.hasBody && !BODY[op.key]) out.push(`${op.key}: der Rumpf hat keine Zeile in BODY`);
  if (!op.hasBody && BODY[op.key]) out.push(`${op.key}: BODY nennt einen Rumpf, die Beschreibung keinen`);
  return out;
}

/** How far the probe's objects reach for a caller at `place` (the Land is no commune: only 'scoped' stays scoped). */
const isForeign = (level: Level | 'none', place: Place) => (place === 'otherKommune' ? level === 'site' || level === 'commune' : level === 'site');

/**
 * The probes of one operation for a caller whose other place is `t` (`me`: the caller's own
 * commune's rows). At `otherSite` only the case content is foreign: an operation that names no
 * site object is skipped there, except lists and reads without parameters.
 */
function probes(op: Operation, t: Target, place: Place, land: boolean, me?: CommuneObjects): Probe[] {
  if (NO_TENANT[op.key]) return op.method === 'GET' && op.key !== 'GET /api/tasks/events' ? [{ url: op.path, refused: null, what: 'ohne Mandantenbezug' }] : [];
  // Path: at the other site, commune rows are the caller's own.
  const own: Target = place === 'otherSite' ? { site: t.site, commune: me! } : t;
  let url = op.path;
  let foreignPath = false;
  for (const p of op.params) {
    const f = FILL[fillKey(op, p)];
    url = url.replace(`{${p}}`, encodeURIComponent(f.of(own)));
    if (isForeign(f.level, place)) foreignPath = true;
  }
  const qs: string[] = [];
  let foreignQuery = false;
  for (const q of op.query) {
    const f = queryRow(op, q);
    qs.push(`${q}=${encodeURIComponent(f.of(own))}`);
    // The Land sees every commune's figures: a commune or site in its query is not another's.
    if (isForeign(f.level, place) && !land) foreignQuery = true;
  }
  const withQuery = (u: string, extra: string[] = []) => ([...qs, ...extra].length ? `${u}?${[...qs, ...extra].join('&')}` : u);
  const bodies = op.hasBody ? BODY[op.key](own, me) : [undefined];
  if (place === 'otherSite' && !foreignPath && !op.hasFilter && !(op.method === 'GET' && !op.params.length) && !bodies.some((b) => b && isForeign(b.names, place))) return [];
  const out: Probe[] = [];
  for (const b of bodies) {
    const foreignBody = !!b && isForeign(b.names, place);
    const refused = foreignPath ? [403, 404] : foreignBody || foreignQuery ? [400, 403, 404] : null;
    out.push({ url: withQuery(url), body: b?.body, contentType: b?.contentType, refused, what: foreignPath ? 'Kennung' : foreignBody ? 'Rumpf' : foreignQuery ? 'Abfrage' : 'Liste' });
  }
  // By filter: the other place's ids, case, person, commune, site and name.
  if (op.hasFilter) {
    const ids = place === 'otherSite' ? t.site.markers.filter((m) => /^[0-9a-f-]{36}$/.test(m)) : [...t.site.markers, ...t.commune.markers].filter((m) => /^[0-9a-f-]{36}$/.test(m));
    const filters: Array<Record<string, unknown>> = [
      { id: ids },
      { caseId: t.site.caseId },
      { clientId: t.site.clientId },
      { q: t.site.clientName },
      { siteId: t.site.siteId },
      ...(place === 'otherKommune' ? [{ kommuneId: t.commune.kommuneId }, { themeId: t.commune.themeId }, { processInstanceKey: t.commune.engine.instanceKey }] : []),
      ...(op.path === '/api/tasks' ? [{ view: 'all', caseId: t.site.caseId }] : []),
    ];
    for (const f of filters) out.push({ url: withQuery(url, [`filter=${encodeURIComponent(JSON.stringify(f))}`, `range=${encodeURIComponent('[0,199]')}`]), refused: null, what: `Filter ${Object.keys(f).join('+')}` });
    out.push({ url: withQuery(url, [`range=${encodeURIComponent('[0,199]')}`]), refused: null, what: 'ganze Liste' });
  }
  return out;
}

async function send(s: Session, method: string, p: Probe): Promise<Response> {
  const headers: Record<string, string> = { cookie: s.cookie, 'x-csrf-token': s.csrf };
  let body: BodyInit | undefined;
  if (p.body !== undefined) {
    headers['content-type'] = p.contentType ?? 'application/json';
    body = Buffer.isBuffer(p.body) ? new Uint8Array(p.body) : JSON.stringify(p.body);
  }
  return fetch(`${stack.url}${p.url}`, { method, headers, body });
}

/** Markers found in a text, leaving out what the request itself sent (an echoed id tells nothing). */
function leaked(text: string, markers: string[], p: Probe): string[] {
  const sent = decodeURIComponent(p.url) + (p.body === undefined || Buffer.isBuffer(p.body) ? '' : JSON.stringify(p.body));
  return markers.filter((m) => text.includes(m) && !sent.includes(m));
}

interface Caller {
  username: string;
  /** German, for the test name. */
  label: string;
  place: Place;
  target: () => Target;
  /** The markers no answer to this caller may hold. */
  markers: () => string[];
  me: () => CommuneObjects | undefined;
  land?: boolean;
}

const other = (k: Commune): Target => (k === 'duisburg' ? { site: sites['duisburg-nord'], commune: communes.duisburg } : { site: sites['mettmann-ratingen'], commune: communes.mettmann });
const communeMarkers = (t: Target) => [...t.site.markers, ...t.commune.markers];

const CALLERS: Caller[] = [
  ...['cm', 'koord', 'abh', 'ebh', 'admin'].map((r) => ({ username: `${r}.duisburg`, label: 'Objekte von Mettmann', place: 'otherKommune' as const, target: () => other('mettmann'), markers: () => communeMarkers(other('mettmann')), me: () => communes.duisburg })),
  { username: 'land.nrw', label: 'Objekte von Mettmann', place: 'otherKommune', target: () => other('mettmann'), markers: () => communeMarkers(other('mettmann')), me: () => undefined, land: true },
  // Site scoping: a case manager of Nord and the case content of Süd.
  { username: 'cm.duisburg', label: 'Fallinhalte des Standorts Süd', place: 'otherSite', target: () => ({ site: sites['duisburg-sued'], commune: communes.duisburg }), markers: () => sites['duisburg-sued'].markers, me: () => communes.duisburg },
  ...['cm', 'koord', 'abh', 'ebh', 'admin'].map((r) => ({ username: `${r}.mettmann`, label: 'Objekte von Duisburg', place: 'otherKommune' as const, target: () => other('duisburg'), markers: () => communeMarkers(other('duisburg')), me: () => communes.mettmann })),
  { username: 'land.nrw', label: 'Objekte von Duisburg', place: 'otherKommune', target: () => other('duisburg'), markers: () => communeMarkers(other('duisburg')), me: () => undefined, land: true },
];

async function probeAll(c: Caller, ops: Operation[]): Promise<{ problems: string[]; calls: number }> {
  const s = await session(c.username);
  const problems: string[] = [];
  let calls = 0;
  for (const op of ops) {
    for (const p of probes(op, c.target(), c.place, !!c.land, c.me())) {
      calls++;
      const res = await send(s, op.method, p);
      const text = await res.text();
      const what = `${c.username} (${c.place === 'otherSite' ? 'anderer Standort' : 'andere Kommune'}): ${op.method} ${p.url} [${p.what}] → ${res.status}`;
      if (res.status >= 500) problems.push(`${what}: Serverfehler ${text.slice(0, 200)}`);
      else if (p.refused && !p.refused.includes(res.status)) problems.push(`${what}: erwartet ${p.refused.join('/')} – ${text.slice(0, 200)}`);
      const found = leaked(text, c.markers(), p);
      if (found.length) problems.push(`${what}: enthält ${found.join(', ')}`);
    }
  }
  return { problems, calls };
}

// ---------------------------------------------------------------------------------------------

test('the generator fills every operation of the API description (a new route or parameter needs a row here)', async () => {
  const ops = await operations();
  expect(ops.length).toBeGreaterThan(120);
  expect(ops.flatMap(unfillable)).toEqual([]);
  // No stale rows: every row of the tables is used by an operation.
  const keys = new Set(ops.map((o) => o.key));
  const used = new Set(ops.flatMap((o) => o.params.map((p) => fillKey(o, p))));
  expect(Object.keys(FILL).filter((k) => !used.has(k))).toEqual([]);
  expect(Object.keys(BODY).filter((k) => !keys.has(k))).toEqual([]);
  expect(Object.keys(NO_TENANT).filter((k) => !keys.has(k))).toEqual([]);
  expect(Object.keys(NO_ROWS).filter((k) => !keys.has(k))).toEqual([]);
});

test('controls: the owning commune reaches each object by id through the same operations, and its lists show its rows', async () => {
  const ops = (await operations()).filter((o) => !NO_TENANT[o.key] && o.method === 'GET');
  const problems: string[] = [];
  for (const k of ['duisburg', 'mettmann'] as const) {
    const own = other(k);
    const users = [`cm.${k}`, `koord.${k}`, `abh.${k}`, `ebh.${k}`, `admin.${k}`];
    const markers = communeMarkers(own);
    for (const op of ops) {
      if (op.params.some((p) => !FILL[fillKey(op, p)]) || op.query.some((q) => !queryRow(op, q))) continue;
      let url = op.path;
      for (const p of op.params) url = url.replace(`{${p}}`, encodeURIComponent(FILL[fillKey(op, p)].of(own)));
      const qs = op.query.map((q) => `${q}=${encodeURIComponent(queryRow(op, q).of(own))}`);
      const full = qs.length ? `${url}?${qs.join('&')}` : url;
      const byId = op.params.some((p) => FILL[fillKey(op, p)].level !== 'scoped');
      const statuses: number[] = [];
      let shows = false;
      for (const u of users) {
        const res = await (await session(u)).get(full);
        statuses.push(res.status);
        const text = await res.text();
        if (res.ok && markers.some((m) => text.includes(m))) shows = true;
      }
      if (byId && !statuses.includes(200)) problems.push(`${k}: ${op.method} ${full} erreicht niemand der eigenen Kommune (${users.map((u, i) => `${u} ${statuses[i]}`).join(', ')})`);
      if (!byId && !op.params.length && !NO_ROWS[op.key] && !shows) problems.push(`${k}: ${op.method} ${full} zeigt keiner Person der eigenen Kommune eine eigene Zeile (${users.map((u, i) => `${u} ${statuses[i]}`).join(', ')})`);
    }
    // A filter on the own objects finds them (the filter probes ask for the same keys).
    const f = await (await session(`cm.${k}`)).get(`/api/notes?filter=${encodeURIComponent(JSON.stringify({ caseId: own.site.caseId }))}`);
    expect(await f.text()).toContain(own.site.noteId);
  }
  expect(problems).toEqual([]);
}, 300_000);

for (const [i, c] of CALLERS.entries()) {
  test(`${i + 1}. ${c.username} – ${c.label}: by id, body, query, filter and list – refused, nothing shown`, async () => {
    const ops = await operations();
    const { problems, calls } = await probeAll(c, ops);
    expect(calls).toBeGreaterThan(c.place === 'otherSite' ? 40 : 150);
    expect(problems).toEqual([]);
  }, 600_000);
}

test('the probes can fail: aimed at the caller\'s own commune, they report its objects as reached and shown', async () => {
  // Reads only: the writes would change the own fixtures.
  const ops = (await operations()).filter((o) => o.method === 'GET');
  const own: Caller = { username: 'cm.duisburg', label: 'eigene Objekte', place: 'otherKommune', target: () => other('duisburg'), markers: () => communeMarkers(other('duisburg')), me: () => communes.duisburg };
  const { problems } = await probeAll(own, ops);
  // Reached by id (200 instead of 403/404), and the own rows in lists and filters.
  expect(problems.filter((p) => / → 200: erwartet 403\/404/.test(p)).length).toBeGreaterThan(10);
  expect(problems.filter((p) => /\[(Filter id|ganze Liste)\] → 200: enthält /.test(p)).length).toBeGreaterThan(5);
}, 600_000);
