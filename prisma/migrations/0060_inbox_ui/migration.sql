-- Issue 6: task inbox and case workspace in the web app.
-- Deployed form schemas (looked up by the Task's formKey), drafts per task and user, and per-user
-- preferences (inbox filters).

CREATE TABLE "FormSchema" (
    "formKey" TEXT NOT NULL,
    "formId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "resourceName" TEXT NOT NULL,
    "schema" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FormSchema_pkey" PRIMARY KEY ("formKey")
);
CREATE INDEX "FormSchema_formId_version_idx" ON "FormSchema"("formId", "version");

CREATE TABLE "TaskDraft" (
    "taskId" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "data" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "TaskDraft_pkey" PRIMARY KEY ("taskId", "userId")
);
CREATE INDEX "TaskDraft_userId_idx" ON "TaskDraft"("userId");

CREATE TABLE "UserPreference" (
    "userId" UUID NOT NULL,
    "data" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "UserPreference_pkey" PRIMARY KEY ("userId")
);
