-- 0008_notifications on PostgreSQL: folded into 0001_initial.sql, which builds the schema as of 0010.
SELECT 1;
