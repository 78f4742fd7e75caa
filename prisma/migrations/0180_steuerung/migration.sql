-- Steering (Baustein 1, process kim-steuerung): system gaps clustered into themes, the steering
-- group (Lenkungsgruppe) with its members, meetings, agenda items and decisions, the measures a
-- project group works out, and the notices the case managers of the reporting cases get when a
-- theme is closed. Titles, descriptions, minutes and notes live here; the engine carries ids,
-- codes and dates only. No personal data of clients in any of these tables.
CREATE TYPE "SteeringThemeState" AS ENUM ('offen', 'priorisiert', 'in_bearbeitung', 'geschlossen');
CREATE TYPE "SteeringPriority" AS ENUM ('hoch', 'mittel', 'niedrig');
CREATE TYPE "SteeringMeasureState" AS ENUM ('entwurf', 'freigegeben', 'in_umsetzung', 'umgesetzt', 'zurueckgewiesen');

CREATE TABLE "SteeringTheme" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "state" "SteeringThemeState" NOT NULL DEFAULT 'offen',
    "priority" "SteeringPriority",
    "priorityNote" TEXT,
    "processInstanceKey" TEXT,
    "result" TEXT,
    "closedAt" TIMESTAMP(3),
    "createdById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SteeringTheme_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SteeringTheme_kommuneId_fkey" FOREIGN KEY ("kommuneId") REFERENCES "Kommune"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "SteeringTheme_kommuneId_state_idx" ON "SteeringTheme"("kommuneId", "state");
-- Themes that still need an instance (created in the web app or by the demo data).
CREATE INDEX "SteeringTheme_without_instance_idx" ON "SteeringTheme"("kommuneId") WHERE "processInstanceKey" IS NULL AND "state" <> 'geschlossen';

-- A gap belongs to at most one theme; steeringInstanceKey is the instance that took it into the
-- coordination's inbox (one per gap), steeringNote why it needs no action.
ALTER TABLE "SystemGap" ADD COLUMN "themeId" UUID;
ALTER TABLE "SystemGap" ADD COLUMN "steeringInstanceKey" TEXT;
ALTER TABLE "SystemGap" ADD COLUMN "steeringNote" TEXT;
ALTER TABLE "SystemGap" ADD CONSTRAINT "SystemGap_themeId_fkey" FOREIGN KEY ("themeId") REFERENCES "SteeringTheme"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "SystemGap_themeId_idx" ON "SystemGap"("themeId");
-- The gap intake looks for reported gaps nobody has taken in yet.
CREATE INDEX "SystemGap_intake_idx" ON "SystemGap"("kommuneId", "createdAt") WHERE "steeringInstanceKey" IS NULL AND "themeId" IS NULL AND "status" = 'gemeldet';

CREATE TABLE "SteeringMeasure" (
    "id" UUID NOT NULL,
    "themeId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "ownerOrganisation" TEXT NOT NULL,
    "targetDate" DATE NOT NULL,
    "expectedEffect" TEXT NOT NULL,
    "state" "SteeringMeasureState" NOT NULL DEFAULT 'entwurf',
    "sentBackNote" TEXT,
    "approvedAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "escalatedAt" TIMESTAMP(3),
    "lastProgressAt" TIMESTAMP(3),
    "progressNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SteeringMeasure_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SteeringMeasure_themeId_fkey" FOREIGN KEY ("themeId") REFERENCES "SteeringTheme"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "SteeringMeasure_kommuneId_state_idx" ON "SteeringMeasure"("kommuneId", "state");
CREATE INDEX "SteeringMeasure_themeId_idx" ON "SteeringMeasure"("themeId");

-- The steering group's members by organisation (staff data, no clients).
CREATE TABLE "SteeringGroupMember" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "organisation" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "function" TEXT NOT NULL DEFAULT 'mitglied',
    "representative" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SteeringGroupMember_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SteeringGroupMember_kommuneId_idx" ON "SteeringGroupMember"("kommuneId");

CREATE TABLE "SteeringMeeting" (
    "id" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT 'Sitzung der Lenkungsgruppe',
    "date" TIMESTAMP(3) NOT NULL,
    "location" TEXT,
    -- geplant | durchgefuehrt
    "status" TEXT NOT NULL DEFAULT 'geplant',
    "minutes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SteeringMeeting_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SteeringMeeting_kommuneId_date_idx" ON "SteeringMeeting"("kommuneId", "date");

-- The agenda: prioritised themes, measures to approve, overdue measures, other items.
CREATE TABLE "SteeringAgendaItem" (
    "id" UUID NOT NULL,
    "meetingId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "themeId" UUID,
    "measureId" UUID,
    "title" TEXT NOT NULL,
    "notes" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SteeringAgendaItem_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SteeringAgendaItem_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "SteeringMeeting"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SteeringAgendaItem_themeId_fkey" FOREIGN KEY ("themeId") REFERENCES "SteeringTheme"("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "SteeringAgendaItem_measureId_fkey" FOREIGN KEY ("measureId") REFERENCES "SteeringMeasure"("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "SteeringAgendaItem_meetingId_position_key" ON "SteeringAgendaItem"("meetingId", "position");
CREATE INDEX "SteeringAgendaItem_themeId_idx" ON "SteeringAgendaItem"("themeId");

-- One decision per agenda item (the message to the theme's instance is sent once per decision).
CREATE TABLE "SteeringDecision" (
    "id" UUID NOT NULL,
    "meetingId" UUID NOT NULL,
    "agendaItemId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "themeId" UUID,
    "measureId" UUID,
    "code" TEXT NOT NULL,
    "text" TEXT,
    "decidedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SteeringDecision_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SteeringDecision_meetingId_fkey" FOREIGN KEY ("meetingId") REFERENCES "SteeringMeeting"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SteeringDecision_agendaItemId_fkey" FOREIGN KEY ("agendaItemId") REFERENCES "SteeringAgendaItem"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "SteeringDecision_agendaItemId_key" ON "SteeringDecision"("agendaItemId");
CREATE INDEX "SteeringDecision_themeId_idx" ON "SteeringDecision"("themeId");
CREATE INDEX "SteeringDecision_kommuneId_createdAt_idx" ON "SteeringDecision"("kommuneId", "createdAt");

-- The closing notice to the case managers of the cases that reported a theme's gaps: one per theme
-- and case, written with a case-file note; it goes with the case at the end of its retention.
CREATE TABLE "SteeringNotice" (
    "id" UUID NOT NULL,
    "themeId" UUID NOT NULL,
    "caseId" UUID NOT NULL,
    "kommuneId" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "noteId" UUID,
    "readAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SteeringNotice_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "SteeringNotice_themeId_fkey" FOREIGN KEY ("themeId") REFERENCES "SteeringTheme"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SteeringNotice_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "SteeringNotice_themeId_caseId_key" ON "SteeringNotice"("themeId", "caseId");
CREATE INDEX "SteeringNotice_kommuneId_siteId_idx" ON "SteeringNotice"("kommuneId", "siteId");
CREATE INDEX "SteeringNotice_caseId_idx" ON "SteeringNotice"("caseId");

-- Idempotent workers: one row per job that changed steering data.
CREATE TABLE "SteeringStep" (
    "id" UUID NOT NULL,
    "jobKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "themeId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SteeringStep_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SteeringStep_jobKey_key" ON "SteeringStep"("jobKey");
