-- Tenants known to this store, for workers that sweep every tenant (TTL, expiry). Outside row-level
-- security on purpose: it holds only tenant ids, and a sweeper must list them before it can scope a
-- transaction to one. A tenant is registered when its first event is appended.
CREATE TABLE tenants (
    tenant_id  text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_pk PRIMARY KEY (tenant_id)
);

-- Keeps updated_at current for updates that do not set it themselves (the SQL layer sets it from its
-- clock; this covers hand-written SQL).
CREATE FUNCTION flowstore_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END;
$$;

INSERT INTO tenants (tenant_id) SELECT tenant_id FROM event_feed_heads ON CONFLICT DO NOTHING;

-- Flow definitions, versioned: registering a flow again adds a version; versions never change.
CREATE TABLE flows (
    tenant_id    text        NOT NULL,
    flow_id      text        NOT NULL,
    version      integer     NOT NULL,
    name         text        NOT NULL,
    description  text        NOT NULL DEFAULT '',
    yaml_content text        NOT NULL,
    param_schema jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT flows_pk PRIMARY KEY (tenant_id, flow_id, version),
    CONSTRAINT flows_version_ck CHECK (version >= 1),
    CONSTRAINT flows_param_schema_ck CHECK (jsonb_typeof(param_schema) = 'object')
);

-- Sessions (runs): the current snapshot. The truth of every change is also an event in the stream
-- 'session-<session_id>', written in the same transaction; version = that stream's version.
CREATE TABLE sessions (
    tenant_id         text        NOT NULL,
    session_id        uuid        NOT NULL DEFAULT gen_random_uuid(),
    flow_id           text,
    flow_version      integer,
    status            text        NOT NULL,
    current_state     text        NOT NULL,
    stage             text,
    session_state     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    params            jsonb       NOT NULL DEFAULT '{}'::jsonb,
    metadata          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    schedule_id       text,
    parent_session_id uuid,
    version           bigint      NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    ttl_seconds       integer,
    expires_at        timestamptz,
    CONSTRAINT sessions_pk PRIMARY KEY (tenant_id, session_id),
    CONSTRAINT sessions_flow_fk FOREIGN KEY (tenant_id, flow_id, flow_version) REFERENCES flows (tenant_id, flow_id, version),
    CONSTRAINT sessions_status_ck CHECK (status IN ('ACTIVE', 'COMPLETED', 'FAILED', 'ABANDONED', 'EXPIRED')),
    CONSTRAINT sessions_final_ck CHECK ((status = 'ACTIVE') = (completed_at IS NULL)),
    CONSTRAINT sessions_version_ck CHECK (version >= 0),
    CONSTRAINT sessions_ttl_ck CHECK (ttl_seconds IS NULL OR ttl_seconds > 0),
    CONSTRAINT sessions_state_ck CHECK (jsonb_typeof(session_state) = 'object' AND jsonb_typeof(params) = 'object' AND jsonb_typeof(metadata) = 'object')
);
-- one index per list query: all, by status, by flow (newest first, keyset paging on (created_at, session_id))
CREATE INDEX sessions_created_ix ON sessions (tenant_id, created_at DESC, session_id DESC);
CREATE INDEX sessions_status_ix ON sessions (tenant_id, status, created_at DESC, session_id DESC);
CREATE INDEX sessions_flow_ix ON sessions (tenant_id, flow_id, created_at DESC, session_id DESC);
-- the TTL sweeper
CREATE INDEX sessions_expiry_ix ON sessions (tenant_id, expires_at) WHERE status = 'ACTIVE' AND expires_at IS NOT NULL;

CREATE TRIGGER sessions_touch_updated_at BEFORE UPDATE ON sessions
    FOR EACH ROW EXECUTE FUNCTION flowstore_touch_updated_at();

ALTER TABLE flows ENABLE ROW LEVEL SECURITY;
ALTER TABLE flows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flows
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
