-- Records: collections of JSON documents (see the PostgreSQL migration and docs/records.md).
CREATE TABLE collections (
    collection   TEXT    NOT NULL,
    spec         TEXT    NOT NULL CHECK (json_type(spec) = 'object'),
    version      INTEGER NOT NULL CHECK (version >= 1),
    ready_fields TEXT    NOT NULL DEFAULT '[]' CHECK (json_type(ready_fields) = 'array'),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (collection)
);

CREATE TABLE records (
    tenant_id   TEXT    NOT NULL,
    collection  TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    data        TEXT    NOT NULL CHECK (json_type(data) = 'object'),
    version     INTEGER NOT NULL,
    parent_id   TEXT,
    archived_at INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, collection, record_id),
    FOREIGN KEY (collection) REFERENCES collections (collection)
);
CREATE INDEX records_created_ix ON records (tenant_id, collection, created_at, record_id);
CREATE INDEX records_updated_ix ON records (tenant_id, collection, updated_at, record_id);
CREATE INDEX records_parent_ix ON records (tenant_id, collection, parent_id, created_at, record_id)
    WHERE parent_id IS NOT NULL;

-- why BINARY (SQLite's default): byte order, the order IndexKeys makes its keys for
CREATE TABLE record_index_entries (
    tenant_id  TEXT NOT NULL,
    collection TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, collection, record_id, field),
    FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
CREATE INDEX record_index_entries_value_ix
    ON record_index_entries (tenant_id, collection, field, value, record_id);

CREATE TABLE record_unique_values (
    tenant_id  TEXT NOT NULL,
    collection TEXT NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, collection, field, value),
    FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
CREATE INDEX record_unique_values_record_ix ON record_unique_values (tenant_id, collection, record_id);
