package dev.flowstore.jdbc.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.AuditEntry;
import dev.flowstore.AuditLog;
import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.NewAuditEntry;
import dev.flowstore.internal.Json;
import dev.flowstore.internal.RecordValidation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The audit log in SQL. An append locks the tenant's {@code audit_heads} row, takes the next seq
 * and the previous hash from it, and writes entry and head together: the chain is linear and
 * gap-free. The hash is SHA-256 over the previous hash and a canonical JSON of the entry (sorted
 * keys, plain numbers), so it can be recomputed from what the database gives back.
 */
final class JdbcAuditLog implements AuditLog {
  static final String GENESIS = "0".repeat(64);
  private static final String COLUMNS =
      "seq, actor, action, resource_type, resource_id, trace_id, before_state, after_state, created_at, prev_hash, hash";
  private static final int VERIFY_PAGE = 1000;

  private final Scope scope;
  private final Dialect dialect;
  private final Table<AuditEntry> rows;

  JdbcAuditLog(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
    this.rows = new Table<>(dialect, scope.tenant().value(), "audit_log", COLUMNS, this::map);
  }

  private String tenant() {
    return rows.tenant();
  }

  @Override
  public AuditEntry append(NewAuditEntry e) {
    RecordValidation.required("entry", e);
    String actor = RecordValidation.text("actor", e.actor(), 200, true);
    String action = RecordValidation.text("action", e.action(), 200, true);
    String type = RecordValidation.text("resource_type", e.resourceType(), 200, true);
    String id = RecordValidation.text("resource_id", e.resourceId(), 200, true);
    String trace = RecordValidation.text("trace_id", e.traceId(), 200, false);
    int max = scope.flowstore().config().maxPayloadBytes();
    ObjectNode before =
        e.before() == null ? JsonNodeFactory.instance.objectNode() : e.before().deepCopy();
    ObjectNode after =
        e.after() == null ? JsonNodeFactory.instance.objectNode() : e.after().deepCopy();
    String beforeJson = RecordValidation.json("before", before, max, true);
    String afterJson = RecordValidation.json("after", after, max, true);
    return scope.write(
        c -> {
          // why: sweepers, `tenant` and `copy` find tenants through the registry
          scope.flowstore().registerTenant(c, scope.tenant());
          Head head = lockHead(c);
          Instant now = scope.flowstore().now();
          AuditEntry draft =
              new AuditEntry(
                  head.seq() + 1,
                  actor,
                  action,
                  type,
                  id,
                  trace,
                  before,
                  after,
                  now,
                  head.hash(),
                  null);
          AuditEntry entry = withHash(draft);
          String j = dialect.jsonParam();
          Columns.update(
              c,
              rows.sql(
                  "INSERT INTO audit_log (tenant_id, "
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, "
                      + j
                      + ", "
                      + j
                      + ", ?, ?, ?)",
                  tenant(),
                  entry.seq(),
                  actor,
                  action,
                  type,
                  id,
                  trace,
                  beforeJson,
                  afterJson,
                  now,
                  entry.prevHash(),
                  entry.hash()));
          Columns.update(
              c,
              rows.sql(
                  "UPDATE audit_heads SET last_seq = ?, last_hash = ? WHERE tenant_id = ?",
                  entry.seq(),
                  entry.hash(),
                  tenant()));
          return entry;
        });
  }

  private record Head(long seq, String hash) {
    static Head of(ResultSet rs) throws SQLException {
      return new Head(rs.getLong(1), rs.getString(2));
    }
  }

  private Head lockHead(Connection c) throws SQLException {
    String select =
        "SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = ?" + dialect.forUpdate();
    for (int attempt = 0; attempt < 2; attempt++) {
      Optional<Head> head = Columns.one(c, rows.sql(select, tenant()), Head::of);
      if (head.isPresent()) return head.get();
      Columns.update(
          c,
          rows.sql(
              "INSERT INTO audit_heads (tenant_id, last_seq, last_hash) VALUES (?, 0, ?) ON CONFLICT (tenant_id) DO NOTHING",
              tenant(),
              GENESIS));
    }
    throw new FlowstoreException(
        ErrorCode.INTERNAL, "cannot create the audit head of tenant " + tenant());
  }

  /** The entry with its hash computed over prevHash and its canonical content. */
  static AuditEntry withHash(AuditEntry e) {
    ObjectNode content = JsonNodeFactory.instance.objectNode();
    content.put("seq", e.seq());
    content.put("actor", e.actor());
    content.put("action", e.action());
    content.put("resource_type", e.resourceType());
    content.put("resource_id", e.resourceId());
    content.put("trace_id", e.traceId());
    content.set("before", e.before());
    content.set("after", e.after());
    content.put("created_at_us", ChronoUnit.MICROS.between(Instant.EPOCH, e.createdAt()));
    String hash = RecordValidation.sha256(e.prevHash() + "\n" + Json.canonical(content));
    return new AuditEntry(
        e.seq(),
        e.actor(),
        e.action(),
        e.resourceType(),
        e.resourceId(),
        e.traceId(),
        e.before(),
        e.after(),
        e.createdAt(),
        e.prevHash(),
        hash);
  }

  @Override
  public List<AuditEntry> list(Query q) {
    RecordValidation.required("query", q);
    RecordValidation.limit(q.limit());
    if (q.afterSeq() < 0)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "after must be >= 0");
    Sql sql = rows.select().append(" AND seq > ?", q.afterSeq());
    if (q.resourceType() != null) sql.append(" AND resource_type = ?", q.resourceType());
    if (q.resourceId() != null) sql.append(" AND resource_id = ?", q.resourceId());
    if (q.from() != null) sql.append(" AND created_at >= ?", q.from());
    if (q.to() != null) sql.append(" AND created_at < ?", q.to());
    sql.append(" ORDER BY seq LIMIT ?", q.limit());
    return scope.read(c -> rows.list(c, sql));
  }

  @Override
  public Verification verify() {
    return scope.read(
        c -> {
          Sql heads =
              rows.sql("SELECT last_seq, last_hash FROM audit_heads WHERE tenant_id = ?", tenant());
          Head head = Columns.one(c, heads, Head::of).orElse(new Head(0, GENESIS));
          String prev = GENESIS;
          long expected = 1;
          while (true) {
            long after = expected - 1;
            List<AuditEntry> page =
                rows.list(
                    c,
                    rows.select().append(" AND seq > ? ORDER BY seq LIMIT " + VERIFY_PAGE, after));
            for (AuditEntry e : page) {
              if (e.seq() != expected)
                return bad(expected - 1, expected, "entry " + expected + " is missing (deleted?)");
              if (!e.prevHash().equals(prev))
                return bad(
                    expected - 1,
                    e.seq(),
                    "prev_hash does not match the hash of entry " + (e.seq() - 1));
              if (!withHash(e).hash().equals(e.hash()))
                return bad(expected - 1, e.seq(), "content does not match its hash (edited?)");
              prev = e.hash();
              expected++;
            }
            if (page.size() < VERIFY_PAGE) break;
          }
          long checked = expected - 1;
          if (checked != head.seq() || !prev.equals(head.hash())) {
            return bad(
                checked,
                checked + 1,
                "the log ends at entry "
                    + checked
                    + " but the chain head says "
                    + head.seq()
                    + " (newest entries deleted?)");
          }
          return new Verification(true, checked, 0, null);
        });
  }

  private static Verification bad(long checked, long seq, String problem) {
    return new Verification(false, checked, seq, problem);
  }

  private AuditEntry map(ResultSet rs) throws SQLException {
    return new AuditEntry(
        rs.getLong("seq"),
        rs.getString("actor"),
        rs.getString("action"),
        rs.getString("resource_type"),
        rs.getString("resource_id"),
        rs.getString("trace_id"),
        Columns.getJson(rs, "before_state"),
        Columns.getJson(rs, "after_state"),
        dialect.getTime(rs, "created_at"),
        rs.getString("prev_hash"),
        rs.getString("hash"));
  }
}
