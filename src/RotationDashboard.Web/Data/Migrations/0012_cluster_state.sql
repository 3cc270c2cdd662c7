-- The state several instances share exists on PostgreSQL only (PostgreSql/0012_cluster_state.sql): the data-protection
-- key ring and the events one instance publishes for the others. One SQLite instance keeps its keys in the data
-- directory and its events in memory. Nothing to do here.
SELECT 1;
