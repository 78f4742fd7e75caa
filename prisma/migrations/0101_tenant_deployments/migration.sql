-- Process resources are deployed per commune: the commune (Kommune.id) is the engine tenant.
--
-- What was recorded as deployed belonged to the previous engine and says nothing about what the
-- Operaton engine holds: it is forgotten, so that every resource is deployed again, per tenant.
DELETE FROM "ResourceDeployment";
DROP INDEX IF EXISTS "ResourceDeployment_resourceName_checksum_key";
DROP INDEX IF EXISTS "ResourceDeployment_resourceId_idx";
ALTER TABLE "ResourceDeployment" ADD COLUMN "tenantId" TEXT NOT NULL;
CREATE UNIQUE INDEX "ResourceDeployment_tenantId_resourceName_checksum_key" ON "ResourceDeployment"("tenantId", "resourceName", "checksum");
CREATE INDEX "ResourceDeployment_tenantId_resourceId_idx" ON "ResourceDeployment"("tenantId", "resourceId");

-- Definitions, sources and forms are kept per tenant, keyed by the engine's ids. Rows of the
-- previous engine stay readable (tenant null) for old releases and audit references.
ALTER TABLE "ProcessDefinition" ADD COLUMN "tenantId" TEXT, ADD COLUMN "deploymentId" TEXT;
CREATE INDEX "ProcessDefinition_tenantId_processId_version_idx" ON "ProcessDefinition"("tenantId", "processId", "version");

ALTER TABLE "ProcessSource" ADD COLUMN "tenantId" TEXT;
CREATE INDEX "ProcessSource_tenantId_processId_version_idx" ON "ProcessSource"("tenantId", "processId", "version");

ALTER TABLE "FormSchema" ADD COLUMN "tenantId" TEXT, ADD COLUMN "deploymentId" TEXT;
CREATE INDEX "FormSchema_tenantId_formId_version_idx" ON "FormSchema"("tenantId", "formId", "version");
CREATE INDEX "FormSchema_deploymentId_formId_idx" ON "FormSchema"("deploymentId", "formId");
