package de.kim.engine;

import org.operaton.bpm.engine.delegate.ExecutionListener;
import org.operaton.bpm.engine.delegate.TaskListener;
import org.operaton.bpm.engine.impl.bpmn.behavior.UserTaskActivityBehavior;
import org.operaton.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.operaton.bpm.engine.impl.pvm.process.ActivityImpl;
import org.operaton.bpm.engine.impl.pvm.process.ScopeImpl;
import org.operaton.bpm.engine.impl.task.TaskDefinition;
import org.operaton.bpm.engine.impl.util.xml.Element;

/** Adds the KIM listeners to every deployed model, whoever modelled it. */
public class KimParseListener implements BpmnParseListener {
  private final InboxProjection inbox;
  private final MessageWaitNotifier waits = new MessageWaitNotifier();

  public KimParseListener(InboxProjection inbox) {
    this.inbox = inbox;
  }

  @Override
  public void parseUserTask(Element element, ScopeImpl scope, ActivityImpl activity) {
    if (activity.getActivityBehavior() instanceof UserTaskActivityBehavior b) {
      TaskDefinition def = b.getTaskDefinition();
      for (String event : new String[] {TaskListener.EVENTNAME_CREATE, TaskListener.EVENTNAME_ASSIGNMENT, TaskListener.EVENTNAME_UPDATE,
          TaskListener.EVENTNAME_COMPLETE, TaskListener.EVENTNAME_DELETE}) {
        def.addBuiltInTaskListener(event, inbox);
      }
    }
  }

  @Override
  public void parseIntermediateMessageCatchEventDefinition(Element messageEventDefinition, ActivityImpl activity) {
    activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, waits);
  }

  @Override
  public void parseReceiveTask(Element element, ScopeImpl scope, ActivityImpl activity) {
    activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, waits);
  }

  @Override
  public void parseEventBasedGateway(Element element, ScopeImpl scope, ActivityImpl activity) {
    activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, waits);
  }

  @Override
  public void parseBoundaryMessageEventDefinition(Element element, boolean interrupting, ActivityImpl messageActivity) {
    if (messageActivity.getEventScope() instanceof ActivityImpl host) host.addBuiltInListener(ExecutionListener.EVENTNAME_START, waits);
  }
}
