-- Full-text search (see the PostgreSQL migration and docs/records.md "Full-text search").
--
-- record_texts holds each record's searchable text (a plain table: copied, compared and filtered on
-- tenant_id like every tenant table; SQLite has no row-level security). record_text_index is an
-- FTS5 index of it, kept by the triggers below, so every write of record_texts (the engine's, a
-- backend copy's, a cascade from records) keeps it.
--
-- why contentless (content=''): the text is already in record_texts; contentless_delete=1
-- (SQLite 3.43+) lets the delete trigger remove a row by rowid.
-- why unicode61 with remove_diacritics 0: words split and case-folded as PostgreSQL's 'simple'
-- configuration does, accents kept on both.
-- why text_id and not rowid as the FTS5 rowid: a VACUUM may renumber the rowids of a table without
-- an INTEGER PRIMARY KEY, and text_id is a stored value that stays (the key leads with tenant_id,
-- like every tenant table's).
CREATE TABLE record_texts (
    tenant_id  TEXT    NOT NULL,
    collection TEXT    NOT NULL,
    record_id  TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    text_id    INTEGER,
    PRIMARY KEY (tenant_id, collection, record_id),
    FOREIGN KEY (tenant_id, collection, record_id)
        REFERENCES records (tenant_id, collection, record_id) ON DELETE CASCADE
);
-- why not UNIQUE: a tenant table's unique keys lead with tenant_id (SqliteSchemaTest); text_id is
-- unique all the same, max + 1 under SQLite's one writer
CREATE INDEX record_texts_text_ix ON record_texts (text_id);

CREATE VIRTUAL TABLE record_text_index USING fts5(
    body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');

CREATE TRIGGER record_texts_insert AFTER INSERT ON record_texts
BEGIN
    UPDATE record_texts SET text_id = coalesce((SELECT max(text_id) FROM record_texts), 0) + 1
        WHERE rowid = NEW.rowid;
    INSERT INTO record_text_index (rowid, body)
        SELECT text_id, body FROM record_texts WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER record_texts_delete AFTER DELETE ON record_texts
BEGIN
    DELETE FROM record_text_index WHERE rowid = OLD.text_id;
END;
-- why: the engine replaces a text by delete and insert; an update would leave the index stale
CREATE TRIGGER record_texts_update BEFORE UPDATE OF tenant_id, collection, record_id, body ON record_texts
BEGIN
    SELECT RAISE(ABORT, 'record_texts rows are replaced, not updated');
END;
