-- HTTP request idempotency keys, per tenant, with the stored response.
CREATE TABLE idempotency_keys (
    tenant_id       text        NOT NULL,
    idem_key        text        NOT NULL,
    request_hash    text        NOT NULL,
    status          text        NOT NULL,
    response_status integer,
    response_body   text,
    created_at      timestamptz NOT NULL,
    locked_until    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    CONSTRAINT idempotency_keys_pk PRIMARY KEY (tenant_id, idem_key),
    CONSTRAINT idempotency_keys_status_ck CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
    CONSTRAINT idempotency_keys_response_ck CHECK ((status = 'COMPLETED') = (response_status IS NOT NULL))
);
CREATE INDEX idempotency_keys_expiry_ix ON idempotency_keys (tenant_id, expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
