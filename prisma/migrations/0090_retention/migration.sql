-- Retention (DOMAIN.md, data protection): a closed case is deleted at its deletion date, everywhere
-- the product put it. What remains is this record that it happened (no personal data: the case
-- reference is an Aktenzeichen, the counts say what was removed).

CREATE TABLE "DeletionRecord" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "deletionDate" DATE NOT NULL,
    "deletedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clientDeleted" BOOLEAN NOT NULL,
    "processInstanceKeys" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "removed" JSONB NOT NULL,
    CONSTRAINT "DeletionRecord_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "DeletionRecord_caseId_key" ON "DeletionRecord"("caseId");
CREATE INDEX "DeletionRecord_kommuneId_deletedAt_idx" ON "DeletionRecord"("kommuneId", "deletedAt");
CREATE INDEX "Case_deletionDate_idx" ON "Case"("deletionDate");
