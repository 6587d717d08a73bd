package dev.flowstore.jdbc.internal;

import dev.flowstore.AppendResult;
import dev.flowstore.Direction;
import dev.flowstore.ErrorCode;
import dev.flowstore.EventData;
import dev.flowstore.EventStore;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.FlowstoreException;
import dev.flowstore.Ids;
import dev.flowstore.RecordedEvent;
import dev.flowstore.internal.EventValidation;
import dev.flowstore.internal.EventValidation.Prepared;
import dev.flowstore.internal.Json;
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
 * The event store in SQL, shared by every dialect.
 *
 * <p>Ordering: an append locks its tenant's row in {@code event_feed_heads} for the rest of its
 * transaction and takes the next positions from it. Positions are therefore handed out in commit
 * order and without gaps, so a feed reader that has seen position p has seen every event below p,
 * and an event can never commit "behind" a reader. The price: appends of one tenant are serialized
 * (appends of different tenants are not); keep transactions that append short.
 */
final class JdbcEventStore implements EventStore {
  private static final String COLUMNS =
      "event_id, stream_id, version, position, type, payload, metadata, created_at";

  private final Scope scope;
  private final Dialect dialect;

  JdbcEventStore(Scope scope) {
    this.scope = scope;
    this.dialect = scope.flowstore().dialect();
  }

  private String tenant() {
    return scope.tenant().value();
  }

  @Override
  public AppendResult append(String stream, ExpectedVersion expected, List<EventData> events) {
    if (expected == null)
      throw new FlowstoreException(ErrorCode.INVALID_ARGUMENT, "expected_version is required");
    List<Prepared> prepared =
        EventValidation.prepare(stream, events, scope.flowstore().config().maxPayloadBytes());
    if (scope.ownsTransactions()) {
      // why: concurrent appends of one tenant are serial anyway (the feed lock); committing them
      // together turns N commits (N fsyncs) into one
      return scope
          .flowstore()
          .appends()
          .submit(scope.tenant(), new AppendRequest(stream, expected, prepared));
    }
    return scope.write(
        c -> {
          long[] head = {lockFeedHead(c)};
          long start = head[0];
          AppendResult result = appendLocked(c, stream, expected, prepared, head);
          if (head[0] != start) updateHead(c, head[0]);
          return result;
        });
  }

  /**
   * One append under the feed lock the caller holds: checks (nothing is written when they fail),
   * inserts at positions after {@code head[0]}, and advances {@code head[0]}; the caller writes the
   * head back once.
   */
  AppendResult appendLocked(
      Connection c, String stream, ExpectedVersion expected, List<Prepared> prepared, long[] head)
      throws SQLException {
    long current = streamVersion(c, stream);
    AppendResult replay = replayIfStored(c, stream, expected, prepared, false);
    if (replay != null) return replay;
    if (!expected.matches(current)) {
      throw new FlowstoreException(
          ErrorCode.VERSION_CONFLICT,
          "stream '"
              + stream
              + "' is at version "
              + (current < 0 ? "none (no stream)" : current)
              + ", expected "
              + expected);
    }
    List<RecordedEvent> stored = insert(c, stream, current, head[0], prepared);
    head[0] += prepared.size();
    return new AppendResult(stream, current + prepared.size(), stored, false);
  }

  void updateHead(Connection c, long lastPosition) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE event_feed_heads SET last_position = ? WHERE tenant_id = ?")) {
      ps.setLong(1, lastPosition);
      ps.setString(2, tenant());
      ps.executeUpdate();
    }
  }

  /**
   * Takes the tenant's feed lock for the rest of the transaction. Every write that appends takes it
   * first, so writers of one tenant always lock in the same order.
   */
  void lockFeed(Connection c) throws SQLException {
    lockFeedHead(c);
  }

  /** Locks this tenant's feed head until commit and returns the last position handed out. */
  long lockFeedHead(Connection c) throws SQLException {
    String select =
        "SELECT last_position FROM event_feed_heads WHERE tenant_id = ?" + dialect.forUpdate();
    for (int attempt = 0; attempt < 2; attempt++) {
      try (PreparedStatement ps = c.prepareStatement(select)) {
        ps.setString(1, tenant());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) return rs.getLong(1);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO event_feed_heads (tenant_id, last_position) VALUES (?, 0) ON CONFLICT (tenant_id) DO NOTHING")) {
        ps.setString(1, tenant());
        ps.executeUpdate();
      }
      scope.flowstore().registerTenant(c, scope.tenant());
    }
    throw new FlowstoreException(
        ErrorCode.INTERNAL, "cannot create the feed head of tenant " + tenant());
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
    String in = String.join(",", java.util.Collections.nCopies(supplied.size(), "?"));
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM events WHERE tenant_id = ? AND event_id IN ("
                + in
                + ")")) {
      ps.setString(1, tenant());
      for (int i = 0; i < supplied.size(); i++) dialect.setUuid(ps, i + 2, supplied.get(i));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          RecordedEvent e = map(rs);
          found.put(e.eventId(), e);
        }
      }
    }
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

  /** An event ready to insert, with the stored form it will have. */
  record Planned(Prepared source, RecordedEvent event) {}

  private List<RecordedEvent> insert(
      Connection c, String stream, long current, long head, List<Prepared> prepared)
      throws SQLException {
    List<Planned> rows = plan(stream, current, head, prepared, scope.flowstore().now());
    insertAll(c, rows);
    return rows.stream().map(Planned::event).toList();
  }

  /** Versions {@code current+1..} and positions {@code head+1..} for the events of one append. */
  private List<Planned> plan(
      String stream, long current, long head, List<Prepared> prepared, Instant now) {
    List<Planned> out = new ArrayList<>(prepared.size());
    for (int i = 0; i < prepared.size(); i++) {
      Prepared p = prepared.get(i);
      Instant at = p.source().createdAt() == null ? now : p.source().createdAt();
      out.add(
          new Planned(
              p,
              new RecordedEvent(
                  p.eventId(),
                  stream,
                  current + 1 + i,
                  head + 1 + i,
                  p.type(),
                  p.source().payload().deepCopy(),
                  p.source().metadata().deepCopy(),
                  at)));
    }
    return out;
  }

  /**
   * Inserts planned events, of one or many appends, as one JDBC batch (one round trip on
   * PostgreSQL).
   */
  void insertAll(Connection c, List<Planned> rows) throws SQLException {
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

  /**
   * One append of a group commit, under the feed lock: checked like {@link #appendLocked}, but its
   * events go to {@code sink} (inserted together with the batch's others) and stream versions come
   * from {@code versions}, which it keeps current for the appends after it.
   */
  AppendResult appendDeferred(
      Connection c,
      String stream,
      ExpectedVersion expected,
      List<Prepared> prepared,
      long[] head,
      java.util.Map<String, Long> versions,
      List<Planned> sink,
      Instant now,
      boolean recheck)
      throws SQLException {
    AppendResult replay = replayIfStored(c, stream, expected, prepared, recheck);
    if (replay != null) return replay;
    long current = versions.getOrDefault(stream, -1L);
    if (!expected.matches(current)) {
      throw new FlowstoreException(
          ErrorCode.VERSION_CONFLICT,
          "stream '"
              + stream
              + "' is at version "
              + (current < 0 ? "none (no stream)" : current)
              + ", expected "
              + expected);
    }
    List<Planned> rows = plan(stream, current, head[0], prepared, now);
    sink.addAll(rows);
    head[0] += prepared.size();
    versions.put(stream, current + prepared.size());
    return new AppendResult(
        stream, current + prepared.size(), rows.stream().map(Planned::event).toList(), false);
  }

  /** One append waiting for a group commit. */
  record AppendRequest(String stream, ExpectedVersion expected, List<Prepared> events) {}

  /**
   * A group commit's batch of appends, under one feed lock: one query for every stream's version
   * and one insert batch for every event, so a batch costs a handful of round trips however many
   * appends it holds. {@code recheck}: see {@link GroupCommit.Work#run}.
   */
  static Answers<AppendResult> appendGroup(
      Connection c, Scope scope, List<AppendRequest> batch, boolean recheck) throws SQLException {
    JdbcEventStore events = new JdbcEventStore(scope);
    List<String> streams = batch.stream().map(AppendRequest::stream).distinct().toList();
    int wanted = batch.stream().mapToInt(r -> r.events().size()).sum();
    // why: the feed lock is taken by advancing the head for every event of the batch at once, in
    // the same round trip as the tenant scope (PostgreSQL) and the stream versions; rejected
    // appends give their positions back below, so positions stay gap-free
    Map<String, Long> versions = new HashMap<>();
    Long advanced = events.advanceHead(c, wanted, streams, versions);
    long start = advanced == null ? events.lockFeedHead(c) : advanced - wanted;
    long[] head = {start};
    List<Planned> rows = new ArrayList<>();
    Instant now = scope.flowstore().now();
    Answers<AppendResult> out = new Answers<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      AppendRequest r = batch.get(i);
      try {
        out.answer(
            i,
            events.appendDeferred(
                c, r.stream(), r.expected(), r.events(), head, versions, rows, now, recheck));
      } catch (FlowstoreException e) {
        out.reject(i, e);
      }
    }
    events.insertAll(c, rows);
    if (head[0] != (advanced == null ? start : advanced)) events.updateHead(c, head[0]);
    return out;
  }

  private static final String ADVANCE_HEAD =
      "UPDATE event_feed_heads SET last_position = last_position + ? WHERE tenant_id = ? RETURNING last_position";

  /**
   * Locks the feed head by advancing it {@code by} positions and reads the streams' versions into
   * {@code versions}; on PostgreSQL one round trip that also scopes the transaction to the tenant
   * (see {@link JdbcFlowstore#writeScopedByWork}). Returns the new head, or null when the tenant
   * has no feed head yet (then nothing was locked).
   */
  private Long advanceHead(Connection c, int by, List<String> streams, Map<String, Long> versions)
      throws SQLException {
    if (!scope.flowstore().scopesStatements()) {
      Long head =
          Columns.one(
                  c,
                  ADVANCE_HEAD,
                  ps -> {
                    ps.setInt(1, by);
                    ps.setString(2, tenant());
                  },
                  rs -> rs.getLong(1))
              .orElse(null);
      versions.putAll(streamVersions(c, streams));
      return head;
    }
    try (PreparedStatement ps =
        JdbcFlowstore.prepareScoped(
            c, dialect, scope.tenant(), ADVANCE_HEAD + "; " + versionsSql(streams.size()))) {
      int i = dialect.scopeParams() + 1;
      ps.setInt(i++, by);
      ps.setString(i++, tenant());
      bindVersions(ps, i, streams);
      JdbcFlowstore.executeScoped(ps);
      Long head = null;
      try (ResultSet rs = ps.getResultSet()) {
        if (rs.next()) head = rs.getLong(1);
      }
      ps.getMoreResults();
      try (ResultSet rs = ps.getResultSet()) {
        readVersions(rs, versions);
      }
      return head;
    }
  }

  /** The current versions of several streams in one query (absent streams are left out). */
  java.util.Map<String, Long> streamVersions(Connection c, List<String> streams)
      throws SQLException {
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    if (streams.isEmpty()) return out;
    try (PreparedStatement ps = c.prepareStatement(versionsSql(streams.size()))) {
      bindVersions(ps, 1, streams);
      try (ResultSet rs = ps.executeQuery()) {
        readVersions(rs, out);
      }
    }
    return out;
  }

  // why: one correlated "ORDER BY version DESC LIMIT 1" per stream is an index probe each; a
  // max(version) ... GROUP BY over an IN list reads every event of the streams instead
  private static String versionsSql(int streams) {
    return "SELECT s.stream_id, (SELECT e.version FROM events e WHERE e.tenant_id = ? AND e.stream_id = s.stream_id"
        + " ORDER BY e.version DESC LIMIT 1) FROM ("
        + String.join(
            " UNION ALL ", java.util.Collections.nCopies(streams, "SELECT ? AS stream_id"))
        + ") s";
  }

  private void bindVersions(PreparedStatement ps, int first, List<String> streams)
      throws SQLException {
    ps.setString(first, tenant());
    for (int i = 0; i < streams.size(); i++) ps.setString(first + 1 + i, streams.get(i));
  }

  private static void readVersions(ResultSet rs, Map<String, Long> out) throws SQLException {
    while (rs.next()) {
      long v = rs.getLong(2);
      if (!rs.wasNull()) out.put(rs.getString(1), v);
    }
  }

  @Override
  public List<RecordedEvent> readStream(
      String stream, long fromVersion, int limit, Direction direction) {
    Ids.stream(stream);
    EventValidation.limit(limit);
    if (fromVersion < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "from_version must be >= 0, got " + fromVersion);
    boolean forward = direction != Direction.BACKWARD;
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM events WHERE tenant_id = ? AND stream_id = ? AND version "
            + (forward ? ">=" : "<=")
            + " ? ORDER BY version "
            + (forward ? "ASC" : "DESC")
            + " LIMIT ?";
    return read(
        sql,
        (ps, i) -> {
          ps.setString(i++, tenant());
          ps.setString(i++, stream);
          ps.setLong(i++, fromVersion);
          ps.setInt(i, limit);
        });
  }

  @Override
  public long streamVersion(String stream) {
    Ids.stream(stream);
    return scope.read(c -> streamVersion(c, stream));
  }

  private long streamVersion(Connection c, String stream) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT version FROM events WHERE tenant_id = ? AND stream_id = ? ORDER BY version DESC LIMIT 1")) {
      ps.setString(1, tenant());
      ps.setString(2, stream);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  @Override
  public List<RecordedEvent> readAll(long afterPosition, int limit, String category) {
    EventValidation.limit(limit);
    if (afterPosition < 0)
      throw new FlowstoreException(
          ErrorCode.INVALID_ARGUMENT, "after must be >= 0, got " + afterPosition);
    if (category != null) Ids.stream(category);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM events WHERE tenant_id = ? AND position > ?"
            + (category == null ? "" : " AND category = ?")
            + " ORDER BY position ASC LIMIT ?";
    return read(
        sql,
        (ps, i) -> {
          ps.setString(i++, tenant());
          ps.setLong(i++, afterPosition);
          if (category != null) ps.setString(i++, category);
          ps.setInt(i, limit);
        });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /**
   * A read of events: outside a caller's transaction one scoped statement (one round trip on
   * PostgreSQL), inside it on the caller's connection.
   */
  private List<RecordedEvent> read(String sql, JdbcFlowstore.StatementBinder binder) {
    if (scope.ownsTransactions())
      return scope.flowstore().readStatement(scope.tenant(), sql, binder, this::map);
    return scope.read(c -> query(c, sql, ps -> binder.bind(ps, 1)));
  }

  private List<RecordedEvent> query(Connection c, String sql, Binder binder) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        List<RecordedEvent> out = new ArrayList<>();
        while (rs.next()) out.add(map(rs));
        return out;
      }
    }
  }

  private RecordedEvent map(ResultSet rs) throws SQLException {
    return new RecordedEvent(
        dialect.getUuid(rs, "event_id"),
        rs.getString("stream_id"),
        rs.getLong("version"),
        rs.getLong("position"),
        rs.getString("type"),
        Json.stored("stored payload", rs.getString("payload")),
        Json.stored("stored metadata", rs.getString("metadata")),
        dialect.getTime(rs, "created_at"));
  }
}
