-- Tenants known to this store, for workers that sweep every tenant (see the PostgreSQL migration).
CREATE TABLE tenants (
    tenant_id  TEXT    NOT NULL PRIMARY KEY,
    created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER))
) WITHOUT ROWID;
INSERT OR IGNORE INTO tenants (tenant_id) SELECT tenant_id FROM event_feed_heads;

CREATE TABLE flows (
    tenant_id    TEXT    NOT NULL,
    flow_id      TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    yaml_content TEXT    NOT NULL,
    param_schema TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(param_schema) = 'object'),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, flow_id, version)
) WITHOUT ROWID;

CREATE TABLE sessions (
    tenant_id         TEXT    NOT NULL,
    session_id        TEXT    NOT NULL,
    flow_id           TEXT,
    flow_version      INTEGER,
    status            TEXT    NOT NULL CHECK (status IN ('ACTIVE', 'COMPLETED', 'FAILED', 'ABANDONED', 'EXPIRED')),
    current_state     TEXT    NOT NULL,
    stage             TEXT,
    session_state     TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(session_state) = 'object'),
    params            TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(params) = 'object'),
    metadata          TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
    schedule_id       TEXT,
    parent_session_id TEXT,
    version           INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    completed_at      INTEGER,
    ttl_seconds       INTEGER CHECK (ttl_seconds IS NULL OR ttl_seconds > 0),
    expires_at        INTEGER,
    PRIMARY KEY (tenant_id, session_id),
    FOREIGN KEY (tenant_id, flow_id, flow_version) REFERENCES flows (tenant_id, flow_id, version),
    CHECK ((status = 'ACTIVE') = (completed_at IS NULL))
) WITHOUT ROWID;
CREATE INDEX sessions_created_ix ON sessions (tenant_id, created_at DESC, session_id DESC);
CREATE INDEX sessions_status_ix ON sessions (tenant_id, status, created_at DESC, session_id DESC);
CREATE INDEX sessions_flow_ix ON sessions (tenant_id, flow_id, created_at DESC, session_id DESC);
CREATE INDEX sessions_expiry_ix ON sessions (tenant_id, expires_at) WHERE status = 'ACTIVE' AND expires_at IS NOT NULL;
