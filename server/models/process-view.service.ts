/**
 * The process view of a case: for every process instance of the case – the ones the app started
 * (case, referrals, conferences, naturalisation, tasks) and the ones they called – the deployed BPMN
 * with the active steps, the completed steps, the sequence flows taken and the open incidents. All of
 * it comes from the engine's own history (activity instances, no variables), asked for the actor's
 * commune only: an instance of another tenant is left out.
 *
 * The engine's history records activity instances, not sequence flows. A flow counts as taken when an
 * instance of its source ended (not cancelled) and an instance of its target started at or after
 * that end, within the same process instance.
 */
import type { ProcessViewRepository } from './process-view.repository';
import { inspectBpmn } from '../engine/bpmn';
import { EngineUnavailable, type ActivityTrace, type EngineIncident, type EngineWatch, type InstanceInfo } from '../engine/port';
import { auditRow } from '../audit/audit.service';
import { DomainError } from '../errors';
import { Actor, assertCanSeeProcessView } from '../auth/policy';
import type { CaseProcessesView, ProcessInstanceView } from './process-view.types';
import type { RecordsService } from '../cases/records.service';

export type { CaseProcessesView, InstanceState, ProcessInstanceView } from './process-view.types';

/** Limits against runaway trees (call activities in loops). */
const MAX_INSTANCES = 200;
const MAX_DEPTH = 10;
/** The engine's activity id of a multi-instance body: "<element id>#multiInstanceBody". */
const MI_BODY = /#multiInstanceBody$/;
const elementOf = (activityId: string) => activityId.replace(MI_BODY, '');

export interface SequenceFlow {
  id: string;
  sourceRef: string;
  targetRef: string;
}

/**
 * Active and completed elements and the flows taken, from one instance's activity history (in start
 * order, ties in the engine's order of execution). The history records no sequence flows: each
 * started element instance was reached over exactly one incoming flow – the one from the source
 * whose (not cancelled) instance ended most recently at or before that start, the later one in
 * the history when two ended at the same instant.
 */
export function traceState(trace: ActivityTrace[], flows: SequenceFlow[], running: boolean) {
  const active = new Set<string>();
  const completed = new Set<string>();
  const incoming = new Map<string, SequenceFlow[]>();
  for (const f of flows) incoming.set(f.targetRef, [...(incoming.get(f.targetRef) ?? []), f]);
  const taken = new Set<string>();
  trace.forEach((t, i) => {
    const el = elementOf(t.activityId);
    if (t.endTime === null) {
      if (running) active.add(el);
    } else if (!t.canceled) completed.add(el);
    // A multi-instance body's inner instances are reached from the body, not over a flow.
    if (trace.some((o, j) => j < i && o.activityId === `${el}#multiInstanceBody` && o.startTime <= t.startTime && (o.endTime === null || o.endTime >= t.startTime)) && !MI_BODY.test(t.activityId)) return;
    let best: { flow: SequenceFlow; end: string; index: number } | undefined;
    for (const f of incoming.get(el) ?? []) {
      trace.forEach((s, j) => {
        if (j === i || elementOf(s.activityId) !== f.sourceRef || s.canceled || s.endTime === null || s.endTime > t.startTime) return;
        if (MI_BODY.test(s.activityId) === false && trace.some((o) => o.activityId === `${f.sourceRef}#multiInstanceBody`)) return;
        if (!best || s.endTime > best.end || (s.endTime === best.end && j > best.index)) best = { flow: f, end: s.endTime, index: j };
      });
    }
    if (best) taken.add(best.flow.id);
  });
  const takenFlows = flows.filter((f) => taken.has(f.id)).map((f) => f.id);
  return { active: [...active], completed: [...completed], takenFlows };
}

export class ProcessViewService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: ProcessViewRepository,
    private readonly watch: EngineWatch,
  ) {}

  async caseProcesses(a: Actor, caseId: string, requestId?: string): Promise<CaseProcessesView> {
    assertCanSeeProcessView(a);
    // Same reach as the case view (a read: also a case of a task assigned to them): another site or commune gets 404.
    await this.records.find(a, 'cases', caseId, false, 'read');
    await this.repo.writeAudit([auditRow(a, { action: 'cases.process_read', entity: 'Case', entityId: caseId, caseId, requestId })]);
    const roots = await this.repo.caseInstanceKeys(caseId);
    if (!roots.length) return { caseId, processes: [], pending: [] };
    try {
      return await this.view(a.kommuneId as string, caseId, roots);
    } catch (e) {
      if (e instanceof EngineUnavailable) throw unavailable();
      throw e;
    }
  }

  private async view(tenantId: string, caseId: string, roots: string[]): Promise<CaseProcessesView> {
    // The instance tree, level by level: each instance's history names the instances its call
    // activities started. Only the commune's own instances are followed.
    const infos = new Map<string, InstanceInfo>();
    const traces = new Map<string, ActivityTrace[]>();
    const pending: string[] = [];
    let level = roots;
    for (let depth = 0; level.length && depth <= MAX_DEPTH && infos.size < MAX_INSTANCES; depth++) {
      const known = new Map((await this.watch.instances(level)).map((i) => [i.processInstanceKey, i]));
      const next: string[] = [];
      for (const key of level) {
        const info = known.get(key);
        if (!info) {
          if (depth === 0) pending.push(key);
          continue;
        }
        if (info.tenantId !== tenantId || infos.has(key) || infos.size >= MAX_INSTANCES) continue;
        infos.set(key, info);
      }
      await Promise.all(
        level
          .filter((k) => infos.has(k) && !traces.has(k))
          .map(async (k) => {
            const trace = await this.watch.activityTrace(k);
            traces.set(k, trace);
            for (const t of trace) if (t.calledProcessInstanceKey && !infos.has(t.calledProcessInstanceKey)) next.push(t.calledProcessInstanceKey);
          }),
      );
      level = [...new Set(next)];
    }

    const models = new Map<string, Promise<{ xml: string; names: Record<string, string>; flows: SequenceFlow[] }>>();
    const modelOf = (key: string) => {
      let m = models.get(key);
      if (!m) {
        m = (async () => {
          const stored = await this.repo.model(key);
          const xml = stored?.xml ?? (await this.watch.definitionXml(key));
          const info = inspectBpmn(xml);
          return { xml, names: stored?.elementNames ?? info.elementNames, flows: info.sequenceFlows };
        })();
        models.set(key, m);
      }
      return m;
    };

    const processes: ProcessInstanceView[] = await Promise.all(
      [...infos.values()].map(async (info) => {
        const running = info.state === 'ACTIVE';
        const [model, incidents] = await Promise.all([
          modelOf(info.processDefinitionKey),
          running ? this.watch.incidents({ tenantId, processInstanceKey: info.processInstanceKey }) : Promise.resolve([] as EngineIncident[]),
        ]);
        const s = traceState(traces.get(info.processInstanceKey) ?? [], model.flows, running);
        const name = (id: string) => model.names[id] ?? id;
        return {
          processInstanceKey: info.processInstanceKey,
          parentProcessInstanceKey: info.superProcessInstanceKey && infos.has(info.superProcessInstanceKey) ? info.superProcessInstanceKey : null,
          processDefinitionId: info.bpmnProcessId,
          processDefinitionKey: info.processDefinitionKey,
          version: info.version,
          state: info.state,
          startedAt: info.startTime,
          endedAt: info.endTime,
          bpmnXml: model.xml,
          active: s.active,
          activeSteps: s.active.map((id) => ({ elementId: id, name: name(id) })),
          completed: s.completed,
          takenFlows: s.takenFlows,
          incidents: incidents.map((i) => ({
            key: i.id,
            elementId: elementOf(i.activityId),
            name: name(elementOf(i.activityId)),
            errorType: i.type,
            errorMessage: i.message ?? '',
            createdAt: i.createdAt,
          })),
        };
      }),
    );
    // Running instances first, then by start.
    processes.sort((x, y) => Number(y.state === 'ACTIVE') - Number(x.state === 'ACTIVE') || String(x.startedAt).localeCompare(String(y.startedAt)));
    return { caseId, processes, pending };
  }
}

const unavailable = () => new DomainError(503, 'Die Prozessansicht ist gerade nicht verfügbar: die Prozess-Engine ist nicht erreichbar. Bitte später erneut versuchen.', 'unavailable');
