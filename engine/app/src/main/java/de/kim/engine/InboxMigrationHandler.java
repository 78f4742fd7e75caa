package de.kim.engine;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.operaton.bpm.engine.ProcessEngineException;
import org.operaton.bpm.engine.impl.context.Context;
import org.operaton.bpm.engine.impl.history.event.HistoricTaskInstanceEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoryEvent;
import org.operaton.bpm.engine.impl.history.event.HistoryEventTypes;
import org.operaton.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.operaton.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;

/**
 * Migrating an instance moves its open user tasks to another process definition without firing task
 * listeners. The engine does report it as a history event, in its own transaction: the inbox row
 * follows the task to the new definition, version and element there.
 */
public class InboxMigrationHandler implements HistoryEventHandler {
  private final String table;

  public InboxMigrationHandler(String appSchema) {
    this.table = "\"" + appSchema.replace("\"", "") + "\".\"Task\"";
  }

  @Override
  public void handleEvent(HistoryEvent event) {
    if (!(event instanceof HistoricTaskInstanceEventEntity t) || !t.isEventOfType(HistoryEventTypes.TASK_INSTANCE_MIGRATE)) return;
    ProcessDefinitionEntity def = Context.getProcessEngineConfiguration().getDeploymentCache().findDeployedProcessDefinitionById(t.getProcessDefinitionId());
    String sql = "update " + table + " set \"processDefinitionKey\" = ?, \"processDefinitionId\" = ?, \"processVersion\" = ?, \"elementId\" = ?, "
        + "\"updatedAt\" = now() where id = ? and state = 'CREATED'";
    try (PreparedStatement ps = SqlInTransaction.connection().prepareStatement(sql)) {
      ps.setString(1, t.getProcessDefinitionId());
      ps.setString(2, def.getKey());
      ps.setInt(3, def.getVersion());
      ps.setString(4, t.getTaskDefinitionKey());
      ps.setString(5, t.getTaskId());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new ProcessEngineException("KIM inbox projection failed on migration (" + e.getSQLState() + ")", e);
    }
  }

  @Override
  public void handleEvents(List<HistoryEvent> events) {
    for (HistoryEvent e : events) handleEvent(e);
  }
}
