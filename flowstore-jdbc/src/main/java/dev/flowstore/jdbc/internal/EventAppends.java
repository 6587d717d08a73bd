package dev.flowstore.jdbc.internal;

import dev.flowstore.AppendResult;
import dev.flowstore.ErrorCode;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.RecordedEvent;
import dev.flowstore.internal.EventValidation.Prepared;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The write side of {@link JdbcEventStore}: appends under the tenant's feed lock, one at a time in
 * a caller's transaction or many in a group commit's.
 *
 * <p>Every append takes its positions from the tenant's {@link FeedHead}, locked until commit. An
 * append is checked before it writes anything (a replay of stored event ids, the expected version),
 * so a rejected append of a group leaves the others and the positions untouched.
 */
final class EventAppends {
  private final Scope scope;
  private final Dialect dialect;

  EventAppends(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  /** One append waiting for a group commit. */
  record Request(String stream, ExpectedVersion expected, List<Prepared> events) {}

  /** An event ready to insert, with the stored form it will have. */
  private record Planned(Prepared source, RecordedEvent event) {}

  /**
   * One append in the caller's transaction: takes the feed lock, checks (nothing is written when
   * they fail), inserts, writes the head back.
   */
  AppendResult appendInTransaction(
      Connection c, String stream, ExpectedVersion expected, List<Prepared> prepared)
      throws SQLException {
    FeedHead head = FeedHead.lock(c, scope);
    long current = streamVersion(c, stream);
    AppendResult replay = replayOrCheck(c, stream, expected, prepared, current, false);
    if (replay != null) return replay;
    List<Planned> rows = new ArrayList<>();
    AppendResult result = plan(stream, current, head, prepared, scope.flowstore().now(), rows);
    insertAll(c, rows);
    head.writeBack(c);
    signalAfterCommit();
    return result;
  }

  private String feedKey() {
    return QueueWakeups.feedKey(tenant());
  }

  /**
   * Wakes the tenant's feed waiters once the transaction has committed (or may have: a spurious
   * wake-up costs a read): this process's at once, other processes' through the store's {@link
   * CommitNotifier} (nothing is sent inside the transaction).
   */
  private void signalAfterCommit() {
    QueueWakeups.publishAfterCommit(scope.flowstore(), feedKey());
  }

  /**
   * One append of a group commit, under the feed lock: checked like {@link #appendInTransaction},
   * but its events go to {@code sink} (inserted together with the batch's others) and stream
   * versions come from {@code versions}, which it keeps current for the appends after it.
   */
  private AppendResult appendDeferred(
      Connection c,
      Request r,
      FeedHead head,
      Map<String, Long> versions,
      List<Planned> sink,
      Instant now,
      boolean recheck)
      throws SQLException {
    long current = versions.getOrDefault(r.stream(), -1L);
    AppendResult replay = replayOrCheck(c, r.stream(), r.expected(), r.events(), current, recheck);
    if (replay != null) return replay;
    versions.put(r.stream(), current + r.events().size());
    return plan(r.stream(), current, head, r.events(), now, sink);
  }

  /**
   * The checks of an append before it writes: its events already stored ({@link #replayIfStored}:
   * returned), else the expected version against {@code current} (a conflict is thrown); null when
   * the append should be written.
   */
  private AppendResult replayOrCheck(
      Connection c,
      String stream,
      ExpectedVersion expected,
      List<Prepared> prepared,
      long current,
      boolean recheck)
      throws SQLException {
    AppendResult replay = replayIfStored(c, stream, expected, prepared, recheck);
    if (replay != null || expected.matches(current)) return replay;
    throw new FlowstoreException(
        ErrorCode.VERSION_CONFLICT,
        "stream '"
            + stream
            + "' is at version "
            + (current < 0 ? "none (no stream)" : current)
            + ", expected "
            + expected);
  }

  /**
   * A group commit's batch of appends, under one feed lock: one query for every stream's version
   * and one insert batch for every event, so a batch costs a handful of round trips however many
   * appends it holds. {@code recheck}: see {@link GroupCommit.Work#run}.
   */
  static Answers<AppendResult> appendGroup(
      Connection c, Scope scope, List<Request> batch, boolean recheck) throws SQLException {
    EventAppends appends = new EventAppends(scope);
    List<String> streams = batch.stream().map(Request::stream).distinct().toList();
    int wanted = batch.stream().mapToInt(r -> r.events().size()).sum();
    // why: the feed lock is taken by advancing the head for every event of the batch at once, in
    // the same round trip as the tenant scope (PostgreSQL) and the stream versions; rejected
    // appends give their positions back below, so positions stay gap-free
    Map<String, Long> versions = new HashMap<>();
    Long advanced = appends.advanceHead(c, wanted, streams, versions);
    FeedHead head =
        advanced == null
            ? FeedHead.lock(c, scope)
            : FeedHead.advanced(scope, advanced - wanted, advanced);
    List<Planned> rows = new ArrayList<>();
    Instant now = scope.flowstore().now();
    Answers<AppendResult> out = new Answers<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      try {
        out.answer(i, appends.appendDeferred(c, batch.get(i), head, versions, rows, now, recheck));
      } catch (FlowstoreException e) {
        out.reject(i, e);
      }
    }
    appends.insertAll(c, rows);
    head.writeBack(c);
    if (!rows.isEmpty()) appends.signalAfterCommit();
    return out;
  }

  /**
   * The stored events among {@code ids}: one probe of the (tenant_id, event_id) index per id.
   *
   * <p>why: not {@code tenant_id = ? AND event_id IN (...)}. SQLite's planner (no statistics)
   * answers that with a range over the tenant's primary key, reading every event of the tenant: at
   * a million events an append with caller-supplied ids took a second. The ids come first and are
   * joined to the events ({@code CROSS JOIN} keeps that order on SQLite); PostgreSQL plans it as
   * index probes too. {@code SqliteQueryPlansTest} holds both to it.
   */
  static Sql storedByIds(Dialect dialect, String tenant, List<UUID> ids) {
    Sql sql = new Sql(dialect, "SELECT " + JdbcEventStore.COLUMNS + " FROM (");
    for (int i = 0; i < ids.size(); i++)
      sql.append(i == 0 ? "SELECT ? AS id" : " UNION ALL SELECT ?", ids.get(i));
    return sql.append(") ids CROSS JOIN events WHERE tenant_id = ? AND event_id = ids.id", tenant);
  }

  /**
   * When the caller supplied event ids that are already stored: the same events at the same place
   * is an idempotent retry (return them); anything else is a conflict. Returns null when none is
   * stored. With {@code generatedToo} (the re-check of a group commit whose outcome is unknown) the
   * ids generated for the caller count as well: they were fixed before the first try, so finding
   * them means that try committed, and its events are the answer (not a replay: stored once).
   */
  private AppendResult replayIfStored(
      Connection c,
      String stream,
      ExpectedVersion expected,
      List<Prepared> prepared,
      boolean generatedToo)
      throws SQLException {
    List<UUID> supplied =
        prepared.stream()
            .filter(p -> generatedToo || p.source().eventId() != null)
            .map(Prepared::eventId)
            .toList();
    if (supplied.isEmpty()) return null;
    Map<UUID, RecordedEvent> found = new HashMap<>();
    Sql sql = storedByIds(dialect, tenant(), supplied);
    for (RecordedEvent e : Columns.list(c, sql, rs -> JdbcEventStore.event(dialect, rs)))
      found.put(e.eventId(), e);
    if (found.isEmpty()) return null;
    List<RecordedEvent> stored = new ArrayList<>();
    for (Prepared p : prepared) {
      RecordedEvent e = found.get(p.eventId());
      if (e == null) {
        throw new FlowstoreException(
            ErrorCode.EVENT_ID_CONFLICT,
            "some of these event ids are already stored and some are not ("
                + p.eventId()
                + " is new): an append is all or nothing");
      }
      stored.add(e);
    }
    RecordedEvent first = stored.get(0);
    boolean samePlace = true;
    for (int i = 0; i < stored.size(); i++) {
      RecordedEvent e = stored.get(i);
      samePlace &=
          e.stream().equals(stream)
              && e.version() == first.version() + i
              && e.type().equals(prepared.get(i).type());
    }
    if (!samePlace || !expected.matches(first.version() - 1)) {
      throw new FlowstoreException(
          ErrorCode.EVENT_ID_CONFLICT,
          "event "
              + first.eventId()
              + " is already stored in stream '"
              + first.stream()
              + "' at version "
              + first.version()
              + "; a retry must repeat the same events at the same place");
    }
    boolean byCaller = prepared.stream().anyMatch(p -> p.source().eventId() != null);
    return new AppendResult(stream, stored.get(stored.size() - 1).version(), stored, byCaller);
  }

  /**
   * Plans the events of one append into {@code sink}: versions {@code current+1..}, positions taken
   * from {@code head}.
   */
  private static AppendResult plan(
      String stream,
      long current,
      FeedHead head,
      List<Prepared> prepared,
      Instant now,
      List<Planned> sink) {
    long last = head.take(prepared.size());
    List<RecordedEvent> events = new ArrayList<>(prepared.size());
    for (int i = 0; i < prepared.size(); i++) {
      Prepared p = prepared.get(i);
      Instant at = p.source().createdAt() == null ? now : p.source().createdAt();
      RecordedEvent e =
          new RecordedEvent(
              p.eventId(),
              stream,
              current + 1 + i,
              last + 1 + i,
              p.type(),
              p.source().payload().deepCopy(),
              p.source().metadata().deepCopy(),
              at);
      sink.add(new Planned(p, e));
      events.add(e);
    }
    return new AppendResult(stream, current + prepared.size(), events, false);
  }

  /**
   * Inserts planned events, of one or many appends, as one JDBC batch (one round trip on
   * PostgreSQL).
   */
  private void insertAll(Connection c, List<Planned> rows) throws SQLException {
    if (rows.isEmpty()) return;
    String json = dialect.jsonParam();
    String sql =
        "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category, payload, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
            + json
            + ", "
            + json
            + ", ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (Planned row : rows) {
        RecordedEvent e = row.event();
        ps.setString(1, tenant());
        ps.setLong(2, e.position());
        ps.setString(3, e.stream());
        ps.setLong(4, e.version());
        dialect.setUuid(ps, 5, e.eventId());
        ps.setString(6, e.type());
        ps.setString(7, Ids.category(e.stream()));
        ps.setString(8, row.source().payloadJson());
        ps.setString(9, row.source().metadataJson());
        dialect.setTime(ps, 10, e.createdAt());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  static final String ADVANCE_HEAD =
      "UPDATE event_feed_heads SET last_position = last_position + ? WHERE tenant_id = ? RETURNING last_position";

  /**
   * Locks the feed head by advancing it {@code by} positions and reads the streams' versions into
   * {@code versions}; on PostgreSQL one round trip that also scopes the transaction to the tenant
   * (see {@link Transactions#writeScopedByWork}). Returns the new head, or null when the tenant has
   * no feed head yet (then nothing was locked).
   */
  private Long advanceHead(Connection c, int by, List<String> streams, Map<String, Long> versions)
      throws SQLException {
    var head =
        new Object() {
          Long value;
        };
    scope
        .flowstore()
        .transactions()
        .openWith(
            c,
            scope.tenant(),
            List.of(new Sql(dialect, ADVANCE_HEAD, by, tenant()), versionsSql(streams)),
            (statement, rs) -> {
              if (statement == 1) readVersions(rs, versions);
              else if (rs.next()) head.value = rs.getLong(1);
            });
    return head.value;
  }

  /** The current version of one stream, -1 when it has none. */
  long streamVersion(Connection c, String stream) throws SQLException {
    return streamVersionIn(c, dialect, tenant(), stream);
  }

  /** The current version of one stream of {@code tenant}, -1 when it has none. */
  static long streamVersionIn(Connection c, Dialect dialect, String tenant, String stream)
      throws SQLException {
    return Columns.one(c, streamVersionSql(dialect, tenant, stream), rs -> rs.getLong(1))
        .orElse(-1L);
  }

  /** The statement of {@link #streamVersionIn}: one row (the version), or none. */
  static Sql streamVersionSql(Dialect dialect, String tenant, String stream) {
    return new Sql(
        dialect,
        "SELECT version FROM events WHERE tenant_id = ? AND stream_id = ? ORDER BY version DESC LIMIT 1",
        tenant,
        stream);
  }

  /**
   * The insert of one event at {@code version} of {@code stream} and feed {@code position}, for a
   * writer that holds the feed lock, has taken that position and checked the stream's version
   * itself (a record's change, bundled with its other inserts). Stored as {@link #insertAll} stores
   * it.
   */
  static Sql insertOneSql(
      Dialect dialect,
      String tenant,
      String stream,
      long version,
      long position,
      Prepared event,
      Instant now) {
    Instant at = event.source().createdAt() == null ? now : event.source().createdAt();
    return new Sql(
        dialect,
        "INSERT INTO events (tenant_id, position, stream_id, version, event_id, type, category, payload, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, "
            + dialect.jsonParam()
            + ", "
            + dialect.jsonParam()
            + ", ?)",
        tenant,
        position,
        stream,
        version,
        event.eventId(),
        event.type(),
        Ids.category(stream),
        event.payloadJson(),
        event.metadataJson(),
        at);
  }

  // why: one correlated "ORDER BY version DESC LIMIT 1" per stream is an index probe each; a
  // max(version) ... GROUP BY over an IN list reads every event of the streams instead
  private Sql versionsSql(List<String> streams) {
    Sql sql =
        new Sql(
            dialect,
            "SELECT s.stream_id, (SELECT e.version FROM events e WHERE e.tenant_id = ? AND e.stream_id = s.stream_id"
                + " ORDER BY e.version DESC LIMIT 1) FROM (",
            tenant());
    for (int i = 0; i < streams.size(); i++)
      sql.append(
          i == 0 ? "SELECT ? AS stream_id" : " UNION ALL SELECT ? AS stream_id", streams.get(i));
    return sql.append(") s");
  }

  private static void readVersions(ResultSet rs, Map<String, Long> out) throws SQLException {
    while (rs.next()) {
      long v = rs.getLong(2);
      if (!rs.wasNull()) out.put(rs.getString(1), v);
    }
  }
}
