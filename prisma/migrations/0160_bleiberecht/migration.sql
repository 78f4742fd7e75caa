-- kim-bleiberecht (Baustein 3, §§ 25a/25b AufenthG): the residence facts of a case as the case
-- manager recorded them and the Ausländerbehörde confirmed or corrected them, the pre-check result,
-- the application and the decision. Free text (identity clarification steps) and document lists
-- stay here; the engine only carries the decision inputs and dates.
CREATE TABLE "ResidencePath" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "processInstanceKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'angelegt',
    "residenceStatus" TEXT,
    "residenceSince" DATE,
    "toleratedSince" DATE,
    "nonCountingDays" INTEGER NOT NULL DEFAULT 0,
    "toleranceUntil" DATE,
    "permitUntil" DATE,
    "passportUntil" DATE,
    "entryDate" DATE,
    "employmentToleranceSince" DATE,
    "schooling" BOOLEAN NOT NULL DEFAULT false,
    "minorChild" BOOLEAN NOT NULL DEFAULT false,
    "oralLanguageLevel" TEXT,
    "livelihoodSecured" BOOLEAN NOT NULL DEFAULT false,
    "exemption" BOOLEAN NOT NULL DEFAULT false,
    "fdgoDeclared" BOOLEAN NOT NULL DEFAULT false,
    "childrenNotInSchool" BOOLEAN NOT NULL DEFAULT false,
    "identityDeception" BOOLEAN NOT NULL DEFAULT false,
    "seriousExpulsionInterest" BOOLEAN NOT NULL DEFAULT false,
    "identityClarification" TEXT,
    "confirmedAt" TIMESTAMP(3),
    "confirmedBy" TEXT,
    "corrected" BOOLEAN NOT NULL DEFAULT false,
    "met25a" BOOLEAN,
    "met25b" BOOLEAN,
    "missing25a" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "missing25b" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "earliest25a" DATE,
    "earliest25b" DATE,
    "latest25a" DATE,
    "checkedAt" TIMESTAMP(3),
    "applicationFor" TEXT,
    "documents" JSONB NOT NULL DEFAULT '{}',
    "submittedAt" TIMESTAMP(3),
    "decision" TEXT,
    "decisionDate" DATE,
    "clientInformedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ResidencePath_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ResidencePath_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "ResidencePath_caseId_idx" ON "ResidencePath"("caseId");
CREATE UNIQUE INDEX "ResidencePath_processInstanceKey_key" ON "ResidencePath"("processInstanceKey");

-- The deadline tracker: every date that matters for the case, one row per kind; remindAt is when
-- the reminder task appears (date minus the configured lead time of the kind).
CREATE TABLE "ResidenceDeadline" (
    "id" UUID NOT NULL,
    "residencePathId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "remindAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ResidenceDeadline_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ResidenceDeadline_residencePathId_fkey" FOREIGN KEY ("residencePathId") REFERENCES "ResidencePath"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ResidenceDeadline_residencePathId_kind_key" ON "ResidenceDeadline"("residencePathId", "kind");
CREATE INDEX "ResidenceDeadline_kommuneId_date_idx" ON "ResidenceDeadline"("kommuneId", "date");
CREATE INDEX "ResidenceDeadline_caseId_idx" ON "ResidenceDeadline"("caseId");

-- Idempotent workers: one row per job that changed a residence path.
CREATE TABLE "ResidencePathStep" (
    "id" UUID NOT NULL,
    "residencePathId" UUID NOT NULL,
    "jobKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ResidencePathStep_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ResidencePathStep_residencePathId_fkey" FOREIGN KEY ("residencePathId") REFERENCES "ResidencePath"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ResidencePathStep_jobKey_key" ON "ResidencePathStep"("jobKey");
