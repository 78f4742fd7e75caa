-- Incidents are the engine's own (its runtime and history APIs): the table in which the worker
-- runtime recorded failed jobs is no longer written or read.
DROP TABLE IF EXISTS "Incident";
