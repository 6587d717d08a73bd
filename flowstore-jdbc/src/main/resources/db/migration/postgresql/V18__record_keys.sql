-- Records carry their index keys in their own row (docs/records.md "The index design, and why"):
-- records.keys holds the IndexKeys key of each indexed field, at the field's place in the
-- declaration's list (keys[1] the first), and each declared collection's fields have partial
-- expression indexes on (tenant_id, keys[n] COLLATE "C", ...), built by the store from the
-- declarations (RecordIndexes: when it opens with its migrations, after a declaration, after a
-- copy). A query reads one index range and its rows, as a hand-written table with an index would;
-- the side table record_index_entries, written beside every record, goes. why text[] and not
-- jsonb: jsonb's ->> is not leakproof, so under row-level security a condition on it is never an
-- index condition. Repeatable (TenantRegistryBackfillTest runs it again).
ALTER TABLE records ADD COLUMN IF NOT EXISTS keys text[] NOT NULL DEFAULT '{}';

DO $$
BEGIN
    IF to_regclass('record_index_entries') IS NOT NULL THEN
        -- why NO FORCE for the fill: see V14; the owner who migrates sets no tenant
        ALTER TABLE records NO FORCE ROW LEVEL SECURITY;
        ALTER TABLE record_index_entries NO FORCE ROW LEVEL SECURITY;
        UPDATE records r SET keys = coalesce((
            SELECT array_agg(e.value ORDER BY f.n)
            FROM collections c
            CROSS JOIN LATERAL jsonb_array_elements(c.spec -> 'indexed') WITH ORDINALITY f(field, n)
            LEFT JOIN record_index_entries e
                ON e.tenant_id = r.tenant_id AND e.collection = r.collection
               AND e.record_id = r.record_id AND e.field = f.field ->> 'pointer'
            WHERE c.collection = r.collection), '{}');
        ALTER TABLE records FORCE ROW LEVEL SECURITY;
        DROP TABLE record_index_entries;
    END IF;
END
$$;
