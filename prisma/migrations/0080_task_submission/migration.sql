-- Issues 4 and 5 (DSGVO house rule): what a user types into a task form that the process does not
-- decide on (free text, places, dates, document lists) is kept here instead of in process
-- variables. The consuming worker reads it by the instance and the form's element. One row per
-- task; deleted with its case.

CREATE TABLE "TaskSubmission" (
    "taskId" TEXT NOT NULL,
    "processInstanceKey" TEXT NOT NULL,
    "elementId" TEXT NOT NULL,
    "caseId" UUID,
    "data" JSONB NOT NULL,
    "submittedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TaskSubmission_pkey" PRIMARY KEY ("taskId")
);
CREATE INDEX "TaskSubmission_processInstanceKey_elementId_createdAt_idx" ON "TaskSubmission"("processInstanceKey", "elementId", "createdAt");
CREATE INDEX "TaskSubmission_caseId_idx" ON "TaskSubmission"("caseId");
ALTER TABLE "TaskSubmission" ADD CONSTRAINT "TaskSubmission_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;
