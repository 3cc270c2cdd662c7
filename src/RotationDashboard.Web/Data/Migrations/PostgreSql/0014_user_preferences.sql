-- PostgreSQL twin of 0014_user_preferences: light or dark mode per signed-in person, and the runs-per-day index.
CREATE TABLE user_preferences (
    subject character varying(256) NOT NULL,
    dark_mode boolean NOT NULL,
    updated_at bigint NOT NULL,
    CONSTRAINT pk_user_preferences PRIMARY KEY (subject)
);

CREATE INDEX ix_rotation_runs_started_at_status ON rotation_runs (started_at, status);
