-- Dashboards, the state's view and the export for "Datenbank KIM".

-- Staff posts (Vollzeitäquivalente) of a commune per year and Baustein (1 coordination, 2 case
-- management, 3 foreigners' and naturalisation authorities) for the Sachbericht /
-- Verwendungsnachweis; kept by the commune's coordination or administration.
CREATE TABLE "StaffPost" (
    "kommuneId" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "baustein" INTEGER NOT NULL,
    "fte" DOUBLE PRECISION NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "StaffPost_pkey" PRIMARY KEY ("kommuneId", "year", "baustein"),
    CONSTRAINT "StaffPost_baustein_check" CHECK ("baustein" BETWEEN 1 AND 3),
    CONSTRAINT "StaffPost_fte_check" CHECK ("fte" >= 0 AND "fte" <= 10000)
);

-- A configured, scheduled export: which indicators, which period (relative to the run), which
-- format, how often. kommuneId null = all communes (the state's export).
CREATE TABLE "ExportConfig" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT,
    "indicators" TEXT[],
    "period" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "schedule" TEXT NOT NULL,
    "nextRunAt" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdBy" TEXT NOT NULL,
    "createdByRole" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExportConfig_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ExportConfig_active_nextRunAt_idx" ON "ExportConfig"("active", "nextRunAt");
CREATE INDEX "ExportConfig_kommuneId_idx" ON "ExportConfig"("kommuneId");

-- Every export made (who, when, what) with its file, so it can be downloaded again. The file holds
-- suppressed aggregates only. A scheduled period is exported once, however many server nodes run
-- the schedule (unique configId + period; manual exports have no configId).
CREATE TABLE "ExportRun" (
    "id" UUID NOT NULL,
    "configId" UUID,
    "kommuneId" TEXT,
    "trigger" TEXT NOT NULL,
    "requestedBy" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "indicators" TEXT[],
    "from" TEXT NOT NULL,
    "to" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExportRun_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ExportRun_kommuneId_createdAt_idx" ON "ExportRun"("kommuneId", "createdAt");
CREATE UNIQUE INDEX "ExportRun_configId_from_to_key" ON "ExportRun"("configId", "from", "to");

-- The dashboards aggregate cases of a commune by the day they were opened or closed.
CREATE INDEX "Case_kommuneId_openedAt_idx" ON "Case"("kommuneId", "openedAt");
CREATE INDEX "Case_kommuneId_closedAt_idx" ON "Case"("kommuneId", "closedAt");
