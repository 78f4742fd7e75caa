/**
 * Request bodies of the REST resources, validated at the edge with zod (German messages come from
 * z.locales.de() plus the explicit ones here). The same schemas feed /api/openapi.json.
 */
import { z } from 'zod';
import type { ResourceName } from '../auth/policy';
import { CASE_ACCESS_REASONS } from '../auth/policy';
import { DOCUMENT_TYPE_CODES, DOCUMENT_TYPES } from '../documents/document-types';

const text = (max = 200, msg = 'Bitte ausfüllen.') => z.string().trim().min(1, msg).max(max, `Höchstens ${max} Zeichen.`);
const optText = (max = 500) => z.string().trim().max(max, `Höchstens ${max} Zeichen.`).nullable().optional();
const id = z.uuid({ message: 'Keine gültige Kennung (UUID).' });
// react-admin sends back what it read: date-only columns arrive as midnight timestamps too.
const date = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'Datum im Format JJJJ-MM-TT angeben.' });
const dateTime = z.iso.datetime({ offset: true, message: 'Zeitpunkt im ISO-Format angeben, z. B. 2026-03-01T10:00:00Z.' });
const list = (max = 50) => z.array(text(200)).max(max, `Höchstens ${max} Einträge.`);

export const LIFE_AREAS = ['Aufenthalt', 'Sprache', 'Bildung', 'Arbeit', 'Wohnen', 'Gesundheit', 'FamilieKitaSchule', 'Finanzen', 'Sonstiges'] as const;
export const PHASES = ['Zugang', 'Clearing', 'Foerderplanung', 'Umsetzung', 'Abschluss'] as const;
export const KINDS_OF_HELP = ['Kurzberatung', 'Verweisberatung', 'CaseManagement', 'Einbuergerung'] as const;
export const ORGANISATION_TYPES = [
  'Jobcenter',
  'AgenturFuerArbeit',
  'Jugendamt',
  'Sozialamt',
  'Auslaenderbehoerde',
  'Einbuergerungsbehoerde',
  'MBE',
  'JMD',
  'Sprachkurstraeger',
  'Schule',
  'Beratungsstelle',
  'Sonstige',
] as const;

const lifeArea = z.enum(LIFE_AREAS, { message: `Lebensbereich: ${LIFE_AREAS.join(', ')}` });

const client = z.object({
  firstName: text(100, 'Bitte den Vornamen angeben.'),
  lastName: text(100, 'Bitte den Nachnamen angeben.'),
  birthDate: date.nullable().optional(),
  gender: optText(30),
  nationality: optText(100),
  languages: list(20).optional(),
  interpreterNeeded: z.boolean().optional(),
  phone: optText(50),
  email: z.email({ message: 'Keine gültige E-Mail-Adresse.' }).nullable().optional(),
  address: optText(300),
});

const needInput = z.object({ lifeArea, description: text(2000, 'Bitte den Bedarf beschreiben.') });

const caseCreate = z.object({
  clientId: id,
  kindOfHelp: z.enum(KINDS_OF_HELP, { message: `Art der Hilfe: ${KINDS_OF_HELP.join(', ')}` }).optional(),
  phase: z.enum(PHASES.filter((p) => p !== 'Abschluss') as [string, ...string[]], { message: 'Phase: Zugang, Clearing, Foerderplanung oder Umsetzung (Abschluss nur über „Fall abschließen“).' }).optional(),
  caseManagerId: id.nullable().optional(),
  needs: z.array(needInput).max(20, 'Höchstens 20 Bedarfe.').optional(),
});
const caseUpdate = caseCreate.omit({ clientId: true, needs: true }).extend({ processInstanceKey: optText(30) });

/** POST /api/cases: starts kim-intake for a known person (clientId) or a new one (client). */
export const intakeStartSchema = z
  .object({ clientId: id.optional(), client: client.optional() })
  .refine((v) => Boolean(v.clientId) !== Boolean(v.client), {
    message: 'Bitte entweder eine bestehende Person (clientId) wählen oder eine neue Person (client) erfassen.',
    path: ['clientId'],
  });

const consentBase = z.object({
  caseId: id,
  recipients: z.array(id).min(1, 'Bitte mindestens eine empfangende Organisation angeben.').max(30),
  dataCategories: list().min(1, 'Bitte mindestens eine Datenkategorie angeben.'),
  purposes: list().min(1, 'Bitte mindestens einen Zweck angeben.'),
  validFrom: date,
  validUntil: date.nullable().optional(),
  documentId: id.nullable().optional(),
});
const validRange = (c: { validFrom?: string; validUntil?: string | null }) => !c.validFrom || !c.validUntil || c.validUntil.slice(0, 10) >= c.validFrom.slice(0, 10);
const rangeIssue = { message: '„Gültig bis“ darf nicht vor „Gültig ab“ liegen.', path: ['validUntil'] };

const referralCreate = z.object({
  caseId: id,
  organisationId: id,
  lifeArea,
  purpose: text(1000, 'Bitte den Zweck der Vermittlung angeben.'),
  withData: z.boolean().optional(),
  consentId: id.nullable().optional(),
  dueDate: date.nullable().optional(),
});
/** POST /api/referrals: starts kim-referral; the consent gate and the send are the process's steps. */
export const referralStartSchema = referralCreate.pick({ caseId: true, organisationId: true, lifeArea: true, purpose: true, dueDate: true });
const referralUpdate = referralCreate
  .omit({ caseId: true })
  .partial()
  .extend({
    status: z.enum(['angelegt', 'gesendet', 'angenommen', 'abgelehnt', 'abgeschlossen', 'abgebrochen'], { message: 'Unbekannter Status.' }).optional(),
    outcome: optText(2000),
  });

const participant = z.object({ organisationId: id.nullable().optional(), name: text(200, 'Bitte den Namen angeben.'), email: z.email({ message: 'Keine gültige E-Mail-Adresse.' }).nullable().optional() });
const agreement = z.object({ organisationId: id.nullable().optional(), description: text(2000, 'Bitte die Vereinbarung beschreiben.'), dueDate: date.nullable().optional() });
const conferenceCreate = z.object({
  caseId: id,
  title: text(200, 'Bitte einen Titel angeben.'),
  scheduledAt: dateTime,
  location: optText(300),
  participants: z.array(participant).max(30).optional(),
  agreements: z.array(agreement).max(50).optional(),
});
const conferenceUpdate = conferenceCreate
  .omit({ caseId: true, participants: true, agreements: true })
  .partial()
  .extend({ status: z.enum(['geplant', 'eingeladen', 'durchgefuehrt', 'abgesagt'], { message: 'Unbekannter Status.' }).optional(), protocol: optText(20000) });

const noteCreate = z.object({ caseId: id, text: text(20000, 'Bitte einen Text eingeben.') });

const documentCreate = z.object({
  caseId: id,
  title: text(200, 'Bitte einen Titel angeben.'),
  kind: z.enum(DOCUMENT_TYPE_CODES as [string, ...string[]], { message: `Bitte eine Dokumentart wählen: ${Object.values(DOCUMENT_TYPES).join(', ')}.` }),
  fileName: text(200, 'Bitte den Dateinamen angeben.'),
  mimeType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'Kein gültiger Dateityp (z. B. application/pdf).'),
  contentBase64: z.base64({ message: 'Inhalt muss Base64-kodiert sein.' }).optional(),
});

const organisation = z.object({
  name: text(200, 'Bitte den Namen angeben.'),
  type: z.enum(ORGANISATION_TYPES, { message: `Art: ${ORGANISATION_TYPES.join(', ')}` }),
  email: z.email({ message: 'Keine gültige E-Mail-Adresse.' }).nullable().optional(),
  phone: optText(50),
  address: optText(300),
  contactPerson: optText(200),
  active: z.boolean().optional(),
});

const userCreate = z.object({
  username: z.string().trim().regex(/^[a-z0-9._-]{3,60}$/, 'Benutzername: 3–60 Zeichen, Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich.'),
  displayName: text(200, 'Bitte den Namen angeben.'),
  role: z.enum(['case_manager', 'coordinator', 'abh', 'ebh', 'admin'], { message: 'Rolle: case_manager, coordinator, abh, ebh oder admin.' }),
  siteId: z.string().trim().min(1).max(100).nullable().optional(),
  groups: z.array(z.string().trim().min(1).max(100)).max(30).optional(),
  password: z.string().min(10, 'Das Passwort muss mindestens 10 Zeichen haben.').max(200),
});
const userUpdate = userCreate.omit({ username: true }).partial().extend({ active: z.boolean().optional() });

const siteCreate = z.object({
  id: z.string().trim().regex(/^[a-z0-9-]{3,60}$/, 'Kennung: 3–60 Zeichen, Kleinbuchstaben, Ziffern, Bindestrich.'),
  name: text(200, 'Bitte den Namen angeben.'),
});

const systemGapCreate = z.object({ lifeArea, title: text(200, 'Bitte einen Titel angeben.'), description: text(5000, 'Bitte die Lücke beschreiben.') });
const systemGapUpdate = systemGapCreate.partial().extend({ status: z.enum(['gemeldet', 'in_pruefung', 'in_bearbeitung', 'erledigt'], { message: 'Unbekannter Status.' }).optional() });

/** Needs and goals of the Förderplan (case sub-resources). */
export const needCreateSchema = needInput;
export const needUpdateSchema = needInput.partial();
export const GOAL_STATUSES = ['offen', 'laufend', 'erreicht', 'nicht_erreicht'] as const;
export const goalCreateSchema = z.object({
  lifeArea,
  description: text(2000, 'Bitte das Ziel beschreiben.'),
  dueDate: date.nullable().optional(),
  needId: id.nullable().optional(),
  status: z.enum(GOAL_STATUSES, { message: 'Status: offen, laufend, erreicht oder nicht erreicht.' }).optional(),
  /** The day the goal was reached or given up (defaults to today for those states). */
  resultDate: date.nullable().optional(),
});
export const goalUpdateSchema = goalCreateSchema.partial();

export const closeCaseSchema = z.object({
  outcome: text(2000, 'Bitte das Ergebnis des Falls angeben.'),
});
/** Deleting a document needs a reason (kept in the audit log and shown in the case's history). */
export const deleteDocumentSchema = z.object({
  reason: text(1000, 'Bitte den Grund der Löschung angeben.'),
});
/** A coordinator opening a person's case file: one of the reasons, and a note saying why. */
export const caseAccessSchema = z.object({
  reason: z.enum(Object.keys(CASE_ACCESS_REASONS) as [string, ...string[]], { message: `Bitte einen Grund wählen: ${Object.values(CASE_ACCESS_REASONS).join(', ')}.` }),
  note: text(1000, 'Bitte kurz begründen, warum Sie die Fallakte öffnen.'),
});
export const revokeConsentSchema = z.object({
  reason: text(1000, 'Bitte den Grund des Widerrufs angeben.'),
});

export const BODY_SCHEMAS: Record<ResourceName, { create?: z.ZodType; update?: z.ZodType }> = {
  clients: { create: client, update: client.partial() },
  cases: { create: intakeStartSchema, update: caseUpdate },
  consents: {
    create: consentBase.refine(validRange, rangeIssue),
    update: consentBase.omit({ caseId: true }).partial().refine(validRange, rangeIssue),
  },
  referrals: { create: referralStartSchema, update: referralUpdate },
  conferences: { create: conferenceCreate, update: conferenceUpdate },
  notes: { create: noteCreate, update: noteCreate.omit({ caseId: true }) },
  documents: { create: documentCreate },
  organisations: { create: organisation, update: organisation.partial() },
  users: { create: userCreate, update: userUpdate },
  sites: { create: siteCreate, update: siteCreate.omit({ id: true }) },
  'audit-log': {},
  'system-gaps': { create: systemGapCreate, update: systemGapUpdate },
};
