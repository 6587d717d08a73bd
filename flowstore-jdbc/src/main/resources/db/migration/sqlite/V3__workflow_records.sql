-- Workflow records (SQLite): the same tables, keys, partial unique indexes and CHECKs as the PostgreSQL
-- migration. No RLS: every statement of the SQL layer filters on tenant_id. Times are microseconds since
-- the epoch, UUIDs text, JSON text checked with json_type, progress text ('12.50') so it stays exact.

CREATE TABLE step_attempts (
    tenant_id   TEXT    NOT NULL,
    session_id  TEXT    NOT NULL,
    step        TEXT    NOT NULL,
    attempt     INTEGER NOT NULL CHECK (attempt >= 1),
    status      TEXT    NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
    input       TEXT    CHECK (input IS NULL OR json_type(input) = 'object'),
    output      TEXT    CHECK (output IS NULL OR json_type(output) = 'object'),
    result_hash TEXT,
    error       TEXT,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (tenant_id, session_id, step, attempt),
    CHECK ((status = 'RUNNING') = (finished_at IS NULL))
) WITHOUT ROWID;
CREATE INDEX step_attempts_session_ix ON step_attempts (tenant_id, session_id, started_at, step, attempt);

-- why: a rowid table, so seq can copy the ever-increasing rowid (SQLite has no identity columns)
CREATE TABLE workflow_checkpoints (
    tenant_id            TEXT    NOT NULL,
    session_id           TEXT    NOT NULL,
    checkpoint_id        TEXT    NOT NULL,
    parent_checkpoint_id TEXT,
    seq                  INTEGER,
    data                 TEXT    NOT NULL CHECK (json_type(data) = 'object'),
    bytes                BLOB,
    metadata             TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(metadata) = 'object'),
    created_at           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, session_id, checkpoint_id),
    FOREIGN KEY (tenant_id, session_id, parent_checkpoint_id) REFERENCES workflow_checkpoints (tenant_id, session_id, checkpoint_id)
);
CREATE TRIGGER workflow_checkpoints_seq AFTER INSERT ON workflow_checkpoints
BEGIN
    UPDATE workflow_checkpoints SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
CREATE INDEX workflow_checkpoints_session_seq_ix ON workflow_checkpoints (tenant_id, session_id, seq);

CREATE TABLE registry_nodes (
    tenant_id    TEXT    NOT NULL,
    node_id      TEXT    NOT NULL,
    node_type    TEXT    NOT NULL CHECK (node_type IN ('builtin', 'webhook')),
    name         TEXT    NOT NULL,
    description  TEXT,
    endpoint     TEXT,
    param_schema TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(param_schema) = 'object'),
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, node_id),
    CHECK ((node_type = 'webhook') = (endpoint IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX registry_nodes_type_ix ON registry_nodes (tenant_id, node_type, node_id);

CREATE TABLE async_tasks (
    tenant_id    TEXT    NOT NULL,
    task_id      TEXT    NOT NULL,
    task_type    TEXT    NOT NULL,
    session_id   TEXT,
    status       TEXT    NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    progress     TEXT    NOT NULL DEFAULT '0.00' CHECK (CAST(progress AS REAL) >= 0 AND CAST(progress AS REAL) <= 100),
    result       TEXT    CHECK (result IS NULL OR json_type(result) = 'object'),
    error        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    started_at   INTEGER,
    completed_at INTEGER,
    PRIMARY KEY (tenant_id, task_id)
) WITHOUT ROWID;
CREATE INDEX async_tasks_created_ix ON async_tasks (tenant_id, created_at, task_id);
CREATE INDEX async_tasks_session_ix ON async_tasks (tenant_id, session_id, created_at, task_id);
CREATE INDEX async_tasks_status_ix ON async_tasks (tenant_id, status, created_at, task_id);

CREATE TABLE flow_resume_handles (
    tenant_id      TEXT    NOT NULL,
    handle_id      TEXT    NOT NULL,
    session_id     TEXT    NOT NULL,
    correlation_id TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'PENDING_PAUSE' CHECK (status IN ('PENDING_PAUSE', 'PAUSED', 'RESUMED', 'EXPIRED')),
    resume_payload TEXT    CHECK (resume_payload IS NULL OR json_type(resume_payload) = 'object'),
    expires_at     INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    paused_at      INTEGER,
    resumed_at     INTEGER,
    PRIMARY KEY (tenant_id, handle_id),
    CHECK ((status = 'RESUMED') = (resumed_at IS NOT NULL))
) WITHOUT ROWID;
CREATE UNIQUE INDEX idx_flow_resume_handles_unique_correlation ON flow_resume_handles (tenant_id, correlation_id)
    WHERE status IN ('PENDING_PAUSE', 'PAUSED');
CREATE INDEX flow_resume_handles_correlation_ix ON flow_resume_handles (tenant_id, correlation_id, created_at);
CREATE INDEX flow_resume_handles_session_ix ON flow_resume_handles (tenant_id, session_id, created_at, handle_id);
CREATE INDEX flow_resume_handles_expiry_ix ON flow_resume_handles (tenant_id, expires_at)
    WHERE status IN ('PENDING_PAUSE', 'PAUSED') AND expires_at IS NOT NULL;

CREATE TABLE command_inbox (
    tenant_id       TEXT    NOT NULL,
    command_id      TEXT    NOT NULL,
    session_id      TEXT    NOT NULL,
    command_type    TEXT    NOT NULL,
    payload         TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(payload) = 'object'),
    idempotency_key TEXT,
    status          TEXT    NOT NULL DEFAULT 'RECEIVED' CHECK (status IN ('RECEIVED', 'PROCESSING', 'COMPLETED', 'FAILED')),
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, command_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX idx_command_inbox_unique_pending_command ON command_inbox (tenant_id, session_id, command_type)
    WHERE status IN ('RECEIVED', 'PROCESSING');
CREATE UNIQUE INDEX command_inbox_idempotency_key_uq ON command_inbox (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX command_inbox_session_ix ON command_inbox (tenant_id, session_id, created_at, command_id);
