-- Records carry their index keys in their own row: see the PostgreSQL migration V18__record_keys.sql
-- and docs/records.md "The index design, and why". Here keys is a JSON array (keys ->> '$[0]' the
-- first field's key). The expression indexes on it are built by the store from the declarations
-- (RecordIndexes), not here.
ALTER TABLE records ADD COLUMN keys TEXT NOT NULL DEFAULT '[]';
UPDATE records SET keys = coalesce((
    SELECT json_group_array(e.value ORDER BY f.key)
    FROM collections c
    JOIN json_each(c.spec, '$.indexed') f
    LEFT JOIN record_index_entries e
        ON e.tenant_id = records.tenant_id AND e.collection = records.collection
       AND e.record_id = records.record_id AND e.field = json_extract(f.value, '$.pointer')
    WHERE c.collection = records.collection), '[]');
DROP TABLE record_index_entries;
