-- 0005_user_sessions: sign-in sessions kept server-side, so sign-out, revocation and role changes reach every copy of a cookie.
-- The ticket is protected with the app's data protection (keys encrypted with the root key).
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add a new script.

CREATE TABLE "user_sessions" (
    "id" TEXT NOT NULL CONSTRAINT "pk_user_sessions" PRIMARY KEY,
    "subject" TEXT NOT NULL,
    "user_name" TEXT NOT NULL,
    "created_at" INTEGER NOT NULL,
    "last_seen_at" INTEGER NOT NULL,
    "expires_at" INTEGER NOT NULL,
    "absolute_expires_at" INTEGER NOT NULL,
    "ticket" BLOB NOT NULL
);
CREATE INDEX "ix_user_sessions_subject" ON "user_sessions" ("subject");
