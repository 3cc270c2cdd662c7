-- 0010_rotation_pause: a rotation counts its failed runs in a row and pauses auto-rotation at the engine's limit
-- (RotationEngine:PauseAfterConsecutiveFailures); paused_at says when, until auto-rotation is turned on again.
-- Must match the EF Core model exactly (MigratedSchemaMatchesModelTests). Never edit after release: add 0011_*.sql.

ALTER TABLE "rotations" ADD COLUMN "consecutive_failures" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "rotations" ADD COLUMN "paused_at" INTEGER NULL;

-- The "repeated failures" notification became "rotation paused after repeated failures": keep its subscribers.
UPDATE "notification_subscriptions" SET "event_type" = 'rotation.paused.v1' WHERE "event_type" = 'rotation.repeated-failures.v1';
