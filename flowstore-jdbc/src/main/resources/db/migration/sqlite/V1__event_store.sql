-- flowstore event store (SQLite). SQLite has no row-level security: every statement of the SQL layer
-- filters on tenant_id, and the tenancy contract suite proves it. Times are microseconds since the epoch.

CREATE TABLE events (
    tenant_id   TEXT    NOT NULL,
    position    INTEGER NOT NULL CHECK (position >= 1),
    stream_id   TEXT    NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 0),
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    payload     TEXT    NOT NULL CHECK (json_type(payload) = 'object'),
    metadata    TEXT    NOT NULL CHECK (json_type(metadata) = 'object'),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, position),
    UNIQUE (tenant_id, stream_id, version),
    UNIQUE (tenant_id, event_id)
) WITHOUT ROWID;
CREATE INDEX events_category_ix ON events (tenant_id, category, position);

CREATE TABLE event_feed_heads (
    tenant_id     TEXT    NOT NULL PRIMARY KEY,
    last_position INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_keys (
    key_id     TEXT    NOT NULL PRIMARY KEY,
    key_hash   TEXT    NOT NULL UNIQUE,
    tenant_id  TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX api_keys_tenant_ix ON api_keys (tenant_id);
