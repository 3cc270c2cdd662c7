-- 0002_rotation_engine: what the rotation engine adds.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add 0003_*.sql.

-- Non-secret facts a resumed run or a rollback needs (JSON): the credentials attached before Apply, the
-- authentication method to restore.
ALTER TABLE "rotation_runs" ADD COLUMN "checkpoint" TEXT NULL;

-- At most one unfinished run per rotation, whatever the lease says.
CREATE UNIQUE INDEX "ux_rotation_runs_rotation_id" ON "rotation_runs" ("rotation_id") WHERE "status" = 'Running';

-- The dashboard list sorts by name and filters by status.
CREATE INDEX "ix_rotations_name" ON "rotations" ("name");
CREATE INDEX "ix_rotations_rotation_status" ON "rotations" ("rotation_status");
