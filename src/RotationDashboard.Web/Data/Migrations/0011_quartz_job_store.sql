-- Quartz's clustered job store tables exist on PostgreSQL only (PostgreSql/0011_quartz_job_store.sql): one SQLite
-- instance keeps Quartz in memory and rebuilds its triggers from the rotations at start. Nothing to do here.
SELECT 1;
