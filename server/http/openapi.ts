/**
 * GET /api/openapi.json: the OpenAPI 3.1 description of the API. Request bodies come from the zod
 * schemas the routes validate with (z.toJSONSchema); which verbs exist per resource comes from the
 * policy matrix the router uses too. A test compares it with the routes express really has.
 */
import { Router } from 'express';
import { z } from 'zod';
import { RESOURCE_DE, RESOURCES, ResourceName } from '../auth/policy';
import type { RecordsService } from '../cases/records.service';
import { startEinbuergerungSchema, vorpruefungSchema } from '../naturalisation/einbuergerung.routes';
import { bleiberechtVorpruefungSchema, fristenQuerySchema, startBleiberechtSchema } from '../residence/residence.routes';
import { agendaItemCreateSchema, agendaItemUpdateSchema, decisionSchema, gapMoveSchema, meetingCreateSchema, meetingUpdateSchema, memberCreateSchema, memberUpdateSchema, themeCreateSchema, themeUpdateSchema } from '../steering/steering.routes';
import { verbsOf } from '../cases/resources.routes';
import { startConferenceSchema } from '../conferences/conference.routes';
import { BODY_SCHEMAS, caseAccessSchema, closeCaseSchema, deleteDocumentSchema, goalCreateSchema, goalUpdateSchema, needCreateSchema, needUpdateSchema, revokeConsentSchema } from './schemas';
import { assignTaskSchema } from '../inbox/tasks.routes';
import { changePasswordSchema } from '../auth/auth.routes';
import { oneTimePasswordSchema } from '../users/users.routes';
import { checkDraftSchema, commentSchema, migrateSchema, saveDraftSchema } from '../models/models.routes';
import { dashboardOpenApi } from '../dashboards/openapi';

type Json = Record<string, unknown>;

const json = (schema: z.ZodType): Json => {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pascal = (s: string) => s.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const listParams = [
  { name: 'filter', in: 'query', schema: { type: 'string' }, description: 'JSON-Objekt, z. B. {"q":"Suche","caseId":"…"}; {"id":[…]} für mehrere' },
  { name: 'range', in: 'query', schema: { type: 'string' }, description: 'JSON [von, bis], z. B. [0,24]' },
  { name: 'sort', in: 'query', schema: { type: 'string' }, description: 'JSON ["feld","ASC"|"DESC"]' },
];
const errors = { 400: problem('Ungültige Eingabe (Feldfehler in `errors`)'), 401: problem('Nicht angemeldet'), 403: problem('Keine Berechtigung'), 404: problem('Nicht gefunden') };
const ok = (schema: Json, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const listOk = (schema: Json) => ({
  description: 'Eine Seite der Liste; Content-Range nennt Ausschnitt und Gesamtzahl',
  headers: { 'Content-Range': { schema: { type: 'string' }, description: '<ressource> <von>-<bis>/<gesamt>' } },
  content: { 'application/json': { schema: { type: 'array', items: schema } } },
});
const body = (schema: Json) => ({ required: true, content: { 'application/json': { schema } } });

export function buildOpenApi(records: RecordsService, version: string): Json {
  const schemas: Record<string, Json> = {
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        title: { type: 'string', description: 'Meldung auf Deutsch' },
        status: { type: 'integer' },
        requestId: { type: 'string' },
        errors: { type: 'object', additionalProperties: { type: 'string' }, description: 'Feld → Meldung' },
      },
      required: ['type', 'title', 'status'],
    },
    CloseCase: json(closeCaseSchema),
    RevokeConsent: json(revokeConsentSchema),
    Task: { type: 'object', additionalProperties: true },
  };
  const paths: Record<string, Json> = {
    '/api/health': { get: { tags: ['system'], summary: 'Zustand von Datenbank, Engine und Workern', responses: { 200: ok({ type: 'object' }), 503: ok({ type: 'object' }, 'Nicht alles läuft') } } },
    '/api/openapi.json': { get: { tags: ['system'], summary: 'Diese Beschreibung', responses: { 200: ok({ type: 'object' }) } } },
    '/api/auth/login': {
      post: {
        tags: ['auth'],
        summary: 'Anmelden',
        requestBody: body({ type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } }, required: ['username', 'password'] }),
        responses: { 200: ok({ type: 'object' }), 400: errors[400], 401: errors[401], 423: problem('Konto gesperrt'), 429: problem('Zu viele Versuche') },
      },
    },
    '/api/auth/logout': { post: { tags: ['auth'], summary: 'Abmelden', responses: { 204: { description: 'Abgemeldet' } } } },
    '/api/auth/me': { get: { tags: ['auth'], summary: 'Angemeldete Person und CSRF-Token', responses: { 200: ok({ type: 'object' }), 401: errors[401] } } },
    '/api/tasks': { get: { tags: ['tasks'], summary: 'Aufgabeneingang', parameters: listParams, responses: { 200: listOk(ref('Task')), 400: errors[400], 403: errors[403] } } },
    '/api/tasks/{id}': { get: { tags: ['tasks'], summary: 'Eine Aufgabe', parameters: [idParam], responses: { 200: ok(ref('Task')), 404: errors[404] } } },
  };
  // Task view and user settings of the web app.
  paths['/api/tasks'] = {
    get: {
      tags: ['tasks'],
      summary: 'Aufgabeneingang',
      description:
        'Filter (JSON): view (mine|group|all), q oder name (Aufgabe), processDefinitionId, caseId, dueBefore (Datum), overdue (true), siteId (Standort des Falls), assignee (Benutzername oder "unassigned"), ' +
        'lifeArea (Lebensbereich oder Liste davon: Fall hat einen Bedarf oder ein Ziel darin; nur Case-Management – über Fälle des eigenen Standorts – und Koordination, sonst 403). ' +
        'Jede Zeile trägt für Case-Management und Koordination `client` (Name bei Fällen des eigenen Standorts, sonst Pseudonym; Koordination nur Pseudonym) und `clientIsPseudonym`, dazu `caseReference` (Aktenzeichen) und `siteId` des Falls; ABH/EBH bekommen nur die Aufgabe. ' +
        'Keine volle Zählung: gezählt werden höchstens 1000 Zeilen ab dem Anfang der Seite. X-Total-Capped: true heißt, die Gesamtzahl in Content-Range ist eine Untergrenze („mehr als …“). Folgeseiten werden per Keyset gelesen.',
      parameters: listParams,
      responses: {
        200: { ...listOk(ref('Task')), headers: { ...listOk(ref('Task')).headers, 'X-Total-Capped': { schema: { type: 'string', enum: ['true', 'false'] }, description: 'true: Gesamtzahl ist eine Untergrenze' } } },
        400: errors[400],
        403: errors[403],
      },
    },
  };
  paths['/api/tasks/events'] = {
    get: {
      tags: ['tasks'],
      summary: 'Live-Aktualisierung des Aufgabeneingangs (Server-Sent Events)',
      description:
        'text/event-stream mit der Sitzung (Cookie): `ready` nach dem Verbinden, dann `tasks` mit {kommuneId, groups}, sobald sich eine Aufgabe ändert, die die Person sehen darf (neu, übernommen, abgeschlossen, abgebrochen, neu zugewiesen) – ohne Aufgaben- oder Personendaten; die Liste wird danach neu geladen. Kommentarzeilen als Herzschlag; endet die Sitzung, kommt `signed-out`.',
      responses: {
        200: { description: 'Ereignisstrom', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        401: errors[401],
        403: errors[403],
        429: problem('Zu viele offene Ströme dieser Person'),
        503: problem('Live-Aktualisierung nicht verfügbar'),
      },
    },
  };
  paths['/api/tasks/{id}/form'] = {
    get: {
      tags: ['tasks'],
      summary: 'Formular der Aufgabe (Camunda-Form-Schema), Vorbelegung aus Fall und Entwurf, Fallkontext nach Rolle',
      parameters: [idParam],
      responses: {
        200: ok({
          type: 'object',
          properties: {
            task: ref('Task'),
            form: { type: ['object', 'null'], properties: { formKey: { type: 'string' }, formId: { type: 'string' }, version: { type: 'integer' }, schema: { type: 'object' } } },
            data: { type: 'object' },
            draft: { type: ['object', 'null'] },
            context: { type: ['object', 'null'], properties: { case: {}, client: {}, consents: {}, notes: {} } },
            processName: { type: 'string', description: 'Deutscher Name des Prozesses aus seinem Modell' },
            step: {
              type: ['object', 'null'],
              description: 'Was dieser Schritt braucht (aus der App-Datenbank, nie aus Prozessvariablen): Angaben, Listen, Hinweise und höchstens eine Ein-Klick-Erledigung',
              properties: {
                title: { type: 'string' },
                facts: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' }, value: { type: 'string' } } } },
                lists: { type: 'array', items: { type: 'object', properties: { title: { type: 'string' }, items: { type: 'array', items: { type: 'string' } } } } },
                hints: { type: 'array', items: { type: 'string' } },
                data: { type: 'object' },
                action: { type: ['object', 'null'], properties: { label: { type: 'string' }, variables: { type: 'object' } } },
              },
            },
          },
        }),
        ...errors,
      },
    },
  };
  paths['/api/tasks/{id}/draft'] = {
    put: {
      tags: ['tasks'],
      summary: 'Entwurf der Formulareingaben speichern (je Aufgabe und Person)',
      parameters: [idParam],
      requestBody: body({ type: 'object', properties: { data: { type: 'object' } }, required: ['data'] }),
      responses: { 200: ok({ type: 'object' }), ...errors, 409: problem('Aufgabe bereits abgeschlossen') },
    },
  };
  paths['/api/home'] = {
    get: { tags: ['auth'], summary: 'Startseite: Arbeitsübersicht der angemeldeten Person je Rolle (Aufgaben, Wiedervorlagen, Fälle nach Phase, Antworten von Partnern)', responses: { 200: ok({ type: 'object' }), 401: errors[401], 403: errors[403] } },
  };
  // Accounts: the own password (also the required step after a one-time password), the administrator's actions.
  paths['/api/auth/password'] = {
    post: { tags: ['auth'], summary: 'Eigenes Passwort ändern (nach einem Einmalpasswort erforderlich)', requestBody: body(json(changePasswordSchema)), responses: { 200: ok({ type: 'object' }), 400: errors[400], 401: errors[401] } },
  };
  paths['/api/users/{id}/unlock'] = {
    post: { tags: ['users'], summary: 'Anmeldesperre aufheben (Administration der Kommune, protokolliert)', parameters: [idParam], responses: { 200: ok({ type: 'object' }), 401: errors[401], 403: errors[403], 404: errors[404] } },
  };
  paths['/api/users/{id}/password'] = {
    post: { tags: ['users'], summary: 'Einmalpasswort setzen: die Person legt bei der nächsten Anmeldung ein eigenes fest (Administration, protokolliert)', parameters: [idParam], requestBody: body(json(oneTimePasswordSchema)), responses: { 200: ok({ type: 'object' }), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], 409: problem('Das eigene Konto: Passwort über „Passwort ändern“') } },
  };
  // Mail outbox (server/mail): Postausgang for administrators, pending mails of a case.
  paths['/api/outbox'] = {
    get: { tags: ['outbox'], summary: 'Postausgang der Kommune: versendete und ausstehende E-Mails (nur Administration; Filter status: pending | sent | failed)', parameters: listParams, responses: { 200: listOk({ type: 'object' }), 400: errors[400], 401: errors[401], 403: errors[403] } },
  };
  paths['/api/outbox/{id}'] = {
    get: { tags: ['outbox'], summary: 'Eine E-Mail des Postausgangs mit Text und Anhangnamen (wird protokolliert)', parameters: [idParam], responses: { 200: ok({ type: 'object' }), 401: errors[401], 403: errors[403], 404: errors[404] } },
  };
  paths['/api/cases/{id}/mail-status'] = {
    get: { tags: ['outbox'], summary: 'E-Mails des Falls, die noch nicht versendet sind (Stand und nächster Versuch)', parameters: [idParam], responses: { 200: ok({ type: 'array', items: { type: 'object' } }), 401: errors[401], 403: errors[403], 404: errors[404] } },
  };
  paths['/api/me/preferences'] = {
    get: { tags: ['auth'], summary: 'Einstellungen der angemeldeten Person (z. B. Filter des Aufgabeneingangs)', responses: { 200: ok({ type: 'object' }), 401: errors[401] } },
    put: {
      tags: ['auth'],
      summary: 'Einstellungen ändern (oberste Schlüssel werden ersetzt, null entfernt einen Schlüssel)',
      requestBody: body({ type: 'object' }),
      responses: { 200: ok({ type: 'object' }), 400: errors[400], 401: errors[401] },
    },
  };
  schemas.Vorpruefung = json(vorpruefungSchema);
  paths['/api/einbuergerung/vorpruefung'] = {
    post: {
      tags: ['einbuergerung'],
      summary: 'Einbürgerungs-Vorprüfung (§ 10 StAG) über die Entscheidungstabelle der Engine',
      requestBody: body(ref('Vorpruefung')),
      responses: {
        200: ok({ type: 'object', properties: { eligible: { type: 'boolean' }, fehlendeVoraussetzungen: { type: 'array', items: { type: 'string' } }, fruehesterAntragstermin: { type: ['string', 'null'] } } }),
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    },
  };
  schemas.BleiberechtVorpruefung = json(bleiberechtVorpruefungSchema);
  const codes = { type: 'array', items: { type: 'string' }, description: 'Codes der nicht erfüllten Voraussetzungen in Tabellenreihenfolge' };
  const day = { type: ['string', 'null'], format: 'date' };
  paths['/api/bleiberecht/vorpruefung'] = {
    post: {
      tags: ['bleiberecht'],
      summary: 'Bleiberechts-Vorprüfung (§§ 25a, 25b AufenthG, Übergang § 104c) über die Entscheidung der Engine; nur die Eingaben der Entscheidung, sonst 400',
      requestBody: body(ref('BleiberechtVorpruefung')),
      responses: {
        200: ok({
          type: 'object',
          properties: {
            paragraf25a: { type: 'object', properties: { erfuellt: { type: 'boolean' }, fehlend: codes, fruehestensAb: day, antragSpaetestensAm: day } },
            paragraf25b: { type: 'object', properties: { erfuellt: { type: 'boolean' }, fehlend: codes, fruehestensAb: day } },
            fristen: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, datum: { type: 'string', format: 'date' } } }, description: 'nach Datum, dann Code sortiert' },
          },
        }),
        400: errors[400],
        401: errors[401],
        403: errors[403],
        503: problem('Engine nicht erreichbar oder Entscheidung nicht bereitgestellt'),
      },
    },
  };
  // kim-bleiberecht and its deadline tracker
  schemas.BleiberechtStart = json(startBleiberechtSchema);
  paths['/api/bleiberecht/start'] = {
    post: {
      tags: ['bleiberecht'],
      summary: 'Bleiberechtsverfahren (Prozess kim-bleiberecht) für einen Fall starten (Case-Management des Standorts)',
      requestBody: body(ref('BleiberechtStart')),
      responses: {
        201: ok({ type: 'object', properties: { bleiberechtId: { type: 'string' }, caseId: { type: 'string' }, processInstanceKey: { type: 'string' } } }, 'Gestartet'),
        ...errors,
        409: problem('Fall abgeschlossen oder Verfahren läuft bereits'),
        503: problem('Engine nicht erreichbar'),
      },
    },
  };
  paths['/api/bleiberecht/cases/{caseId}'] = {
    get: {
      tags: ['bleiberecht'],
      summary: 'Bleiberechtsverfahren eines Falls (Case-Management des Standorts): Stand, Vorprüfung, Antrag, Entscheidung der Ausländerbehörde; 404 ohne Verfahren',
      parameters: [{ name: 'caseId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: ok({ type: 'object' }), ...errors },
    },
  };
  const frist = { type: 'object', properties: { kind: { type: 'string' }, label: { type: 'string', description: 'deutsche Bezeichnung' }, date: { type: 'string', format: 'date' } } };
  paths['/api/cases/{id}/fristen'] = {
    get: {
      tags: ['bleiberecht'],
      summary: 'Fristen des Bleiberechts eines Falls (Case-Management des Standorts; Ausländerbehörde der Kommune nur Aufenthaltsdaten), nach Datum sortiert, mit Erinnerungszeitpunkt',
      parameters: [idParam],
      responses: { 200: ok({ type: 'array', items: { ...frist, properties: { ...frist.properties, remindAt: { type: 'string', format: 'date-time' } } } }), ...errors },
    },
  };
  paths['/api/fristen'] = {
    get: {
      tags: ['bleiberecht'],
      summary: 'Fristen der nächsten Tage: eigene Fälle (Case-Management) oder die Kommune (Ausländerbehörde, nur Aufenthaltsdaten)',
      parameters: [{ name: 'tage', in: 'query', schema: json(fristenQuerySchema.shape.tage) }],
      responses: { 200: ok({ type: 'array', items: { ...frist, properties: { ...frist.properties, caseId: { type: 'string' }, reference: { type: 'string', description: 'Aktenzeichen' } } } }), ...errors },
    },
  };
  // kim-einbuergerung
  schemas.EinbuergerungStart = json(startEinbuergerungSchema);
  paths['/api/einbuergerung/start'] = {
    post: {
      tags: ['einbuergerung'],
      summary: 'Einbürgerungsvorbereitung (Prozess kim-einbuergerung) für einen Fall starten',
      requestBody: body(ref('EinbuergerungStart')),
      responses: {
        201: ok({ type: 'object', properties: { einbuergerungId: { type: 'string' }, caseId: { type: 'string' }, processInstanceKey: { type: 'string' } } }, 'Gestartet'),
        ...errors,
        409: problem('Fall abgeschlossen oder Vorbereitung läuft bereits'),
        503: problem('Engine nicht erreichbar'),
      },
    },
  };
  paths['/api/einbuergerung/cases/{caseId}'] = {
    get: {
      tags: ['einbuergerung'],
      summary: 'Einbürgerungsvorbereitung eines Falls (Ausländerbehörde: nur Aufenthaltsdaten; Einbürgerungsbehörde: nur die Daten ihrer Aufgabe)',
      parameters: [{ name: 'caseId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: ok({ type: 'object' }), ...errors },
    },
  };
  for (const verb of ['claim', 'unclaim', 'complete']) {
    paths[`/api/tasks/{id}/${verb}`] = {
      post: {
        tags: ['tasks'],
        summary: { claim: 'Aufgabe übernehmen', unclaim: 'Aufgabe zurückgeben', complete: 'Aufgabe abschließen (nur Felder des Formulars der Aufgabe, sonst 400; Antwort nennt in nextTask die nächste eigene Aufgabe desselben Falls; ?next=false lässt nextTask weg)' }[verb],
        parameters: [idParam],
        ...(verb === 'complete' ? { requestBody: body({ type: 'object', properties: { variables: { type: 'object' } } }) } : {}),
        responses: { 200: ok(ref('Task')), 403: errors[403], 404: errors[404], 409: problem('Konflikt') },
      },
    };
  }

  for (const res of RESOURCES) {
    const spec = records.spec(res);
    const name = pascal(res);
    const verbs = verbsOf(res);
    const tag = res;
    schemas[name] = { type: 'object', description: RESOURCE_DE[res], properties: Object.fromEntries(spec.fields.map((f) => [f, {}])) };
    const s = BODY_SCHEMAS[res as ResourceName];
    const collection: Json = {
      get: { tags: [tag], summary: `${RESOURCE_DE[res]} auflisten`, parameters: listParams, responses: { 200: listOk(ref(name)), ...errors } },
    };
    const item: Json = { get: { tags: [tag], summary: `${RESOURCE_DE[res]}: ein Eintrag`, parameters: [idParam], responses: { 200: ok(ref(name)), ...errors } } };
    if (verbs.has('create') && s.create) {
      schemas[`${name}Create`] = json(s.create);
      collection.post = { tags: [tag], summary: `${RESOURCE_DE[res]}: anlegen`, requestBody: body(ref(`${name}Create`)), responses: { 201: ok(ref(name), 'Angelegt'), ...errors, 409: problem('Konflikt') } };
    }
    if (verbs.has('update') && s.update) {
      schemas[`${name}Update`] = json(s.update);
      item.put = { tags: [tag], summary: `${RESOURCE_DE[res]}: ändern`, parameters: [idParam], requestBody: body(ref(`${name}Update`)), responses: { 200: ok(ref(name)), ...errors, 409: problem('Konflikt') } };
    }
    if (verbs.has('delete')) {
      item.delete = { tags: [tag], summary: `${RESOURCE_DE[res]}: löschen`, parameters: [idParam], responses: { 200: ok(ref(name), 'Gelöscht (der gelöschte Eintrag)'), ...errors, 409: problem('Konflikt') } };
    }
    paths[`/api/${res}`] = collection;
    paths[`/api/${res}/{id}`] = item;
  }
  paths['/api/cases/{id}/close'] = {
    post: { tags: ['cases'], summary: 'Fall abschließen (Ergebnis, Löschfrist, Statistik)', parameters: [idParam], requestBody: body(ref('CloseCase')), responses: { 200: ok(ref('Cases')), ...errors, 409: problem('Bereits abgeschlossen') } },
  };
  paths['/api/cases/{id}/audit'] = {
    get: {
      tags: ['cases'],
      summary: 'Verlauf des Falls auf Deutsch (text, who, roleDe, reasonDe); ohne reads=true ohne reine Lesezugriffe',
      parameters: [idParam, ...listParams.slice(1), { name: 'reads', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'] } }],
      responses: { 200: listOk(ref('AuditLog')), ...errors },
    },
  };
  schemas.CaseAccess = json(caseAccessSchema);
  paths['/api/cases/{id}/access'] = {
    post: {
      tags: ['cases'],
      summary: 'Koordination: Fallakte einer Person mit Grund öffnen (Fachaufsicht, Vertretung …); befristet, protokolliert, im Verlauf sichtbar',
      parameters: [idParam],
      requestBody: body(ref('CaseAccess')),
      responses: { 201: ok({ type: 'object', properties: { caseId: { type: 'string' }, reason: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } } }, 'Geöffnet'), ...errors },
    },
  };
  paths['/api/cases/{id}/documents'] = {
    post: {
      tags: ['documents'],
      summary: 'Dokument hochladen: der Rumpf ist die Datei selbst (PDF, JPEG, PNG; höchstens 10 MB; geprüft wird der Inhalt)',
      parameters: [
        idParam,
        { name: 'title', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'kind', in: 'query', required: true, schema: { type: 'string' } },
        { name: 'fileName', in: 'query', required: true, schema: { type: 'string' } },
      ],
      requestBody: { required: true, content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } }, 'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } }, 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } } },
      responses: { 201: ok(ref('Documents'), 'Hochgeladen'), ...errors, 409: problem('Fall abgeschlossen'), 413: problem('Datei zu groß'), 415: problem('Kein PDF, JPEG oder PNG') },
    },
  };
  // Process view of a case: element states from the engine's activity history.
  schemas.CaseProcesses = {
    type: 'object',
    properties: {
      caseId: { type: 'string' },
      pending: { type: 'array', items: { type: 'string' }, description: 'Instanzen, die die App kennt, die Historie der Engine aber (noch oder nicht mehr) nicht' },
      processes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            processInstanceKey: { type: 'string' },
            parentProcessInstanceKey: { type: ['string', 'null'], description: 'aufrufende Instanz (Call Activity)' },
            processDefinitionId: { type: 'string' },
            processDefinitionKey: { type: 'string' },
            version: { type: 'integer' },
            state: { type: 'string', enum: ['ACTIVE', 'COMPLETED', 'TERMINATED'] },
            startedAt: { type: ['string', 'null'], format: 'date-time' },
            endedAt: { type: ['string', 'null'], format: 'date-time' },
            bpmnXml: { type: ['string', 'null'], description: 'BPMN der bereitgestellten Version' },
            active: { type: 'array', items: { type: 'string' }, description: 'IDs der aktiven Elemente' },
            activeSteps: { type: 'array', items: { type: 'object', properties: { elementId: { type: 'string' }, name: { type: 'string' } } } },
            completed: { type: 'array', items: { type: 'string' }, description: 'IDs der abgeschlossenen Elemente' },
            takenFlows: { type: 'array', items: { type: 'string' }, description: 'IDs der durchlaufenen Sequenzflüsse (aus der Aktivitätshistorie abgeleitet)' },
            incidents: {
              type: 'array',
              description: 'offene Vorfälle',
              items: { type: 'object', properties: { key: { type: 'string' }, elementId: { type: 'string' }, name: { type: 'string' }, errorType: { type: 'string' }, errorMessage: { type: 'string' }, createdAt: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
  paths['/api/cases/{id}/processes'] = {
    get: {
      tags: ['cases'],
      summary: 'Prozessansicht des Falls: je Prozessinstanz das Modell mit aktiven und abgeschlossenen Schritten, durchlaufenem Weg und offenen Vorfällen (Case-Management, Koordination; wird protokolliert)',
      parameters: [idParam],
      responses: { 200: ok(ref('CaseProcesses')), ...errors, 503: problem('Prozess-Engine nicht erreichbar') },
    },
  };
  schemas.DeleteDocument = json(deleteDocumentSchema);
  (paths['/api/documents/{id}'] as Json).delete = {
    tags: ['documents'],
    summary: 'Dokument löschen (Grund erforderlich; protokolliert, im Verlauf sichtbar)',
    parameters: [idParam],
    requestBody: body(ref('DeleteDocument')),
    responses: { 200: ok(ref('Documents'), 'Gelöscht (der gelöschte Eintrag)'), ...errors, 409: problem('Fall abgeschlossen') },
  };
  paths['/api/documents/{id}/content'] = {
    get: {
      tags: ['documents'],
      summary: 'Inhalt des Dokuments herunterladen (wird protokolliert)',
      parameters: [idParam],
      responses: { 200: { description: 'Die Datei', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } }, ...errors },
    },
  };
  // kim-fallkonferenz
  schemas.ConferenceStart = json(startConferenceSchema);
  paths['/api/conferences/start'] = {
    post: {
      tags: ['conferences'],
      summary: 'Fallkonferenz (Prozess kim-fallkonferenz) für einen Fall starten: Anlass und einzuladende Stellen',
      requestBody: body(ref('ConferenceStart')),
      responses: {
        201: ok({ type: 'object', properties: { id: { type: 'string' }, caseId: { type: 'string' }, status: { type: 'string' }, processInstanceKey: { type: 'string' }, participants: { type: 'array', items: { type: 'object' } } } }, 'Gestartet'),
        ...errors,
        409: problem('Fall abgeschlossen'),
        503: problem('Nicht verfügbar'),
      },
    },
  };
  paths['/api/consents/{id}/revoke'] = {
    post: {
      tags: ['consents'],
      summary: 'Einwilligung widerrufen (Grund erforderlich); laufende Datenweitergaben stoppen',
      parameters: [idParam],
      requestBody: body(ref('RevokeConsent')),
      responses: { 200: ok(ref('Consents')), ...errors, 409: problem('Bereits widerrufen') },
    },
  };

  // Process starts, task reassignment, Förderplan and statistics (process starts and their follow-ups).
  schemas.StartedIntake = {
    type: 'object',
    properties: { caseId: { type: 'string' }, clientId: { type: 'string' }, reference: { type: 'string' }, processInstanceKey: { type: 'string' } },
    required: ['caseId', 'clientId', 'reference', 'processInstanceKey'],
  };
  (paths['/api/cases'] as Json).post = {
    tags: ['cases'],
    summary: 'Erstkontakt beginnen: startet kim-intake für eine bekannte (clientId) oder neue Person (client) am eigenen Standort',
    requestBody: body(ref('CasesCreate')),
    responses: { 201: ok(ref('StartedIntake'), 'Fall angelegt, Prozess gestartet'), ...errors, 503: problem('Prozess-Engine nicht erreichbar') },
  };
  (paths['/api/referrals'] as Json).post = {
    tags: ['referrals'],
    summary: 'Vermittlung anlegen und kim-referral starten (Einwilligungs-Gate und Versand im Prozess)',
    requestBody: body(ref('ReferralsCreate')),
    responses: { 201: ok(ref('Referrals'), 'Angelegt, Prozess gestartet'), ...errors, 409: problem('Fall abgeschlossen'), 503: problem('Prozess-Engine nicht erreichbar') },
  };
  schemas.AssignTask = json(assignTaskSchema);
  paths['/api/tasks/{id}/assign'] = {
    post: {
      tags: ['tasks'],
      summary: 'Aufgabe neu zuweisen (nur Koordination; Grund erforderlich, wird protokolliert)',
      parameters: [idParam],
      requestBody: body(ref('AssignTask')),
      responses: { 200: ok(ref('Task')), ...errors, 409: problem('Aufgabe bereits abgeschlossen') },
    },
  };
  const plan = [
    ['needs', 'Need', 'Bedarfe', needCreateSchema, needUpdateSchema],
    ['goals', 'Goal', 'Ziele', goalCreateSchema, goalUpdateSchema],
  ] as const;
  for (const [kind, name, de, create, update] of plan) {
    schemas[name] = { type: 'object', description: `${de} des Förderplans`, additionalProperties: true };
    schemas[`${name}Create`] = json(create);
    schemas[`${name}Update`] = json(update);
    paths[`/api/cases/{id}/${kind}`] = {
      get: { tags: ['cases'], summary: `${de} des Falls (Förderplan)`, parameters: [idParam], responses: { 200: listOk(ref(name)), ...errors } },
      post: { tags: ['cases'], summary: `${de}: hinzufügen (Case-Management des Standorts)`, parameters: [idParam], requestBody: body(ref(`${name}Create`)), responses: { 201: ok(ref(name), 'Angelegt'), ...errors, 409: problem('Fall abgeschlossen') } },
    };
    paths[`/api/${kind}/{id}`] = {
      put: { tags: ['cases'], summary: `${de}: ändern (Case-Management des Standorts)`, parameters: [idParam], requestBody: body(ref(`${name}Update`)), responses: { 200: ok(ref(name)), ...errors, 409: problem('Fall abgeschlossen') } },
    };
  }
  const counted = (extra: Record<string, Json>) => ({
    type: 'object',
    properties: { kommuneId: { type: 'string' }, month: { type: 'string' }, ...extra, count: { type: ['integer', 'null'], description: 'null, wenn unter der Mindestzahl' }, unterdrückt: { type: 'boolean' } },
  });
  paths['/api/statistics'] = {
    get: {
      tags: ['statistics'],
      summary: 'Anonymisierte Statistik je Kommune und Monat (Land: alle Kommunen, Koordination: eigene); Zahlen unter 5 unterdrückt',
      parameters: [
        { name: 'kommuneId', in: 'query', schema: { type: 'string' } },
        { name: 'from', in: 'query', schema: { type: 'string' }, description: 'Monat JJJJ-MM' },
        { name: 'to', in: 'query', schema: { type: 'string' }, description: 'Monat JJJJ-MM' },
      ],
      responses: {
        200: ok({
          type: 'object',
          properties: {
            scope: { type: 'object' },
            minCount: { type: 'integer' },
            events: { type: 'array', items: counted({ kind: { type: 'string' }, lifeArea: { type: ['string', 'null'] } }) },
            cases: { type: 'array', items: counted({ phase: { type: 'string' }, kindOfHelp: { type: 'string' } }) },
          },
        }),
        400: errors[400],
        401: errors[401],
        403: errors[403],
      },
    },
  };

  // Process modeler: per commune (engine tenant); everything about running instances from the engine.
  const procParam = { name: 'processId', in: 'path', required: true, schema: { type: 'string' } };
  schemas.ProcessModel = {
    type: 'object',
    description:
      'Prozess mit den Versionen der eigenen Kommune (wer, wann, warum; je Version runningInstances = laufende Instanzen und incidents = offene Vorfälle aus der Engine, openTasks/openInstances aus dem Aufgabeneingang) und Entwurf der eigenen Kommune',
    additionalProperties: true,
  };
  schemas.ProcessDraft = { type: 'object', description: 'Entwurf (xml, forms, revision = Stand für optimistisches Sperren, status draft|in_review)', additionalProperties: true };
  schemas.ModelCheck = { type: 'object', properties: { ok: { type: 'boolean' }, errors: { type: 'array', items: { type: 'object' } }, warnings: { type: 'array', items: { type: 'object' } } } };
  schemas.Incident = {
    type: 'object',
    properties: {
      id: { type: 'string' },
      type: { type: 'string', description: 'Art des Vorfalls in der Engine: failedExternalTask (Schritt eines Workers), failedJob (Schritt der Engine) …' },
      processInstanceKey: { type: 'string' },
      processDefinitionKey: { type: 'string' },
      processVersion: { type: ['integer', 'null'] },
      elementId: { type: 'string' },
      elementName: { type: 'string', description: 'Name des Schritts im Modell' },
      caseId: { type: ['string', 'null'], description: 'Fall der Instanz (nur wenn die Person den Fall sehen darf)' },
      caseReference: { type: ['string', 'null'], description: 'Aktenzeichen des Falls (nur wenn die Person den Fall sehen darf)' },
      message: { type: 'string' },
      state: { type: 'string', enum: ['open', 'retried'] },
      retriedBy: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
    },
  };
  schemas.SaveDraft = json(saveDraftSchema);
  schemas.CheckDraft = json(checkDraftSchema);
  schemas.ModelComment = json(commentSchema);
  schemas.Migrate = json(migrateSchema);
  const coordOnly = ' (nur Koordination der Kommune)';
  paths['/api/models'] = { get: { tags: ['models'], summary: 'Prozesse der eigenen Kommune mit Versionen, laufenden Instanzen und Vorfällen je Version und Entwurf', responses: { 200: listOk(ref('ProcessModel')), ...errors } } };
  paths['/api/models/element-templates'] = { get: { tags: ['models'], summary: `Element-Vorlagen (eine je Topic eines Workers: externer Service-Task)${coordOnly}`, responses: { 200: ok({ type: 'array', items: { type: 'object' } }), ...errors } } };
  paths['/api/models/{processId}'] = { get: { tags: ['models'], summary: 'Ein Prozess mit den Versionen der eigenen Kommune und ihrem Entwurf', parameters: [procParam], responses: { 200: ok(ref('ProcessModel')), ...errors } } };
  paths['/api/models/{processId}/versions/{version}'] = {
    get: {
      tags: ['models'],
      summary:
        'Eine Version der eigenen Kommune: Modell (XML), runningInstances und Heatmap (je Element die dort wartenden Instanzen: Aufgaben, Empfangsaufgaben, Timer, Call Activities …, aus der Statistik der Engine)',
      parameters: [procParam, { name: 'version', in: 'path', required: true, schema: { type: 'integer' } }],
      responses: { 200: ok({ type: 'object' }), ...errors },
    },
  };
  paths['/api/models/{processId}/draft'] = {
    get: { tags: ['models'], summary: `Entwurf der eigenen Kommune (ETag = Stand)${coordOnly}`, parameters: [procParam], responses: { 200: ok(ref('ProcessDraft')), ...errors } },
    post: { tags: ['models'], summary: `Entwurf aus der neuesten Version der eigenen Kommune anlegen${coordOnly}`, parameters: [procParam], responses: { 201: ok(ref('ProcessDraft'), 'Angelegt'), ...errors, 409: problem('Entwurf existiert bereits') } },
    put: {
      tags: ['models'],
      summary: `Entwurf speichern; revision (oder If-Match) muss der gespeicherte Stand sein, sonst 409 – nichts wird überschrieben${coordOnly}`,
      parameters: [procParam],
      requestBody: body(ref('SaveDraft')),
      responses: { 200: ok(ref('ProcessDraft')), ...errors, 409: problem('Inzwischen von einer anderen Person geändert') },
    },
    delete: { tags: ['models'], summary: `Entwurf verwerfen${coordOnly}`, parameters: [procParam], responses: { 204: { description: 'Verworfen' }, ...errors } },
  };
  paths['/api/models/{processId}/draft/check'] = {
    post: {
      tags: ['models'],
      summary: `Prüfung: bpmnlint (recommended und camunda-compat camunda-platform-7-24) und Projektregeln; ohne xml der gespeicherte Entwurf${coordOnly}`,
      parameters: [procParam],
      requestBody: body(ref('CheckDraft')),
      responses: { 200: ok(ref('ModelCheck')), ...errors },
    },
  };
  paths['/api/models/{processId}/draft/submit'] = {
    post: { tags: ['models'], summary: `Zur Freigabe einreichen (nur fehlerfrei)${coordOnly}`, parameters: [procParam], requestBody: body(ref('ModelComment')), responses: { 200: ok(ref('ProcessDraft')), ...errors, 409: problem('Konflikt'), 422: problem('Prüfung mit Fehlern') } },
  };
  paths['/api/models/{processId}/draft/reject'] = {
    post: { tags: ['models'], summary: `Zurück in Bearbeitung${coordOnly}`, parameters: [procParam], requestBody: body(ref('ModelComment')), responses: { 204: { description: 'Zurückgegeben' }, ...errors, 409: problem('Nicht zur Prüfung eingereicht') } },
  };
  paths['/api/models/{processId}/draft/approve'] = {
    post: {
      tags: ['models'],
      summary: `Freigeben (Vier-Augen-Prinzip: nicht die Person, die eingereicht oder zuletzt bearbeitet hat) und als Variante der eigenen Kommune bereitstellen (Modell mit seinen Formularen in einer Bereitstellung)${coordOnly}`,
      parameters: [procParam],
      requestBody: body(ref('ModelComment')),
      responses: {
        201: ok({ type: 'object', properties: { processId: { type: 'string' }, version: { type: 'integer' }, processDefinitionKey: { type: 'string' } } }, 'Bereitgestellt'),
        ...errors,
        409: problem('Konflikt'),
        422: problem('Prüfung mit Fehlern'),
        502: problem('Engine lehnt ab'),
      },
    },
  };
  paths['/api/models/{processId}/migration'] = {
    get: {
      tags: ['models'],
      summary: `Vorschau der Instanz-Migration zwischen zwei Versionen der eigenen Kommune: Migrationsplan der Engine (gleiche Element-IDs), laufende Instanzen der Quellversion mit den Schritten, an denen sie warten, und ob sie migrierbar sind${coordOnly}`,
      parameters: [procParam, { name: 'from', in: 'query', required: true, schema: { type: 'integer' } }, { name: 'to', in: 'query', schema: { type: 'integer' } }],
      responses: { 200: ok({ type: 'object' }), ...errors },
    },
    post: { tags: ['models'], summary: `Migrierbare Instanzen mit der Migration der Engine migrieren${coordOnly}`, parameters: [procParam], requestBody: body(ref('Migrate')), responses: { 200: ok({ type: 'object' }), ...errors } },
  };
  paths['/api/models/{processId}/incidents'] = {
    get: { tags: ['models'], summary: `Offene Vorfälle der Engine in den Versionen der eigenen Kommune, mit dem Namen des Schritts${coordOnly}`, parameters: [procParam], responses: { 200: listOk(ref('Incident')), ...errors } },
  };
  paths['/api/models/{processId}/incidents/{id}/retry'] = {
    post: {
      tags: ['models'],
      summary: `Erneut versuchen (nach Behebung der Ursache): der Schritt bekommt neue Versuche, die Engine löst den Vorfall; 409, wenn er schon erledigt ist${coordOnly}`,
      parameters: [procParam, idParam],
      responses: { 200: ok(ref('Incident')), ...errors, 409: problem('Bereits erledigt') },
    },
  };

  // kim-steuerung: the coordination's steering (Baustein 1) and the closing notices of case managers.
  Object.assign(schemas, {
    SteuerungThemaNeu: json(themeCreateSchema),
    SteuerungThemaAenderung: json(themeUpdateSchema),
    SteuerungLueckeVerschieben: json(gapMoveSchema),
    SteuerungMitglied: json(memberCreateSchema),
    SteuerungMitgliedAenderung: json(memberUpdateSchema),
    SteuerungSitzungNeu: json(meetingCreateSchema),
    SteuerungSitzungAenderung: json(meetingUpdateSchema),
    SteuerungPunktNeu: json(agendaItemCreateSchema),
    SteuerungPunktAenderung: json(agendaItemUpdateSchema),
    SteuerungBeschluss: json(decisionSchema),
  });
  const steering = (summary: string, extra: Json = {}) => ({ tags: ['steuerung'], summary, ...extra });
  const obj = { type: 'object', additionalProperties: true };
  const punktParams = [idParam, { name: 'punktId', in: 'path', required: true, schema: { type: 'string' } }];
  const onlyCoord = ' Nur Koordination der Kommune; andere Rollen 403, Zeilen anderer Kommunen 404.';
  paths['/api/steuerung/themen'] = {
    get: steering(`Themen der Kommune mit Zahl der Systemlücken und Fälle und den Lebensbereichen – nie Personen. Filter: state, q, offen (true), id.${onlyCoord}`, { parameters: listParams, responses: { 200: listOk(obj), ...errors } }),
    post: steering(`Thema ohne gemeldete Lücke anlegen; der Prozess kim-steuerung beginnt mit „Thema priorisieren“.${onlyCoord}`, { requestBody: body(ref('SteuerungThemaNeu')), responses: { 201: ok(obj, 'Angelegt'), ...errors } }),
  };
  paths['/api/steuerung/themen/{id}'] = {
    get: steering(`Ein Thema: Systemlücken (Titel, Lebensbereich, Herkunft), Maßnahmen, Beschlüsse der Lenkungsgruppe, Zahl der Rückmeldungen.${onlyCoord}`, { parameters: [idParam], responses: { 200: ok(obj), ...errors } }),
    put: steering(`Titel und Beschreibung eines offenen Themas ändern.${onlyCoord}`, { parameters: [idParam], requestBody: body(ref('SteuerungThemaAenderung')), responses: { 200: ok(obj), ...errors, 409: problem('Thema geschlossen') } }),
  };
  paths['/api/steuerung/luecken/{id}'] = {
    put: steering(`Eine Systemlücke einem anderen offenen Thema zuordnen.${onlyCoord}`, { parameters: [idParam], requestBody: body(ref('SteuerungLueckeVerschieben')), responses: { 200: ok(obj, 'Das Ziel-Thema'), ...errors, 409: problem('Lücke ohne Thema oder Thema geschlossen') } }),
  };
  paths['/api/steuerung/massnahmen'] = {
    get: steering(`Maßnahmen der Kommune (verantwortliche Organisation, Zieldatum, Stand, überfällig). Filter: state, overdue (true), themeId, id.${onlyCoord}`, { parameters: listParams, responses: { 200: listOk(obj), ...errors } }),
  };
  paths['/api/steuerung/massnahmen/{id}'] = { get: steering(`Eine Maßnahme.${onlyCoord}`, { parameters: [idParam], responses: { 200: ok(obj), ...errors } }) };
  paths['/api/steuerung/mitglieder'] = {
    get: steering(`Mitglieder der Lenkungsgruppe nach Organisation.${onlyCoord}`, { parameters: listParams, responses: { 200: listOk(obj), ...errors } }),
    post: steering(`Mitglied (Organisation) aufnehmen.${onlyCoord}`, { requestBody: body(ref('SteuerungMitglied')), responses: { 201: ok(obj, 'Angelegt'), ...errors } }),
  };
  paths['/api/steuerung/mitglieder/{id}'] = {
    get: steering(`Ein Mitglied.${onlyCoord}`, { parameters: [idParam], responses: { 200: ok(obj), ...errors } }),
    put: steering(`Mitglied ändern.${onlyCoord}`, { parameters: [idParam], requestBody: body(ref('SteuerungMitgliedAenderung')), responses: { 200: ok(obj), ...errors } }),
    delete: steering(`Mitglied entfernen.${onlyCoord}`, { parameters: [idParam], responses: { 200: ok(obj), ...errors } }),
  };
  paths['/api/steuerung/sitzungen'] = {
    get: steering(`Sitzungen der Lenkungsgruppe mit Zahl der Tagesordnungspunkte und Beschlüsse.${onlyCoord}`, { parameters: listParams, responses: { 200: listOk(obj), ...errors } }),
    post: steering(`Sitzung anlegen; die Tagesordnung entsteht aus den priorisierten Themen (nach Priorität), den Maßnahmen zur Freigabe und den überfälligen Maßnahmen.${onlyCoord}`, { requestBody: body(ref('SteuerungSitzungNeu')), responses: { 201: ok(obj, 'Angelegt'), ...errors } }),
  };
  paths['/api/steuerung/sitzungen/{id}'] = {
    get: steering(`Eine Sitzung mit Tagesordnung, Protokoll und Beschlüssen.${onlyCoord}`, { parameters: [idParam], responses: { 200: ok(obj), ...errors } }),
    put: steering(`Titel, Termin, Ort, Protokoll oder Stand einer Sitzung ändern.${onlyCoord}`, { parameters: [idParam], requestBody: body(ref('SteuerungSitzungAenderung')), responses: { 200: ok(obj), ...errors } }),
  };
  paths['/api/steuerung/sitzungen/{id}/tagesordnung'] = {
    post: steering(`Tagesordnung um inzwischen priorisierte Themen, Maßnahmen zur Freigabe und überfällige Maßnahmen ergänzen (Antwort: die Sitzung und added).${onlyCoord}`, { parameters: [idParam], responses: { 200: ok(obj), ...errors, 409: problem('Sitzung bereits durchgeführt') } }),
  };
  paths['/api/steuerung/sitzungen/{id}/punkte'] = {
    post: steering(`Weiteren Tagesordnungspunkt (Sonstiges) anfügen.${onlyCoord}`, { parameters: [idParam], requestBody: body(ref('SteuerungPunktNeu')), responses: { 201: ok(obj, 'Die Sitzung'), ...errors } }),
  };
  paths['/api/steuerung/sitzungen/{id}/punkte/{punktId}'] = {
    put: steering(`Protokoll zu einem Tagesordnungspunkt festhalten.${onlyCoord}`, { parameters: punktParams, requestBody: body(ref('SteuerungPunktAenderung')), responses: { 200: ok(obj, 'Die Sitzung'), ...errors } }),
  };
  paths['/api/steuerung/sitzungen/{id}/punkte/{punktId}/beschluss'] = {
    post: steering(
      `Beschluss der Lenkungsgruppe zu einem Punkt: Thema (projektgruppe, zurueckstellen, schliessen), Maßnahme (freigeben, zurueckweisen), sonst kenntnis. Geht als Nachricht an den Prozess des Themas.${onlyCoord}`,
      { parameters: punktParams, requestBody: body(ref('SteuerungBeschluss')), responses: { 201: ok(obj, 'Die Sitzung'), ...errors, 409: problem('Bereits entschieden oder nicht (mehr) zur Entscheidung'), 503: problem('Engine nicht erreichbar') } },
    ),
  };
  paths['/api/steuerung/rueckmeldungen'] = {
    get: steering('Rückmeldungen zu geschlossenen Themen für die Fälle des eigenen Standorts (nur Case-Management; Aktenzeichen, Thema, Ergebnis). Filter: ungelesen (true), id.', { parameters: listParams, responses: { 200: listOk(obj), ...errors } }),
  };
  paths['/api/steuerung/rueckmeldungen/{id}/gelesen'] = {
    post: steering('Rückmeldung als gelesen markieren (nur Case-Management des Standorts).', { parameters: [idParam], responses: { 200: ok(obj), ...errors } }),
  };

  // Dashboards, the state's view, exports for "Datenbank KIM", Sachbericht and staff posts.
  Object.assign(paths, dashboardOpenApi());

  // Operations outside /api/models, /api/tasks and the process view that start or read engine work
  // of a case. The tenancy test calls every engine operation across communes.
  const engineOperations: Array<[string, 'get' | 'post']> = [
    ['/api/cases', 'post'],
    ['/api/referrals', 'post'],
    ['/api/conferences/start', 'post'],
    ['/api/einbuergerung/start', 'post'],
    ['/api/einbuergerung/cases/{caseId}', 'get'],
    ['/api/bleiberecht/vorpruefung', 'post'],
    ['/api/bleiberecht/start', 'post'],
    ['/api/bleiberecht/cases/{caseId}', 'get'],
    ['/api/cases/{id}/fristen', 'get'],
    ['/api/fristen', 'get'],
  ];
  for (const [p, m] of engineOperations) {
    const op = (paths[p] as Record<string, Json> | undefined)?.[m];
    if (op) op['x-kim-engine'] = true;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'KIM Prozessplattform – API',
      version,
      description:
        'JSON über HTTP im Dialekt von ra-data-simple-rest. Anmeldung per Sitzungs-Cookie (POST /api/auth/login); ' +
        'zustandsändernde Anfragen brauchen den CSRF-Token im Kopf X-CSRF-Token. Fehler kommen als application/problem+json.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas,
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'kim_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
      },
    },
    security: [{ session: [], csrf: [] }],
    paths,
  };
}

export function openApiRoutes(records: RecordsService): Router {
  const r = Router();
  const version: string = require('../../package.json').version;
  let doc: Json | undefined;
  r.get('/', (_req, res) => {
    doc ??= buildOpenApi(records, version);
    res.json(doc);
  });
  return r;
}
