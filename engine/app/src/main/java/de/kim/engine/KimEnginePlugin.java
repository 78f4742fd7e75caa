package de.kim.engine;

import java.util.ArrayList;
import org.operaton.bpm.engine.ProcessEngine;
import org.operaton.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.operaton.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.operaton.bpm.engine.impl.history.HistoryLevel;
import org.operaton.bpm.engine.impl.history.handler.HistoryEventHandler;

/**
 * The KIM additions to an Operaton engine: the inbox projection and message-wait listeners on every
 * model and the history level that keeps no variables. Used by the Spring Boot engine and by every
 * engine created for tests (the ${kim.…} helpers are a Spring bean there, a configured bean here).
 */
public class KimEnginePlugin implements ProcessEnginePlugin {
  private final String appSchema;

  public KimEnginePlugin(String appSchema) {
    this.appSchema = appSchema;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl cfg) {
    if (cfg.getCustomPreBPMNParseListeners() == null) cfg.setCustomPreBPMNParseListeners(new ArrayList<BpmnParseListener>());
    cfg.getCustomPreBPMNParseListeners().add(new KimParseListener(new InboxProjection(appSchema)));
    if (cfg.getCustomHistoryLevels() == null) cfg.setCustomHistoryLevels(new ArrayList<HistoryLevel>());
    if (cfg.getCustomHistoryLevels().stream().noneMatch(l -> l.getId() == KimHistoryLevel.ID)) cfg.getCustomHistoryLevels().add(new KimHistoryLevel());
    cfg.setHistory(KimHistoryLevel.NAME);
    if (cfg.getCustomHistoryEventHandlers() == null) cfg.setCustomHistoryEventHandlers(new ArrayList<>());
    cfg.getCustomHistoryEventHandlers().add(new InboxMigrationHandler(appSchema));
    cfg.setEnforceHistoryTimeToLive(true);
  }

  @Override
  public void postInit(ProcessEngineConfigurationImpl cfg) {}

  @Override
  public void postProcessEngineBuild(ProcessEngine engine) {}
}
