-- Issue 6: the inbox list filtered by life area, with the client column, a capped count and live
-- updates.
--
-- 1. Covering indexes. The life-area filter asks whether the task's case has a need or a goal in
--    that life area: (caseId, lifeArea) answers it from the index alone. Open tasks of a commune
--    in creation order (the inbox's default) get a partial index over open rows only, carrying the
--    columns the visibility and the usual filters read, so counting a filtered list is an
--    index-only scan.
CREATE INDEX "Need_caseId_lifeArea_idx" ON "Need"("caseId", "lifeArea");
CREATE INDEX "Goal_caseId_lifeArea_idx" ON "Goal"("caseId", "lifeArea");
CREATE INDEX "Task_open_kommuneId_createdAt_id_idx" ON "Task"("kommuneId", "createdAt", "id")
  INCLUDE ("assignee", "candidateGroups", "candidateUsers", "processDefinitionId", "dueDate", "caseId")
  WHERE "state" = 'CREATED';

-- 2. Live updates. Every change of the Task projection that an inbox list shows (new task, claim,
--    completion, cancellation, reassignment, routing) is announced on the channel
--    "kim_task_changed" with its audience only: commune, candidate groups and the user names the
--    task is routed to (old and new assignee). The server LISTENs, decides per open event stream
--    whether the user may see such a task, and tells the browser "something changed" – no task
--    data, no personal data. The reconciler's timestamp-only updates stay silent. Identical
--    payloads within one transaction are delivered once (PostgreSQL folds them).
CREATE FUNCTION kim_task_notify() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'DELETE' AND NEW."kommuneId" IS NOT NULL THEN
    PERFORM pg_notify('kim_task_changed', json_build_object(
      'k', NEW."kommuneId",
      'g', NEW."candidateGroups",
      'u', array_remove(NEW."candidateUsers" || ARRAY[NEW."assignee", CASE WHEN TG_OP = 'UPDATE' THEN OLD."assignee" END], NULL)
    )::text);
  END IF;
  IF TG_OP <> 'INSERT' AND OLD."kommuneId" IS NOT NULL AND (TG_OP = 'DELETE'
      OR OLD."kommuneId" IS DISTINCT FROM NEW."kommuneId"
      OR OLD."candidateGroups" IS DISTINCT FROM NEW."candidateGroups"
      OR OLD."candidateUsers" IS DISTINCT FROM NEW."candidateUsers") THEN
    PERFORM pg_notify('kim_task_changed', json_build_object(
      'k', OLD."kommuneId",
      'g', OLD."candidateGroups",
      'u', array_remove(OLD."candidateUsers" || ARRAY[OLD."assignee"], NULL)
    )::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Task_notify_insert" AFTER INSERT ON "Task"
  FOR EACH ROW EXECUTE FUNCTION kim_task_notify();
CREATE TRIGGER "Task_notify_update" AFTER UPDATE ON "Task"
  FOR EACH ROW WHEN (
    OLD."state" IS DISTINCT FROM NEW."state"
    OR OLD."assignee" IS DISTINCT FROM NEW."assignee"
    OR OLD."candidateGroups" IS DISTINCT FROM NEW."candidateGroups"
    OR OLD."candidateUsers" IS DISTINCT FROM NEW."candidateUsers"
    OR OLD."kommuneId" IS DISTINCT FROM NEW."kommuneId"
    OR OLD."caseId" IS DISTINCT FROM NEW."caseId"
    OR OLD."name" IS DISTINCT FROM NEW."name"
    OR OLD."dueDate" IS DISTINCT FROM NEW."dueDate"
    OR OLD."followUpDate" IS DISTINCT FROM NEW."followUpDate"
    OR OLD."priority" IS DISTINCT FROM NEW."priority")
  EXECUTE FUNCTION kim_task_notify();
CREATE TRIGGER "Task_notify_delete" AFTER DELETE ON "Task"
  FOR EACH ROW EXECUTE FUNCTION kim_task_notify();
