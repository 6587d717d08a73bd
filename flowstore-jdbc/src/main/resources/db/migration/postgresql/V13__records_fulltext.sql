-- Full-text search over the string fields a collection declares in full_text (docs/records.md
-- "Full-text search").
--
-- One row per record with at least one declared string value: body is those values, one per line,
-- in declaration order. The index is GIN over to_tsvector('simple', body): 'simple' lower-cases and
-- splits words but neither stems nor drops stop words, because a collection is in no one language
-- (and SQLite's unicode61 tokenizer, the other engine's, does the same), so a word is found as written.
--
-- why an expression index and no tsvector column: the table then has the same columns on PostgreSQL
-- and SQLite, which backend copy and compare require (CopyShape), and the vector is still computed
-- once per write (by the index); queries name the same expression so the planner uses the index.
-- text_id numbers the rows for SQLite's FTS5 index (its rowid there); here it is only kept alike.
CREATE TABLE record_texts (
    tenant_id  text   NOT NULL,
    collection text   NOT NULL,
    record_id  text   NOT NULL,
    body       text   NOT NULL,
    text_id    bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT record_texts_pk PRIMARY KEY (tenant_id, collection, record_id),
    CONSTRAINT record_texts_record_fk FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
CREATE INDEX record_texts_body_ix ON record_texts USING gin (to_tsvector('simple', body));

ALTER TABLE record_texts ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_texts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_texts
    USING (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''))
    WITH CHECK (tenant_id = NULLIF(current_setting('app.current_tenant', true), ''));
