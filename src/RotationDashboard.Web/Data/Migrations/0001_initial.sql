-- 0001_initial: the first schema of the Rotation Dashboard.
-- Applied by DatabaseMigrator inside a transaction; recorded in schema_migrations.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add 0002_*.sql.

-- Projects group environments (dev, staging, prod); environments hold folders ("/", "/payments").
CREATE TABLE "projects" (
    "id" TEXT NOT NULL CONSTRAINT "pk_projects" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL
);
CREATE UNIQUE INDEX "ux_projects_slug" ON "projects" ("slug");

CREATE TABLE "environments" (
    "id" TEXT NOT NULL CONSTRAINT "pk_environments" PRIMARY KEY,
    "project_id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "fk_environments_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "ux_environments_project_id_slug" ON "environments" ("project_id", "slug");

CREATE TABLE "folders" (
    "id" TEXT NOT NULL CONSTRAINT "pk_folders" PRIMARY KEY,
    "environment_id" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    CONSTRAINT "fk_folders_environments_environment_id" FOREIGN KEY ("environment_id") REFERENCES "environments" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "ux_folders_environment_id_path" ON "folders" ("environment_id", "path");

-- Auth0 tenants managed through the Management API. The client secret is AES-256-GCM encrypted.
CREATE TABLE "connections" (
    "id" TEXT NOT NULL CONSTRAINT "pk_connections" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "encrypted_client_secret" BLOB NOT NULL,
    "audience" TEXT NOT NULL,
    "is_sandbox" INTEGER NOT NULL,
    "last_validated_at" INTEGER NULL,
    "last_validation_ok" INTEGER NULL,
    "last_validation_message" TEXT NULL,
    "granted_scopes" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    "updated_at" INTEGER NOT NULL
);
CREATE UNIQUE INDEX "ux_connections_name" ON "connections" ("name");

-- Seed 002's rotation object plus strategy, staged timings and the run lease. Timestamps are UTC ticks.
CREATE TABLE "rotations" (
    "id" TEXT NOT NULL CONSTRAINT "pk_rotations" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "description" TEXT NULL,
    "type" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "environment_id" TEXT NOT NULL,
    "folder_id" TEXT NOT NULL,
    "is_auto_rotation_enabled" INTEGER NOT NULL,
    "rotation_interval" INTEGER NOT NULL,
    "active_index" INTEGER NOT NULL,
    "rotation_status" TEXT NULL,
    "last_rotation_attempted_at" INTEGER NULL,
    "last_rotated_at" INTEGER NULL,
    "last_rotation_job_id" TEXT NULL,
    "next_rotation_at" INTEGER NULL,
    "encrypted_last_rotation_message" BLOB NULL,
    "is_last_rotation_manual" INTEGER NOT NULL,
    "encrypted_generated_credentials" BLOB NULL,
    "staged_lead_time" INTEGER NOT NULL,
    "retire_grace_period" INTEGER NOT NULL,
    "lease_holder" TEXT NULL,
    "lease_expires_at" INTEGER NULL,
    "created_at" INTEGER NOT NULL,
    "updated_at" INTEGER NOT NULL,
    "row_version" INTEGER NOT NULL,
    "parameters_client_id" TEXT NOT NULL,
    "rotate_at_utc_hours" INTEGER NOT NULL,
    "rotate_at_utc_minutes" INTEGER NOT NULL,
    "secrets_mapping_client_id" TEXT NOT NULL,
    "secrets_mapping_client_secret" TEXT NULL,
    "secrets_mapping_key_id" TEXT NULL,
    "secrets_mapping_private_key" TEXT NULL,
    CONSTRAINT "fk_rotations_connections_connection_id" FOREIGN KEY ("connection_id") REFERENCES "connections" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_rotations_environments_environment_id" FOREIGN KEY ("environment_id") REFERENCES "environments" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_rotations_folders_folder_id" FOREIGN KEY ("folder_id") REFERENCES "folders" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_rotations_projects_project_id" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON DELETE RESTRICT
);
CREATE INDEX "ix_rotations_connection_id" ON "rotations" ("connection_id");
CREATE INDEX "ix_rotations_environment_id" ON "rotations" ("environment_id");
CREATE INDEX "ix_rotations_next_rotation_at" ON "rotations" ("next_rotation_at");
CREATE INDEX "ix_rotations_project_id" ON "rotations" ("project_id");
CREATE UNIQUE INDEX "ux_rotations_folder_id_name" ON "rotations" ("folder_id", "name");

-- Secrets and their versions. Values are encrypted; stage is Current, Next, Previous or Archived.
CREATE TABLE "secrets" (
    "id" TEXT NOT NULL CONSTRAINT "pk_secrets" PRIMARY KEY,
    "folder_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "owner_rotation_id" TEXT NULL,
    "created_at" INTEGER NOT NULL,
    "updated_at" INTEGER NOT NULL,
    "latest_version" INTEGER NOT NULL,
    "row_version" INTEGER NOT NULL,
    CONSTRAINT "fk_secrets_folders_folder_id" FOREIGN KEY ("folder_id") REFERENCES "folders" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_secrets_rotations_owner_rotation_id" FOREIGN KEY ("owner_rotation_id") REFERENCES "rotations" ("id") ON DELETE SET NULL
);
CREATE INDEX "ix_secrets_owner_rotation_id" ON "secrets" ("owner_rotation_id");
CREATE UNIQUE INDEX "ux_secrets_folder_id_key" ON "secrets" ("folder_id", "key");

CREATE TABLE "secret_versions" (
    "id" TEXT NOT NULL CONSTRAINT "pk_secret_versions" PRIMARY KEY,
    "secret_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "encrypted_value" BLOB NOT NULL,
    "stage" TEXT NOT NULL,
    "written_by" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    CONSTRAINT "fk_secret_versions_secrets_secret_id" FOREIGN KEY ("secret_id") REFERENCES "secrets" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_secret_versions_secret_id_stage" ON "secret_versions" ("secret_id", "stage");
CREATE UNIQUE INDEX "ux_secret_versions_secret_id_version" ON "secret_versions" ("secret_id", "version");

-- Run history: one row per run, one per step. Messages are scrubbed of secrets.
CREATE TABLE "rotation_runs" (
    "id" TEXT NOT NULL CONSTRAINT "pk_rotation_runs" PRIMARY KEY,
    "rotation_id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_name" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "started_at" INTEGER NOT NULL,
    "finished_at" INTEGER NULL,
    "status" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "message" TEXT NULL,
    "encrypted_pending_credential" BLOB NULL,
    CONSTRAINT "fk_rotation_runs_rotations_rotation_id" FOREIGN KEY ("rotation_id") REFERENCES "rotations" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_rotation_runs_rotation_id_started_at" ON "rotation_runs" ("rotation_id", "started_at");
CREATE INDEX "ix_rotation_runs_status" ON "rotation_runs" ("status");

CREATE TABLE "rotation_run_steps" (
    "id" TEXT NOT NULL CONSTRAINT "pk_rotation_run_steps" PRIMARY KEY,
    "run_id" TEXT NOT NULL,
    "order" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "started_at" INTEGER NULL,
    "finished_at" INTEGER NULL,
    "message" TEXT NULL,
    CONSTRAINT "fk_rotation_run_steps_rotation_runs_run_id" FOREIGN KEY ("run_id") REFERENCES "rotation_runs" ("id") ON DELETE CASCADE
);
CREATE UNIQUE INDEX "ux_rotation_run_steps_run_id_order" ON "rotation_run_steps" ("run_id", "order");

-- Audit log. Never carries a secret value.
CREATE TABLE "audit_events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_audit_events" PRIMARY KEY AUTOINCREMENT,
    "occurred_at" INTEGER NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_name" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" TEXT NULL,
    "target_name" TEXT NULL,
    "outcome" TEXT NOT NULL,
    "details" TEXT NULL
);
CREATE INDEX "ix_audit_events_occurred_at" ON "audit_events" ("occurred_at" DESC);
CREATE INDEX "ix_audit_events_target_id" ON "audit_events" ("target_id");

-- API tokens: only the SHA-256 of the value is stored.
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL CONSTRAINT "pk_api_tokens" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "expires_at" INTEGER NULL,
    "last_used_at" INTEGER NULL,
    "revoked_at" INTEGER NULL
);
CREATE UNIQUE INDEX "ux_api_tokens_token_hash" ON "api_tokens" ("token_hash");
