/**
 * Reads the engine history database the KIM element exporter (engine/exporter) writes: element
 * events and incidents per process instance. Plain `pg`, not Prisma: the tables belong to the
 * exporter, which creates them itself, in a database of their own (default `kim_engine`).
 */
import { Pool } from 'pg';

export interface ElementEvent {
  position: string;
  elementInstanceKey: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  elementId: string;
  elementType: string;
  intent: string;
  parentProcessInstanceKey: string;
  at: Date;
}

export interface IncidentEvent {
  incidentKey: string;
  intent: string;
  processInstanceKey: string;
  elementId: string;
  elementInstanceKey: string;
  errorType: string;
  errorMessage: string;
  at: Date;
}

/** The history database is missing, not yet created by the exporter, or not reachable. */
export class EngineHistoryUnavailable extends Error {}

const KEY = /^\d{1,19}$/;
const INT8_MAX = 9223372036854775807n;
const isKey = (k: string) => KEY.test(k) && BigInt(k) <= INT8_MAX;
/** Limits against runaway trees (call activities in loops). */
const MAX_INSTANCES = 200;

export class EngineHistoryRepository {
  private readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 3000, idleTimeoutMillis: 10_000 });
    // An idle client losing its connection must not take the server down.
    this.pool.on('error', () => undefined);
  }

  /** Runs one statement on the history database (also for other readers of it, e.g. ModelHistoryRepository). */
  async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await this.pool.query(sql, params)).rows as T[];
    } catch (e) {
      const code = (e as { code?: string }).code;
      // 42P01: the exporter has not created its tables yet – nothing recorded so far.
      if (code === '42P01') return [];
      // 3D000: database missing; connection errors.
      if (code === '3D000' || code === 'ECONNREFUSED' || code === 'ENOTFOUND' || /timeout|terminat/i.test((e as Error).message)) {
        throw new EngineHistoryUnavailable((e as Error).message);
      }
      throw e;
    }
  }

  /** The given instances and every instance below them (call activities), roots first. */
  async instanceTree(rootKeys: string[]): Promise<Array<{ key: string; parent: string | null }>> {
    const roots = [...new Set(rootKeys.filter(isKey))];
    if (!roots.length) return [];
    const rows = await this.query<{ key: string; parent: string | null; depth: number }>(
      `with recursive tree(key, parent, depth) as (
         select k, null::bigint, 0 from unnest($1::bigint[]) as k
         union
         select distinct e.process_instance_key, e.parent_process_instance_key, t.depth + 1
           from engine_element_event e join tree t on e.parent_process_instance_key = t.key
          where e.element_type = 'PROCESS' and t.depth < 10
       )
       select key::text, parent::text, min(depth) as depth from tree group by tree.key, tree.parent order by min(depth), tree.key limit ${MAX_INSTANCES}`,
      [roots],
    );
    const seen = new Set<string>();
    return rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true))).map((r) => ({ key: r.key, parent: r.parent }));
  }

  /**
   * Retention: removes everything recorded about the instances and the instances they called.
   * Returns the number of rows removed. A history database that does not exist has nothing to remove.
   */
  async forget(processInstanceKeys: string[]): Promise<number> {
    let tree: Array<{ key: string }>;
    try {
      tree = await this.instanceTree(processInstanceKeys);
    } catch (e) {
      if (e instanceof EngineHistoryUnavailable && /does not exist|3D000/.test(e.message)) return 0;
      throw e;
    }
    const keys = tree.map((t) => t.key);
    if (!keys.length) return 0;
    let removed = 0;
    for (const table of ['engine_element_event', 'engine_incident']) {
      try {
        removed += (await this.pool.query(`delete from ${table} where process_instance_key = any($1::bigint[])`, [keys])).rowCount ?? 0;
      } catch (e) {
        if ((e as { code?: string }).code !== '42P01') throw e; // table not created yet
      }
    }
    return removed;
  }

  /** Element events of the instances, in log order (qualified: the text alias "position" must not decide the order). */
  async events(processInstanceKeys: string[]): Promise<ElementEvent[]> {
    const keys = processInstanceKeys.filter(isKey);
    if (!keys.length) return [];
    return this.query<ElementEvent>(
      `select position::text as "position", element_instance_key::text as "elementInstanceKey",
              process_instance_key::text as "processInstanceKey", process_definition_key::text as "processDefinitionKey",
              bpmn_process_id as "bpmnProcessId", version, element_id as "elementId", element_type as "elementType",
              intent, parent_process_instance_key::text as "parentProcessInstanceKey", at
         from engine_element_event e where e.process_instance_key = any($1::bigint[])
        order by e.partition_id, e.position`,
      [keys],
    );
  }

  /** Incident events of the instances, in log order. */
  async incidents(processInstanceKeys: string[]): Promise<IncidentEvent[]> {
    const keys = processInstanceKeys.filter(isKey);
    if (!keys.length) return [];
    return this.query<IncidentEvent>(
      `select incident_key::text as "incidentKey", intent, process_instance_key::text as "processInstanceKey",
              element_id as "elementId", element_instance_key::text as "elementInstanceKey", error_type as "errorType",
              error_message as "errorMessage", at
         from engine_incident i where i.process_instance_key = any($1::bigint[])
        order by i.partition_id, i.position`,
      [keys],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
