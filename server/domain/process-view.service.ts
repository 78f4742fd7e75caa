/**
 * The process view of a case (issue 6): for every process instance of the case – the ones the app
 * started (case, referrals, conferences, naturalisation, tasks) and the ones they called – the
 * deployed BPMN with the active elements, the completed elements, the sequence flows taken and the
 * open incidents. The states come from the engine itself, through the KIM element exporter
 * (engine/exporter) and its history database; no variables are involved.
 */
import type { ElementEvent, EngineHistoryRepository, IncidentEvent } from '../data/engine-history.repository';
import { EngineHistoryUnavailable } from '../data/engine-history.repository';
import type { ProcessViewRepository } from '../data/process-view.repository';
import { auditRow } from './audit.service';
import { DomainError } from './errors';
import { Actor, assertCanSeeProcessView } from './policy';
import type { CaseProcessesView, InstanceState, ProcessInstanceView } from './process-view.types';
import type { RecordsService } from './records.service';

export type { CaseProcessesView, InstanceState, ProcessInstanceView } from './process-view.types';

const FLOW = 'SEQUENCE_FLOW';
const PROCESS = 'PROCESS';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });

/** id → name of every element in a BPMN document that has both. */
export function elementNames(xml: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const tag of xml.matchAll(/<[\w-]+:?[\w-]*\s([^>]*)>/g)) {
    const attrs = tag[1];
    const id = /(?:^|\s)id="([^"]*)"/.exec(attrs)?.[1];
    const name = /(?:^|\s)name="([^"]*)"/.exec(attrs)?.[1];
    if (id && name && !names.has(id)) names.set(id, decode(name).replace(/\s+/g, ' ').trim());
  }
  return names;
}

/** Derives the state of one instance from its element events (in log order). */
export function instanceState(events: ElementEvent[], incidents: IncidentEvent[]) {
  const last = new Map<string, ElementEvent>();
  const completed = new Set<string>();
  const flows = new Set<string>();
  let processEvent: ElementEvent | undefined;
  let startedAt: Date | null = null;
  for (const e of events) {
    if (e.elementType === FLOW) {
      if (e.intent === 'SEQUENCE_FLOW_TAKEN') flows.add(e.elementId);
      continue;
    }
    if (e.elementType === PROCESS && e.elementInstanceKey === e.processInstanceKey) {
      processEvent = e;
      if (e.intent === 'ELEMENT_ACTIVATED' && !startedAt) startedAt = e.at;
      continue;
    }
    last.set(e.elementInstanceKey, e);
    if (e.intent === 'ELEMENT_COMPLETED') completed.add(e.elementId);
  }
  const active = new Set<string>();
  for (const e of last.values()) if (e.intent === 'ELEMENT_ACTIVATED' || e.intent === 'ELEMENT_MIGRATED') active.add(e.elementId);
  const state: InstanceState =
    processEvent?.intent === 'ELEMENT_COMPLETED' ? 'COMPLETED' : processEvent?.intent === 'ELEMENT_TERMINATED' ? 'TERMINATED' : 'ACTIVE';
  const lastIncident = new Map<string, IncidentEvent>();
  for (const i of incidents) lastIncident.set(i.incidentKey, i);
  const open = [...lastIncident.values()].filter((i) => i.intent !== 'RESOLVED');
  const first = events[0];
  return {
    definition: processEvent ?? first,
    state,
    startedAt,
    endedAt: state === 'ACTIVE' ? null : (processEvent?.at ?? null),
    active: state === 'ACTIVE' ? [...active] : [],
    completed: [...completed],
    takenFlows: [...flows],
    incidents: state === 'ACTIVE' ? open : [],
  };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export class ProcessViewService {
  constructor(
    private readonly records: RecordsService,
    private readonly repo: ProcessViewRepository,
    private readonly history: EngineHistoryRepository | undefined,
  ) {}

  async caseProcesses(a: Actor, caseId: string, requestId?: string): Promise<CaseProcessesView> {
    assertCanSeeProcessView(a);
    // Same reach as the case view: another site or commune gets 404.
    await this.records.find(a, 'cases', caseId);
    await this.repo.writeAudit([auditRow(a, { action: 'cases.process_read', entity: 'Case', entityId: caseId, caseId, requestId })]);
    const roots = await this.repo.caseInstanceKeys(caseId);
    if (!roots.length) return { caseId, processes: [], pending: [] };
    if (!this.history) throw unavailable();
    try {
      const tree = await this.history.instanceTree(roots);
      const known = new Map(tree.map((t) => [t.key, t.parent]));
      for (const r of roots) if (!known.has(r)) known.set(r, null);
      const keys = [...known.keys()];
      const [events, incidents] = await Promise.all([this.history.events(keys), this.history.incidents(keys)]);
      const byInstance = new Map<string, ElementEvent[]>();
      for (const e of events) {
        const list = byInstance.get(e.processInstanceKey);
        if (list) list.push(e);
        else byInstance.set(e.processInstanceKey, [e]);
      }
      const processes: ProcessInstanceView[] = [];
      const pending: string[] = [];
      for (const key of keys) {
        const evs = byInstance.get(key);
        if (!evs?.length) {
          pending.push(key);
          continue;
        }
        const s = instanceState(
          evs,
          incidents.filter((i) => i.processInstanceKey === key),
        );
        const def = s.definition;
        const model = await this.repo.model(def.processDefinitionKey, def.bpmnProcessId, def.version);
        const names = model ? elementNames(model.xml) : new Map<string, string>();
        const parent = known.get(key) ?? (evs[0].parentProcessInstanceKey !== '-1' ? evs[0].parentProcessInstanceKey : null);
        processes.push({
          processInstanceKey: key,
          parentProcessInstanceKey: parent && parent !== '-1' ? parent : null,
          processDefinitionId: def.bpmnProcessId,
          processDefinitionKey: def.processDefinitionKey,
          version: def.version,
          state: s.state,
          startedAt: iso(s.startedAt),
          endedAt: iso(s.endedAt),
          bpmnXml: model?.xml ?? null,
          active: s.active,
          activeSteps: s.active.map((id) => ({ elementId: id, name: names.get(id) ?? id })),
          completed: s.completed,
          takenFlows: s.takenFlows,
          incidents: s.incidents.map((i) => ({ key: i.incidentKey, elementId: i.elementId, errorType: i.errorType, errorMessage: i.errorMessage, createdAt: iso(i.at)! })),
        });
      }
      // Running instances first, then by start.
      processes.sort((x, y) => Number(y.state === 'ACTIVE') - Number(x.state === 'ACTIVE') || String(x.startedAt).localeCompare(String(y.startedAt)));
      return { caseId, processes, pending };
    } catch (e) {
      if (e instanceof EngineHistoryUnavailable) throw unavailable();
      throw e;
    }
  }
}

const unavailable = () =>
  new DomainError(503, 'Die Prozessansicht ist gerade nicht verfügbar: die Verlaufsdaten der Prozess-Engine sind nicht erreichbar. Bitte später erneut versuchen.', 'unavailable');
