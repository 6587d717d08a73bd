-- Switching backends (docs/switching.md): the maintenance flag every server on this database reads,
-- and the progress of a `flowstore copy` into this database. Shared tables (no tenant_id): they are
-- read and written as the schema's owner, outside any tenant transaction; the application role holds
-- no privilege on them (PostgresRoles.WITHHELD).

-- At most one row: present = writes are frozen (servers answer 503 MAINTENANCE), absent = normal.
CREATE TABLE maintenance (
    id     integer     NOT NULL,
    reason text        NOT NULL,
    since  timestamptz NOT NULL,
    CONSTRAINT maintenance_pk PRIMARY KEY (id),
    CONSTRAINT maintenance_one_row_ck CHECK (id = 1)
);

-- The copy into this database: where it comes from, and when it finished (null while running).
CREATE TABLE copy_runs (
    id          integer     NOT NULL,
    source      text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    CONSTRAINT copy_runs_pk PRIMARY KEY (id),
    CONSTRAINT copy_runs_one_row_ck CHECK (id = 1)
);

-- Per table and tenant: the last key copied (a JSON array, in the table's copy order) and whether the
-- table is done for that tenant. Written in the same transaction as the rows it accounts for, so a
-- resumed copy neither skips nor repeats a row.
CREATE TABLE copy_progress (
    table_name text   NOT NULL,
    tenant     text   NOT NULL,
    last_key   text,
    copied     bigint NOT NULL,
    state      text   NOT NULL,
    CONSTRAINT copy_progress_pk PRIMARY KEY (table_name, tenant),
    CONSTRAINT copy_progress_state_ck CHECK (state IN ('running', 'done'))
);
