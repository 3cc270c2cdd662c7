-- 0007_machine_identities: machine identities for Universal Auth (Infisical-compatible service logins), their client
-- secrets (SHA-256 only) and the short-lived access tokens a login issues (SHA-256 only); a rotation's optional NEXT
-- names (second secrets that hold the new credential during an overlap, for single-value consumers).
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add a new script.

CREATE TABLE "machine_identities" (
    "id" TEXT NOT NULL CONSTRAINT "pk_machine_identities" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "access_token_ttl_seconds" INTEGER NOT NULL,
    "access_token_max_ttl_seconds" INTEGER NOT NULL,
    "created_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "revoked_at" INTEGER NULL
);
CREATE UNIQUE INDEX "ux_machine_identities_client_id" ON "machine_identities" ("client_id");

CREATE TABLE "machine_identity_client_secrets" (
    "id" TEXT NOT NULL CONSTRAINT "pk_machine_identity_client_secrets" PRIMARY KEY,
    "identity_id" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    "created_by" TEXT NOT NULL,
    "expires_at" INTEGER NULL,
    "last_used_at" INTEGER NULL,
    "revoked_at" INTEGER NULL,
    CONSTRAINT "fk_machine_identity_client_secrets_machine_identities_identity_id" FOREIGN KEY ("identity_id") REFERENCES "machine_identities" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_machine_identity_client_secrets_identity_id" ON "machine_identity_client_secrets" ("identity_id");
CREATE UNIQUE INDEX "ux_machine_identity_client_secrets_secret_hash" ON "machine_identity_client_secrets" ("secret_hash");

CREATE TABLE "machine_identity_access_tokens" (
    "id" TEXT NOT NULL CONSTRAINT "pk_machine_identity_access_tokens" PRIMARY KEY,
    "identity_id" TEXT NOT NULL,
    "client_secret_id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    "expires_at" INTEGER NOT NULL,
    "max_expires_at" INTEGER NOT NULL,
    "revoked_at" INTEGER NULL,
    CONSTRAINT "fk_machine_identity_access_tokens_machine_identities_identity_id" FOREIGN KEY ("identity_id") REFERENCES "machine_identities" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_machine_identity_access_tokens_identity_id" ON "machine_identity_access_tokens" ("identity_id");
CREATE INDEX "ix_machine_identity_access_tokens_max_expires_at" ON "machine_identity_access_tokens" ("max_expires_at");
CREATE UNIQUE INDEX "ux_machine_identity_access_tokens_token_hash" ON "machine_identity_access_tokens" ("token_hash");

ALTER TABLE "rotations" ADD COLUMN "secrets_mapping_client_secret_next" TEXT NULL;
ALTER TABLE "rotations" ADD COLUMN "secrets_mapping_private_key_next" TEXT NULL;
ALTER TABLE "rotations" ADD COLUMN "secrets_mapping_key_id_next" TEXT NULL;
