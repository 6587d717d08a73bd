-- Records' index entries carry their record's created_at and updated_at (docs/records.md "Query
-- plans"), so a filter on one field in the default order (created_at, or updated_at) is one range
-- scan of one index: the filter's value, then the order, LIMIT rows, each record joined by its
-- primary key. Without them the planner has to pick between walking records_created_ix and probing
-- every record's entries, or reading every entry of the value and sorting; with no statistics (a
-- fresh table, autovacuum off) it picked a nested loop that re-read the value's entries for every
-- record (199 ms per page at 2,400 records, docs/benchmarks.md row 10). The times are written with
-- the entries, in the record's transaction (RecordIndex).
ALTER TABLE record_index_entries ADD COLUMN created_at timestamptz, ADD COLUMN updated_at timestamptz;

-- why NO FORCE for the copy: row-level security is forced on the owner too, and the migration sets no
-- tenant; without FORCE the tables' owner (who runs the migrations) reads and writes every row
ALTER TABLE records NO FORCE ROW LEVEL SECURITY;
ALTER TABLE record_index_entries NO FORCE ROW LEVEL SECURITY;
UPDATE record_index_entries e SET created_at = r.created_at, updated_at = r.updated_at
    FROM records r
    WHERE r.tenant_id = e.tenant_id AND r.collection = e.collection AND r.record_id = e.record_id;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
ALTER TABLE record_index_entries FORCE ROW LEVEL SECURITY;

ALTER TABLE record_index_entries ALTER COLUMN created_at SET NOT NULL,
    ALTER COLUMN updated_at SET NOT NULL;

CREATE INDEX record_index_entries_created_ix
    ON record_index_entries (tenant_id, collection, field, value, created_at, record_id);
CREATE INDEX record_index_entries_updated_ix
    ON record_index_entries (tenant_id, collection, field, value, updated_at, record_id);
