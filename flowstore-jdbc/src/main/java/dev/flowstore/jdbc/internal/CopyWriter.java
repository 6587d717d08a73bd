package dev.flowstore.jdbc.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Writes a backend copy's batches of one table into the target, inside the transaction the caller
 * commits (with its {@code copy_progress} row). Rows are values as {@link CopyShape#read} gives
 * them, in the order of {@link CopyShape#read}; only {@link CopyShape#copied} columns are written,
 * in the order the rows come (a generated {@code seq} numbers them so).
 *
 * <ul>
 *   <li>{@link Inserts} (SQLite, and any batch the other cannot encode): one prepared multi-row
 *       {@code INSERT}, reused for every batch of the table, plus a single-row one for the rest.
 *   <li>{@link PostgresCopy}: the batch as one {@code COPY ... FROM STDIN} (text format).
 *       PostgreSQL refuses {@code COPY FROM} into a table whose row-level security applies to the
 *       login (the owner without BYPASSRLS: RLS is forced on it), so there the batch is copied into
 *       a temporary table of the same columns and moved with one {@code INSERT ... SELECT ... ORDER
 *       BY} its arrival order: each row still passes the {@code tenant_isolation} policy's check
 *       under the tenant the caller scoped the transaction to.
 * </ul>
 */
abstract sealed class CopyWriter implements AutoCloseable {
  final Dialect dialect;
  final Connection c;
  final CopyShape shape;

  /** For each copied column, its index in a row ({@link CopyShape#read}). */
  final int[] at;

  private CopyWriter(Dialect dialect, Connection c, CopyShape shape) {
    this.dialect = dialect;
    this.c = c;
    this.shape = shape;
    this.at = shape.copied.stream().mapToInt(shape.read::indexOf).toArray();
  }

  /** The writer for {@code shape}'s table on the target {@code c}. */
  static CopyWriter open(Dialect d, Connection c, CopyShape shape) throws SQLException {
    if (d instanceof PostgresDialect && c.isWrapperFor(PGConnection.class))
      return new PostgresCopy(d, c, shape);
    return new Inserts(d, c, shape);
  }

  /** Writes {@code batch} (not empty) in the current transaction. */
  abstract void write(List<List<Object>> batch) throws SQLException;

  @Override
  public abstract void close() throws SQLException;

  String columns() {
    return shape.copied.stream().map(CopyShape.Column::name).collect(Collectors.joining(", "));
  }

  /** Prepared multi-row INSERTs, kept for every batch of the table. */
  static final class Inserts extends CopyWriter {
    /** Rows per multi-row statement; at most this many parameters in one. */
    static final int ROWS = 200;

    static final int MAX_PARAMS = 30_000;

    private final int perStatement;
    private PreparedStatement many;
    private PreparedStatement one;

    Inserts(Dialect d, Connection c, CopyShape shape) {
      super(d, c, shape);
      this.perStatement = Math.max(1, Math.min(ROWS, MAX_PARAMS / Math.max(1, at.length)));
    }

    private String insert(int rows) {
      String row =
          shape.copied.stream()
              .map(col -> CopyShape.placeholder(dialect, col))
              .collect(Collectors.joining(", ", "(", ")"));
      return "INSERT INTO "
          + shape.table.name()
          + " ("
          + columns()
          + ") VALUES "
          + String.join(", ", java.util.Collections.nCopies(rows, row));
    }

    @Override
    void write(List<List<Object>> batch) throws SQLException {
      int i = 0;
      int n = batch.size();
      if (n >= perStatement && perStatement > 1) {
        if (many == null) many = c.prepareStatement(insert(perStatement));
        for (; i + perStatement <= n; i += perStatement) {
          int p = 1;
          for (int r = i; r < i + perStatement; r++) p = bind(many, p, batch.get(r));
          many.executeUpdate();
        }
      }
      if (i == n) return;
      if (one == null) one = c.prepareStatement(insert(1));
      for (; i < n; i++) {
        bind(one, 1, batch.get(i));
        one.addBatch();
      }
      one.executeBatch();
    }

    private int bind(PreparedStatement ps, int p, List<Object> row) throws SQLException {
      for (int k = 0; k < at.length; k++)
        CopyShape.bind(dialect, ps, p++, shape.copied.get(k), row.get(at[k]));
      return p;
    }

    @Override
    public void close() throws SQLException {
      try (PreparedStatement a = many;
          PreparedStatement b = one) {
        many = null;
        one = null;
      }
    }
  }

  /** {@code COPY ... FROM STDIN}, straight into the table or through a temporary one (RLS). */
  static final class PostgresCopy extends CopyWriter {
    private final CopyManager copy;
    private final String staging;
    private Boolean rowSecurity;
    private Inserts fallback;

    /** Whether {@link #upsert} staged rows with this writer (in its caller's transaction). */
    private boolean staged;

    PostgresCopy(Dialect d, Connection c, CopyShape shape) throws SQLException {
      super(d, c, shape);
      this.copy = c.unwrap(PGConnection.class).getCopyAPI();
      this.staging = "flowstore_copy_" + shape.table.name();
    }

    @Override
    void write(List<List<Object>> batch) throws SQLException {
      if (rowSecurity == null) rowSecurity = rowSecurityActive();
      byte[] data = encode(batch, rowSecurity);
      if (data == null) {
        // why: a value COPY's text cannot carry as the INSERT binds it (a time outside years
        // 1-9999); rare, so that batch goes the slow way
        if (fallback == null) fallback = new Inserts(dialect, c, shape);
        fallback.write(batch);
        return;
      }
      try {
        if (!rowSecurity) {
          copy.copyIn(
              "COPY " + shape.table.name() + " (" + columns() + ") FROM STDIN",
              new java.io.ByteArrayInputStream(data));
          return;
        }
        try (Statement s = c.createStatement()) {
          stage(s);
          fromStaging(s, data, "");
        }
      } catch (java.io.IOException e) {
        throw new SQLException("COPY into " + shape.table.name() + " failed: " + e, "08006", e);
      }
    }

    /**
     * COPYs {@code data} into the staging table, then inserts its rows into the table in arrival
     * order, {@code suffix} after the {@code ORDER BY} (an {@code ON CONFLICT} clause, or nothing).
     */
    private void fromStaging(Statement s, byte[] data, String suffix)
        throws SQLException, java.io.IOException {
      copy.copyIn(
          "COPY " + staging + " (copy_ord, " + columns() + ") FROM STDIN",
          new java.io.ByteArrayInputStream(data));
      s.executeUpdate(
          "INSERT INTO "
              + shape.table.name()
              + " ("
              + columns()
              + ") SELECT "
              + columns()
              + " FROM "
              + staging
              + " ORDER BY copy_ord"
              + suffix);
    }

    /**
     * Upserts {@code batch} for the mirror: COPY into the staging table, then one {@code INSERT ...
     * SELECT ... ORDER BY} arrival order followed by {@code conflict} (its {@code ON CONFLICT}
     * clause; the batch must not hold a key twice). False, having written nothing, when a value
     * cannot be written in COPY's text: the caller binds that batch instead.
     */
    boolean upsert(List<List<Object>> batch, String conflict) throws SQLException {
      byte[] data = encode(batch, true);
      if (data == null) return false;
      try (Statement s = c.createStatement()) {
        // why: ON COMMIT DELETE ROWS empties it at the commit; a second batch of this table in the
        // same transaction (another tenant's) must not see this one's rows
        if (staged) s.executeUpdate("DELETE FROM " + staging);
        else stage(s);
        staged = true;
        fromStaging(s, data, " " + conflict);
      } catch (java.io.IOException e) {
        throw new SQLException("COPY into " + shape.table.name() + " failed: " + e, "08006", e);
      }
      return true;
    }

    private void stage(Statement s) throws SQLException {
      // why ON COMMIT DELETE ROWS: each batch's transaction starts with it empty (a batch rolled
      // back took its rows, and on its first use its creation, with it)
      s.execute(
          "CREATE TEMPORARY TABLE IF NOT EXISTS "
              + staging
              + " ON COMMIT DELETE ROWS AS SELECT 0::bigint AS copy_ord, "
              + columns()
              + " FROM "
              + shape.table.name()
              + " WITH NO DATA");
    }

    /** Whether row-level security applies to this login on the table (COPY FROM is refused). */
    private boolean rowSecurityActive() throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("SELECT row_security_active(?::regclass)")) {
        ps.setString(1, shape.table.name());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    }

    /** The batch in COPY's text format, or null if a value cannot be written in it. */
    private byte[] encode(List<List<Object>> batch, boolean ordinal) {
      Text out = new Text(batch.size() * 64 * Math.max(1, at.length));
      long ord = 0;
      for (List<Object> row : batch) {
        if (ordinal) {
          out.ascii(Long.toString(ord++));
          out.tab();
        }
        for (int k = 0; k < at.length; k++) {
          if (k > 0) out.tab();
          if (!value(out, shape.copied.get(k), row.get(at[k]))) return null;
        }
        out.newline();
      }
      return out.bytes();
    }

    private static boolean value(Text out, CopyShape.Column col, Object v) {
      if (v == null) {
        out.ascii("\\N");
        return true;
      }
      switch (col.kind()) {
        case INT -> out.ascii(v.toString());
        case BOOL -> out.ascii((Boolean) v ? "t" : "f");
        case DECIMAL -> out.ascii(((BigDecimal) v).toPlainString());
        case UUID -> out.ascii((String) v);
        case TEXT, JSON -> out.escaped((String) v);
        case KEYS -> out.escaped(CopyShape.textArray(col, (String) v));
        case BYTES -> {
          out.ascii("\\\\x");
          out.ascii(HexFormat.of().formatHex((byte[]) v));
        }
        case TIME -> {
          return time(out, (Instant) v);
        }
      }
      return true;
    }

    /** {@code 2026-12-07 02:48:30.123456+00}: microseconds, as the INSERT's binding keeps them. */
    private static boolean time(Text out, Instant t) {
      LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
      int year = d.getYear();
      if (year < 1 || year > 9999) return false;
      // why round half up to microseconds: what PostgreSQL does to a bound value's nanoseconds
      long micros = (t.getNano() + 500) / 1000;
      if (micros == 1_000_000) return time(out, Instant.ofEpochSecond(t.getEpochSecond() + 1));
      out.digits(year, 4);
      out.ascii("-");
      out.digits(d.getMonthValue(), 2);
      out.ascii("-");
      out.digits(d.getDayOfMonth(), 2);
      out.ascii(" ");
      out.digits(d.getHour(), 2);
      out.ascii(":");
      out.digits(d.getMinute(), 2);
      out.ascii(":");
      out.digits(d.getSecond(), 2);
      out.ascii(".");
      out.digits(micros, 6);
      out.ascii("+00");
      return true;
    }

    @Override
    public void close() throws SQLException {
      if (fallback != null) fallback.close();
    }
  }

  /**
   * A growing UTF-8 buffer with COPY text format's escapes. A plain array rather than a {@code
   * ByteArrayOutputStream}, whose every (synchronized) write of a byte showed in profiles of the
   * mirror's and the copy's encoding.
   */
  static final class Text {
    private byte[] buf;
    private int n;

    Text(int size) {
      buf = new byte[Math.max(64, Math.min(size, 1 << 24))];
    }

    private void room(int more) {
      if (n + more > buf.length)
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
    }

    void tab() {
      room(1);
      buf[n++] = '\t';
    }

    void newline() {
      room(1);
      buf[n++] = '\n';
    }

    void ascii(String s) {
      int len = s.length();
      room(len);
      for (int i = 0; i < len; i++) buf[n++] = (byte) s.charAt(i);
    }

    void digits(long v, int width) {
      String s = Long.toString(v);
      room(Math.max(0, width - s.length()));
      for (int i = s.length(); i < width; i++) buf[n++] = '0';
      ascii(s);
    }

    private void raw(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, n, b.length);
      n += b.length;
    }

    /** A text value: backslash, newline, carriage return and tab escaped; UTF-8. */
    void escaped(String s) {
      int len = s.length();
      // why: most values are ASCII with nothing to escape, copied as they are
      boolean plain = true;
      for (int i = 0; i < len && plain; i++) {
        char ch = s.charAt(i);
        plain = ch < 0x80 && ch != '\\' && ch != '\n' && ch != '\r' && ch != '\t';
      }
      if (plain) {
        ascii(s);
        return;
      }
      int from = 0;
      for (int i = 0; i < len; i++) {
        char ch = s.charAt(i);
        String esc =
            switch (ch) {
              case '\\' -> "\\\\";
              case '\n' -> "\\n";
              case '\r' -> "\\r";
              case '\t' -> "\\t";
              default -> null;
            };
        if (esc == null) continue;
        raw(s.substring(from, i).getBytes(StandardCharsets.UTF_8));
        ascii(esc);
        from = i + 1;
      }
      raw((from == 0 ? s : s.substring(from)).getBytes(StandardCharsets.UTF_8));
    }

    byte[] bytes() {
      return java.util.Arrays.copyOf(buf, n);
    }
  }
}
