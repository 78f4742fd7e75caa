-- Domain (issue 3): organisations, clients, cases, needs, goals, consents, referrals, conferences,
-- documents, notes, system gaps, anonymised statistics; the audit log learns which case it is about.
CREATE TYPE "OrganisationType" AS ENUM ('Jobcenter', 'AgenturFuerArbeit', 'Jugendamt', 'Sozialamt', 'Auslaenderbehoerde', 'Einbuergerungsbehoerde', 'MBE', 'JMD', 'Sprachkurstraeger', 'Schule', 'Beratungsstelle', 'Sonstige');
CREATE TYPE "CasePhase" AS ENUM ('Zugang', 'Clearing', 'Foerderplanung', 'Umsetzung', 'Abschluss');
CREATE TYPE "KindOfHelp" AS ENUM ('Kurzberatung', 'Verweisberatung', 'CaseManagement', 'Einbuergerung');
CREATE TYPE "LifeArea" AS ENUM ('Aufenthalt', 'Sprache', 'Bildung', 'Arbeit', 'Wohnen', 'Gesundheit', 'FamilieKitaSchule', 'Finanzen', 'Sonstiges');
CREATE TYPE "GoalStatus" AS ENUM ('offen', 'laufend', 'erreicht', 'nicht_erreicht');
CREATE TYPE "ReferralStatus" AS ENUM ('angelegt', 'gesendet', 'angenommen', 'abgelehnt', 'abgeschlossen', 'abgebrochen');
CREATE TYPE "ConferenceStatus" AS ENUM ('geplant', 'eingeladen', 'durchgefuehrt', 'abgesagt');
CREATE TYPE "AgreementStatus" AS ENUM ('offen', 'erledigt', 'ueberfaellig');
CREATE TYPE "SystemGapStatus" AS ENUM ('gemeldet', 'in_pruefung', 'in_bearbeitung', 'erledigt');

ALTER TABLE "AuditLog" ADD COLUMN "caseId" TEXT;
CREATE INDEX "AuditLog_caseId_at_idx" ON "AuditLog"("caseId", "at");

CREATE TABLE "Organisation" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" "OrganisationType" NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "address" TEXT,
    "contactPerson" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Organisation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Organisation_kommuneId_fkey" FOREIGN KEY ("kommuneId") REFERENCES "Kommune"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Organisation_kommuneId_name_key" ON "Organisation"("kommuneId", "name");
CREATE INDEX "Organisation_kommuneId_type_idx" ON "Organisation"("kommuneId", "type");

CREATE TABLE "Client" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "pseudonym" TEXT NOT NULL,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT NOT NULL,
    "birthDate" DATE,
    "gender" TEXT,
    "nationality" TEXT,
    "languages" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "interpreterNeeded" BOOLEAN NOT NULL DEFAULT false,
    "phone" TEXT,
    "email" TEXT,
    "address" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Client_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Client_kommuneId_fkey" FOREIGN KEY ("kommuneId") REFERENCES "Kommune"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Client_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Client_pseudonym_key" ON "Client"("pseudonym");
CREATE INDEX "Client_kommuneId_siteId_idx" ON "Client"("kommuneId", "siteId");
CREATE INDEX "Client_lastName_firstName_idx" ON "Client"("lastName", "firstName");

CREATE TABLE "Case" (
    "id" UUID NOT NULL,
    "reference" TEXT NOT NULL,
    "clientId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "phase" "CasePhase" NOT NULL DEFAULT 'Zugang',
    "kindOfHelp" "KindOfHelp" NOT NULL DEFAULT 'CaseManagement',
    "caseManagerId" UUID,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closedAt" TIMESTAMP(3),
    "outcome" TEXT,
    "deletionDate" DATE,
    "processInstanceKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Case_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Case_clientId_fkey" FOREIGN KEY ("clientId") REFERENCES "Client"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Case_kommuneId_fkey" FOREIGN KEY ("kommuneId") REFERENCES "Kommune"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Case_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Case_caseManagerId_fkey" FOREIGN KEY ("caseManagerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "Case_kommuneId_reference_key" ON "Case"("kommuneId", "reference");
CREATE INDEX "Case_kommuneId_siteId_phase_idx" ON "Case"("kommuneId", "siteId", "phase");
CREATE INDEX "Case_clientId_idx" ON "Case"("clientId");

CREATE TABLE "Need" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "lifeArea" "LifeArea" NOT NULL,
    "description" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Need_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Need_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Need_caseId_idx" ON "Need"("caseId");

CREATE TABLE "Goal" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "needId" UUID,
    "lifeArea" "LifeArea" NOT NULL,
    "description" TEXT NOT NULL,
    "dueDate" DATE,
    "status" "GoalStatus" NOT NULL DEFAULT 'offen',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Goal_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Goal_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Goal_needId_fkey" FOREIGN KEY ("needId") REFERENCES "Need"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "Goal_caseId_idx" ON "Goal"("caseId");

CREATE TABLE "Consent" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "recipients" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "dataCategories" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "purposes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "validFrom" DATE NOT NULL,
    "validUntil" DATE,
    "revokedAt" TIMESTAMP(3),
    "revokeReason" TEXT,
    "documentId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Consent_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Consent_caseId_idx" ON "Consent"("caseId");

CREATE TABLE "Referral" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "organisationId" UUID NOT NULL,
    "lifeArea" "LifeArea" NOT NULL,
    "purpose" TEXT NOT NULL,
    "withData" BOOLEAN NOT NULL DEFAULT false,
    "consentId" UUID,
    "status" "ReferralStatus" NOT NULL DEFAULT 'angelegt',
    "dueDate" DATE,
    "sentAt" TIMESTAMP(3),
    "answeredAt" TIMESTAMP(3),
    "outcome" TEXT,
    "processInstanceKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Referral_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Referral_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Referral_organisationId_fkey" FOREIGN KEY ("organisationId") REFERENCES "Organisation"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Referral_consentId_fkey" FOREIGN KEY ("consentId") REFERENCES "Consent"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX "Referral_caseId_idx" ON "Referral"("caseId");
CREATE INDEX "Referral_organisationId_idx" ON "Referral"("organisationId");

CREATE TABLE "Conference" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "scheduledAt" TIMESTAMP(3) NOT NULL,
    "location" TEXT,
    "status" "ConferenceStatus" NOT NULL DEFAULT 'geplant',
    "protocol" TEXT,
    "processInstanceKey" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Conference_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Conference_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Conference_caseId_idx" ON "Conference"("caseId");

CREATE TABLE "ConferenceParticipant" (
    "id" UUID NOT NULL,
    "conferenceId" UUID NOT NULL,
    "organisationId" UUID,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "consentId" UUID,
    "response" TEXT,
    CONSTRAINT "ConferenceParticipant_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ConferenceParticipant_conferenceId_fkey" FOREIGN KEY ("conferenceId") REFERENCES "Conference"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "ConferenceParticipant_conferenceId_idx" ON "ConferenceParticipant"("conferenceId");

CREATE TABLE "Agreement" (
    "id" UUID NOT NULL,
    "conferenceId" UUID NOT NULL,
    "organisationId" UUID,
    "description" TEXT NOT NULL,
    "dueDate" DATE,
    "status" "AgreementStatus" NOT NULL DEFAULT 'offen',
    "doneAt" TIMESTAMP(3),
    CONSTRAINT "Agreement_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Agreement_conferenceId_fkey" FOREIGN KEY ("conferenceId") REFERENCES "Conference"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Agreement_conferenceId_idx" ON "Agreement"("conferenceId");

CREATE TABLE "Document" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "size" INTEGER NOT NULL DEFAULT 0,
    "content" BYTEA,
    "uploadedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Document_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Document_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Document_caseId_idx" ON "Document"("caseId");

CREATE TABLE "Note" (
    "id" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "authorId" UUID,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Note_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Note_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "Note_caseId_idx" ON "Note"("caseId");

CREATE TABLE "SystemGap" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "lifeArea" "LifeArea" NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" "SystemGapStatus" NOT NULL DEFAULT 'gemeldet',
    "reportedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SystemGap_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SystemGap_kommuneId_status_idx" ON "SystemGap"("kommuneId", "status");

CREATE TABLE "StatisticsEvent" (
    "id" BIGSERIAL NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "lifeArea" "LifeArea",
    "month" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "StatisticsEvent_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "StatisticsEvent_kommuneId_month_kind_idx" ON "StatisticsEvent"("kommuneId", "month", "kind");
