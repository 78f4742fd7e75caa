-- kim-fallkonferenz (issue 5): what the conference process needs beyond the domain tables of 0002.
-- A conference is created when it is requested (occasion, agencies) and planned later, so the date
-- becomes optional. Participants get the consent result per agency (withData + note), the answer to
-- the invitation and attendance; agreements get the responsible party and their position in the
-- protocol (idempotent writes). New: the e-mail outbox of the conference (one row per key) and the
-- link from a protocol's system gaps to SystemGap rows.

ALTER TABLE "Conference" ALTER COLUMN "scheduledAt" DROP NOT NULL;
ALTER TABLE "Conference" ADD COLUMN "occasion" TEXT;
ALTER TABLE "Conference" ADD COLUMN "durationMinutes" INTEGER NOT NULL DEFAULT 90;
ALTER TABLE "Conference" ADD COLUMN "videoLink" TEXT;
ALTER TABLE "Conference" ADD COLUMN "agenda" TEXT;
ALTER TABLE "Conference" ADD COLUMN "interpreter" TEXT;
ALTER TABLE "Conference" ADD COLUMN "situation" TEXT;
ALTER TABLE "Conference" ADD COLUMN "reminderSentAt" TIMESTAMP(3);
ALTER TABLE "Conference" ADD COLUMN "protocolDocumentId" UUID;
ALTER TABLE "Conference" ADD COLUMN "recordedAt" TIMESTAMP(3);

ALTER TABLE "ConferenceParticipant" ADD COLUMN "withData" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ConferenceParticipant" ADD COLUMN "consentNote" TEXT;
ALTER TABLE "ConferenceParticipant" ADD COLUMN "consentCheckedAt" TIMESTAMP(3);
ALTER TABLE "ConferenceParticipant" ADD COLUMN "respondedAt" TIMESTAMP(3);
ALTER TABLE "ConferenceParticipant" ADD COLUMN "responseReason" TEXT;
ALTER TABLE "ConferenceParticipant" ADD COLUMN "attended" BOOLEAN;
CREATE UNIQUE INDEX "ConferenceParticipant_conferenceId_organisationId_key" ON "ConferenceParticipant"("conferenceId", "organisationId");

ALTER TABLE "Agreement" ADD COLUMN "position" INTEGER;
ALTER TABLE "Agreement" ADD COLUMN "responsible" TEXT NOT NULL DEFAULT 'kim';
ALTER TABLE "Agreement" ADD COLUMN "doneBy" TEXT;
ALTER TABLE "Agreement" ADD COLUMN "overdueAt" TIMESTAMP(3);
CREATE UNIQUE INDEX "Agreement_conferenceId_position_key" ON "Agreement"("conferenceId", "position");

CREATE TABLE "ConferenceGap" (
    "id" UUID NOT NULL,
    "conferenceId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "systemGapId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConferenceGap_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ConferenceGap_conferenceId_fkey" FOREIGN KEY ("conferenceId") REFERENCES "Conference"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ConferenceGap_conferenceId_position_key" ON "ConferenceGap"("conferenceId", "position");

CREATE TABLE "ConferenceOutbox" (
    "id" UUID NOT NULL,
    "conferenceId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "ics" TEXT,
    "documentId" UUID,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "messageId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    CONSTRAINT "ConferenceOutbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ConferenceOutbox_conferenceId_fkey" FOREIGN KEY ("conferenceId") REFERENCES "Conference"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ConferenceOutbox_key_key" ON "ConferenceOutbox"("key");
CREATE INDEX "ConferenceOutbox_conferenceId_idx" ON "ConferenceOutbox"("conferenceId");
