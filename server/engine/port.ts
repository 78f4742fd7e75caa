/**
 * The engine port: everything the product asks of the process engine, as small interfaces. Domain
 * services, workers, the inbox, the process view and the modeler each take only the slice they use;
 * only server/engine/ knows which engine runs (Operaton, the Camunda 7 line) and how it is reached.
 *
 * Conventions: ids are strings; a tenant is a commune (Kommune.id); variables carry ids and decision
 * inputs only (string, number, boolean, null, Date) – never names, free text or lists of personal data.
 */

/** Plain process variables as the product uses them (Dates are sent as engine dates). */
export type Variables = Record<string, string | number | boolean | null | Date | undefined>;

// ---------------------------------------------------------------------------------------------
// Typed errors. Consumers match on the class, never on message text.

export class EngineError extends Error {
  constructor(
    message: string,
    /** HTTP status of the engine's answer (0 = not reachable). */
    readonly status: number,
    /** The engine's exception type, e.g. "RestException", "ProcessEngineException". */
    readonly type?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
/** The task, instance, definition or job does not exist (any more). */
export class EngineNotFound extends EngineError {}
/** A concurrent change won (optimistic locking), or the object is in a state that forbids the call. */
export class EngineConflict extends EngineError {}
/**
 * The conflict was a concurrent update (optimistic locking): another transaction on the same
 * instance won, this call's transaction was rolled back as a whole – repeating the call is safe.
 */
export class EngineConcurrentUpdate extends EngineConflict {}
/** The engine rejected the request as invalid (unknown variable type, broken model, …). */
export class EngineBadRequest extends EngineError {}
/** A message found no waiting instance to correlate with. */
export class EngineNoCorrelation extends EngineError {}
/** The engine is not reachable or answered 5xx. */
export class EngineUnavailable extends EngineError {}

// ---------------------------------------------------------------------------------------------
// Process runtime

export interface StartedInstance {
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  tenantId: string | null;
}

export interface MessageCorrelation {
  name: string;
  tenantId: string;
  /** Match instances whose process-level variables have these values. */
  correlationKeys?: Record<string, string>;
  /** Match the waiting execution's local variables (e.g. a multi-instance element variable). */
  localCorrelationKeys?: Record<string, string>;
  processInstanceKey?: string;
  variables?: Variables;
}

export interface DecisionResult {
  /** One entry per matched rule: output name → value (lists come back as arrays). */
  rules: Array<Record<string, unknown>>;
}

export interface ProcessRuntime {
  /** Starts the latest version of the process deployed for the tenant. */
  start(bpmnProcessId: string, tenantId: string, variables: Variables, businessKey?: string): Promise<StartedInstance>;
  /** Correlates a message to exactly one waiting instance; EngineNoCorrelation when none waits. */
  correlate(m: MessageCorrelation): Promise<{ processInstanceKey: string }>;
  /** Cancels a running instance (listeners run: the inbox projection follows). Not found → EngineNotFound. */
  cancel(processInstanceKey: string, reason?: string): Promise<void>;
  /** Evaluates the latest decision of the tenant. */
  evaluateDecision(decisionId: string, tenantId: string, variables: Variables): Promise<DecisionResult>;
  /** Is the instance still running (not ended, not canceled)? */
  isRunning(processInstanceKey: string): Promise<boolean>;
  /** Running instances of the tenant whose process-level variable has this value. */
  findInstances(tenantId: string, variable: string, value: string): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// User tasks (the inbox projection is written by the engine itself; see engine/app)

export interface UserTasks {
  claim(taskId: string, userId: string): Promise<void>;
  unclaim(taskId: string): Promise<void>;
  /** Sets the assignee (reassignment by a coordinator). */
  assign(taskId: string, userId: string | null): Promise<void>;
  complete(taskId: string, variables: Variables): Promise<void>;
  /** The form-js schema linked by camunda:formRef, or null. */
  deployedForm(taskId: string): Promise<unknown | null>;
  /**
   * An id-valued variable visible in the task's scope (e.g. the multi-instance element `participantId`),
   * or null. Only for ids: the task view looks the record up in the app database by it.
   */
  idVariable(taskId: string, name: string): Promise<string | null>;
  /** Open task ids of the engine (for drift checks in tests and tools). */
  openTaskIds(filter?: { processInstanceKey?: string; tenantId?: string }): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// Work source for the external-task workers

export interface ExternalTask {
  id: string;
  topic: string;
  workerId: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  elementId: string;
  activityInstanceId: string;
  tenantId: string | null;
  retries: number | null;
  /** camunda:properties of the service task (static settings of the step, e.g. the result it records). */
  properties: Record<string, string>;
  variables: Record<string, unknown>;
  lockExpiresAt: number;
}

export interface FetchTopic {
  topic: string;
  lockMs: number;
  variables?: string[];
}

export interface WorkSource {
  /** Long-polls until tasks are available or the timeout passes; aborts with the signal. */
  fetchAndLock(workerId: string, maxTasks: number, topics: FetchTopic[], asyncTimeoutMs: number, signal?: AbortSignal): Promise<ExternalTask[]>;
  complete(taskId: string, workerId: string, variables?: Variables, localVariables?: Variables): Promise<void>;
  failure(taskId: string, workerId: string, f: { message: string; details?: string; retries: number; retryTimeoutMs: number }): Promise<void>;
  bpmnError(taskId: string, workerId: string, e: { code: string; message: string; variables?: Variables }): Promise<void>;
  extendLock(taskId: string, workerId: string, newDurationMs: number): Promise<void>;
  /** Gives a locked task back at once (the runtime fetched more of a topic than it has free slots for). */
  unlock(taskId: string): Promise<void>;
  /** Ids of the external tasks the worker holds a current lock on. */
  lockedBy(workerId: string): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// Deployer

export interface DeployResource {
  /** File name as deployed, e.g. kim-intake.bpmn, first-contact.form */
  name: string;
  content: Buffer;
}

export interface DeployedDefinition {
  kind: 'process' | 'decision' | 'form';
  id: string; // bpmnProcessId / decision key / form id (for forms: the resource name)
  key: string; // engine definition id
  version: number;
  resourceName: string;
}

export interface Deployer {
  /** One deployment of the given resources for a tenant; unchanged resources create no new version. */
  deploy(tenantId: string, name: string, resources: DeployResource[]): Promise<{ deploymentId: string; definitions: DeployedDefinition[] }>;
}

// ---------------------------------------------------------------------------------------------
// Engine watch (modeler, process view, retention)

export interface ActivityTrace {
  activityId: string;
  activityType: string;
  activityInstanceId: string;
  startTime: string;
  endTime: string | null;
  canceled: boolean;
  calledProcessInstanceKey: string | null;
}

export interface EngineIncident {
  id: string;
  type: string; // failedJob | failedExternalTask | …
  message: string | null;
  processInstanceKey: string;
  processDefinitionKey: string;
  activityId: string;
  createdAt: string;
  /** Job or external task id the incident stems from. */
  configuration: string | null;
  tenantId: string | null;
}

export interface DefinitionInfo {
  key: string;
  bpmnProcessId: string;
  version: number;
  tenantId: string | null;
  resourceName: string;
  name: string | null;
}

/** One process instance as the engine's history knows it (running or ended). */
export interface InstanceInfo {
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  tenantId: string | null;
  /** The instance whose call activity started this one; null for a root instance. */
  superProcessInstanceKey: string | null;
  state: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  startTime: string;
  endTime: string | null;
}

export interface EngineWatch {
  definitions(tenantId: string, bpmnProcessId?: string): Promise<DefinitionInfo[]>;
  definitionXml(processDefinitionKey: string): Promise<string>;
  /** Running instances per definition of the tenant. */
  runningCounts(tenantId: string, bpmnProcessId: string): Promise<Array<{ processDefinitionKey: string; version: number; running: number }>>;
  /** Where the running instances of one definition wait: element id → count. */
  heatmap(processDefinitionKey: string): Promise<Record<string, number>>;
  /** Activity history of one instance (process view), in start order. */
  activityTrace(processInstanceKey: string): Promise<ActivityTrace[]>;
  /** Subprocess instances started by call activities of the instance (direct children). */
  calledInstances(processInstanceKey: string): Promise<string[]>;
  /** The instances (definition, tenant, state, times) the history knows; unknown keys are left out. */
  instances(processInstanceKeys: string[]): Promise<InstanceInfo[]>;
  /** Running instances of one definition (migration preview and execution). */
  runningInstances(processDefinitionKey: string): Promise<string[]>;
  incidents(filter: { tenantId: string; processDefinitionKey?: string; processInstanceKey?: string; bpmnProcessId?: string }): Promise<EngineIncident[]>;
  /** Gives the job / external task of the incident new retries (which resolves the incident). */
  retryIncident(incident: EngineIncident, retries: number): Promise<void>;
  /** Migration of running instances from one definition to another (same activity ids mapped). */
  migrationPlan(sourceKey: string, targetKey: string): Promise<{ instructions: Array<{ sourceActivityIds: string[]; targetActivityIds: string[] }>; unmapped: string[] }>;
  migrate(sourceKey: string, targetKey: string, processInstanceKeys: string[]): Promise<void>;
  /** Deletes runtime and history of instances (retention); listeners run, the projection follows. */
  forgetInstances(processInstanceKeys: string[]): Promise<void>;
  /** Instance keys that still exist anywhere in the engine (runtime or history) – for retention checks. */
  existingInstances(processInstanceKeys: string[]): Promise<string[]>;
}

/** The whole port, as the composition root builds it. Consumers take slices of it. */
export interface Engine {
  runtime: ProcessRuntime;
  tasks: UserTasks;
  work: WorkSource;
  deployer: Deployer;
  watch: EngineWatch;
  /** Base URL of the engine REST API this port talks to (for diagnostics only). */
  readonly url: string;
  /** Answers when the engine is up. */
  ping(): Promise<boolean>;
}
