-- PostgreSQL twin of 0013_bulk_operations: bulk rotations and bulk onboarding, one row per rotation.
CREATE TABLE bulk_operations (
    id uuid NOT NULL,
    kind character varying(16) NOT NULL,
    status character varying(16) NOT NULL,
    set_description character varying(500) NOT NULL,
    connection_id uuid,
    started_by character varying(256) NOT NULL,
    started_at bigint NOT NULL,
    finished_at bigint,
    requests_per_second double precision NOT NULL,
    max_in_flight integer NOT NULL,
    CONSTRAINT pk_bulk_operations PRIMARY KEY (id)
);
CREATE INDEX ix_bulk_operations_started_at ON bulk_operations (started_at);

CREATE TABLE bulk_operation_items (
    id uuid NOT NULL,
    operation_id uuid NOT NULL,
    position integer NOT NULL,
    rotation_id uuid,
    name character varying(256) NOT NULL,
    client_id character varying(256) NOT NULL,
    state character varying(16) NOT NULL,
    run_id uuid,
    message character varying(1000),
    started_at bigint,
    finished_at bigint,
    CONSTRAINT pk_bulk_operation_items PRIMARY KEY (id),
    CONSTRAINT fk_bulk_operation_items_bulk_operations_operation_id FOREIGN KEY (operation_id) REFERENCES bulk_operations (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ux_bulk_operation_items_operation_id_position ON bulk_operation_items (operation_id, position);
