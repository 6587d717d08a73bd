-- The audit log: append-only and hash-chained per tenant. Each entry's hash covers the previous
-- entry's hash and its own canonical content, so an edited, deleted or inserted row breaks the chain.
CREATE TABLE audit_log (
    tenant_id     text        NOT NULL,
    seq           bigint      NOT NULL,
    actor         text        NOT NULL,
    action        text        NOT NULL,
    resource_type text        NOT NULL,
    resource_id   text        NOT NULL,
    trace_id      text,
    before_state  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    after_state   jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL,
    prev_hash     text        NOT NULL,
    hash          text        NOT NULL,
    CONSTRAINT audit_log_pk PRIMARY KEY (tenant_id, seq),
    CONSTRAINT audit_log_seq_ck CHECK (seq >= 1)
);
CREATE INDEX audit_log_resource_ix ON audit_log (tenant_id, resource_type, resource_id, seq);
CREATE INDEX audit_log_time_ix ON audit_log (tenant_id, created_at, seq);

-- The chain's head per tenant: appends lock it (so seq is gap-free and the chain linear), and it
-- remembers the last seq and hash, so deleting the newest entries is detected too.
CREATE TABLE audit_heads (
    tenant_id text   NOT NULL,
    last_seq  bigint NOT NULL,
    last_hash text   NOT NULL,
    CONSTRAINT audit_heads_pk PRIMARY KEY (tenant_id)
);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
