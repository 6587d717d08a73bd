-- flowstore event store (PostgreSQL). Runs as the schema owner; tenant queries run as ${app_role}.
-- Every tenant table: tenant_id leads every primary key and unique constraint, and row-level security
-- (ENABLE + FORCE) admits only rows of the tenant set with set_config('app.current_tenant', t, true).

CREATE TABLE events (
    tenant_id   text        NOT NULL,
    position    bigint      NOT NULL,
    stream_id   text        NOT NULL,
    version     bigint      NOT NULL,
    event_id    uuid        NOT NULL,
    type        text        NOT NULL,
    category    text        NOT NULL,
    payload     jsonb       NOT NULL,
    metadata    jsonb       NOT NULL,
    created_at  timestamptz NOT NULL,
    CONSTRAINT events_pk PRIMARY KEY (tenant_id, position),
    CONSTRAINT events_stream_version_uq UNIQUE (tenant_id, stream_id, version),
    CONSTRAINT events_event_id_uq UNIQUE (tenant_id, event_id),
    CONSTRAINT events_version_ck CHECK (version >= 0),
    CONSTRAINT events_position_ck CHECK (position >= 1),
    CONSTRAINT events_payload_object_ck CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT events_metadata_object_ck CHECK (jsonb_typeof(metadata) = 'object')
);
-- the category feed: GET /v1/events?category=
CREATE INDEX events_category_ix ON events (tenant_id, category, position);

-- The tenant's feed head. Appends lock this row (SELECT ... FOR UPDATE) for the rest of their transaction,
-- so positions are handed out in commit order and a feed reader can never pass a position that commits later.
CREATE TABLE event_feed_heads (
    tenant_id     text   NOT NULL,
    last_position bigint NOT NULL,
    CONSTRAINT event_feed_heads_pk PRIMARY KEY (tenant_id)
);

-- API keys are looked up before the tenant is known, so this one table is outside row-level security;
-- the SQL layer scopes list/revoke by tenant_id. Only SHA-256 hashes are stored.
CREATE TABLE api_keys (
    key_id     text        NOT NULL,
    key_hash   text        NOT NULL,
    tenant_id  text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT api_keys_pk PRIMARY KEY (key_id),
    CONSTRAINT api_keys_hash_uq UNIQUE (key_hash)
);
CREATE INDEX api_keys_tenant_ix ON api_keys (tenant_id);

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE event_feed_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_feed_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_feed_heads
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
