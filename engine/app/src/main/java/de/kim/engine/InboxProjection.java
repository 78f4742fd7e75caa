package de.kim.engine;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.operaton.bpm.engine.ProcessEngineException;
import org.operaton.bpm.engine.delegate.DelegateTask;
import org.operaton.bpm.engine.delegate.Expression;
import org.operaton.bpm.engine.delegate.TaskListener;
import org.operaton.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.operaton.bpm.engine.impl.persistence.entity.TaskEntity;
import org.operaton.bpm.engine.task.IdentityLink;

/**
 * Keeps the inbox table ("Task" of the app schema) equal to the engine's open user tasks. It runs as a
 * built-in listener of every user task, inside the engine's transaction and on its connection: the
 * row appears when the engine creates the task and is closed when the engine completes or deletes it,
 * or neither happens. Built-in listeners also run when custom listeners are skipped.
 */
public class InboxProjection implements TaskListener {
  private final String table;
  private final String stateType;

  /** @param appSchema schema of the app tables (the engine's own tables live in another one) */
  public InboxProjection(String appSchema) {
    String schema = "\"" + appSchema.replace("\"", "") + "\"";
    this.table = schema + ".\"Task\"";
    this.stateType = schema + ".\"TaskState\"";
  }

  @Override
  public void notify(DelegateTask task) {
    if (task.getProcessInstanceId() == null) return; // standalone tasks are not part of the inbox
    try {
      switch (task.getEventName()) {
        case EVENTNAME_CREATE -> insert(task);
        case EVENTNAME_ASSIGNMENT, EVENTNAME_UPDATE -> update(task);
        case EVENTNAME_COMPLETE -> close(task, "COMPLETED");
        case EVENTNAME_DELETE -> close(task, "CANCELED");
        default -> { }
      }
    } catch (SQLException e) {
      // Fails the engine command: a task the inbox does not know must not exist.
      throw new ProcessEngineException("KIM inbox projection failed (" + e.getSQLState() + ")", e);
    }
  }

  private void insert(DelegateTask task) throws SQLException {
    TaskEntity t = (TaskEntity) task;
    ProcessDefinitionEntity def = t.getProcessDefinition();
    List<String> groups = new ArrayList<>();
    List<String> users = new ArrayList<>();
    for (IdentityLink l : t.getCandidates()) {
      if (l.getGroupId() != null) groups.add(l.getGroupId());
      if (l.getUserId() != null) users.add(l.getUserId());
    }
    String formKey = null;
    if (t.getTaskDefinition() != null) {
      Expression ref = t.getTaskDefinition().getOperatonFormDefinitionKey();
      if (ref != null) formKey = ref.getExpressionText();
      else if (t.getTaskDefinition().getFormKey() != null) formKey = t.getTaskDefinition().getFormKey().getExpressionText();
    }
    Object caseId = task.getVariable("caseId");
    String kommune = task.getTenantId();
    if (kommune == null && task.getVariable("kommuneId") instanceof String k) kommune = k;
    Connection c = SqlInTransaction.connection();
    String sql = "insert into " + table + " (id, \"processInstanceKey\", \"processDefinitionKey\", \"processDefinitionId\", \"processVersion\", "
        + "\"elementId\", name, \"formKey\", \"candidateGroups\", \"candidateUsers\", assignee, \"dueDate\", \"followUpDate\", priority, "
        + "\"caseId\", \"kommuneId\", state, \"createdAt\", \"updatedAt\") values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'CREATED',?,now()) "
        + "on conflict (id) do nothing";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, task.getId());
      ps.setString(2, task.getProcessInstanceId());
      ps.setString(3, task.getProcessDefinitionId());
      ps.setString(4, def != null ? def.getKey() : "");
      ps.setInt(5, def != null ? def.getVersion() : 0);
      ps.setString(6, task.getTaskDefinitionKey());
      ps.setString(7, task.getName() != null ? task.getName() : task.getTaskDefinitionKey());
      ps.setString(8, formKey);
      ps.setArray(9, textArray(c, groups));
      ps.setArray(10, textArray(c, users));
      ps.setString(11, task.getAssignee());
      setDate(ps, 12, task.getDueDate());
      setDate(ps, 13, task.getFollowUpDate());
      ps.setInt(14, task.getPriority());
      ps.setString(15, caseId == null ? null : String.valueOf(caseId));
      ps.setString(16, kommune);
      setDate(ps, 17, t.getCreateTime() != null ? t.getCreateTime() : new Date());
      ps.executeUpdate();
    }
  }

  private void update(DelegateTask task) throws SQLException {
    String sql = "update " + table + " set assignee = ?, \"dueDate\" = ?, \"followUpDate\" = ?, priority = ?, \"updatedAt\" = now() "
        + "where id = ? and state = 'CREATED'";
    try (PreparedStatement ps = SqlInTransaction.connection().prepareStatement(sql)) {
      ps.setString(1, task.getAssignee());
      setDate(ps, 2, task.getDueDate());
      setDate(ps, 3, task.getFollowUpDate());
      ps.setInt(4, task.getPriority());
      ps.setString(5, task.getId());
      ps.executeUpdate();
    }
  }

  private void close(DelegateTask task, String state) throws SQLException {
    String sql = "update " + table + " set state = ?::" + stateType + ", assignee = coalesce(?, assignee), \"completedAt\" = now(), \"updatedAt\" = now() "
        + "where id = ? and state = 'CREATED'";
    try (PreparedStatement ps = SqlInTransaction.connection().prepareStatement(sql)) {
      ps.setString(1, state);
      ps.setString(2, task.getAssignee());
      ps.setString(3, task.getId());
      ps.executeUpdate();
    }
  }

  private static Array textArray(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray(new String[0]));
  }

  private static void setDate(PreparedStatement ps, int i, Date d) throws SQLException {
    if (d == null) ps.setNull(i, Types.TIMESTAMP);
    else ps.setTimestamp(i, new Timestamp(d.getTime()));
  }
}
