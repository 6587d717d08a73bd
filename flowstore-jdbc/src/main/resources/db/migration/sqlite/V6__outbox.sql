-- The transactional outbox (see the PostgreSQL migration).
-- why: a rowid table, so seq can copy the ever-increasing rowid (the primary key leads with tenant_id,
-- like every tenant table's; SQLite has no identity columns)
CREATE TABLE outbox (
    tenant_id       TEXT    NOT NULL,
    message_id      TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    payload         TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(payload) = 'object'),
    headers         TEXT    NOT NULL DEFAULT '{}' CHECK (json_type(headers) = 'object'),
    status          TEXT    NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'PUBLISHED', 'FAILED')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    published_at    INTEGER,
    seq             INTEGER,
    PRIMARY KEY (tenant_id, message_id),
    CHECK ((status = 'PUBLISHED') = (published_at IS NOT NULL))
);
CREATE TRIGGER outbox_seq AFTER INSERT ON outbox
BEGIN
    UPDATE outbox SET seq = NEW.rowid WHERE rowid = NEW.rowid;
END;
CREATE INDEX outbox_due_ix ON outbox (tenant_id, next_attempt_at, seq) WHERE status = 'PENDING';
CREATE INDEX outbox_status_ix ON outbox (tenant_id, status, seq);

CREATE TABLE processed_messages (
    tenant_id    TEXT    NOT NULL,
    consumer     TEXT    NOT NULL,
    event_id     TEXT    NOT NULL,
    processed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, consumer, event_id)
) WITHOUT ROWID;

ALTER TABLE tenants ADD COLUMN uses_outbox INTEGER NOT NULL DEFAULT 0;
