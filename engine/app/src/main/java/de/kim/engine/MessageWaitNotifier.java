package de.kim.engine;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.operaton.bpm.engine.ProcessEngineException;
import org.operaton.bpm.engine.delegate.DelegateExecution;
import org.operaton.bpm.engine.delegate.ExecutionListener;

/**
 * The engine correlates a message only to an instance that already waits for it. When an instance
 * starts waiting, this tells the server (PostgreSQL NOTIFY, delivered when the engine's transaction
 * commits, i.e. when the subscription exists) so that it can deliver messages it kept for it.
 * The payload carries ids only.
 */
public class MessageWaitNotifier implements ExecutionListener {
  public static final String CHANNEL = "kim_message_wait";

  @Override
  public void notify(DelegateExecution execution) {
    String payload = "{\"p\":\"" + execution.getProcessInstanceId() + "\",\"t\":"
        + (execution.getTenantId() == null ? "null" : "\"" + execution.getTenantId().replace("\"", "") + "\"") + "}";
    try (PreparedStatement ps = SqlInTransaction.connection().prepareStatement("select pg_notify(?, ?)")) {
      ps.setString(1, CHANNEL);
      ps.setString(2, payload);
      ps.execute();
    } catch (SQLException e) {
      throw new ProcessEngineException("KIM message-wait notification failed (" + e.getSQLState() + ")", e);
    }
  }
}
