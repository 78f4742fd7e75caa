package de.kim.exporter;

import io.camunda.zeebe.exporter.api.Exporter;
import io.camunda.zeebe.exporter.api.context.Context;
import io.camunda.zeebe.exporter.api.context.Controller;
import io.camunda.zeebe.exporter.api.context.ScheduledTask;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.intent.IncidentIntent;
import io.camunda.zeebe.protocol.record.intent.Intent;
import io.camunda.zeebe.protocol.record.intent.ProcessInstanceIntent;
import io.camunda.zeebe.protocol.record.value.IncidentRecordValue;
import io.camunda.zeebe.protocol.record.value.ProcessInstanceRecordValue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Writes the lifecycle of BPMN elements (activated, completed, terminated, migrated, sequence flow
 * taken) and incidents (created, resolved) into PostgreSQL, so the web app can show which steps of a
 * process instance are active and which path it has taken. Variables are never read or written:
 * they may hold personal data, and deletion of personal data must not depend on the engine.
 *
 * <p>Records are buffered and written in one transaction when the batch is full or when the
 * scheduled flush runs; only then is the exported position advanced. A failed write throws (from
 * export) or is retried on the next tick (scheduled flush), so nothing is lost; re-exported records
 * are ignored by the primary key (partition, position).
 *
 * <p>Arguments (zeebe.broker.exporters.kim.args): url (JDBC URL, required), user, password,
 * batchSize (default 100), flushIntervalMs (default 250).
 */
public final class ElementExporter implements Exporter {

  static final Set<ProcessInstanceIntent> ELEMENT_INTENTS =
      EnumSet.of(
          ProcessInstanceIntent.ELEMENT_ACTIVATED,
          ProcessInstanceIntent.ELEMENT_COMPLETED,
          ProcessInstanceIntent.ELEMENT_TERMINATED,
          ProcessInstanceIntent.ELEMENT_MIGRATED,
          ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN);

  static final Set<IncidentIntent> INCIDENT_INTENTS =
      EnumSet.of(IncidentIntent.CREATED, IncidentIntent.RESOLVED, IncidentIntent.MIGRATED);

  /** Incident messages are cut to this length (they are for people, not for storage). */
  static final int MAX_MESSAGE = 1000;

  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

  static final String[] SCHEMA = {
    "create table if not exists engine_element_event ("
        + " partition_id int not null,"
        + " position bigint not null,"
        + " element_instance_key bigint not null,"
        + " process_instance_key bigint not null,"
        + " process_definition_key bigint not null,"
        + " bpmn_process_id text not null,"
        + " version int not null,"
        + " element_id text not null,"
        + " element_type text not null,"
        + " intent text not null,"
        + " flow_scope_key bigint not null,"
        + " parent_process_instance_key bigint not null,"
        + " parent_element_instance_key bigint not null,"
        + " at timestamptz not null,"
        + " primary key (partition_id, position))",
    "create index if not exists engine_element_event_instance on engine_element_event (process_instance_key, position)",
    "create index if not exists engine_element_event_parent on engine_element_event (parent_process_instance_key) where parent_process_instance_key > 0",
    // The modeler's watch queries: running instances and where they wait, per process definition.
    "create index if not exists engine_element_event_definition on engine_element_event"
        + " (process_definition_key, element_type, element_id) where intent in ('ELEMENT_ACTIVATED', 'ELEMENT_MIGRATED')",
    "create table if not exists engine_incident ("
        + " partition_id int not null,"
        + " position bigint not null,"
        + " incident_key bigint not null,"
        + " intent text not null,"
        + " process_instance_key bigint not null,"
        + " process_definition_key bigint not null,"
        + " bpmn_process_id text not null,"
        + " element_id text not null,"
        + " element_instance_key bigint not null,"
        + " job_key bigint not null,"
        + " error_type text not null,"
        + " error_message text not null,"
        + " at timestamptz not null,"
        + " primary key (partition_id, position))",
    "create index if not exists engine_incident_instance on engine_incident (process_instance_key, position)",
    "create index if not exists engine_incident_definition on engine_incident (process_definition_key, incident_key)",
    "create index if not exists engine_incident_key on engine_incident (incident_key, position)",
  };

  static final String INSERT_ELEMENT =
      "insert into engine_element_event (partition_id, position, element_instance_key, process_instance_key,"
          + " process_definition_key, bpmn_process_id, version, element_id, element_type, intent, flow_scope_key,"
          + " parent_process_instance_key, parent_element_instance_key, at)"
          + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing";

  static final String INSERT_INCIDENT =
      "insert into engine_incident (partition_id, position, incident_key, intent, process_instance_key,"
          + " process_definition_key, bpmn_process_id, element_id, element_instance_key, job_key, error_type,"
          + " error_message, at)"
          + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing";

  /** One element event, copied out of the record (records are only valid during export). */
  record ElementRow(
      int partitionId,
      long position,
      long elementInstanceKey,
      long processInstanceKey,
      long processDefinitionKey,
      String bpmnProcessId,
      int version,
      String elementId,
      String elementType,
      String intent,
      long flowScopeKey,
      long parentProcessInstanceKey,
      long parentElementInstanceKey,
      long timestamp) {}

  /** One incident event, copied out of the record. */
  record IncidentRow(
      int partitionId,
      long position,
      long incidentKey,
      String intent,
      long processInstanceKey,
      long processDefinitionKey,
      String bpmnProcessId,
      String elementId,
      long elementInstanceKey,
      long jobKey,
      String errorType,
      String errorMessage,
      long timestamp) {}

  /** Parsed exporter arguments. */
  record Settings(String url, String user, String password, int batchSize, Duration flushInterval) {
    static Settings of(Map<String, Object> raw) {
      Map<String, String> args = new HashMap<>();
      if (raw != null) {
        // Spring may hand keys over in another case (environment variables are upper case).
        raw.forEach((k, v) -> args.put(k.toLowerCase(Locale.ROOT).replace("-", ""), v == null ? null : String.valueOf(v)));
      }
      String url = args.get("url");
      if (url == null || !url.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "KIM-Exporter: Argument 'url' fehlt oder ist keine PostgreSQL-JDBC-Adresse (jdbc:postgresql://…).");
      }
      return new Settings(
          url,
          args.get("user"),
          args.get("password"),
          positive(args.get("batchsize"), 100, "batchSize"),
          Duration.ofMillis(positive(args.get("flushintervalms"), 250, "flushIntervalMs")));
    }

    private static int positive(String value, int fallback, String name) {
      if (value == null || value.isBlank()) return fallback;
      try {
        int n = Integer.parseInt(value.trim());
        if (n > 0) return n;
      } catch (NumberFormatException ignored) {
        // reported below
      }
      throw new IllegalArgumentException("KIM-Exporter: Argument '" + name + "' muss eine positive Zahl sein, nicht '" + value + "'.");
    }
  }

  private Settings settings;
  private Logger log;
  private Controller controller;
  private ScheduledTask flushTask;
  private Connection connection;
  private boolean schemaReady;
  /** Set while PostgreSQL fails: the scheduled flush backs off instead of logging every interval. */
  private Duration retryDelay;

  private final List<ElementRow> elements = new ArrayList<>();
  private final List<IncidentRow> incidents = new ArrayList<>();
  /** Highest position handed to export(); the exported position is advanced to it after a flush. */
  private long lastSeenPosition = -1;
  /** Highest position added to the batch: a retried export of the same record must not add it twice. */
  private long lastBufferedPosition = -1;

  @Override
  public void configure(Context context) {
    log = context.getLogger();
    settings = Settings.of(context.getConfiguration().getArguments());
    context.setFilter(
        new Context.RecordFilter() {
          @Override
          public boolean acceptType(RecordType recordType) {
            return recordType == RecordType.EVENT;
          }

          @Override
          public boolean acceptValue(ValueType valueType) {
            return valueType == ValueType.PROCESS_INSTANCE || valueType == ValueType.INCIDENT;
          }
        });
  }

  @Override
  public void open(Controller controller) {
    this.controller = controller;
    lastSeenPosition = controller.getLastExportedRecordPosition();
    lastBufferedPosition = lastSeenPosition;
    try {
      connection(); // creates the tables, so readers find them before the first instance runs
    } catch (SQLException e) {
      // The database may still be starting: the next flush tries again.
      log.warn("KIM-Exporter: PostgreSQL noch nicht erreichbar, neuer Versuch beim nächsten Schreiben: {}", e.getMessage());
      closeConnection();
    }
    scheduleFlush();
    log.info("KIM-Exporter geöffnet (Batch {}, Intervall {} ms)", settings.batchSize(), settings.flushInterval().toMillis());
  }

  @Override
  public void close() {
    if (flushTask != null) flushTask.cancel();
    try {
      flush();
    } catch (SQLException e) {
      log.warn("KIM-Exporter: letzter Batch beim Schließen nicht geschrieben; er wird nach dem Neustart erneut exportiert: {}", e.getMessage());
    }
    closeConnection();
  }

  @Override
  public void export(Record<?> record) {
    long position = record.getPosition();
    if (position > lastBufferedPosition) {
      buffer(record);
      lastBufferedPosition = position;
    }
    lastSeenPosition = Math.max(lastSeenPosition, position);
    if (pending() >= settings.batchSize()) {
      try {
        flush();
      } catch (SQLException e) {
        // The broker retries this record; the batch stays and is written on the retry.
        throw new IllegalStateException("KIM-Exporter: Schreiben in PostgreSQL fehlgeschlagen: " + e.getMessage(), e);
      }
    } else if (pending() == 0) {
      // Nothing of ours is waiting: the position can move on right away.
      controller.updateLastExportedRecordPosition(position);
    }
  }

  int pending() {
    return elements.size() + incidents.size();
  }

  private void buffer(Record<?> record) {
    if (record.getRecordType() != RecordType.EVENT) return;
    Intent intent = record.getIntent();
    if (record.getValueType() == ValueType.PROCESS_INSTANCE && intent instanceof ProcessInstanceIntent pi && ELEMENT_INTENTS.contains(pi)) {
      ProcessInstanceRecordValue v = (ProcessInstanceRecordValue) record.getValue();
      elements.add(
          new ElementRow(
              record.getPartitionId(),
              record.getPosition(),
              record.getKey(),
              v.getProcessInstanceKey(),
              v.getProcessDefinitionKey(),
              v.getBpmnProcessId(),
              v.getVersion(),
              v.getElementId(),
              String.valueOf(v.getBpmnElementType()),
              pi.name(),
              v.getFlowScopeKey(),
              v.getParentProcessInstanceKey(),
              v.getParentElementInstanceKey(),
              record.getTimestamp()));
    } else if (record.getValueType() == ValueType.INCIDENT && intent instanceof IncidentIntent ii && INCIDENT_INTENTS.contains(ii)) {
      IncidentRecordValue v = (IncidentRecordValue) record.getValue();
      String message = v.getErrorMessage() == null ? "" : v.getErrorMessage();
      incidents.add(
          new IncidentRow(
              record.getPartitionId(),
              record.getPosition(),
              record.getKey(),
              ii.name(),
              v.getProcessInstanceKey(),
              v.getProcessDefinitionKey(),
              v.getBpmnProcessId(),
              v.getElementId(),
              v.getElementInstanceKey(),
              v.getJobKey(),
              String.valueOf(v.getErrorType()),
              message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message,
              record.getTimestamp()));
    }
  }

  private void scheduleFlush() {
    flushTask =
        controller.scheduleCancellableTask(
            retryDelay != null ? retryDelay : settings.flushInterval(),
            () -> {
              try {
                flush();
                if (retryDelay != null) log.info("KIM-Exporter: PostgreSQL wieder erreichbar, Rückstand geschrieben.");
                retryDelay = null;
              } catch (SQLException e) {
                // Back off up to MAX_RETRY_DELAY; the batch stays and is written on a later tick.
                retryDelay = retryDelay == null ? settings.flushInterval() : retryDelay.multipliedBy(2);
                if (retryDelay.compareTo(MAX_RETRY_DELAY) > 0) retryDelay = MAX_RETRY_DELAY;
                log.warn("KIM-Exporter: Schreiben in PostgreSQL fehlgeschlagen, neuer Versuch in {} ms: {}", retryDelay.toMillis(), e.getMessage());
              } finally {
                scheduleFlush();
              }
            });
  }

  /** Writes the batch in one transaction, then advances the exported position. */
  void flush() throws SQLException {
    if (pending() == 0) {
      if (controller != null && lastSeenPosition > controller.getLastExportedRecordPosition()) {
        controller.updateLastExportedRecordPosition(lastSeenPosition);
      }
      return;
    }
    try {
      Connection c = connection();
      try (PreparedStatement el = c.prepareStatement(INSERT_ELEMENT);
          PreparedStatement inc = c.prepareStatement(INSERT_INCIDENT)) {
        for (ElementRow r : elements) {
          int i = 1;
          el.setInt(i++, r.partitionId());
          el.setLong(i++, r.position());
          el.setLong(i++, r.elementInstanceKey());
          el.setLong(i++, r.processInstanceKey());
          el.setLong(i++, r.processDefinitionKey());
          el.setString(i++, r.bpmnProcessId());
          el.setInt(i++, r.version());
          el.setString(i++, r.elementId());
          el.setString(i++, r.elementType());
          el.setString(i++, r.intent());
          el.setLong(i++, r.flowScopeKey());
          el.setLong(i++, r.parentProcessInstanceKey());
          el.setLong(i++, r.parentElementInstanceKey());
          el.setTimestamp(i, new Timestamp(r.timestamp()));
          el.addBatch();
        }
        for (IncidentRow r : incidents) {
          int i = 1;
          inc.setInt(i++, r.partitionId());
          inc.setLong(i++, r.position());
          inc.setLong(i++, r.incidentKey());
          inc.setString(i++, r.intent());
          inc.setLong(i++, r.processInstanceKey());
          inc.setLong(i++, r.processDefinitionKey());
          inc.setString(i++, r.bpmnProcessId());
          inc.setString(i++, r.elementId());
          inc.setLong(i++, r.elementInstanceKey());
          inc.setLong(i++, r.jobKey());
          inc.setString(i++, r.errorType());
          inc.setString(i++, r.errorMessage());
          inc.setTimestamp(i, new Timestamp(r.timestamp()));
          inc.addBatch();
        }
        if (!elements.isEmpty()) el.executeBatch();
        if (!incidents.isEmpty()) inc.executeBatch();
        c.commit();
      }
    } catch (SQLException e) {
      closeConnection();
      throw e;
    }
    elements.clear();
    incidents.clear();
    controller.updateLastExportedRecordPosition(lastSeenPosition);
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties props = new Properties();
      if (settings.user() != null) props.setProperty("user", settings.user());
      if (settings.password() != null) props.setProperty("password", settings.password());
      props.setProperty("ApplicationName", "kim-element-exporter");
      props.setProperty("reWriteBatchedInserts", "true");
      props.setProperty("connectTimeout", "5");
      // The driver is used directly: DriverManager does not see classes of the exporter's class loader.
      Connection c = new org.postgresql.Driver().connect(settings.url(), props);
      if (c == null) throw new SQLException("KIM-Exporter: keine PostgreSQL-Adresse: " + settings.url());
      c.setAutoCommit(false);
      connection = c;
    }
    if (!schemaReady) {
      try (Statement s = connection.createStatement()) {
        for (String ddl : SCHEMA) s.execute(ddl);
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      }
      schemaReady = true;
    }
    return connection;
  }

  private void closeConnection() {
    if (connection == null) return;
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the connection is being thrown away
    }
    connection = null;
  }
}
