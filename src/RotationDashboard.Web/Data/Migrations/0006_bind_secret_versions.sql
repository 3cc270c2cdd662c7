-- Secret version values become bound to their version id (AES-GCM associated data
-- "secret-value:{secretId}:{versionId}"). Re-encrypting needs the root key, so the work is done by
-- SecretVersionBindingMigration in this migration's transaction; no schema change.
SELECT 1;
