-- The transactional outbox: rows are written in the caller's transaction and published by relays.
CREATE TABLE outbox (
    tenant_id       text        NOT NULL,
    message_id      uuid        NOT NULL DEFAULT gen_random_uuid(),
    event_id        uuid        NOT NULL,
    destination     text        NOT NULL,
    payload         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    headers         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status          text        NOT NULL DEFAULT 'PENDING',
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    published_at    timestamptz,
    seq             bigint      GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT outbox_pk PRIMARY KEY (tenant_id, message_id),
    CONSTRAINT outbox_status_ck CHECK (status IN ('PENDING', 'PUBLISHED', 'FAILED')),
    CONSTRAINT outbox_published_ck CHECK ((status = 'PUBLISHED') = (published_at IS NOT NULL)),
    CONSTRAINT outbox_attempts_ck CHECK (attempts >= 0)
);
-- the relay's claim: due pending rows of a tenant, oldest first
CREATE INDEX outbox_due_ix ON outbox (tenant_id, next_attempt_at, seq) WHERE status = 'PENDING';
-- listing by status in insertion order
CREATE INDEX outbox_status_ix ON outbox (tenant_id, status, seq);

-- Consumer de-duplication: (event_id, consumer) recorded in the consumer's own transaction.
CREATE TABLE processed_messages (
    tenant_id    text        NOT NULL,
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    processed_at timestamptz NOT NULL,
    CONSTRAINT processed_messages_pk PRIMARY KEY (tenant_id, consumer, event_id)
);

-- Relays visit only tenants that have ever used the outbox (set once, never cleared: clearing it
-- could race with a commit that has just added a message).
ALTER TABLE tenants ADD COLUMN uses_outbox boolean NOT NULL DEFAULT false;

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE processed_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE processed_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON processed_messages
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
