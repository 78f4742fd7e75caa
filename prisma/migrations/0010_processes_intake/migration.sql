-- Processes kim-intake and kim-case (issue 4): idempotency keys for worker side effects and the
-- intake/closing facts a case shows.

-- The engine job key that created a row: a job delivered twice finds its row and writes nothing.
ALTER TABLE "StatisticsEvent" ADD COLUMN "jobKey" TEXT;
CREATE UNIQUE INDEX "StatisticsEvent_jobKey_key" ON "StatisticsEvent"("jobKey");

ALTER TABLE "Consent" ADD COLUMN "jobKey" TEXT;
CREATE UNIQUE INDEX "Consent_jobKey_key" ON "Consent"("jobKey");

ALTER TABLE "Goal" ADD COLUMN "jobKey" TEXT;
CREATE INDEX "Goal_jobKey_idx" ON "Goal"("jobKey");

-- Intake: consent refused (no data is ever shared), what the double-funding check found
-- (codes: OFFENER_FALL, MBE, JMD), and the closing evaluation (goals reached: ja | teilweise | nein).
ALTER TABLE "Case" ADD COLUMN "consentRefusedAt" TIMESTAMP(3);
ALTER TABLE "Case" ADD COLUMN "existingSupport" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Case" ADD COLUMN "goalsReached" TEXT;

-- kim-case creates the Referral row before it calls kim-referral (one row per job).
ALTER TABLE "Referral" ADD COLUMN "jobKey" TEXT;
CREATE UNIQUE INDEX "Referral_jobKey_key" ON "Referral"("jobKey");
