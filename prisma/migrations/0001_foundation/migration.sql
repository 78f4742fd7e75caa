-- Foundation: tenants, users, sessions, inbox projection, deployments, audit log.
CREATE TYPE "Role" AS ENUM ('case_manager', 'coordinator', 'abh', 'ebh', 'land', 'admin');
CREATE TYPE "TaskState" AS ENUM ('CREATED', 'COMPLETED', 'CANCELED');

CREATE TABLE "Kommune" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "Kommune_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Site" (
    "id" TEXT NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "Site_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Site_kommuneId_fkey" FOREIGN KEY ("kommuneId") REFERENCES "Kommune"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "Site_kommuneId_idx" ON "Site"("kommuneId");

CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "kommuneId" TEXT,
    "siteId" TEXT,
    "groups" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "User_kommuneId_fkey" FOREIGN KEY ("kommuneId") REFERENCES "Kommune"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "User_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Session_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

CREATE TABLE "Task" (
    "id" TEXT NOT NULL,
    "processInstanceKey" TEXT NOT NULL,
    "processDefinitionKey" TEXT NOT NULL,
    "processDefinitionId" TEXT NOT NULL,
    "processVersion" INTEGER NOT NULL,
    "elementId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "formKey" TEXT,
    "candidateGroups" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "candidateUsers" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "assignee" TEXT,
    "dueDate" TIMESTAMP(3),
    "followUpDate" TIMESTAMP(3),
    "priority" INTEGER NOT NULL DEFAULT 50,
    "caseId" TEXT,
    "kommuneId" TEXT,
    "state" "TaskState" NOT NULL DEFAULT 'CREATED',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),
    "completedBy" TEXT,
    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Task_state_kommuneId_createdAt_id_idx" ON "Task"("state", "kommuneId", "createdAt", "id");
CREATE INDEX "Task_state_assignee_createdAt_id_idx" ON "Task"("state", "assignee", "createdAt", "id");
CREATE INDEX "Task_processInstanceKey_idx" ON "Task"("processInstanceKey");
CREATE INDEX "Task_caseId_idx" ON "Task"("caseId");
CREATE INDEX "Task_candidateGroups_gin" ON "Task" USING GIN ("candidateGroups");

CREATE TABLE "ResourceDeployment" (
    "id" SERIAL NOT NULL,
    "resourceName" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "resourceId" TEXT NOT NULL,
    "resourceKey" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "deployedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deployedBy" TEXT,
    CONSTRAINT "ResourceDeployment_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ResourceDeployment_resourceName_checksum_key" ON "ResourceDeployment"("resourceName", "checksum");
CREATE INDEX "ResourceDeployment_resourceId_idx" ON "ResourceDeployment"("resourceId");

CREATE TABLE "ProcessDefinition" (
    "key" TEXT NOT NULL,
    "processId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "resourceName" TEXT NOT NULL,
    "elementNames" JSONB NOT NULL,
    CONSTRAINT "ProcessDefinition_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "ProcessDefinition_processId_version_idx" ON "ProcessDefinition"("processId", "version");

CREATE TABLE "AuditLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" TEXT,
    "username" TEXT,
    "role" TEXT,
    "kommuneId" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "fields" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "reason" TEXT,
    "requestId" TEXT,
    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "AuditLog_kommuneId_at_idx" ON "AuditLog"("kommuneId", "at");
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- The audit log is append-only, enforced in the database for every role that uses the tables.
CREATE FUNCTION kim_audit_log_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'Das Audit-Log ist unveränderlich: % ist nicht erlaubt', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "AuditLog_no_update_delete" BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION kim_audit_log_append_only();
CREATE TRIGGER "AuditLog_no_truncate" BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION kim_audit_log_append_only();
