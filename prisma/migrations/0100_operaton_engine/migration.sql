-- The process engine (Operaton) keeps its runtime and history in the schema "engine" of this
-- database, so that its task listener writes the inbox projection ("Task") in the engine's own
-- transaction. The engine creates its tables itself on first start.
CREATE SCHEMA IF NOT EXISTS engine;

-- Messages for the engine that no instance waits for yet (a partner answers before the process
-- reaches its wait). The engine correlates only to waiting instances, so the product keeps them and
-- delivers them when the instance starts waiting (or drops them when no instance is left).
-- Carries ids only: the message name, the correlating variable and its value.
CREATE TABLE "PendingMessage" (
  "id" TEXT NOT NULL,
  "messageId" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "tenantId" TEXT NOT NULL,
  "correlationVariable" TEXT NOT NULL,
  "correlationValue" TEXT NOT NULL,
  "local" BOOLEAN NOT NULL DEFAULT false,
  "variables" JSONB NOT NULL DEFAULT '{}',
  "state" TEXT NOT NULL DEFAULT 'PENDING',
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "processInstanceKey" TEXT,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" TIMESTAMP(3) NOT NULL,
  "deliveredAt" TIMESTAMP(3),
  CONSTRAINT "PendingMessage_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "PendingMessage_messageId_key" ON "PendingMessage"("messageId");
CREATE INDEX "PendingMessage_state_tenantId_idx" ON "PendingMessage"("state", "tenantId");
