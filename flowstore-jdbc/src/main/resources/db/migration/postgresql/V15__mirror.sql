-- The mirror (docs/mirror.md): a change log on the primary, written by the capture triggers that
-- `flowstore mirror capture on` creates (none exist until then, so a database without a mirror pays
-- nothing), and the mirror's state on the secondary. Shared tables (no tenant_id): read and written
-- by the mirror as the owner. The application role may only INSERT into mirror_changes (its writes
-- fire the triggers); it can neither read other tenants' keys there nor touch mirror_state
-- (PostgresRoles.WITHHELD).

-- One row per changed row (table, tenant, key as a JSON array of the key's columns without the
-- tenant), in the writer's own transaction: visible exactly when its change commits. The mirror
-- consumes an entry (deletes it) once the row's current state is on the secondary.
CREATE TABLE mirror_changes (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    table_name text        NOT NULL,
    tenant     text        NOT NULL,
    row_key    text        NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mirror_changes_pk PRIMARY KEY (id)
);

-- On the secondary: where its rows come from, and how far the mirror got; written in the same
-- transaction as the rows each batch applies.
CREATE TABLE mirror_state (
    id              integer     NOT NULL,
    source          text        NOT NULL,
    applied_entries bigint      NOT NULL,
    last_entry      bigint      NOT NULL,
    applied_at      timestamptz NOT NULL,
    CONSTRAINT mirror_state_pk PRIMARY KEY (id),
    CONSTRAINT mirror_state_one_row_ck CHECK (id = 1)
);
