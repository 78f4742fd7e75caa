-- Issue 7: process modeler for coordinators. The source of every deployed process version (so the
-- modeler can open, diff and heat-map it), drafts per commune with optimistic locking, the release
-- history (who approved, when, why) and incidents recorded by the worker runtime (8.6 offers no
-- incident query without secondary storage).

CREATE TABLE "ProcessSource" (
    "processDefinitionKey" TEXT NOT NULL,
    "processId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "resourceName" TEXT NOT NULL,
    "xml" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProcessSource_pkey" PRIMARY KEY ("processDefinitionKey")
);
CREATE INDEX "ProcessSource_processId_version_idx" ON "ProcessSource"("processId", "version");

CREATE TABLE "ProcessDraft" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "processId" TEXT NOT NULL,
    "xml" TEXT NOT NULL,
    "forms" JSONB NOT NULL DEFAULT '{}',
    "baseVersion" INTEGER,
    "revision" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "createdBy" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "submittedBy" TEXT,
    "submittedAt" TIMESTAMP(3),
    "submitComment" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ProcessDraft_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ProcessDraft_kommuneId_processId_key" ON "ProcessDraft"("kommuneId", "processId");

CREATE TABLE "ProcessRelease" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "processId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "processDefinitionKey" TEXT NOT NULL,
    "authoredBy" TEXT NOT NULL,
    "submitComment" TEXT,
    "approvedBy" TEXT NOT NULL,
    "comment" TEXT NOT NULL,
    "deployedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProcessRelease_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ProcessRelease_processId_version_idx" ON "ProcessRelease"("processId", "version");

CREATE TABLE "Incident" (
    "id" UUID NOT NULL,
    "jobKey" TEXT NOT NULL,
    "jobType" TEXT NOT NULL,
    "processInstanceKey" TEXT NOT NULL,
    "processDefinitionKey" TEXT NOT NULL,
    "processId" TEXT NOT NULL,
    "processVersion" INTEGER NOT NULL,
    "elementId" TEXT NOT NULL,
    "elementInstanceKey" TEXT,
    "message" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'open',
    "retriedBy" TEXT,
    "retriedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Incident_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Incident_jobKey_key" ON "Incident"("jobKey");
CREATE INDEX "Incident_processId_state_idx" ON "Incident"("processId", "state");
