-- 0003_certificate_credentials: Private Key JWT rotations may register each key as a self-signed certificate;
-- rotations remember their application's name for display.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add 0004_*.sql.

ALTER TABLE "rotations" ADD COLUMN "use_self_signed_certificate" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "rotations" ADD COLUMN "application_name" TEXT NULL;
