-- 0013_bulk_operations: bulk rotations (every rotation of a connection, or a filtered set, rotated now) and bulk
-- onboarding, with one row per rotation, so progress and the summary survive a restart and can be read later.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add a new script.

CREATE TABLE "bulk_operations" (
    "id" TEXT NOT NULL CONSTRAINT "pk_bulk_operations" PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "set_description" TEXT NOT NULL,
    "connection_id" TEXT NULL,
    "started_by" TEXT NOT NULL,
    "started_at" INTEGER NOT NULL,
    "finished_at" INTEGER NULL,
    "requests_per_second" REAL NOT NULL,
    "max_in_flight" INTEGER NOT NULL
);
CREATE INDEX "ix_bulk_operations_started_at" ON "bulk_operations" ("started_at");

CREATE TABLE "bulk_operation_items" (
    "id" TEXT NOT NULL CONSTRAINT "pk_bulk_operation_items" PRIMARY KEY,
    "operation_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "rotation_id" TEXT NULL,
    "name" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "run_id" TEXT NULL,
    "message" TEXT NULL,
    "started_at" INTEGER NULL,
    "finished_at" INTEGER NULL,
    CONSTRAINT "fk_bulk_operation_items_bulk_operations_operation_id" FOREIGN KEY ("operation_id") REFERENCES "bulk_operations" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "ux_bulk_operation_items_operation_id_position" ON "bulk_operation_items" ("operation_id", "position");
