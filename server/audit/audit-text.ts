/**
 * The audit log in words: each entry of a case's history as a German sentence ("Dokument gelöscht
 * (Reisepass / Ausweis)") instead of the stored action code ("documents.delete"). Codes nobody
 * mapped still read as German ("Fallakte: bearbeitet"), never as the raw code.
 */
import { documentTypeDe } from '../documents/document-types';

const ACTIONS: Record<string, string> = {
  'cases.read': 'Fallakte geöffnet',
  'cases.list': 'Fall in einer Liste angezeigt',
  'cases.update': 'Falldaten geändert',
  'cases.close': 'Fall abgeschlossen',
  'cases.delete': 'Personendaten nach Ablauf der Aufbewahrungsfrist gelöscht',
  'cases.process_read': 'Prozessansicht angesehen',
  'cases.audit_read': 'Verlauf angesehen',
  'cases.file_opened': 'Fallakte mit Begründung geöffnet',
  'cases.access_grant': 'Zugriff über eine zugewiesene Aufgabe erhalten',
  'cases.access_end': 'Zugriff über eine zugewiesene Aufgabe beendet',
  'clients.read': 'Personendaten angesehen',
  'clients.list': 'Person in einer Liste angezeigt',
  'clients.create': 'Person angelegt',
  'clients.update': 'Personendaten geändert',
  'consents.create': 'Einwilligung erfasst',
  'consents.update': 'Einwilligung geändert',
  'consents.revoke': 'Einwilligung widerrufen',
  'consents.refused': 'Einwilligung verweigert',
  'consents.read': 'Einwilligung angesehen',
  'consents.list': 'Einwilligungen angesehen',
  'referrals.create': 'Vermittlung angelegt',
  'referrals.update': 'Vermittlung geändert',
  'referrals.delete': 'Vermittlung gelöscht',
  'referrals.read': 'Vermittlung angesehen',
  'referrals.list': 'Vermittlungen angesehen',
  'referrals.share_stopped': 'Datenweitergabe gestoppt',
  'referrals.partner_view': 'Vermittlung vom Partner geöffnet',
  'referrals.gesendet': 'Vermittlung versendet',
  'referrals.angenommen': 'Vermittlung vom Partner angenommen',
  'referrals.abgelehnt': 'Vermittlung vom Partner abgelehnt',
  'referrals.abgeschlossen': 'Vermittlung abgeschlossen',
  'referrals.abgebrochen': 'Vermittlung abgebrochen',
  'conferences.create': 'Fallkonferenz angelegt',
  'conferences.update': 'Fallkonferenz geändert',
  'conferences.delete': 'Fallkonferenz gelöscht',
  'conferences.read': 'Fallkonferenz angesehen',
  'conferences.list': 'Fallkonferenzen angesehen',
  'conferences.protocol_recorded': 'Protokoll der Fallkonferenz erfasst',
  'conferences.protocol_shared': 'Protokoll der Fallkonferenz geteilt',
  'notes.create': 'Notiz geschrieben',
  'notes.update': 'Notiz geändert',
  'notes.delete': 'Notiz gelöscht',
  'notes.read': 'Notiz angesehen',
  'notes.list': 'Notizen angesehen',
  'documents.create': 'Dokument hochgeladen',
  'documents.delete': 'Dokument gelöscht',
  'documents.download': 'Dokument heruntergeladen',
  'documents.read': 'Dokument angesehen',
  'documents.list': 'Dokumente angesehen',
  'needs.create': 'Bedarf ergänzt',
  'needs.update': 'Bedarf geändert',
  'needs.list': 'Bedarfe angesehen',
  'goals.create': 'Ziel vereinbart',
  'goals.update': 'Ziel geändert',
  'goals.list': 'Ziele angesehen',
  'case.support_plan': 'Förderplan gespeichert',
  'intake.start': 'Erstkontakt begonnen',
  'intake.first_contact': 'Erstkontakt dokumentiert (Bedarfe)',
  'intake.kind_of_help': 'Hilfeart festgelegt',
  'task.claim': 'Aufgabe übernommen',
  'task.unclaim': 'Aufgabe zurückgegeben',
  'task.complete': 'Aufgabe abgeschlossen',
  'task.assign': 'Aufgabe zugewiesen',
  'agreements.confirmed_by_agency': 'Vereinbarung von der Stelle bestätigt',
  'einbuergerung.start': 'Einbürgerungsvorbereitung begonnen',
  'einbuergerung.read': 'Einbürgerungsvorbereitung angesehen',
  'einbuergerung.requirements': 'Voraussetzungen der Einbürgerung erfasst',
  'einbuergerung.precheck': 'Einbürgerung vorgeprüft',
  'einbuergerung.test_registration': 'Anmeldung zum Einbürgerungstest erfasst',
  'einbuergerung.documents': 'Unterlagen der Einbürgerung aktualisiert',
  'einbuergerung.hand_over': 'Antrag an die Einbürgerungsbehörde übergeben',
  'einbuergerung.decision': 'Entscheidung der Einbürgerungsbehörde erfasst',
  'einbuergerung.client_informed': 'Klient*in über die Entscheidung informiert',
  'einbuergerung.residence_bestaetigt': 'Aufenthaltsdaten von der Ausländerbehörde bestätigt',
  'einbuergerung.residence_korrigiert': 'Aufenthaltsdaten von der Ausländerbehörde korrigiert',
};

/** Fallback: the area of the code and a generic verb, both German. */
const AREAS: Record<string, string> = {
  cases: 'Fallakte',
  case: 'Fallakte',
  clients: 'Personendaten',
  consents: 'Einwilligung',
  referrals: 'Vermittlung',
  conferences: 'Fallkonferenz',
  notes: 'Notiz',
  documents: 'Dokument',
  needs: 'Bedarf',
  goals: 'Ziel',
  intake: 'Erstkontakt',
  task: 'Aufgabe',
  agreements: 'Vereinbarung',
  einbuergerung: 'Einbürgerung',
};

const FIELDS: Record<string, string> = {
  phase: 'Phase',
  kindOfHelp: 'Hilfeart',
  caseManagerId: 'Fallverantwortung',
  status: 'Stand',
  description: 'Beschreibung',
  dueDate: 'Zieldatum',
  resultDate: 'Ergebnisdatum',
  lifeArea: 'Lebensbereich',
  title: 'Titel',
  kind: 'Art',
  text: 'Text',
  recipients: 'Empfänger',
  purposes: 'Zwecke',
  dataCategories: 'Datenkategorien',
  validFrom: 'gültig ab',
  validUntil: 'gültig bis',
  outcome: 'Ergebnis',
  phone: 'Telefon',
  email: 'E-Mail',
  address: 'Anschrift',
  needs: 'Bedarfe',
};

const KIND_OF_HELP_DE: Record<string, string> = { CaseManagement: 'Case Management', Kurzberatung: 'Kurzberatung', Verweisberatung: 'Verweisberatung' };

export const ROLE_DE: Record<string, string> = {
  case_manager: 'Case-Management',
  coordinator: 'Koordination',
  abh: 'Ausländerbehörde',
  ebh: 'Einbürgerungsbehörde',
  admin: 'Administration',
  land: 'Land NRW',
};

/** The German sentence of one audit entry (what happened; "who", "when" and "why" are columns). */
export function auditText(e: { action: string; fields?: string[] | null }): string {
  const fields = e.fields ?? [];
  if (e.action === 'documents.delete' && fields[0]) return `Dokument gelöscht (${documentTypeDe(fields[0])})`;
  const base = ACTIONS[e.action] ?? `${AREAS[e.action.split('.')[0]] ?? 'Eintrag'}: bearbeitet`;
  if (/\.(update|create)$/.test(e.action) && e.action !== 'documents.create') {
    const named = fields.map((f) => FIELDS[f]).filter(Boolean);
    if (named.length) return `${base} (${named.join(', ')})`;
  }
  return base;
}

/** The reason as shown: system reasons that carry a code are translated. */
export function auditReason(e: { action: string; reason?: string | null }): string | null {
  if (!e.reason) return null;
  if (e.action === 'intake.kind_of_help') return KIND_OF_HELP_DE[e.reason] ?? e.reason;
  return e.reason;
}
