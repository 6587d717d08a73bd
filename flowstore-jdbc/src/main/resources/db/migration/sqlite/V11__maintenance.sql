-- Switching backends (see the PostgreSQL migration): the maintenance flag and a copy's progress.
CREATE TABLE maintenance (
    id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    reason TEXT    NOT NULL,
    since  INTEGER NOT NULL
);

CREATE TABLE copy_runs (
    id          INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    source      TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER
);

CREATE TABLE copy_progress (
    table_name TEXT    NOT NULL,
    tenant     TEXT    NOT NULL,
    last_key   TEXT,
    copied     INTEGER NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('running', 'done')),
    PRIMARY KEY (table_name, tenant)
) WITHOUT ROWID;
