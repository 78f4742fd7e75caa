package de.kim.engine;

import java.sql.Connection;
import org.operaton.bpm.engine.impl.context.Context;

/** The JDBC connection of the engine command that is running: writes through it commit or roll back with the engine's own changes. */
final class SqlInTransaction {
  private SqlInTransaction() {}

  static Connection connection() {
    return Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
  }
}
