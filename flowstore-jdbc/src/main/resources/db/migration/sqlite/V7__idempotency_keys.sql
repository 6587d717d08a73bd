CREATE TABLE idempotency_keys (
    tenant_id       TEXT    NOT NULL,
    idem_key        TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
    response_status INTEGER,
    response_body   TEXT,
    created_at      INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, idem_key),
    CHECK ((status = 'COMPLETED') = (response_status IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_expiry_ix ON idempotency_keys (tenant_id, expires_at);
