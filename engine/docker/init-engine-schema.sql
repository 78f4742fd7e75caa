-- The engine keeps its tables in schema "engine" of the app database; it must exist before the
-- engine's first start (the app's migrations create it too, idempotently).
CREATE SCHEMA IF NOT EXISTS engine;
