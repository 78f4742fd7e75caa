package de.kim.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ibatis.datasource.pooled.PooledDataSource;
import org.operaton.bpm.engine.ProcessEngine;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.operaton.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.operaton.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.operaton.bpm.engine.impl.persistence.StrongUuidGenerator;

/**
 * Test support, registered only with kim.test-engines.enabled=true: one engine per test database, so
 * that every test file has its own app database with its own engine (the inbox projection must live
 * in the same database as the engine). Each is served by the REST API under /engine-rest/engine/{name}.
 * POST /kim-admin/engines {name, jdbcUrl, username, password, maxWaitMs, exclusive} creates one
 * (idempotent; exclusive closes every other test engine),
 * DELETE /kim-admin/engines/{name} closes it and its connections.
 */
public class TestEngines extends HttpServlet {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final transient Map<String, ProcessEngine> engines = new ConcurrentHashMap<>();
  private final transient KimExpressions expressions;
  private final String appSchema;

  public TestEngines(KimExpressions expressions, String appSchema) {
    this.expressions = expressions;
    this.appSchema = appSchema;
  }

  @Override
  protected synchronized void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
    JsonNode r = JSON.readTree(req.getInputStream());
    String name = r.path("name").asText("");
    String url = r.path("jdbcUrl").asText("");
    if (!name.matches("[a-z0-9_]{1,60}") || !url.startsWith("jdbc:postgresql:")) {
      res.sendError(400, "name [a-z0-9_] and a jdbc:postgresql: URL are required");
      return;
    }
    // Test files run one after another: the engines of earlier files are closed, so their job
    // executors stop polling databases nobody uses any more.
    if (r.path("exclusive").asBoolean(false)) {
      for (String other : engines.keySet()) if (!other.equals(name)) closeEngine(other);
    }
    if (!engines.containsKey(name)) engines.put(name, build(name, url, r.path("username").asText("postgres"), r.path("password").asText(""), r.path("maxWaitMs").asLong(500)));
    res.setStatus(201);
    res.setContentType("application/json");
    res.getWriter().write("{\"name\":\"" + name + "\"}");
  }

  @Override
  protected synchronized void doDelete(HttpServletRequest req, HttpServletResponse res) {
    String path = req.getPathInfo() == null ? "" : req.getPathInfo();
    String name = path.startsWith("/engines/") ? path.substring("/engines/".length()) : "";
    res.setStatus(closeEngine(name) ? 204 : 404);
  }

  private boolean closeEngine(String name) {
    ProcessEngine engine = engines.remove(name);
    if (engine == null) return false;
    ProcessEngineConfigurationImpl cfg = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
    engine.close();
    // The test drops the database next: no pooled connection may stay open.
    if (cfg.getDataSource() instanceof PooledDataSource pool) pool.forceCloseAll();
    return true;
  }

  private ProcessEngine build(String name, String url, String user, String password, long maxWaitMs) {
    StandaloneProcessEngineConfiguration cfg = new StandaloneProcessEngineConfiguration();
    cfg.setProcessEngineName(name);
    cfg.setJdbcUrl(url);
    cfg.setJdbcDriver("org.postgresql.Driver");
    cfg.setJdbcUsername(user);
    cfg.setJdbcPassword(password);
    cfg.setJdbcMaxActiveConnections(6);
    cfg.setDatabaseSchemaUpdate("true");
    cfg.setDatabaseSchema("engine");
    cfg.setDatabaseTablePrefix("engine.");
    cfg.setAuthorizationEnabled(false);
    cfg.setMetricsEnabled(false);
    cfg.setDbMetricsReporterActivate(false);
    cfg.setJobExecutorActivate(true);
    cfg.setJobExecutorDeploymentAware(false);
    cfg.setBeans(Map.of("kim", expressions));
    // Same ids as the Spring Boot engine: unique across nodes, no id blocks in the database.
    cfg.setIdGenerator(new StrongUuidGenerator());
    DefaultJobExecutor jobs = new DefaultJobExecutor();
    jobs.setMaxWait(maxWaitMs);
    jobs.setWaitTimeInMillis(100);
    jobs.setCorePoolSize(2);
    jobs.setMaxPoolSize(4);
    cfg.setJobExecutor(jobs);
    cfg.getProcessEnginePlugins().add(new KimEnginePlugin(appSchema));
    return cfg.buildProcessEngine();
  }
}
