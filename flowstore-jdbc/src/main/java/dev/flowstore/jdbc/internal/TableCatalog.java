package dev.flowstore.jdbc.internal;

import java.util.List;
import java.util.Optional;

/**
 * Every table of flowstore's schema, the same on every SQL backend: its key, its tenant column, and
 * how a copy to another backend treats it. It is the one list that whatever walks every table walks
 * (the PostgreSQL start-up check that tenant tables have row-level security, the RLS tests and
 * {@code ./chaos} scenario 7, and backend copy / compare), so <b>a new table must join it</b>: a
 * migration that adds a table without an entry here fails {@code TableCatalogTest}, on SQLite and
 * on PostgreSQL, with the entry to add.
 *
 * <p>Tables are listed in copy order: each after the tables in its {@link Table#copiedAfter()}.
 *
 * <p>Why in an {@code internal} package but public: it describes the SQL schema, which only this
 * module owns and which changes with it; its readers outside this module are flowstore's own
 * harnesses built in the same reactor (the chaos scenarios already drive {@link JdbcFlowstore}), so
 * there is no outside user to promise it to.
 */
public final class TableCatalog {
  /** How a backend copy treats a table. */
  public enum Copy {
    /** Copied row by row, read in {@link Table#copyOrder()}. */
    ROWS,
    /**
     * Not copied: rebuilt on the target from the tables in {@link Table#copiedAfter()}, once they
     * are copied, because it is a function of them and a copy could disagree with the rows it sums
     * up.
     */
    REBUILT,
    /** Never copied: the target's own (its migrations write it). */
    NEVER
  }

  /**
   * One table.
   *
   * @param key the primary key's columns, in order
   * @param tenantColumn the column that names the row's tenant, or none: a table with one is a
   *     tenant table (on PostgreSQL, row-level security enabled and forced)
   * @param copyOrder the columns rows are read in to be copied: the key, unless a self-reference
   *     needs parents first or a generated {@code seq} must keep its order
   * @param copiedAfter the tables to copy (or rebuild) first: those its foreign keys reference, or,
   *     for a {@link Copy#REBUILT} table, those it is rebuilt from
   */
  public record Table(
      String name,
      List<String> key,
      Optional<String> tenantColumn,
      Copy copy,
      List<String> copyOrder,
      List<String> copiedAfter) {
    public Table {
      key = List.copyOf(key);
      copyOrder = List.copyOf(copyOrder);
      copiedAfter = List.copyOf(copiedAfter);
    }

    /**
     * The columns the database fills itself ({@code seq}: an identity, or SQLite's rowid): those of
     * the copy order that are not in the key. A copy leaves them to the target, which numbers the
     * rows in the order they arrive (the copy order), and compare leaves them out.
     */
    public List<String> generatedColumns() {
      return copyOrder.stream().filter(c -> !key.contains(c)).toList();
    }

    /** Whether rows belong to a tenant (see {@link #tenantColumn()}). */
    public boolean tenantScoped() {
      return tenantColumn.isPresent();
    }

    Table inOrderOf(String... columns) {
      return new Table(name, key, tenantColumn, copy, List.of(columns), copiedAfter);
    }

    Table after(String... tables) {
      return new Table(name, key, tenantColumn, copy, copyOrder, List.of(tables));
    }
  }

  private static final String TENANT = "tenant_id";

  private static final List<Table> TABLES =
      List.of(
          rows("tenants", TENANT),
          // why: found by id or hash before a tenant is known, so its key has no tenant_id
          rows("api_keys", "key_id"),
          rows("events", TENANT, "position"),
          // why: positions are gap-free, so the head is the tenant's highest position (a tenant
          // without events gets its head at 0 on its first append)
          tenantTable(Copy.REBUILT, "event_feed_heads", TENANT).after("events"),
          rows("flows", TENANT, "flow_id", "version"),
          rows("sessions", TENANT, "session_id").after("flows"),
          rows("step_attempts", TENANT, "session_id", "step", "attempt"),
          // why (and jobs, outbox): seq is generated on insert (an identity, or SQLite's rowid)
          // and orders rows (newest checkpoint, lease order, relay order); copied in seq order,
          // rows get their target's seq in the same order. Here it also puts parents first.
          rows("workflow_checkpoints", TENANT, "session_id", "checkpoint_id").inOrderOf("seq"),
          rows("registry_nodes", TENANT, "node_id"),
          rows("async_tasks", TENANT, "task_id"),
          rows("flow_resume_handles", TENANT, "handle_id"),
          rows("command_inbox", TENANT, "command_id"),
          rows("audit_log", TENANT, "seq"),
          // why: copied, not rebuilt from audit_log: the head remembers the newest entry so that
          // deleting it is detected, which a rebuild would forget
          rows("audit_heads", TENANT),
          rows("jobs", TENANT, "job_id").inOrderOf("seq"),
          rows("job_attempts", TENANT, "job_id", "token").after("jobs"),
          rows("dlq_items", TENANT, "job_id").after("jobs"),
          rows("outbox", TENANT, "message_id").inOrderOf("seq"),
          rows("processed_messages", TENANT, "consumer", "event_id"),
          rows("idempotency_keys", TENANT, "idem_key"),
          // why: one declaration for every tenant (the application's data model), written as the
          // owner only
          sharedTable(Copy.ROWS, "collections", "collection"),
          rows("records", TENANT, "collection", "record_id").after("collections"),
          rows("record_unique_values", TENANT, "collection", "field", "value").after("records"),
          // why text_id: numbered by the target (SQLite's trigger, PostgreSQL's identity), as the
          // rowid of SQLite's FTS5 index, which that trigger fills from the copied rows
          rows("record_texts", TENANT, "collection", "record_id")
              .inOrderOf("text_id")
              .after("records"),
          // why: Flyway's, written by the target's own migrations (its checksums are per dialect)
          sharedTable(Copy.NEVER, "flyway_schema_history", "installed_rank"),
          // why (and copy_runs, copy_progress): the database's own switching state, never
          // another's:
          // a copy must not freeze its target nor take over the progress of the copy into it
          sharedTable(Copy.NEVER, "maintenance", "id"),
          sharedTable(Copy.NEVER, "copy_runs", "id"),
          sharedTable(Copy.NEVER, "copy_progress", "table_name", "tenant"),
          // why (and mirror_state): the mirror's own bookkeeping (docs/mirror.md): the change log
          // of this database as a primary, the mirror's position on it as a secondary; a copy of
          // either would replay or skip another window's changes
          sharedTable(Copy.NEVER, "mirror_changes", "id"),
          sharedTable(Copy.NEVER, "mirror_state", "id"));

  private TableCatalog() {}

  /**
   * Whether {@code table} is SQLite's FTS5 index of {@code record_texts} or one of its shadow
   * tables: an index, kept by that table's triggers (V12__records_fulltext.sql), as the GIN index
   * is on PostgreSQL; not copied or compared, and not in the catalog (a copy into SQLite fills it
   * through the triggers as it writes {@code record_texts}).
   */
  public static boolean isTextIndex(String table) {
    return table.equals("record_text_index") || table.startsWith("record_text_index_");
  }

  /** Every table, in copy order. */
  public static List<Table> tables() {
    return TABLES;
  }

  /** The tenant tables (those with a tenant column), in copy order. */
  public static List<Table> tenantTables() {
    return TABLES.stream().filter(Table::tenantScoped).toList();
  }

  /** The table named {@code name}, if flowstore has one. */
  public static Optional<Table> table(String name) {
    return TABLES.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  private static Table rows(String name, String... key) {
    return tenantTable(Copy.ROWS, name, key);
  }

  private static Table tenantTable(Copy copy, String name, String... key) {
    return new Table(name, List.of(key), Optional.of(TENANT), copy, List.of(key), List.of());
  }

  /** A table whose rows belong to no tenant. */
  private static Table sharedTable(Copy copy, String name, String... key) {
    return new Table(name, List.of(key), Optional.empty(), copy, List.of(key), List.of());
  }
}
