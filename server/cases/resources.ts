/**
 * The specs of the REST resources: fields, sorting, filters and the rules each write obeys
 * (tenant, site, references inside the tenant, consent gate for referrals with data).
 */
import { badRequest, conflict } from '../errors';
import { hashPassword } from '../auth/auth.service';
import { randomCode, RecordsService, ResourceSpec, Row } from './records.service';
import type { HookCtx } from './records.service';
import { checkContent } from '../documents/document.service';
import { groupsFor } from '../users/groups';

const caseOf = (r: Row) => (r.caseId ? String(r.caseId) : null);
const toDate = (v: unknown) => (typeof v === 'string' ? new Date(v.length === 10 ? `${v}T00:00:00Z` : v) : v);

/** Date-only and timestamp strings of validated input as Date objects for Prisma. */
function dates(input: Row, keys: string[]): Row {
  const out = { ...input };
  for (const k of keys) if (k in out && out[k] != null) out[k] = toDate(out[k]);
  return out;
}

async function organisationsOfKommune(c: HookCtx, ids: string[], field: string) {
  if (!ids.length) return;
  const found = await c.repo.count('organisation', { kommuneId: c.a.kommuneId, id: { in: ids } });
  if (found !== new Set(ids).size) throw badRequest('Mindestens eine Organisation ist in Ihrer Kommune nicht bekannt.', { [field]: 'Unbekannte Organisation' });
}

/** The consent gate: data may go to a recipient only under a valid, unrevoked consent covering it. */
export async function assertConsentCovers(c: HookCtx, consentId: unknown, caseId: string, organisationId: string) {
  if (typeof consentId !== 'string') throw badRequest('Eine Vermittlung mit Daten braucht eine Einwilligung.', { consentId: 'Bitte die Einwilligung auswählen.' });
  const consent = await c.repo.findFirst('consent', { id: consentId, caseId });
  const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const valid =
    consent &&
    !consent.revokedAt &&
    (consent.validFrom as Date) <= today &&
    (!consent.validUntil || (consent.validUntil as Date) >= today) &&
    (consent.recipients as string[]).includes(organisationId);
  if (!valid) {
    throw conflict('Ohne gültige Einwilligung, die diese Organisation umfasst, dürfen keine Daten übermittelt werden. Vermitteln Sie ohne Daten oder holen Sie eine Einwilligung ein.');
  }
}

export function registerResources(svc: RecordsService): RecordsService {
  const specs: ResourceSpec[] = [
    {
      resource: 'clients',
      model: 'client',
      entity: 'Client',
      label: 'Die Person',
      idKind: 'uuid',
      fields: ['id', 'kommuneId', 'siteId', 'pseudonym', 'firstName', 'lastName', 'birthDate', 'gender', 'nationality', 'languages', 'interpreterNeeded', 'phone', 'email', 'address', 'createdAt', 'updatedAt'],
      sortable: ['lastName', 'firstName', 'birthDate', 'createdAt', 'pseudonym'],
      defaultSort: ['lastName', 'asc'],
      filterable: ['siteId', 'nationality', 'pseudonym'],
      search: ['lastName', 'firstName', 'pseudonym'],
      async create(c, input) {
        return { ...dates(input, ['birthDate']), kommuneId: c.a.kommuneId, siteId: c.a.siteId, pseudonym: `P-${randomCode(5)}` };
      },
      async update(_c, _e, input) {
        return dates(input, ['birthDate']);
      },
    },
    {
      resource: 'cases',
      model: 'case',
      entity: 'Case',
      label: 'Der Fall',
      idKind: 'uuid',
      fields: ['id', 'reference', 'clientId', 'kommuneId', 'siteId', 'phase', 'kindOfHelp', 'caseManagerId', 'openedAt', 'closedAt', 'outcome', 'deletionDate', 'processInstanceKey', 'consentRefusedAt', 'existingSupport', 'goalsReached', 'createdAt', 'updatedAt'],
      detail: { needs: { orderBy: { createdAt: 'asc' } }, goals: { orderBy: { createdAt: 'asc' } } },
      sortable: ['openedAt', 'reference', 'phase', 'closedAt', 'updatedAt'],
      defaultSort: ['openedAt', 'desc'],
      filterable: ['phase', 'kindOfHelp', 'siteId', 'clientId', 'caseManagerId', 'reference'],
      uuidFields: ['clientId', 'caseManagerId'],
      search: ['reference'],
      caseIdOf: (r) => String(r.id),
      // A case is opened by kim-intake (CaseService.startIntake), never as a bare row.
      async create() {
        throw conflict('Ein Fall entsteht nur über den Erstkontakt (POST /api/cases startet den Prozess kim-intake).');
      },
      async update(c, existing, input) {
        if (existing.closedAt) throw conflict('Der Fall ist abgeschlossen und kann nicht mehr geändert werden.');
        if (input.caseManagerId) await assertCaseManager(c, String(input.caseManagerId));
        return input;
      },
    },
    {
      resource: 'consents',
      model: 'consent',
      entity: 'Consent',
      label: 'Die Einwilligung',
      idKind: 'uuid',
      fields: ['id', 'caseId', 'recipients', 'dataCategories', 'purposes', 'validFrom', 'validUntil', 'revokedAt', 'revokeReason', 'documentId', 'createdAt'],
      sortable: ['validFrom', 'validUntil', 'createdAt'],
      defaultSort: ['createdAt', 'desc'],
      filterable: ['caseId'],
      uuidFields: ['caseId'],
      caseIdOf: caseOf,
      async create(c, input) {
        await c.svc.writableCase(c.a, String(input.caseId));
        await organisationsOfKommune(c, input.recipients as string[], 'recipients');
        return dates(input, ['validFrom', 'validUntil']);
      },
      async update(c, existing, input) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        if (existing.revokedAt) throw conflict('Eine widerrufene Einwilligung kann nicht mehr geändert werden.');
        if (input.recipients) await organisationsOfKommune(c, input.recipients as string[], 'recipients');
        const from = ((input.validFrom as string | undefined) ?? (existing.validFrom as Date).toISOString()).slice(0, 10);
        if (input.validUntil && String(input.validUntil).slice(0, 10) < from) throw badRequest('„Gültig bis“ darf nicht vor „Gültig ab“ liegen.', { validUntil: 'vor „Gültig ab“' });
        return dates(input, ['validFrom', 'validUntil']);
      },
    },
    {
      resource: 'referrals',
      model: 'referral',
      entity: 'Referral',
      label: 'Die Vermittlung',
      idKind: 'uuid',
      fields: ['id', 'caseId', 'organisationId', 'lifeArea', 'purpose', 'withData', 'consentId', 'status', 'dueDate', 'sentAt', 'answeredAt', 'outcome', 'processInstanceKey', 'createdAt', 'updatedAt'],
      sortable: ['createdAt', 'dueDate', 'status', 'lifeArea'],
      defaultSort: ['createdAt', 'desc'],
      filterable: ['caseId', 'organisationId', 'status', 'lifeArea', 'withData'],
      uuidFields: ['caseId', 'organisationId'],
      caseIdOf: caseOf,
      // A referral is started as kim-referral (CaseService.startReferral), never as a bare row.
      async create() {
        throw conflict('Eine Vermittlung entsteht nur mit ihrem Prozess (POST /api/referrals startet kim-referral).');
      },
      async update(c, existing, input) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        const org = String(input.organisationId ?? existing.organisationId);
        if (input.organisationId) await organisationsOfKommune(c, [org], 'organisationId');
        const withData = (input.withData ?? existing.withData) as boolean;
        if (withData && (input.withData || input.consentId !== undefined || input.organisationId)) {
          await assertConsentCovers(c, input.consentId ?? existing.consentId, String(existing.caseId), org);
        }
        return dates(input, ['dueDate']);
      },
      async remove(c, existing) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        if (existing.status !== 'angelegt') throw conflict('Nur noch nicht versandte Vermittlungen können gelöscht werden; brechen Sie sie sonst ab.');
      },
    },
    {
      resource: 'conferences',
      model: 'conference',
      entity: 'Conference',
      label: 'Die Fallkonferenz',
      idKind: 'uuid',
      fields: ['id', 'caseId', 'title', 'occasion', 'scheduledAt', 'location', 'videoLink', 'durationMinutes', 'status', 'protocol', 'processInstanceKey', 'createdAt', 'updatedAt'],
      detail: { participants: true, agreements: true },
      sortable: ['scheduledAt', 'createdAt', 'status'],
      defaultSort: ['scheduledAt', 'desc'],
      filterable: ['caseId', 'status'],
      uuidFields: ['caseId'],
      caseIdOf: caseOf,
      async create(c, input) {
        await c.svc.writableCase(c.a, String(input.caseId));
        const { participants, agreements, ...rest } = input as Row & { participants?: Row[]; agreements?: Row[] };
        const orgs = [...(participants ?? []), ...(agreements ?? [])].map((p) => p.organisationId).filter((x): x is string => typeof x === 'string');
        await organisationsOfKommune(c, [...new Set(orgs)], 'participants');
        return {
          ...dates(rest, ['scheduledAt']),
          ...(participants?.length ? { participants: { create: participants } } : {}),
          ...(agreements?.length ? { agreements: { create: agreements.map((x) => dates(x, ['dueDate'])) } } : {}),
        };
      },
      async update(c, existing, input) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        return dates(input, ['scheduledAt']);
      },
      async remove(c, existing) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        if (existing.status !== 'geplant') throw conflict('Nur geplante Fallkonferenzen können gelöscht werden; sagen Sie sie sonst ab.');
      },
    },
    {
      resource: 'notes',
      model: 'note',
      entity: 'Note',
      label: 'Die Notiz',
      idKind: 'uuid',
      fields: ['id', 'caseId', 'authorId', 'text', 'createdAt', 'updatedAt'],
      sortable: ['createdAt', 'updatedAt'],
      defaultSort: ['createdAt', 'desc'],
      filterable: ['caseId', 'authorId'],
      uuidFields: ['caseId', 'authorId'],
      search: ['text'],
      caseIdOf: caseOf,
      async create(c, input) {
        await c.svc.writableCase(c.a, String(input.caseId));
        return { ...input, authorId: c.a.id };
      },
      async update(c, existing, input) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        if (existing.authorId !== c.a.id) throw conflict('Nur die Verfasserin oder der Verfasser kann eine Notiz ändern.');
        return input;
      },
      async remove(c, existing) {
        await c.svc.writableCase(c.a, String(existing.caseId));
        if (existing.authorId !== c.a.id) throw conflict('Nur die Verfasserin oder der Verfasser kann eine Notiz löschen.');
      },
    },
    {
      resource: 'documents',
      model: 'document',
      entity: 'Document',
      label: 'Das Dokument',
      idKind: 'uuid',
      fields: ['id', 'caseId', 'title', 'kind', 'fileName', 'mimeType', 'size', 'uploadedById', 'createdAt'],
      sortable: ['createdAt', 'title', 'kind'],
      defaultSort: ['createdAt', 'desc'],
      filterable: ['caseId', 'kind'],
      uuidFields: ['caseId'],
      search: ['title', 'fileName'],
      caseIdOf: caseOf,
      async create(c, input) {
        await c.svc.writableCase(c.a, String(input.caseId));
        // Small files may still come as base64 in JSON; large ones go to POST /cases/:id/documents.
        const { contentBase64, ...rest } = input as Row & { contentBase64?: string };
        const content = contentBase64 ? Buffer.from(contentBase64, 'base64') : null;
        const mimeType = content ? checkContent(content, rest.mimeType) : rest.mimeType;
        return { ...rest, mimeType, content, size: content?.length ?? 0, uploadedById: c.a.id };
      },
      async remove(c, existing) {
        await c.svc.writableCase(c.a, String(existing.caseId));
      },
    },
    {
      resource: 'organisations',
      model: 'organisation',
      entity: 'Organisation',
      label: 'Die Organisation',
      idKind: 'uuid',
      fields: ['id', 'kommuneId', 'name', 'type', 'email', 'phone', 'address', 'contactPerson', 'active', 'createdAt', 'updatedAt'],
      sortable: ['name', 'type', 'createdAt'],
      defaultSort: ['name', 'asc'],
      filterable: ['type', 'active'],
      search: ['name'],
    },
    {
      resource: 'users',
      model: 'user',
      entity: 'User',
      label: 'Die Benutzerin / der Benutzer',
      idKind: 'uuid',
      fields: ['id', 'username', 'displayName', 'role', 'kommuneId', 'siteId', 'groups', 'active', 'lockedUntil', 'mustChangePassword', 'createdAt'],
      sortable: ['username', 'displayName', 'role', 'createdAt'],
      defaultSort: ['username', 'asc'],
      filterable: ['role', 'siteId', 'active'],
      search: ['username', 'displayName'],
      async create(c, input) {
        const { password, ...rest } = input as Row & { password: string };
        await assertSiteOfKommune(c, rest.siteId, rest.role === 'case_manager');
        // The administrator's password is a one-time password: the person sets their own at first sign-in.
        const groups = (rest.groups as string[] | undefined) ?? groupsFor(String(rest.role), c.a.kommuneId, rest.siteId as string | null);
        return { ...rest, groups, kommuneId: c.a.kommuneId, passwordHash: await hashPassword(password), mustChangePassword: true };
      },
      async update(c, existing, input) {
        const { password, ...rest } = input as Row & { password?: string };
        const role = (rest.role ?? existing.role) as string;
        const siteId = rest.siteId !== undefined ? rest.siteId : existing.siteId;
        if (rest.siteId !== undefined || rest.role !== undefined) await assertSiteOfKommune(c, siteId, role === 'case_manager');
        if (existing.id === c.a.id && (rest.active === false || (rest.role && rest.role !== 'admin'))) throw conflict('Sie können sich nicht selbst deaktivieren oder Ihre eigene Rolle ändern.');
        // A new role or site brings its task groups along (unless groups are given explicitly).
        const regroup = rest.groups === undefined && (rest.role !== undefined || rest.siteId !== undefined) ? { groups: groupsFor(role, c.a.kommuneId, siteId as string | null) } : {};
        return { ...rest, ...regroup, ...(password ? { passwordHash: await hashPassword(password), failedLogins: 0, lockedUntil: null, mustChangePassword: true } : {}) };
      },
      async remove(c, existing) {
        if (existing.id === c.a.id) throw conflict('Sie können Ihr eigenes Konto nicht löschen.');
        const cases = await c.repo.count('case', { caseManagerId: existing.id, closedAt: null });
        if (cases > 0) throw conflict(`Der Person sind noch ${cases} offene Fälle zugeordnet. Weisen Sie sie erst neu zu oder deaktivieren Sie das Konto.`);
      },
    },
    {
      resource: 'sites',
      model: 'site',
      entity: 'Site',
      label: 'Der Standort',
      idKind: 'text',
      fields: ['id', 'kommuneId', 'name'],
      sortable: ['name', 'id'],
      defaultSort: ['name', 'asc'],
      filterable: [],
      search: ['name'],
    },
    {
      resource: 'audit-log',
      model: 'auditLog',
      entity: 'AuditLog',
      label: 'Der Audit-Eintrag',
      idKind: 'bigint',
      fields: ['id', 'at', 'userId', 'username', 'role', 'kommuneId', 'action', 'entity', 'entityId', 'fields', 'reason', 'requestId', 'caseId'],
      sortable: ['at', 'id'],
      defaultSort: ['id', 'desc'],
      filterable: ['username', 'action', 'entity', 'entityId', 'caseId', 'requestId'],
    },
    {
      resource: 'system-gaps',
      model: 'systemGap',
      entity: 'SystemGap',
      label: 'Die Systemlücke',
      idKind: 'uuid',
      fields: ['id', 'kommuneId', 'lifeArea', 'title', 'description', 'status', 'reportedById', 'createdAt', 'updatedAt'],
      sortable: ['createdAt', 'status', 'lifeArea', 'title'],
      defaultSort: ['createdAt', 'desc'],
      filterable: ['status', 'lifeArea'],
      search: ['title', 'description'],
      async create(c, input) {
        return { ...input, kommuneId: c.a.kommuneId, reportedById: c.a.id };
      },
    },
  ];
  for (const s of specs) svc.register(s);
  return svc;
}

async function assertCaseManager(c: HookCtx, userId: string) {
  const u = await c.repo.findFirst('user', { id: userId, kommuneId: c.a.kommuneId, siteId: c.a.siteId, role: 'case_manager', active: true }, { id: true });
  if (!u) throw badRequest('Die Fallverantwortung muss bei einer aktiven Fallmanagerin / einem aktiven Fallmanager Ihres Standorts liegen.', { caseManagerId: 'Keine Fallmanager*in Ihres Standorts' });
}

async function assertSiteOfKommune(c: HookCtx, siteId: unknown, required: boolean) {
  if (siteId == null) {
    if (required) throw badRequest('Fallmanager*innen brauchen einen Standort.', { siteId: 'Bitte einen Standort wählen.' });
    return;
  }
  const site = await c.repo.findFirst('site', { id: siteId, kommuneId: c.a.kommuneId }, { id: true });
  if (!site) throw badRequest('Der Standort gehört nicht zu Ihrer Kommune.', { siteId: 'Unbekannter Standort' });
}
