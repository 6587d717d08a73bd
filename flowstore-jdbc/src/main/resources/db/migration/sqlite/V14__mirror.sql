-- The mirror (see the PostgreSQL migration and docs/mirror.md): the change log the capture
-- triggers write on a primary, and the mirror's state on a secondary.
CREATE TABLE mirror_changes (
    id         INTEGER NOT NULL PRIMARY KEY,
    table_name TEXT    NOT NULL,
    tenant     TEXT    NOT NULL,
    row_key    TEXT    NOT NULL,
    at         INTEGER NOT NULL
);

CREATE TABLE mirror_state (
    id              INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    source          TEXT    NOT NULL,
    applied_entries INTEGER NOT NULL,
    last_entry      INTEGER NOT NULL,
    applied_at      INTEGER NOT NULL
);
