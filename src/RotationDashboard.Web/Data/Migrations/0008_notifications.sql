-- 0008_notifications: notification channels, their subscriptions, the event outbox (one row per occurrence) and
-- deliveries with their persisted retry schedule; the event sources' cursors.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add a new script.

CREATE TABLE "notification_channels" (
    "id" TEXT NOT NULL CONSTRAINT "pk_notification_channels" PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "settings" TEXT NOT NULL,
    "encrypted_secret" BLOB NULL,
    "is_enabled" INTEGER NOT NULL,
    "created_at" INTEGER NOT NULL
);

CREATE TABLE "notification_subscriptions" (
    "id" TEXT NOT NULL CONSTRAINT "pk_notification_subscriptions" PRIMARY KEY,
    "channel_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "project_id" TEXT NULL,
    "environment" TEXT NULL,
    "rotation_id" TEXT NULL,
    "created_at" INTEGER NOT NULL,
    CONSTRAINT "fk_notification_subscriptions_notification_channels_channel_id" FOREIGN KEY ("channel_id") REFERENCES "notification_channels" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_notification_subscriptions_channel_id" ON "notification_subscriptions" ("channel_id");

CREATE TABLE "notification_events" (
    "id" TEXT NOT NULL CONSTRAINT "pk_notification_events" PRIMARY KEY,
    "occurrence_key" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "rotation_id" TEXT NULL,
    "payload" TEXT NOT NULL,
    "occurred_at" INTEGER NOT NULL
);
CREATE UNIQUE INDEX "ux_notification_events_occurrence_key" ON "notification_events" ("occurrence_key");
CREATE INDEX "ix_notification_events_rotation_id" ON "notification_events" ("rotation_id");

CREATE TABLE "notification_deliveries" (
    "id" TEXT NOT NULL CONSTRAINT "pk_notification_deliveries" PRIMARY KEY,
    "event_id" TEXT NOT NULL,
    "channel_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "next_attempt_at" INTEGER NULL,
    "last_attempt_at" INTEGER NULL,
    "last_status_code" INTEGER NULL,
    "last_duration_ms" INTEGER NULL,
    "last_error" TEXT NULL,
    "created_at" INTEGER NOT NULL,
    CONSTRAINT "fk_notification_deliveries_notification_channels_channel_id" FOREIGN KEY ("channel_id") REFERENCES "notification_channels" ("id") ON DELETE CASCADE,
    CONSTRAINT "fk_notification_deliveries_notification_events_event_id" FOREIGN KEY ("event_id") REFERENCES "notification_events" ("id") ON DELETE CASCADE
);
CREATE INDEX "ix_notification_deliveries_channel_id" ON "notification_deliveries" ("channel_id");
CREATE UNIQUE INDEX "ux_notification_deliveries_event_id_channel_id" ON "notification_deliveries" ("event_id", "channel_id");
CREATE INDEX "ix_notification_deliveries_status_next_attempt_at" ON "notification_deliveries" ("status", "next_attempt_at");

CREATE TABLE "notification_source_state" (
    "key" TEXT NOT NULL CONSTRAINT "pk_notification_source_state" PRIMARY KEY,
    "value" INTEGER NOT NULL
);
