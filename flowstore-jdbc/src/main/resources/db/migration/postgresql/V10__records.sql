-- Records: collections of JSON documents (docs/records.md).
--
-- collections holds the declarations, one per collection for every tenant (the application's data
-- model, like its tables): no tenant_id, so no row-level security. Tenant transactions only read it;
-- declarations are written as the owner (PostgresRoles.WITHHELD takes INSERT, UPDATE and DELETE away
-- from the application role).
CREATE TABLE collections (
    collection   text        NOT NULL,
    spec         jsonb       NOT NULL,
    version      integer     NOT NULL,
    -- the indexed fields whose index holds every tenant's records ([{"pointer", "type"}])
    ready_fields jsonb       NOT NULL DEFAULT '[]'::jsonb,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT collections_pk PRIMARY KEY (collection),
    CONSTRAINT collections_version_ck CHECK (version >= 1)
);

CREATE TABLE records (
    tenant_id   text        NOT NULL,
    collection  text        NOT NULL,
    record_id   text        NOT NULL,
    data        jsonb       NOT NULL,
    version     bigint      NOT NULL,
    parent_id   text,
    archived_at timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT records_pk PRIMARY KEY (tenant_id, collection, record_id),
    CONSTRAINT records_collection_fk FOREIGN KEY (collection) REFERENCES collections (collection),
    CONSTRAINT records_data_ck CHECK (jsonb_typeof(data) = 'object')
);
-- the default sorts (keyset pages on created_at / updated_at, ties by id)
CREATE INDEX records_created_ix ON records (tenant_id, collection, created_at, record_id);
CREATE INDEX records_updated_ix ON records (tenant_id, collection, updated_at, record_id);
-- children of a parent, oldest first
CREATE INDEX records_parent_ix ON records (tenant_id, collection, parent_id, created_at, record_id)
    WHERE parent_id IS NOT NULL;

-- One row per record and indexed field: the field's typed value as an order-preserving text key
-- (IndexKeys), so every filter and sort on any field of any collection is a range scan of one
-- B-tree, and a new index is rows, not DDL. COLLATE "C": byte order, the order the keys are made for
-- (and SQLite's BINARY), whatever the database's collation.
CREATE TABLE record_index_entries (
    tenant_id  text NOT NULL,
    collection text NOT NULL,
    record_id  text NOT NULL,
    field      text NOT NULL,
    value      text COLLATE "C" NOT NULL,
    CONSTRAINT record_index_entries_pk PRIMARY KEY (tenant_id, collection, record_id, field),
    CONSTRAINT record_index_entries_record_fk FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
CREATE INDEX record_index_entries_value_ix
    ON record_index_entries (tenant_id, collection, field, value, record_id);

-- Values of unique fields: the primary key is the uniqueness (per tenant), so two concurrent writes of
-- one value cannot both commit.
CREATE TABLE record_unique_values (
    tenant_id  text NOT NULL,
    collection text NOT NULL,
    field      text NOT NULL,
    value      text COLLATE "C" NOT NULL,
    record_id  text NOT NULL,
    CONSTRAINT record_unique_values_pk PRIMARY KEY (tenant_id, collection, field, value),
    CONSTRAINT record_unique_values_record_fk FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
CREATE INDEX record_unique_values_record_ix ON record_unique_values (tenant_id, collection, record_id);

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON records
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE record_index_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_index_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_index_entries
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));

ALTER TABLE record_unique_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_unique_values FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_unique_values
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
