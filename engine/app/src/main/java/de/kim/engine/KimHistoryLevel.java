package de.kim.engine;

import java.util.EnumSet;
import java.util.Set;
import org.operaton.bpm.engine.impl.history.HistoryLevel;
import org.operaton.bpm.engine.impl.history.event.HistoryEventType;
import org.operaton.bpm.engine.impl.history.event.HistoryEventTypes;

/**
 * What the engine keeps as history: process, activity, user-task and incident events – enough for the
 * process view, the heatmap and incidents. Variable updates, decision inputs and outputs, form
 * properties, job and external-task logs and identity links are never written: they could keep a
 * person's data in the engine after the case has been deleted.
 */
public final class KimHistoryLevel implements HistoryLevel {
  public static final String NAME = "kim-activity";
  public static final int ID = 101;

  private static final Set<HistoryEventTypes> PRODUCED = EnumSet.of(
      HistoryEventTypes.PROCESS_INSTANCE_START,
      HistoryEventTypes.PROCESS_INSTANCE_UPDATE,
      HistoryEventTypes.PROCESS_INSTANCE_MIGRATE,
      HistoryEventTypes.PROCESS_INSTANCE_END,
      HistoryEventTypes.ACTIVITY_INSTANCE_START,
      HistoryEventTypes.ACTIVITY_INSTANCE_UPDATE,
      HistoryEventTypes.ACTIVITY_INSTANCE_MIGRATE,
      HistoryEventTypes.ACTIVITY_INSTANCE_END,
      HistoryEventTypes.TASK_INSTANCE_CREATE,
      HistoryEventTypes.TASK_INSTANCE_UPDATE,
      HistoryEventTypes.TASK_INSTANCE_MIGRATE,
      HistoryEventTypes.TASK_INSTANCE_COMPLETE,
      HistoryEventTypes.TASK_INSTANCE_DELETE,
      HistoryEventTypes.INCIDENT_CREATE,
      HistoryEventTypes.INCIDENT_MIGRATE,
      HistoryEventTypes.INCIDENT_DELETE,
      HistoryEventTypes.INCIDENT_RESOLVE,
      HistoryEventTypes.INCIDENT_UPDATE);

  @Override
  public int getId() {
    return ID;
  }

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public boolean isHistoryEventProduced(HistoryEventType eventType, Object entity) {
    return eventType instanceof HistoryEventTypes t && PRODUCED.contains(t);
  }
}
