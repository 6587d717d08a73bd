-- The job queue (seed 001 jobs, dlq_items): at-least-once delivery with leases and fencing tokens, retries,
-- attempt history, and the DLQ state machine dlq_pending -> dlq_recorded -> failed. Same rules as V1-V4:
-- tenant_id leads every primary key and unique index, RLS (ENABLE + FORCE) admits only the current tenant,
-- every status has a CHECK, and the SQL layer writes every time from the store's clock.

CREATE TABLE jobs (
    tenant_id        text        NOT NULL,
    job_id           uuid        NOT NULL,
    message_id       uuid        NOT NULL,
    event_id         uuid,
    trace_id         text,
    queue            text        NOT NULL,
    job_type         text        NOT NULL,
    payload          jsonb       NOT NULL DEFAULT '{}',
    priority         integer     NOT NULL DEFAULT 0,
    run_at           timestamptz NOT NULL,
    attempt          integer     NOT NULL DEFAULT 0,
    max_attempts     integer     NOT NULL,
    unique_key       text,
    status           text        NOT NULL DEFAULT 'queued',
    -- the fencing token: +1 on every lease, never reset (not even by a redrive)
    lease_seq        bigint      NOT NULL DEFAULT 0,
    lease_expires_at timestamptz,
    last_error       text,
    -- enqueue order, the last tie-breaker of the lease order
    seq              bigint      GENERATED ALWAYS AS IDENTITY,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    CONSTRAINT jobs_pk PRIMARY KEY (tenant_id, job_id),
    CONSTRAINT jobs_status_ck CHECK (status IN ('queued', 'leased', 'succeeded', 'dlq_pending', 'dlq_recorded', 'failed')),
    CONSTRAINT jobs_attempt_ck CHECK (attempt >= 0),
    CONSTRAINT jobs_max_attempts_ck CHECK (max_attempts BETWEEN 1 AND 1000),
    CONSTRAINT jobs_lease_ck CHECK ((status = 'leased') = (lease_expires_at IS NOT NULL)),
    CONSTRAINT jobs_finished_ck CHECK ((status IN ('succeeded', 'failed')) = (finished_at IS NOT NULL)),
    CONSTRAINT jobs_payload_object_ck CHECK (jsonb_typeof(payload) = 'object')
);
-- unique_key is unique among the active jobs of a tenant's queue; enqueue relies on ON CONFLICT DO NOTHING
CREATE UNIQUE INDEX jobs_unique_key_uq ON jobs (tenant_id, queue, unique_key)
    WHERE unique_key IS NOT NULL AND status IN ('queued', 'leased', 'dlq_pending', 'dlq_recorded');
-- Queue.lease: the ready jobs of a queue in lease order (only queued rows, so it stays small)
CREATE INDEX jobs_ready_ix ON jobs (tenant_id, queue, priority DESC, run_at, seq) WHERE status = 'queued';
-- expired leases: Queue.lease (one queue) and Queue.releaseExpired (all queues of the tenant)
CREATE INDEX jobs_leased_ix ON jobs (tenant_id, queue, lease_expires_at) WHERE status = 'leased';
-- Queue.recoverDlq: the (normally empty) set of interrupted DLQ transitions
CREATE INDEX jobs_dlq_transit_ix ON jobs (tenant_id, updated_at) WHERE status IN ('dlq_pending', 'dlq_recorded');
-- Queue.stats: counts per queue and status (index-only)
CREATE INDEX jobs_stats_ix ON jobs (tenant_id, queue, status, run_at);

-- Every delivery of a job, keyed by its fencing token, with how it ended and its error.
CREATE TABLE job_attempts (
    tenant_id   text        NOT NULL,
    job_id      uuid        NOT NULL,
    token       bigint      NOT NULL,
    attempt     integer     NOT NULL,
    outcome     text        NOT NULL,
    error       text,
    leased_at   timestamptz NOT NULL,
    finished_at timestamptz,
    CONSTRAINT job_attempts_pk PRIMARY KEY (tenant_id, job_id, token),
    CONSTRAINT job_attempts_job_fk FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, job_id) ON DELETE CASCADE,
    CONSTRAINT job_attempts_outcome_ck CHECK (outcome IN ('leased', 'succeeded', 'failed', 'expired', 'released')),
    CONSTRAINT job_attempts_finished_ck CHECK ((outcome = 'leased') = (finished_at IS NULL))
);

-- The dead-letter queue: one item per failed job, written with its dlq_pending -> dlq_recorded move.
CREATE TABLE dlq_items (
    tenant_id  text        NOT NULL,
    job_id     uuid        NOT NULL,
    message_id uuid        NOT NULL,
    event_id   uuid,
    trace_id   text,
    queue      text        NOT NULL,
    job_type   text        NOT NULL,
    payload    jsonb       NOT NULL,
    attempts   integer     NOT NULL,
    last_error text,
    created_at timestamptz NOT NULL,
    CONSTRAINT dlq_items_pk PRIMARY KEY (tenant_id, job_id),
    CONSTRAINT dlq_items_job_fk FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, job_id) ON DELETE CASCADE,
    CONSTRAINT dlq_items_payload_object_ck CHECK (jsonb_typeof(payload) = 'object')
);
-- DeadLetters.list: all queues, or one, oldest first
CREATE INDEX dlq_items_created_ix ON dlq_items (tenant_id, created_at, job_id);
CREATE INDEX dlq_items_queue_ix ON dlq_items (tenant_id, queue, created_at, job_id);

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE job_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_attempts
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE dlq_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE dlq_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON dlq_items
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
