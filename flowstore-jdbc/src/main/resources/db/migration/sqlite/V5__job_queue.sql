-- The job queue (see the PostgreSQL migration for the design): the same tables, keys, partial indexes and
-- CHECKs. No RLS: every statement filters on tenant_id. Times are microseconds since the epoch, UUIDs text.

-- why: a rowid table, so seq can copy the ever-increasing rowid (SQLite has no identity columns)
CREATE TABLE jobs (
    tenant_id        TEXT    NOT NULL,
    job_id           TEXT    NOT NULL,
    message_id       TEXT    NOT NULL,
    event_id         TEXT,
    trace_id         TEXT,
    queue            TEXT    NOT NULL,
    job_type         TEXT    NOT NULL,
    payload          TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(payload) = 'object'),
    priority         INTEGER NOT NULL DEFAULT 0,
    run_at           INTEGER NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts     INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 1000),
    unique_key       TEXT,
    status           TEXT    NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'leased', 'succeeded', 'dlq_pending', 'dlq_recorded', 'failed')),
    lease_seq        INTEGER NOT NULL DEFAULT 0,
    lease_expires_at INTEGER,
    last_error       TEXT,
    seq              INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER,
    PRIMARY KEY (tenant_id, job_id),
    CHECK ((status = 'leased') = (lease_expires_at IS NOT NULL)),
    CHECK ((status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL))
);
CREATE TRIGGER jobs_seq AFTER INSERT ON jobs
BEGIN
    UPDATE jobs SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
CREATE UNIQUE INDEX jobs_unique_key_uq ON jobs (tenant_id, queue, unique_key)
    WHERE unique_key IS NOT NULL AND status IN ('queued', 'leased', 'dlq_pending', 'dlq_recorded');
CREATE INDEX jobs_ready_ix ON jobs (tenant_id, queue, priority DESC, run_at, seq) WHERE status = 'queued';
CREATE INDEX jobs_leased_ix ON jobs (tenant_id, queue, lease_expires_at) WHERE status = 'leased';
CREATE INDEX jobs_dlq_transit_ix ON jobs (tenant_id, updated_at) WHERE status IN ('dlq_pending', 'dlq_recorded');
CREATE INDEX jobs_stats_ix ON jobs (tenant_id, queue, status, run_at);

CREATE TABLE job_attempts (
    tenant_id   TEXT    NOT NULL,
    job_id      TEXT    NOT NULL,
    token       INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('leased', 'succeeded', 'failed', 'expired', 'released')),
    error       TEXT,
    leased_at   INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (tenant_id, job_id, token),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, job_id) ON DELETE CASCADE,
    CHECK ((outcome = 'leased') = (finished_at IS NULL))
) WITHOUT ROWID;

CREATE TABLE dlq_items (
    tenant_id  TEXT    NOT NULL,
    job_id     TEXT    NOT NULL,
    message_id TEXT    NOT NULL,
    event_id   TEXT,
    trace_id   TEXT,
    queue      TEXT    NOT NULL,
    job_type   TEXT    NOT NULL,
    payload    TEXT    NOT NULL CHECK (json_type(payload) = 'object'),
    attempts   INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, job_id),
    FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, job_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX dlq_items_created_ix ON dlq_items (tenant_id, created_at, job_id);
CREATE INDEX dlq_items_queue_ix ON dlq_items (tenant_id, queue, created_at, job_id);
