-- Records' index entries carry their record's created_at and updated_at: see the PostgreSQL
-- migration V14__record_entry_times.sql. SQLite adds a NOT NULL column only with a default, so the
-- table is rebuilt (nothing refers to it) and keeps the same columns as PostgreSQL's.
CREATE TABLE record_index_entries_v13 (
    tenant_id  TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    record_id  TEXT    NOT NULL,
    field      TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, collection, record_id, field),
    FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
INSERT INTO record_index_entries_v13
    (tenant_id, collection, record_id, field, value, created_at, updated_at)
    SELECT e.tenant_id, e.collection, e.record_id, e.field, e.value, r.created_at, r.updated_at
    FROM record_index_entries e JOIN records r
        ON r.tenant_id = e.tenant_id AND r.collection = e.collection AND r.record_id = e.record_id;
DROP TABLE record_index_entries;
ALTER TABLE record_index_entries_v13 RENAME TO record_index_entries;
CREATE INDEX record_index_entries_value_ix
    ON record_index_entries (tenant_id, collection, field, value, record_id);
CREATE INDEX record_index_entries_created_ix
    ON record_index_entries (tenant_id, collection, field, value, created_at, record_id);
CREATE INDEX record_index_entries_updated_ix
    ON record_index_entries (tenant_id, collection, field, value, updated_at, record_id);
