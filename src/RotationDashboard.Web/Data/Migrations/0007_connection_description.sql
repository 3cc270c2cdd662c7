-- 0007_connection_description: Infisical's connection description and (optional) project, accepted and returned by the API.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add 0008_*.sql.

ALTER TABLE "connections" ADD COLUMN "description" TEXT NULL;
ALTER TABLE "connections" ADD COLUMN "project_id" TEXT NULL;
