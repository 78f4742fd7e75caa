/**
 * GET /api/openapi.json: the OpenAPI 3.1 description of the API. Request bodies come from the zod
 * schemas the routes validate with (z.toJSONSchema); which verbs exist per resource comes from the
 * policy matrix the router uses too. A test compares it with the routes express really has.
 */
import { Router } from 'express';
import { z } from 'zod';
import { RESOURCE_DE, RESOURCES, ResourceName } from '../domain/policy';
import type { RecordsService } from '../domain/records.service';
import { startEinbuergerungSchema, vorpruefungSchema } from './einbuergerung.routes';
import { verbsOf } from './resources.routes';
import { startConferenceSchema } from './conference.routes';
import { BODY_SCHEMAS, closeCaseSchema, goalCreateSchema, goalUpdateSchema, needCreateSchema, needUpdateSchema, revokeConsentSchema } from './schemas';
import { assignTaskSchema } from './tasks.routes';
import { checkDraftSchema, commentSchema, migrateSchema, saveDraftSchema } from './models.routes';

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
  // Task view and user settings of the web app (issue 6).
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
  // kim-einbuergerung (issue 5)
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
        summary: { claim: 'Aufgabe übernehmen', unclaim: 'Aufgabe zurückgeben', complete: 'Aufgabe abschließen (Antwort nennt in nextTask die nächste eigene Aufgabe desselben Falls; ?next=false wartet nicht darauf)' }[verb],
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
    get: { tags: ['cases'], summary: 'Protokoll (Audit-Trail) des Falls', parameters: [idParam, ...listParams.slice(1)], responses: { 200: listOk(ref('AuditLog')), ...errors } },
  };
  // Process view of a case (issue 6): element states from the engine history (KIM exporter).
  schemas.CaseProcesses = {
    type: 'object',
    properties: {
      caseId: { type: 'string' },
      pending: { type: 'array', items: { type: 'string' }, description: 'Instanzen, zu denen die Engine noch keine Ereignisse geliefert hat' },
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
            takenFlows: { type: 'array', items: { type: 'string' }, description: 'IDs der durchlaufenen Sequenzflüsse' },
            incidents: { type: 'array', items: { type: 'object' }, description: 'offene Incidents' },
          },
        },
      },
    },
  };
  paths['/api/cases/{id}/processes'] = {
    get: {
      tags: ['cases'],
      summary: 'Prozessansicht des Falls: je Prozessinstanz das Modell mit aktiven und abgeschlossenen Schritten (Case-Management, Koordination; wird protokolliert)',
      parameters: [idParam],
      responses: { 200: ok(ref('CaseProcesses')), ...errors, 503: problem('Verlaufsdaten der Engine nicht erreichbar') },
    },
  };
  paths['/api/documents/{id}/content'] = {
    get: {
      tags: ['documents'],
      summary: 'Inhalt des Dokuments herunterladen (wird protokolliert)',
      parameters: [idParam],
      responses: { 200: { description: 'Die Datei', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } }, ...errors },
    },
  };
  // kim-fallkonferenz (issue 5)
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

  // Process starts, task reassignment, Förderplan and statistics (API completion of issues 3 and 4).
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

  // Process modeler (issue 7)
  const procParam = { name: 'processId', in: 'path', required: true, schema: { type: 'string' } };
  schemas.ProcessModel = { type: 'object', description: 'Prozess mit bereitgestellten Versionen (wer, wann, warum; je Version runningInstances = laufende Instanzen und incidents = offene Vorfälle aus der Engine-Historie, openTasks/openInstances aus der Aufgaben-Projektion) und Entwurf der eigenen Kommune; watchSource: engine (Engine-Historie) oder projection (Historie nicht erreichbar: nur Instanzen mit offener Benutzeraufgabe, nur Vorfälle der Worker-Laufzeit)', additionalProperties: true };
  schemas.ProcessDraft = { type: 'object', description: 'Entwurf (xml, forms, revision = Stand für optimistisches Sperren, status draft|in_review)', additionalProperties: true };
  schemas.ModelCheck = { type: 'object', properties: { ok: { type: 'boolean' }, errors: { type: 'array', items: { type: 'object' } }, warnings: { type: 'array', items: { type: 'object' } } } };
  schemas.SaveDraft = json(saveDraftSchema);
  schemas.CheckDraft = json(checkDraftSchema);
  schemas.ModelComment = json(commentSchema);
  schemas.Migrate = json(migrateSchema);
  const coordOnly = ' (nur Koordination der Kommune)';
  paths['/api/models'] = { get: { tags: ['models'], summary: 'Prozesse mit Versionen, laufenden Instanzen und Vorfällen je Version und Entwurf', responses: { 200: listOk(ref('ProcessModel')), ...errors } } };
  paths['/api/models/element-templates'] = { get: { tags: ['models'], summary: `Element-Vorlagen (eine je Job-Typ eines Workers)${coordOnly}`, responses: { 200: ok({ type: 'array', items: { type: 'object' } }), ...errors } } };
  paths['/api/models/{processId}'] = { get: { tags: ['models'], summary: 'Ein Prozess mit Versionen und Entwurf', parameters: [procParam], responses: { 200: ok(ref('ProcessModel')), ...errors } } };
  paths['/api/models/{processId}/versions/{version}'] = {
    get: {
      tags: ['models'],
      summary: 'Eine bereitgestellte Version: Modell (XML), runningInstances und Heatmap (je Element die dort wartenden Element-Instanzen: Aufgaben, Empfangsaufgaben, Timer, Call Activities …, aus der Engine-Historie); watchSource engine|projection (Rückfall: nur offene Benutzeraufgaben)',
      parameters: [procParam, { name: 'version', in: 'path', required: true, schema: { type: 'integer' } }],
      responses: { 200: ok({ type: 'object' }), ...errors },
    },
  };
  paths['/api/models/{processId}/draft'] = {
    get: { tags: ['models'], summary: `Entwurf der eigenen Kommune (ETag = Stand)${coordOnly}`, parameters: [procParam], responses: { 200: ok(ref('ProcessDraft')), ...errors } },
    post: { tags: ['models'], summary: `Entwurf aus der neuesten Version anlegen${coordOnly}`, parameters: [procParam], responses: { 201: ok(ref('ProcessDraft'), 'Angelegt'), ...errors, 409: problem('Entwurf existiert bereits') } },
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
    post: { tags: ['models'], summary: `Prüfung: bpmnlint (Camunda 8.6) und Projektregeln; ohne xml der gespeicherte Entwurf${coordOnly}`, parameters: [procParam], requestBody: body(ref('CheckDraft')), responses: { 200: ok(ref('ModelCheck')), ...errors } },
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
      summary: `Freigeben (Vier-Augen-Prinzip: nicht die Person, die eingereicht oder zuletzt bearbeitet hat) und bereitstellen${coordOnly}`,
      parameters: [procParam],
      requestBody: body(ref('ModelComment')),
      responses: { 201: ok({ type: 'object', properties: { processId: { type: 'string' }, version: { type: 'integer' }, processDefinitionKey: { type: 'string' } } }, 'Bereitgestellt'), ...errors, 409: problem('Konflikt'), 422: problem('Prüfung mit Fehlern'), 502: problem('Engine lehnt ab') },
    },
  };
  paths['/api/models/{processId}/migration'] = {
    get: {
      tags: ['models'],
      summary: `Vorschau der Instanz-Migration: welche Elemente wohin, welche Instanzen (aus der Aufgaben-Projektion) migrierbar sind${coordOnly}`,
      parameters: [procParam, { name: 'from', in: 'query', required: true, schema: { type: 'integer' } }, { name: 'to', in: 'query', schema: { type: 'integer' } }],
      responses: { 200: ok({ type: 'object' }), ...errors },
    },
    post: { tags: ['models'], summary: `Migrierbare Instanzen migrieren (gRPC MigrateProcessInstance)${coordOnly}`, parameters: [procParam], requestBody: body(ref('Migrate')), responses: { 200: ok({ type: 'object' }), ...errors } },
  };
  paths['/api/models/{processId}/incidents'] = {
    get: { tags: ['models'], summary: `Vorfälle der Engine (incidentKey, elementId, errorType, message; state open|retried|resolved) zusammengeführt mit den von der Worker-Laufzeit erfassten (gleicher Job bzw. Instanz und Element; id = deren id, sonst der Vorfall-Schlüssel)${coordOnly}`, parameters: [procParam], responses: { 200: listOk({ type: 'object' }), ...errors } },
  };
  paths['/api/models/{processId}/incidents/{id}/retry'] = {
    post: {
      tags: ['models'],
      summary: `Erneut versuchen (nach Behebung der Ursache); id = Vorfall-Schlüssel oder id der Laufzeit-Zeile: UpdateJobRetries (Job-Vorfälle) und ResolveIncident; ohne Engine-Historie UpdateJobRetries und Neustart des Elements per Instanz-Modifikation${coordOnly}`,
      parameters: [procParam, idParam],
      responses: { 200: ok({ type: 'object' }), ...errors, 409: problem('Bereits erledigt'), 502: problem('Engine lehnt ab'), 503: problem('Engine-Historie nicht erreichbar') },
    },
  };

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
