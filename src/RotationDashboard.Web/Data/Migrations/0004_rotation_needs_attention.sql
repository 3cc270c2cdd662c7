-- 0004_rotation_needs_attention: a rotation whose failed run could not be rolled back cleanly is flagged for a person.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add 0005_*.sql.

ALTER TABLE "rotations" ADD COLUMN "needs_attention" INTEGER NOT NULL DEFAULT 0;
