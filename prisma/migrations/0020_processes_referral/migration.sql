-- kim-referral (issue 4): the outbox of referral e-mails and the facts of a referral's life
-- (partner answers, stop reasons, system gaps). Both hang off "Referral" and go with it when the
-- case is deleted. The unique keys make the workers idempotent: one e-mail / one fact per referral.

CREATE TABLE "ReferralOutbox" (
    "id" UUID NOT NULL,
    "referralId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "messageId" TEXT,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    CONSTRAINT "ReferralOutbox_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ReferralOutbox_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ReferralOutbox_referralId_kind_key" ON "ReferralOutbox"("referralId", "kind");
CREATE INDEX "ReferralOutbox_status_createdAt_idx" ON "ReferralOutbox"("status", "createdAt");

CREATE TABLE "ReferralEvent" (
    "id" UUID NOT NULL,
    "referralId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "reason" TEXT,
    "systemGapId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ReferralEvent_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ReferralEvent_referralId_fkey" FOREIGN KEY ("referralId") REFERENCES "Referral"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "ReferralEvent_referralId_kind_key" ON "ReferralEvent"("referralId", "kind");
