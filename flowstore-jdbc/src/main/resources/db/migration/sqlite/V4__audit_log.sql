-- The audit log (see the PostgreSQL migration for the design).
CREATE TABLE audit_log (
    tenant_id     TEXT    NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    actor         TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    resource_type TEXT    NOT NULL,
    resource_id   TEXT    NOT NULL,
    trace_id      TEXT,
    before_state  TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(before_state) = 'object'),
    after_state   TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(after_state) = 'object'),
    created_at    INTEGER NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, seq)
) WITHOUT ROWID;
CREATE INDEX audit_log_resource_ix ON audit_log (tenant_id, resource_type, resource_id, seq);
CREATE INDEX audit_log_time_ix ON audit_log (tenant_id, created_at, seq);

CREATE TABLE audit_heads (
    tenant_id TEXT    NOT NULL PRIMARY KEY,
    last_seq  INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
) WITHOUT ROWID;
