-- Workflow records (PostgreSQL): step attempts (node runs + idempotency log), checkpoints, the node registry,
-- async tasks, resume handles and the command inbox. Same rules as V1: tenant_id leads every primary key and
-- unique index (partial ones included), and row-level security (ENABLE + FORCE) admits only the tenant set
-- with set_config('app.current_tenant', t, true). Every status has a CHECK; the SQL layer writes every time
-- from its clock (and ids from Java), the defaults below serve hand-written SQL.

-- One attempt of one step of a session (seed 000 idempotency_log, seed 003 node_runs). The primary key is
-- the idempotency key: INSERT ... ON CONFLICT DO NOTHING makes "record" race-free.
CREATE TABLE step_attempts (
    tenant_id   text        NOT NULL,
    session_id  uuid        NOT NULL,
    step        text        NOT NULL,
    attempt     integer     NOT NULL,
    status      text        NOT NULL,
    input       jsonb,
    output      jsonb,
    result_hash text,
    error       text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT step_attempts_pk PRIMARY KEY (tenant_id, session_id, step, attempt),
    CONSTRAINT step_attempts_attempt_ck CHECK (attempt >= 1),
    CONSTRAINT step_attempts_status_ck CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED')),
    CONSTRAINT step_attempts_finished_ck CHECK ((status = 'RUNNING') = (finished_at IS NULL)),
    CONSTRAINT step_attempts_input_object_ck CHECK (input IS NULL OR jsonb_typeof(input) = 'object'),
    CONSTRAINT step_attempts_output_object_ck CHECK (output IS NULL OR jsonb_typeof(output) = 'object')
);
-- Steps.list: a session's attempts in recording order
CREATE INDEX step_attempts_session_ix ON step_attempts (tenant_id, session_id, started_at, step, attempt);

-- Append-only checkpoints of a session (seed 001 workflow_checkpoints; thread_id = session_id). seq orders
-- them (newest = largest) without a per-session counter to contend on.
CREATE TABLE workflow_checkpoints (
    tenant_id            text        NOT NULL,
    session_id           uuid        NOT NULL,
    checkpoint_id        text        NOT NULL,
    parent_checkpoint_id text,
    seq                  bigint      GENERATED ALWAYS AS IDENTITY,
    data                 jsonb       NOT NULL,
    bytes                bytea,
    metadata             jsonb       NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT workflow_checkpoints_pk PRIMARY KEY (tenant_id, session_id, checkpoint_id),
    CONSTRAINT workflow_checkpoints_parent_fk FOREIGN KEY (tenant_id, session_id, parent_checkpoint_id)
        REFERENCES workflow_checkpoints (tenant_id, session_id, checkpoint_id),
    CONSTRAINT workflow_checkpoints_data_object_ck CHECK (jsonb_typeof(data) = 'object'),
    CONSTRAINT workflow_checkpoints_metadata_object_ck CHECK (jsonb_typeof(metadata) = 'object')
);
-- Checkpoints.latest / list: newest first within a session
CREATE INDEX workflow_checkpoints_session_seq_ix ON workflow_checkpoints (tenant_id, session_id, seq);

-- The node registry (seed 000 registry_nodes). A webhook has an endpoint, a builtin has none.
CREATE TABLE registry_nodes (
    tenant_id    text        NOT NULL,
    node_id      text        NOT NULL,
    node_type    text        NOT NULL,
    name         text        NOT NULL,
    description  text,
    endpoint     text,
    param_schema jsonb       NOT NULL DEFAULT '{}',
    status       text        NOT NULL DEFAULT 'active',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT registry_nodes_pk PRIMARY KEY (tenant_id, node_id),
    CONSTRAINT registry_nodes_type_ck CHECK (node_type IN ('builtin', 'webhook')),
    CONSTRAINT registry_nodes_status_ck CHECK (status IN ('active', 'disabled')),
    CONSTRAINT registry_nodes_endpoint_ck CHECK ((node_type = 'webhook') = (endpoint IS NOT NULL)),
    CONSTRAINT registry_nodes_param_schema_object_ck CHECK (jsonb_typeof(param_schema) = 'object')
);
-- Nodes.list with a type filter (without one, the primary key serves)
CREATE INDEX registry_nodes_type_ix ON registry_nodes (tenant_id, node_type, node_id);

-- Long-running outside work (seed 004 async_tasks).
CREATE TABLE async_tasks (
    tenant_id    text          NOT NULL,
    task_id      uuid          NOT NULL DEFAULT gen_random_uuid(),
    task_type    text          NOT NULL,
    session_id   uuid,
    status       text          NOT NULL DEFAULT 'PENDING',
    progress     numeric(5, 2) NOT NULL DEFAULT 0,
    result       jsonb,
    error        text,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    started_at   timestamptz,
    completed_at timestamptz,
    CONSTRAINT async_tasks_pk PRIMARY KEY (tenant_id, task_id),
    CONSTRAINT async_tasks_status_ck CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED')),
    CONSTRAINT async_tasks_progress_ck CHECK (progress >= 0 AND progress <= 100),
    CONSTRAINT async_tasks_result_object_ck CHECK (result IS NULL OR jsonb_typeof(result) = 'object')
);
-- Tasks.list: all, by session, by status; newest first
CREATE INDEX async_tasks_created_ix ON async_tasks (tenant_id, created_at, task_id);
CREATE INDEX async_tasks_session_ix ON async_tasks (tenant_id, session_id, created_at, task_id);
CREATE INDEX async_tasks_status_ix ON async_tasks (tenant_id, status, created_at, task_id);

-- Pause/resume by correlation id (seed 004 flow_resume_handles). paused_at stays null when the resume
-- arrived before the pause completed.
CREATE TABLE flow_resume_handles (
    tenant_id      text        NOT NULL,
    handle_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
    session_id     uuid        NOT NULL,
    correlation_id text        NOT NULL,
    status         text        NOT NULL DEFAULT 'PENDING_PAUSE',
    resume_payload jsonb,
    expires_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    paused_at      timestamptz,
    resumed_at     timestamptz,
    CONSTRAINT flow_resume_handles_pk PRIMARY KEY (tenant_id, handle_id),
    CONSTRAINT flow_resume_handles_status_ck CHECK (status IN ('PENDING_PAUSE', 'PAUSED', 'RESUMED', 'EXPIRED')),
    CONSTRAINT flow_resume_handles_resumed_ck CHECK ((status = 'RESUMED') = (resumed_at IS NOT NULL)),
    CONSTRAINT flow_resume_handles_payload_object_ck CHECK (resume_payload IS NULL OR jsonb_typeof(resume_payload) = 'object')
);
-- At most one waiting handle per correlation id (seed 004's status = 'WAITING' is PENDING_PAUSE or PAUSED)
CREATE UNIQUE INDEX idx_flow_resume_handles_unique_correlation ON flow_resume_handles (tenant_id, correlation_id)
    WHERE status IN ('PENDING_PAUSE', 'PAUSED');
-- ResumeHandles.resume when nothing waits (why not?), list by session, and the expiry sweep
CREATE INDEX flow_resume_handles_correlation_ix ON flow_resume_handles (tenant_id, correlation_id, created_at);
CREATE INDEX flow_resume_handles_session_ix ON flow_resume_handles (tenant_id, session_id, created_at, handle_id);
CREATE INDEX flow_resume_handles_expiry_ix ON flow_resume_handles (tenant_id, expires_at)
    WHERE status IN ('PENDING_PAUSE', 'PAUSED') AND expires_at IS NOT NULL;

-- The command inbox (seed 004 command_inbox).
CREATE TABLE command_inbox (
    tenant_id       text        NOT NULL,
    command_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
    session_id      uuid        NOT NULL,
    command_type    text        NOT NULL,
    payload         jsonb       NOT NULL DEFAULT '{}',
    idempotency_key text,
    status          text        NOT NULL DEFAULT 'RECEIVED',
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT command_inbox_pk PRIMARY KEY (tenant_id, command_id),
    CONSTRAINT command_inbox_status_ck CHECK (status IN ('RECEIVED', 'PROCESSING', 'COMPLETED', 'FAILED')),
    CONSTRAINT command_inbox_payload_object_ck CHECK (jsonb_typeof(payload) = 'object')
);
-- At most one active command per (session, command type)
CREATE UNIQUE INDEX idx_command_inbox_unique_pending_command ON command_inbox (tenant_id, session_id, command_type)
    WHERE status IN ('RECEIVED', 'PROCESSING');
CREATE UNIQUE INDEX command_inbox_idempotency_key_uq ON command_inbox (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- Commands.list: a session's commands, newest first
CREATE INDEX command_inbox_session_ix ON command_inbox (tenant_id, session_id, created_at, command_id);

CREATE TRIGGER registry_nodes_touch BEFORE UPDATE ON registry_nodes
    FOR EACH ROW EXECUTE FUNCTION flowstore_touch_updated_at();
CREATE TRIGGER async_tasks_touch BEFORE UPDATE ON async_tasks
    FOR EACH ROW EXECUTE FUNCTION flowstore_touch_updated_at();
CREATE TRIGGER flow_resume_handles_touch BEFORE UPDATE ON flow_resume_handles
    FOR EACH ROW EXECUTE FUNCTION flowstore_touch_updated_at();
CREATE TRIGGER command_inbox_touch BEFORE UPDATE ON command_inbox
    FOR EACH ROW EXECUTE FUNCTION flowstore_touch_updated_at();

ALTER TABLE step_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE step_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON step_attempts
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE workflow_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE workflow_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON workflow_checkpoints
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE registry_nodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE registry_nodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON registry_nodes
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE async_tasks ENABLE ROW LEVEL SECURITY;
ALTER TABLE async_tasks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON async_tasks
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE flow_resume_handles ENABLE ROW LEVEL SECURITY;
ALTER TABLE flow_resume_handles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON flow_resume_handles
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE command_inbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE command_inbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON command_inbox
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
