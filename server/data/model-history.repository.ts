/**
 * What the process modeler watches, read from the engine history the KIM exporter writes
 * (engine/exporter, database kim_engine): running instances per process definition, where they
 * wait (heatmap) and the engine's incidents with their keys. One statement per call; the indexes
 * these statements use are created by the exporter (engine_element_event_definition,
 * engine_incident_definition, engine_incident_key).
 *
 * "Running" / "waiting" = an element instance whose latest event is ELEMENT_ACTIVATED or
 * ELEMENT_MIGRATED (a migration re-labels the instance with the target definition, so the latest
 * event decides the version). Multi-instance bodies are left out of the heatmap: their inner
 * instances carry the same element id and are counted instead.
 */
import type { EngineHistoryRepository } from './engine-history.repository';

const KEY = /^\d{1,19}$/;
const INT8_MAX = 9223372036854775807n;
const keys = (ks: Iterable<string>) => [...new Set([...ks].filter((k) => KEY.test(k) && BigInt(k) <= INT8_MAX))];

/** Element instances (alias e) that are still active: no later event of the same element instance. */
const STILL_ACTIVE = `e.intent in ('ELEMENT_ACTIVATED', 'ELEMENT_MIGRATED')
   and not exists (select 1 from engine_element_event x
                    where x.process_instance_key = e.process_instance_key and x.position > e.position
                      and x.element_instance_key = e.element_instance_key)`;

/** One engine incident, folded over its events (created, migrated, resolved). */
export interface EngineIncident {
  incidentKey: string;
  state: 'open' | 'resolved';
  processInstanceKey: string;
  processDefinitionKey: string;
  elementId: string;
  elementInstanceKey: string;
  /** The failed job, for job incidents (JOB_NO_RETRIES, …); null for e.g. a gateway's CONDITION_ERROR. */
  jobKey: string | null;
  errorType: string;
  errorMessage: string;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface VersionStats {
  /** Running process instances per process definition key. */
  running: Map<string, number>;
  /** Open engine incidents per process definition key. */
  openIncidents: Map<string, number>;
  /** Of the job keys asked about: those the engine has an incident for (any state). */
  knownJobKeys: Set<string>;
}

const INCIDENT_SELECT = `select i.incident_key::text as "incidentKey",
         (array_agg(i.intent order by i.position desc))[1] as "lastIntent",
         min(i.process_instance_key)::text as "processInstanceKey",
         (array_agg(i.process_definition_key::text order by i.position desc))[1] as "processDefinitionKey",
         (array_agg(i.element_id order by i.position desc))[1] as "elementId",
         (array_agg(i.element_instance_key::text order by i.position desc))[1] as "elementInstanceKey",
         max(i.job_key)::text as "jobKey",
         (array_agg(i.error_type order by i.position))[1] as "errorType",
         (array_agg(i.error_message order by i.position))[1] as "errorMessage",
         min(i.at) as "createdAt",
         max(i.at) filter (where i.intent = 'RESOLVED') as "resolvedAt"
    from engine_incident i`;

type IncidentRow = Omit<EngineIncident, 'state' | 'jobKey'> & { lastIntent: string; jobKey: string };
const incident = (r: IncidentRow): EngineIncident => {
  const { lastIntent, jobKey, ...rest } = r;
  // The engine writes -1 (older versions 0) when the incident has no job.
  return { ...rest, state: lastIntent === 'RESOLVED' ? 'resolved' : 'open', jobKey: jobKey && KEY.test(jobKey) && jobKey !== '0' ? jobKey : null };
};

export class ModelHistoryRepository {
  constructor(private readonly history: EngineHistoryRepository) {}

  /**
   * Running instances and open incidents per definition, and which of `jobKeys` (open incidents the
   * worker runtime recorded) the engine history knows – in one statement.
   */
  async versionStats(definitionKeys: string[], jobKeys: string[]): Promise<VersionStats> {
    const defs = keys(definitionKeys);
    const out: VersionStats = { running: new Map(), openIncidents: new Map(), knownJobKeys: new Set() };
    if (!defs.length) return out;
    const rows = await this.history.query<{ kind: string; key: string; n: number }>(
      `with incident as (
         select distinct on (i.incident_key) i.process_definition_key as k, i.intent, i.job_key
           from engine_incident i
          where i.incident_key in (select incident_key from engine_incident where process_definition_key = any($1::bigint[]))
          order by i.incident_key, i.position desc)
       select 'running' as kind, e.process_definition_key::text as key, count(*)::int as n
         from engine_element_event e
        where e.process_definition_key = any($1::bigint[]) and e.element_type = 'PROCESS' and ${STILL_ACTIVE}
        group by e.process_definition_key
       union all
       select 'incidents', k::text, count(*)::int from incident where intent <> 'RESOLVED' and k = any($1::bigint[]) group by k
       union all
       select 'job', job_key::text, 1 from incident where job_key = any($2::bigint[])`,
      [defs, keys(jobKeys)],
    );
    for (const r of rows) {
      if (r.kind === 'running') out.running.set(r.key, r.n);
      else if (r.kind === 'incidents') out.openIncidents.set(r.key, r.n);
      else out.knownJobKeys.add(r.key);
    }
    return out;
  }

  /** Where the instances of one definition wait (element id → active element instances) and how many run. */
  async waiting(definitionKey: string): Promise<{ running: number; heatmap: Record<string, number> }> {
    const out = { running: 0, heatmap: {} as Record<string, number> };
    if (!keys([definitionKey]).length) return out;
    const rows = await this.history.query<{ elementId: string; isProcess: boolean; n: number }>(
      `select e.element_id as "elementId", e.element_type = 'PROCESS' as "isProcess", count(*)::int as n
         from engine_element_event e
        where e.process_definition_key = $1::bigint and e.element_type <> 'MULTI_INSTANCE_BODY' and ${STILL_ACTIVE}
        group by 1, 2`,
      [definitionKey],
    );
    for (const r of rows) {
      if (r.isProcess) out.running += r.n;
      else out.heatmap[r.elementId] = r.n;
    }
    return out;
  }

  /** The engine's incidents of these definitions (open and resolved), newest first. */
  async incidents(definitionKeys: string[], limit = 200): Promise<EngineIncident[]> {
    const defs = keys(definitionKeys);
    if (!defs.length) return [];
    const rows = await this.history.query<IncidentRow>(
      `${INCIDENT_SELECT}
        where i.incident_key in (select incident_key from engine_incident where process_definition_key = any($1::bigint[]))
        group by i.incident_key order by min(i.at) desc, i.incident_key desc limit $2`,
      [defs, limit],
    );
    return rows.map(incident);
  }

  async incident(incidentKey: string): Promise<EngineIncident | null> {
    if (!keys([incidentKey]).length) return null;
    const [row] = await this.history.query<IncidentRow>(`${INCIDENT_SELECT} where i.incident_key = $1::bigint group by i.incident_key`, [incidentKey]);
    return row ? incident(row) : null;
  }
}
