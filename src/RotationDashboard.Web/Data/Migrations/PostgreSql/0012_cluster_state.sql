-- What one instance keeps that another needs (outside the EF model; read and written by their own small classes).

-- ASP.NET Core data-protection keys (session cookies, antiforgery tokens): one key ring for every instance, so a
-- sign-in made through one instance is valid on all. The XML is encrypted with the root key, as on disk with SQLite.
CREATE TABLE data_protection_keys (
    friendly_name character varying(256) NOT NULL,
    xml text NOT NULL,
    created_at bigint NOT NULL,
    CONSTRAINT pk_data_protection_keys PRIMARY KEY (friendly_name)
);

-- Events an instance publishes for the others: secret cache invalidations and run/rotation changes for the live UI.
-- Each instance polls rows newer than the ones it has seen (Storage:ClusterPollInterval); old rows are pruned.
CREATE TABLE cluster_events (
    id bigint GENERATED ALWAYS AS IDENTITY,
    instance character varying(128) NOT NULL,
    kind character varying(32) NOT NULL,
    payload text NOT NULL,
    created_at bigint NOT NULL,
    CONSTRAINT pk_cluster_events PRIMARY KEY (id)
);
CREATE INDEX ix_cluster_events_created_at ON cluster_events (created_at);
