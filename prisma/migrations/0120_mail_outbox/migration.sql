-- Mail outbox: every e-mail the product sends is a row here, written in the same transaction as the
-- domain row that asks for it (referral / conference outbox). A dispatcher in the server sends due
-- rows with backoff; a failed send never fails the process step. Administrators read it as
-- "Postausgang" (their commune only).

CREATE TABLE "MailOutbox" (
    "id" UUID NOT NULL,
    -- the domain row it was queued for, e.g. "ReferralOutbox:<id>": queuing twice is a no-op
    "key" TEXT NOT NULL,
    "kommuneId" TEXT,
    "caseId" UUID,
    -- referral | invitation | reminder | protocol | agreement
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    -- [{ "filename", "contentType", "text" | "documentId" }]: content is resolved when sending
    "attachments" JSONB NOT NULL DEFAULT '[]',
    -- pending | sent | failed
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- an error class (e.g. "ECONNREFUSED", "SMTP 550"), never the recipient or the text
    "lastError" TEXT,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    CONSTRAINT "MailOutbox_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "MailOutbox_key_key" ON "MailOutbox"("key");
CREATE INDEX "MailOutbox_status_nextAttemptAt_idx" ON "MailOutbox"("status", "nextAttemptAt");
CREATE INDEX "MailOutbox_kommuneId_createdAt_idx" ON "MailOutbox"("kommuneId", "createdAt");
CREATE INDEX "MailOutbox_caseId_idx" ON "MailOutbox"("caseId");

-- User management: an administrator's password reset is a one-time password the user must replace
-- at the next sign-in.
ALTER TABLE "User" ADD COLUMN "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;
