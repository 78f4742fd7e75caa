-- kim-einbuergerung (issue 5): the naturalisation preparation of a case, its document checklist and
-- the idempotency keys of its workers. Everything hangs off "Case" and goes with it when the case is
-- deleted. Personal facts (residence, documents, decision) live here, never in process variables.

CREATE TABLE "Naturalisation" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "processInstanceKey" TEXT,
    "status" TEXT NOT NULL DEFAULT 'angelegt',
    "residenceSince" DATE,
    "residenceTitle" TEXT,
    "residenceTitleSuitable" BOOLEAN,
    "residenceConfirmedAt" TIMESTAMP(3),
    "residenceConfirmedBy" TEXT,
    "residenceCorrected" BOOLEAN NOT NULL DEFAULT false,
    "eligible" BOOLEAN,
    "missingRequirements" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "earliestApplicationDate" DATE,
    "checkedAt" TIMESTAMP(3),
    "languageReferralId" UUID,
    "testDate" DATE,
    "testCentre" TEXT,
    "documentsDueDate" DATE,
    "handedOverAt" TIMESTAMP(3),
    "acceptedAt" TIMESTAMP(3),
    "decision" TEXT,
    "decisionDate" DATE,
    "clientInformedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Naturalisation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Naturalisation_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Naturalisation_caseId_idx" ON "Naturalisation"("caseId");
CREATE UNIQUE INDEX "Naturalisation_processInstanceKey_key" ON "Naturalisation"("processInstanceKey");

-- Document checklist: one row per document kind, status fehlt | vorhanden | uebersetzung_noetig |
-- apostille_noetig | vollstaendig.
CREATE TABLE "NaturalisationDocument" (
    "id" UUID NOT NULL,
    "naturalisationId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'fehlt',
    "requestedByEbh" BOOLEAN NOT NULL DEFAULT false,
    "dueDate" DATE,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "NaturalisationDocument_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "NaturalisationDocument_naturalisationId_fkey" FOREIGN KEY ("naturalisationId") REFERENCES "Naturalisation"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "NaturalisationDocument_naturalisationId_kind_key" ON "NaturalisationDocument"("naturalisationId", "kind");

-- One row per worker job that changed a naturalisation: a job delivered twice finds its row and
-- writes nothing (the unique job key makes concurrent deliveries collide).
CREATE TABLE "NaturalisationStep" (
    "id" UUID NOT NULL,
    "naturalisationId" UUID NOT NULL,
    "jobKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "NaturalisationStep_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "NaturalisationStep_naturalisationId_fkey" FOREIGN KEY ("naturalisationId") REFERENCES "Naturalisation"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "NaturalisationStep_jobKey_key" ON "NaturalisationStep"("jobKey");
