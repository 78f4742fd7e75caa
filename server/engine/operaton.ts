/**
 * The engine port over Operaton's REST API (the Camunda 7 `/engine-rest` API). Every REST path and
 * request shape of the product lives in this file; everything else talks to the port (port.ts).
 *
 * Errors: every failed call becomes one of the typed errors of port.ts (see `classify`). Error
 * messages carry method, path and status only – never the engine's message text, which can quote
 * variable values (personal data). The one exception is a rejected deployment, whose parse errors
 * are about the model and are what the modeler needs to see.
 */
import http from 'node:http';
import https from 'node:https';
import type {
  ActivityTrace,
  DecisionResult,
  DefinitionInfo,
  DeployedDefinition,
  DeployResource,
  Engine,
  EngineIncident,
  ExternalTask,
  FetchTopic,
  InstanceInfo,
  MessageCorrelation,
  StartedInstance,
} from './port';
import { EngineBadRequest, EngineConcurrentUpdate, EngineConflict, EngineError, EngineNoCorrelation, EngineNotFound, EngineUnavailable } from './port';
import { engineDateToIso, fromEngineVariables, parseEngineDate, toEngineVariables, type EngineVariables } from './variables';

export interface OperatonOptions {
  /** Base URL of the REST API, e.g. http://127.0.0.1:8090/engine-rest or …/engine-rest/engine/<name>. */
  url: string;
  username?: string;
  password?: string;
  /** Timeout of one ordinary request (default 30 s); long polls get their own. */
  timeoutMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Error mapping

type EngineErrorClass = new (message: string, status: number, type?: string) => EngineError;

/** Exception types that mean "this object does not exist". */
const NOT_FOUND_TYPES = new Set(['NotFoundException', 'NullValueException']);
/** Exception types that mean "someone else changed it first" or "the state forbids it". */
const CONFLICT_TYPES = new Set(['TaskAlreadyClaimedException']);

/**
 * Answers where Operaton 1.0.3 gives no telling exception type (only RestException,
 * InvalidRequestException or a bare NullPointerException) and the message is all there is.
 * Checked after the types and before the plain status rules. Keep it small; each row was observed.
 */
const MESSAGE_RULES: Array<{ path?: RegExp; status?: number; type?: string; message?: RegExp; error: EngineErrorClass }> = [
  // POST /message, 400 RestException wrapping MismatchingMessageCorrelationException: nobody waits.
  { path: /^\/message$/, message: /No process definition or execution matches/, error: EngineNoCorrelation },
  // POST /task/{id}/complete on an unknown task: 500 RestException "Cannot complete task …: Cannot find task with id …".
  { message: /Cannot find task with id/, error: EngineNotFound },
  // PUT /job/{id}/retries on an unknown job: 500 InvalidRequestException "ENGINE-13053 No job found with id …".
  { message: /ENGINE-13053/, error: EngineNotFound },
  // GET /task/{id}/deployed-form on an unknown task: 500 NullPointerException.
  { path: /^\/task\/[^/]+\/deployed-form$/, type: 'NullPointerException', error: EngineNotFound },
  // POST /task/{id}/complete while a worker changed the same instance: 500 RestException "Cannot complete task …: ENGINE-03005 … updated by another transaction concurrently".
  { message: /ENGINE-03005/, error: EngineConcurrentUpdate },
  // External task complete/failure/bpmnError/extendLock by a worker that lost the lock: 400 RestException "… It is locked by worker '…'".
  { path: /^\/external-task\//, message: /is locked by worker/, error: EngineConflict },
  // 400 InvalidRequestException "… does not exist" (e.g. ENGINE-23008 on /migration/generate).
  { status: 400, message: /does not exist/, error: EngineNotFound },
];

/** Maps a failed answer to the typed error class of the port. Exported for tests. */
export function classify(status: number, path: string, type?: string, message?: string): EngineErrorClass {
  if (status === 0) return EngineUnavailable;
  if (type && NOT_FOUND_TYPES.has(type)) return EngineNotFound;
  if (type === 'OptimisticLockingException') return EngineConcurrentUpdate;
  if (type && CONFLICT_TYPES.has(type)) return EngineConflict;
  for (const r of MESSAGE_RULES) {
    if (r.path && !r.path.test(path)) continue;
    if (r.status !== undefined && r.status !== status) continue;
    if (r.type !== undefined && r.type !== type) continue;
    if (r.message && !(message && r.message.test(message))) continue;
    return r.error;
  }
  if (status === 404) return EngineNotFound;
  if (status === 409) return EngineConflict;
  if (status >= 400 && status < 500) return EngineBadRequest;
  return EngineUnavailable;
}

// ---------------------------------------------------------------------------------------------
// HTTP

type Query = Record<string, string | number | boolean | undefined | null>;

interface RequestOptions {
  query?: Query;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Return the body as text instead of parsing JSON. */
  text?: boolean;
  /** The engine's message may be shown (deployment parse errors carry no variable values). */
  showEngineMessage?: boolean;
}

const seg = (s: string) => encodeURIComponent(s);

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('Der Vorgang wurde abgebrochen.', 'AbortError');
}

/** Runs a call that is safe to repeat again after a concurrent update, up to five times in all. */
async function repeatOnConcurrentUpdate<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!(e instanceof EngineConcurrentUpdate) || attempt >= 4) throw e;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

class TimedOut extends Error {}

type Answer = { res: { ok: boolean; status: number }; text: string };

/**
 * One request over node's http(s) with a keep-alive agent. fetch would do, but costs about half a
 * millisecond more CPU per call (its streams, Headers and AbortSignal plumbing; measured against a
 * loopback server), and every user task and external task makes several calls.
 */
function sender(base: string) {
  const secure = base.startsWith('https:');
  // Idle connections are closed after 4 s, well before the engine's servlet container closes them
  // (a request on a connection the server is closing would fail).
  const agent = secure ? new https.Agent({ keepAlive: true, timeout: 4_000 }) : new http.Agent({ keepAlive: true, timeout: 4_000 });
  const request = secure ? https.request : http.request;
  return (method: string, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined, timeoutMs: number) =>
    new Promise<Answer>((resolve, reject) => {
      const h = body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
      const req = request(url, { method, headers: h, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          resolve({ res: { ok: status >= 200 && status < 300, status }, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', fail);
        // Cut off mid-answer (timeout, abort, engine gone): settles once, whichever comes first.
        res.on('close', () => {
          if (!res.complete) fail(new Error('Antwort abgebrochen'));
        });
      });
      function fail(e: unknown) {
        clearTimeout(timer);
        reject(e);
      }
      const timer = setTimeout(() => req.destroy(new TimedOut()), timeoutMs);
      req.on('error', fail);
      req.end(body);
    });
}

/** Multipart bodies (deployments only, rare) go through fetch, which encodes FormData. */
async function sendForm(method: string, url: string, headers: Record<string, string>, body: FormData, signal: AbortSignal | undefined, timeoutMs: number): Promise<Answer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { method, headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return { res, text: await res.text() };
  } catch (e) {
    throw timeout.aborted ? new TimedOut() : e;
  }
}

function createHttp(opts: OperatonOptions) {
  const base = opts.url.replace(/\/+$/, '');
  const send = sender(base);
  const auth = opts.username !== undefined ? 'Basic ' + Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64') : undefined;
  const defaultTimeout = opts.timeoutMs ?? 30_000;

  async function request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, o: RequestOptions = {}): Promise<T> {
    let url = base + path;
    if (o.query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(o.query)) if (v !== undefined && v !== null) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += '?' + s;
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (auth) headers.Authorization = auth;
    let body: string | FormData | undefined;
    if (o.form) body = o.form;
    else if (o.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.json);
    }
    // Only method, path (no query: it may carry values) and status go into messages.
    const what = `${method} ${path}`;

    let res: { ok: boolean; status: number };
    let text: string;
    try {
      const timeoutMs = o.timeoutMs ?? defaultTimeout;
      ({ res, text } = body instanceof FormData ? await sendForm(method, url, headers, body, o.signal, timeoutMs) : await send(method, url, headers, body, o.signal, timeoutMs));
    } catch (e) {
      if (o.signal?.aborted) throw abortError(o.signal);
      const reason = e instanceof TimedOut ? 'Zeitüberschreitung' : 'nicht erreichbar';
      throw new EngineUnavailable(`Engine ${reason}: ${what}`, 0);
    }

    if (!res.ok) {
      let type: string | undefined;
      let message: string | undefined;
      let details: unknown;
      try {
        const err = JSON.parse(text) as { type?: unknown; message?: unknown; details?: unknown };
        if (typeof err.type === 'string') type = err.type;
        if (typeof err.message === 'string') message = err.message;
        details = err.details;
      } catch {
        // Not JSON (a proxy or the servlet container answered): status only.
      }
      const Cls = classify(res.status, path, type, message);
      let msg = `Engine-Anfrage ${what} fehlgeschlagen: HTTP ${res.status}${type ? ` (${type})` : ''}`;
      if (o.showEngineMessage && message) msg += `: ${message.slice(0, 2000)}${deploymentDetails(details)}`;
      throw new Cls(msg, res.status, type);
    }
    if (o.text) return text as T;
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new EngineUnavailable(`Engine-Antwort auf ${what} ist kein JSON`, res.status);
    }
  }

  return { base, request };
}

/** Parse errors of a rejected deployment, one line per problem (resource, element, message). */
function deploymentDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  const lines: string[] = [];
  for (const [resource, report] of Object.entries(details as Record<string, { errors?: Array<{ message?: string; elementId?: string; mainElementId?: string }> }>)) {
    for (const e of report?.errors ?? []) lines.push(`${resource}${e.mainElementId || e.elementId ? ` (${e.mainElementId ?? e.elementId})` : ''}: ${e.message ?? ''}`);
  }
  return lines.length ? '\n' + lines.slice(0, 50).join('\n') : '';
}

// ---------------------------------------------------------------------------------------------
// REST answer shapes (only the fields used)

interface InstanceDto {
  id: string;
  definitionId: string;
  definitionKey?: string;
  tenantId: string | null;
  ended?: boolean;
}
interface ProcessDefinitionDto {
  id: string;
  key: string;
  version: number;
  tenantId: string | null;
  resource: string;
  name: string | null;
  deploymentId: string;
}
interface DeployedDefinitionDto {
  id: string;
  key: string;
  version: number;
  resource: string;
}
interface DeploymentDto {
  id: string;
  deployedProcessDefinitions?: Record<string, DeployedDefinitionDto> | null;
  deployedDecisionDefinitions?: Record<string, DeployedDefinitionDto> | null;
}
interface LockedExternalTaskDto {
  id: string;
  topicName: string;
  workerId: string;
  processInstanceId: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  activityId: string;
  activityInstanceId: string;
  tenantId: string | null;
  retries: number | null;
  extensionProperties?: Record<string, string> | null;
  variables?: EngineVariables | null;
  lockExpirationTime: string;
}
interface HistoricProcessInstanceDto {
  id: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  processDefinitionVersion: number;
  tenantId: string | null;
  superProcessInstanceId: string | null;
  /** ACTIVE | SUSPENDED | COMPLETED | EXTERNALLY_TERMINATED | INTERNALLY_TERMINATED */
  state: string;
  startTime: string;
  endTime: string | null;
}
interface HistoricActivityInstanceDto {
  id: string;
  activityId: string;
  activityType: string;
  startTime: string;
  endTime: string | null;
  canceled: boolean;
  calledProcessInstanceId: string | null;
}
interface IncidentDto {
  id: string;
  incidentType: string;
  incidentMessage: string | null;
  processInstanceId: string;
  processDefinitionId: string;
  activityId: string;
  incidentTimestamp: string;
  configuration: string | null;
  tenantId: string | null;
}
interface MigrationInstructionDto {
  sourceActivityIds: string[];
  targetActivityIds: string[];
  updateEventTrigger?: boolean;
}
interface MigrationPlanDto {
  sourceProcessDefinitionId: string;
  targetProcessDefinitionId: string;
  instructions: MigrationInstructionDto[];
  variables?: unknown;
}
interface MigrationPlanReportDto {
  instructionReports?: Array<{ instruction: MigrationInstructionDto; failures: string[] }>;
  variableReports?: Record<string, { failures?: string[] }>;
}

const typedStrings = (m?: Record<string, string>) =>
  m && Object.keys(m).length ? Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { value: v, type: 'String' }])) : undefined;

const isoOrRaw = (s: string) => engineDateToIso(s) ?? s;

// ---------------------------------------------------------------------------------------------

export function createOperatonEngine(opts: OperatonOptions): Engine {
  const { base, request } = createHttp(opts);
  /** Definition id → version (definitions never change). */
  const versions = new Map<string, number>();

  async function versionOf(definitionId: string): Promise<number> {
    const known = versions.get(definitionId);
    if (known !== undefined) return known;
    // Ids look like "<key>:<version>:<uuid>" unless they were too long; then ask.
    const parts = definitionId.split(':');
    let v = parts.length === 3 && /^\d+$/.test(parts[1]) ? Number(parts[1]) : NaN;
    if (Number.isNaN(v)) v = (await request<ProcessDefinitionDto>('GET', `/process-definition/${seg(definitionId)}`)).version;
    versions.set(definitionId, v);
    return v;
  }

  async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e) {
      if (!(e instanceof EngineNotFound)) throw e;
    }
  }

  const listDefinitions = async (tenantId: string, bpmnProcessId?: string): Promise<DefinitionInfo[]> => {
    const defs = await request<ProcessDefinitionDto[]>('GET', '/process-definition', {
      query: { tenantIdIn: tenantId, key: bpmnProcessId, sortBy: 'version', sortOrder: 'desc' },
    });
    return defs
      .map((d) => ({ key: d.id, bpmnProcessId: d.key, version: d.version, tenantId: d.tenantId, resourceName: d.resource, name: d.name }))
      .sort((a, b) => (a.bpmnProcessId === b.bpmnProcessId ? b.version - a.version : a.bpmnProcessId < b.bpmnProcessId ? -1 : 1));
  };

  // The synchronous DELETE has no delete reason (Operaton 1.0.3 ignores one: history shows
  // EXTERNALLY_TERMINATED); only the asynchronous batch takes one. The reason is not sent.
  const cancel = async (processInstanceKey: string, _reason?: string): Promise<void> => {
    // A worker completing a step of the same instance at this moment makes the engine answer with
    // an optimistic-locking conflict: cancelling is safe to repeat.
    await repeatOnConcurrentUpdate(() =>
      request('DELETE', `/process-instance/${seg(processInstanceKey)}`, {
        query: { skipCustomListeners: false, skipIoMappings: false, skipSubprocesses: false },
      }),
    );
  };

  const toExternalTask = (t: LockedExternalTaskDto): ExternalTask => ({
    id: t.id,
    topic: t.topicName,
    workerId: t.workerId,
    processInstanceKey: t.processInstanceId,
    // Camunda 7 naming: processDefinitionId is the definition (our key), processDefinitionKey the BPMN id.
    processDefinitionKey: t.processDefinitionId,
    bpmnProcessId: t.processDefinitionKey,
    elementId: t.activityId,
    activityInstanceId: t.activityInstanceId,
    tenantId: t.tenantId ?? null,
    retries: t.retries ?? null,
    properties: { ...(t.extensionProperties ?? {}) },
    variables: fromEngineVariables(t.variables),
    lockExpiresAt: parseEngineDate(t.lockExpirationTime),
  });

  const toIncident = (i: IncidentDto): EngineIncident => ({
    id: i.id,
    type: i.incidentType,
    message: i.incidentMessage ?? null,
    processInstanceKey: i.processInstanceId,
    processDefinitionKey: i.processDefinitionId,
    activityId: i.activityId,
    createdAt: isoOrRaw(i.incidentTimestamp),
    configuration: i.configuration ?? null,
    tenantId: i.tenantId ?? null,
  });

  /** Generated plan with its validation: valid instructions and the source activities that cannot move. */
  async function validatedPlan(sourceKey: string, targetKey: string): Promise<{ plan: MigrationPlanDto; unmapped: string[] }> {
    const plan = await request<MigrationPlanDto>('POST', '/migration/generate', {
      json: { sourceProcessDefinitionId: sourceKey, targetProcessDefinitionId: targetKey, updateEventTriggers: true },
    });
    const report = await request<MigrationPlanReportDto>('POST', '/migration/validate', { json: plan });
    const failing = new Set<MigrationInstructionDto>();
    const failingSources = new Set<string>();
    for (const r of report.instructionReports ?? []) {
      if (!r.failures?.length) continue;
      for (const id of r.instruction.sourceActivityIds) failingSources.add(id);
      const same = plan.instructions.find((i) => sameIds(i.sourceActivityIds, r.instruction.sourceActivityIds) && sameIds(i.targetActivityIds, r.instruction.targetActivityIds));
      if (same) failing.add(same);
    }
    const instructions = plan.instructions.filter((i) => !failing.has(i));
    // Activities where instances wait now but no valid instruction moves them: migrating would fail.
    const mapped = new Set(instructions.flatMap((i) => i.sourceActivityIds));
    const stats = await request<Array<{ id: string; instances: number }>>('GET', `/process-definition/${seg(sourceKey)}/statistics`, { query: { failedJobs: false } });
    for (const s of stats) if (s.instances > 0 && !mapped.has(s.id)) failingSources.add(s.id);
    return { plan: { ...plan, instructions }, unmapped: [...failingSources].sort() };
  }

  const engine: Engine = {
    url: base,

    runtime: {
      async start(bpmnProcessId, tenantId, variables, businessKey): Promise<StartedInstance> {
        const r = await request<InstanceDto>('POST', `/process-definition/key/${seg(bpmnProcessId)}/tenant-id/${seg(tenantId)}/start`, {
          json: { variables: toEngineVariables(variables), businessKey, withVariablesInReturn: false },
        });
        return {
          processInstanceKey: r.id,
          processDefinitionKey: r.definitionId,
          bpmnProcessId: r.definitionKey ?? bpmnProcessId,
          version: await versionOf(r.definitionId),
          tenantId: r.tenantId ?? null,
        };
      },

      async correlate(m: MessageCorrelation) {
        const result = await request<Array<{ processInstance?: { id: string } | null; execution?: { processInstanceId: string } | null }>>('POST', '/message', {
          json: {
            messageName: m.name,
            // The engine refuses a tenant id together with an instance id; the instance implies the tenant.
            tenantId: m.processInstanceKey ? undefined : m.tenantId,
            correlationKeys: typedStrings(m.correlationKeys),
            localCorrelationKeys: typedStrings(m.localCorrelationKeys),
            processInstanceId: m.processInstanceKey,
            processVariables: m.variables ? toEngineVariables(m.variables) : undefined,
            resultEnabled: true,
          },
        });
        const first = result?.[0];
        const id = first?.processInstance?.id ?? first?.execution?.processInstanceId;
        if (!id) throw new EngineNoCorrelation('Engine-Anfrage POST /message: keine Instanz korreliert', 200);
        return { processInstanceKey: id };
      },

      cancel,

      async evaluateDecision(decisionId, tenantId, variables): Promise<DecisionResult> {
        const rows = await request<EngineVariables[]>('POST', `/decision-definition/key/${seg(decisionId)}/tenant-id/${seg(tenantId)}/evaluate`, {
          json: { variables: toEngineVariables(variables) },
        });
        return { rules: (rows ?? []).map((r) => fromEngineVariables(r)) };
      },

      async isRunning(processInstanceKey) {
        try {
          const r = await request<InstanceDto>('GET', `/process-instance/${seg(processInstanceKey)}`);
          return !r.ended;
        } catch (e) {
          if (e instanceof EngineNotFound) return false;
          throw e;
        }
      },

      async findInstances(tenantId, variable, value) {
        // POST query: the value stays out of the URL (no escaping of "_" or ",", nothing in access logs).
        const r = await request<InstanceDto[]>('POST', '/process-instance', {
          json: { tenantIdIn: [tenantId], variables: [{ name: variable, operator: 'eq', value }] },
        });
        return r.map((i) => i.id);
      },
    },

    tasks: {
      async claim(taskId, userId) {
        await request('POST', `/task/${seg(taskId)}/claim`, { json: { userId } });
      },
      async unclaim(taskId) {
        await request('POST', `/task/${seg(taskId)}/unclaim`);
      },
      async assign(taskId, userId) {
        await request('POST', `/task/${seg(taskId)}/assignee`, { json: { userId } });
      },
      async complete(taskId, variables) {
        // A worker finishing a step of the same instance at this moment can win the race for a
        // shared variable or execution; the completion was rolled back whole and is repeated.
        await repeatOnConcurrentUpdate(() => request('POST', `/task/${seg(taskId)}/complete`, { json: { variables: toEngineVariables(variables), withVariablesInReturn: false } }));
      },
      async deployedForm(taskId) {
        try {
          const text = await request<string>('GET', `/task/${seg(taskId)}/deployed-form`, { text: true });
          return text ? (JSON.parse(text) as unknown) : null;
        } catch (e) {
          // 400: the task has no form; not found: no task or no such form.
          if (e instanceof EngineNotFound || e instanceof EngineBadRequest || e instanceof SyntaxError) return null;
          throw e;
        }
      },
      async idVariable(taskId, name) {
        try {
          const v = await request<{ value?: unknown }>('GET', `/task/${seg(taskId)}/variables/${seg(name)}`, { query: { deserializeValue: 'false' } });
          return typeof v.value === 'string' && v.value ? v.value : null;
        } catch (e) {
          // No such task or no such variable in its scope.
          if (e instanceof EngineNotFound || e instanceof EngineBadRequest) return null;
          throw e;
        }
      },
      async openTaskIds(filter) {
        const r = await request<Array<{ id: string }>>('GET', '/task', {
          query: { processInstanceId: filter?.processInstanceKey, tenantIdIn: filter?.tenantId, sortBy: 'created', sortOrder: 'asc' },
        });
        return r.map((t) => t.id);
      },
    },

    work: {
      async fetchAndLock(workerId: string, maxTasks: number, topics: FetchTopic[], asyncTimeoutMs: number, signal?: AbortSignal) {
        if (maxTasks <= 0 || topics.length === 0) return [];
        if (signal?.aborted) throw abortError(signal);
        const r = await request<LockedExternalTaskDto[]>('POST', '/external-task/fetchAndLock', {
          json: {
            workerId,
            maxTasks,
            usePriority: true,
            asyncResponseTimeout: asyncTimeoutMs,
            topics: topics.map((t) => ({
              topicName: t.topic,
              lockDuration: t.lockMs,
              variables: t.variables,
              includeExtensionProperties: true,
              deserializeValues: true,
            })),
          },
          signal,
          // The engine answers after asyncTimeoutMs at the latest; give it room before calling it down.
          timeoutMs: asyncTimeoutMs + Math.max(10_000, opts.timeoutMs ?? 0),
        });
        return r.map(toExternalTask);
      },
      async complete(taskId, workerId, variables, localVariables) {
        await request('POST', `/external-task/${seg(taskId)}/complete`, {
          json: { workerId, variables: toEngineVariables(variables), localVariables: toEngineVariables(localVariables) },
        });
      },
      async failure(taskId, workerId, f) {
        await request('POST', `/external-task/${seg(taskId)}/failure`, {
          json: { workerId, errorMessage: f.message, errorDetails: f.details, retries: f.retries, retryTimeout: f.retryTimeoutMs },
        });
      },
      async bpmnError(taskId, workerId, e) {
        await request('POST', `/external-task/${seg(taskId)}/bpmnError`, {
          json: { workerId, errorCode: e.code, errorMessage: e.message, variables: toEngineVariables(e.variables) },
        });
      },
      async extendLock(taskId, workerId, newDurationMs) {
        await request('POST', `/external-task/${seg(taskId)}/extendLock`, { json: { workerId, newDuration: newDurationMs } });
      },
      async unlock(taskId) {
        await request('POST', `/external-task/${seg(taskId)}/unlock`);
      },
      async lockedBy(workerId) {
        const r = await request<Array<{ id: string }>>('GET', '/external-task', { query: { workerId, locked: true, maxResults: 1000 } });
        return r.map((t) => t.id);
      },
    },

    deployer: {
      async deploy(tenantId: string, name: string, resources: DeployResource[]) {
        // With duplicate filtering an unchanged deployment answers with the earlier deployment; knowing
        // the latest one before tells "nothing new" apart from "a new deployment of forms only".
        const latest = async () =>
          (
            await request<Array<{ id: string }>>('GET', '/deployment', {
              query: { name, tenantIdIn: tenantId, sortBy: 'deploymentTime', sortOrder: 'desc', maxResults: 1 },
            })
          )[0]?.id;
        const before = await latest();
        const form = new FormData();
        form.append('deployment-name', name);
        form.append('tenant-id', tenantId);
        form.append('deploy-changed-only', 'true');
        form.append('enable-duplicate-filtering', 'true');
        form.append('deployment-source', 'kim');
        for (const r of resources) form.append(r.name, new Blob([new Uint8Array(r.content)]), r.name);
        const d = await request<DeploymentDto>('POST', '/deployment/create', { form, showEngineMessage: true, timeoutMs: Math.max(120_000, opts.timeoutMs ?? 0) });
        if (d.id === before) return { deploymentId: d.id, definitions: [] };

        const definitions: DeployedDefinition[] = [];
        for (const p of Object.values(d.deployedProcessDefinitions ?? {})) {
          versions.set(p.id, p.version);
          definitions.push({ kind: 'process', id: p.key, key: p.id, version: p.version, resourceName: p.resource });
        }
        for (const p of Object.values(d.deployedDecisionDefinitions ?? {})) {
          definitions.push({ kind: 'decision', id: p.key, key: p.id, version: p.version, resourceName: p.resource });
        }
        // Forms have no definition list over REST: report the form resources this deployment holds.
        const sentForms = new Set(resources.filter((r) => r.name.endsWith('.form')).map((r) => r.name));
        if (sentForms.size) {
          const held = await request<Array<{ name: string }>>('GET', `/deployment/${seg(d.id)}/resources`);
          for (const r of held) {
            if (sentForms.has(r.name)) definitions.push({ kind: 'form', id: r.name, key: d.id, version: 0, resourceName: r.name });
          }
        }
        return { deploymentId: d.id, definitions };
      },
    },

    watch: {
      definitions: listDefinitions,

      async definitionXml(processDefinitionKey) {
        const r = await request<{ bpmn20Xml: string }>('GET', `/process-definition/${seg(processDefinitionKey)}/xml`);
        return r.bpmn20Xml;
      },

      async runningCounts(tenantId, bpmnProcessId) {
        const defs = await listDefinitions(tenantId, bpmnProcessId);
        return Promise.all(
          defs.map(async (d) => {
            const c = await request<{ count: number }>('GET', '/process-instance/count', { query: { processDefinitionId: d.key } });
            return { processDefinitionKey: d.key, version: d.version, running: c.count };
          }),
        );
      },

      async heatmap(processDefinitionKey) {
        // Counts activity instances, multi-instance bodies ("<id>#multiInstanceBody") included.
        const stats = await request<Array<{ id: string; instances: number }>>('GET', `/process-definition/${seg(processDefinitionKey)}/statistics`, {
          query: { failedJobs: false },
        });
        const out: Record<string, number> = {};
        for (const s of stats) if (s.instances > 0) out[s.id] = s.instances;
        return out;
      },

      async activityTrace(processInstanceKey): Promise<ActivityTrace[]> {
        // By start time, and within the same instant in the order the engine executed them
        // (its sequence counter, "occurrence"): the process view derives taken flows from it.
        const rows = await request<HistoricActivityInstanceDto[]>('POST', '/history/activity-instance', {
          json: { processInstanceId: processInstanceKey, sorting: [{ sortBy: 'startTime', sortOrder: 'asc' }, { sortBy: 'occurrence', sortOrder: 'asc' }] },
        });
        return rows
          .map((a) => ({
            activityId: a.activityId,
            activityType: a.activityType,
            activityInstanceId: a.id,
            startTime: isoOrRaw(a.startTime),
            endTime: engineDateToIso(a.endTime),
            canceled: !!a.canceled,
            calledProcessInstanceKey: a.calledProcessInstanceId ?? null,
          }))
          // Stable: instances starting in the same millisecond keep the engine's order.
          .sort((a, b) => (a.startTime === b.startTime ? 0 : a.startTime < b.startTime ? -1 : 1));
      },

      async calledInstances(processInstanceKey) {
        const [running, history] = await Promise.all([
          request<Array<{ id: string }>>('GET', '/process-instance', { query: { superProcessInstance: processInstanceKey } }),
          request<Array<{ id: string }>>('GET', '/history/process-instance', { query: { superProcessInstanceId: processInstanceKey } }),
        ]);
        return [...new Set([...running, ...history].map((i) => i.id))];
      },

      async instances(processInstanceKeys) {
        const out: InstanceInfo[] = [];
        for (let i = 0; i < processInstanceKeys.length; i += 200) {
          const rows = await request<HistoricProcessInstanceDto[]>('POST', '/history/process-instance', { json: { processInstanceIds: processInstanceKeys.slice(i, i + 200) } });
          for (const r of rows) {
            out.push({
              processInstanceKey: r.id,
              processDefinitionKey: r.processDefinitionId,
              bpmnProcessId: r.processDefinitionKey,
              version: r.processDefinitionVersion,
              tenantId: r.tenantId ?? null,
              superProcessInstanceKey: r.superProcessInstanceId ?? null,
              state: r.state === 'COMPLETED' ? 'COMPLETED' : /TERMINATED/.test(r.state) ? 'TERMINATED' : 'ACTIVE',
              startTime: isoOrRaw(r.startTime),
              endTime: engineDateToIso(r.endTime),
            });
          }
        }
        return out;
      },

      async runningInstances(processDefinitionKey) {
        const r = await request<Array<{ id: string }>>('GET', '/process-instance', { query: { processDefinitionId: processDefinitionKey } });
        return r.map((i) => i.id);
      },

      async incidents(filter) {
        let definitionIds: string[] | undefined;
        if (filter.bpmnProcessId && !filter.processDefinitionKey) {
          definitionIds = (await listDefinitions(filter.tenantId, filter.bpmnProcessId)).map((d) => d.key);
          if (!definitionIds.length) return [];
        }
        const query = (processDefinitionId?: string) =>
          request<IncidentDto[]>('GET', '/incident', {
            query: {
              tenantIdIn: filter.tenantId,
              processDefinitionId: processDefinitionId ?? filter.processDefinitionKey,
              processInstanceId: filter.processInstanceKey,
              sortBy: 'incidentTimestamp',
              sortOrder: 'desc',
            },
          });
        const lists = definitionIds ? await Promise.all(definitionIds.map((id) => query(id))) : [await query()];
        return lists
          .flat()
          .map(toIncident)
          .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      },

      async retryIncident(incident, retries) {
        if (!incident.configuration) throw new EngineBadRequest(`Der Vorfall ${incident.id} verweist auf keinen Job.`, 400);
        if (incident.type === 'failedExternalTask') {
          await request('PUT', `/external-task/${seg(incident.configuration)}/retries`, { json: { retries } });
        } else if (incident.type === 'failedJob') {
          await request('PUT', `/job/${seg(incident.configuration)}/retries`, { json: { retries } });
        } else {
          throw new EngineBadRequest(`Vorfälle vom Typ ${incident.type} lassen sich nicht wiederholen.`, 400);
        }
      },

      async migrationPlan(sourceKey, targetKey) {
        const { plan, unmapped } = await validatedPlan(sourceKey, targetKey);
        return {
          instructions: plan.instructions.map((i) => ({ sourceActivityIds: [...i.sourceActivityIds], targetActivityIds: [...i.targetActivityIds] })),
          unmapped,
        };
      },

      async migrate(sourceKey, targetKey, processInstanceKeys) {
        if (!processInstanceKeys.length) return;
        const { plan } = await validatedPlan(sourceKey, targetKey);
        await request('POST', '/migration/execute', {
          json: { migrationPlan: plan, processInstanceIds: processInstanceKeys, skipCustomListeners: false, skipIoMappings: false },
          timeoutMs: Math.max(120_000, opts.timeoutMs ?? 0),
        });
      },

      async forgetInstances(processInstanceKeys) {
        for (const id of processInstanceKeys) {
          // Called instances belong to the case as well: collect them (history knows all) before deleting.
          const all = [id];
          for (let i = 0; i < all.length; i++) {
            const children = await request<Array<{ id: string }>>('GET', '/history/process-instance', { query: { superProcessInstanceId: all[i] } });
            for (const c of children) if (!all.includes(c.id)) all.push(c.id);
          }
          // Cancelling the root cancels its called instances too (listeners run: the inbox follows).
          await ignoreNotFound(cancel(id, 'Aufbewahrungsfrist abgelaufen'));
          for (const pid of all.reverse()) await ignoreNotFound(request('DELETE', `/history/process-instance/${seg(pid)}`));
        }
      },

      async existingInstances(processInstanceKeys) {
        if (!processInstanceKeys.length) return [];
        const found = new Set<string>();
        for (let i = 0; i < processInstanceKeys.length; i += 200) {
          const chunk = processInstanceKeys.slice(i, i + 200);
          const [hist, run] = await Promise.all([
            request<Array<{ id: string }>>('POST', '/history/process-instance', { json: { processInstanceIds: chunk } }),
            request<Array<{ id: string }>>('POST', '/process-instance', { json: { processInstanceIds: chunk } }),
          ]);
          for (const r of [...hist, ...run]) found.add(r.id);
        }
        return processInstanceKeys.filter((k) => found.has(k));
      },
    },

    async ping() {
      try {
        await request('GET', '/version', { timeoutMs: 5_000 });
        return true;
      } catch {
        return false;
      }
    },
  };
  return engine;
}

function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
