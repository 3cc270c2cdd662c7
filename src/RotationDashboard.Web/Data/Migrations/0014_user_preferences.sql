-- 0014_user_preferences: display choices per signed-in person (light or dark mode), keyed by the identity provider's
-- subject; and an index for the dashboard's runs-per-day picture, which counts runs by day and outcome.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add a new script.

CREATE TABLE "user_preferences" (
    "subject" TEXT NOT NULL CONSTRAINT "pk_user_preferences" PRIMARY KEY,
    "dark_mode" INTEGER NOT NULL,
    "updated_at" INTEGER NOT NULL
);

CREATE INDEX "ix_rotation_runs_started_at_status" ON "rotation_runs" ("started_at", "status");
