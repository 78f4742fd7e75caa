-- The case file as a workspace: access with a stated reason, the origin of needs, goal result dates.
-- Where a need came from (named in the first contact, or added later by whom), and the day a goal
-- was reached or given up.
ALTER TABLE "Need" ADD COLUMN "origin" TEXT NOT NULL DEFAULT 'erstkontakt';
ALTER TABLE "Need" ADD COLUMN "createdById" UUID;
ALTER TABLE "Need" ADD COLUMN "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "Goal" ADD COLUMN "resultDate" DATE;

-- A coordinator's access to one person's case file (Fachaufsicht, Vertretung, ...): stated reason,
-- limited in time; every grant is also in the audit log.
CREATE TABLE "CaseAccess" (
  "id" UUID NOT NULL,
  "caseId" UUID NOT NULL,
  "userId" UUID NOT NULL,
  "kommuneId" TEXT NOT NULL,
  "reason" TEXT NOT NULL,
  "note" TEXT,
  "grantedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" TIMESTAMP(3) NOT NULL,
  CONSTRAINT "CaseAccess_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "CaseAccess_caseId_userId_expiresAt_idx" ON "CaseAccess"("caseId", "userId", "expiresAt");
ALTER TABLE "CaseAccess" ADD CONSTRAINT "CaseAccess_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE;
