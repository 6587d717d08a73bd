package dev.flowstore.jdbc.internal;

import dev.flowstore.ErrorCode;
import dev.flowstore.FlowstoreException;
import dev.flowstore.internal.Json;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * One catalog table as both ends of a copy or compare see it: its columns, each with the kind of
 * value it holds. The kind comes from the column types of the two databases: PostgreSQL's types say
 * what a value is ({@code timestamptz}, {@code uuid}, {@code jsonb}, {@code boolean}, {@code
 * numeric}), SQLite's only how it is stored ({@code INTEGER}, {@code TEXT}), so where one end says
 * more, its kind wins: an {@code INTEGER} opposite a {@code timestamptz} is a time in microseconds.
 * Both ends must have the same columns, or the copy stops before writing (migrate both first).
 */
final class CopyShape {
  /** What a column holds, and so how its values are read, bound and written canonically. */
  enum Kind {
    INT,
    TEXT,
    BYTES,
    TIME,
    UUID,
    JSON,
    BOOL,
    DECIMAL,
    /**
     * Records' index keys: a text[] on PostgreSQL, a JSON array (TEXT) on SQLite; carried as the
     * JSON array's text.
     */
    KEYS;

    /** Whether this is only how SQLite stores the value (another end may know more). */
    boolean storageOnly() {
      return this == INT || this == TEXT;
    }

    /** The kind two ends agree on, or null if they cannot agree. */
    Kind with(Kind other) {
      if (this == other) return this;
      if (storageOnly() && !other.storageOnly() && other.storedAs() == this) return other;
      if (other.storageOnly() && !storageOnly() && storedAs() == other) return this;
      return null;
    }

    /** How SQLite stores a value of this kind. */
    private Kind storedAs() {
      return switch (this) {
        case TIME, BOOL, INT -> INT;
        case UUID, JSON, DECIMAL, TEXT, KEYS -> TEXT;
        case BYTES -> BYTES;
      };
    }

    static Kind ofType(String table, String column, String typeName) {
      String t = typeName.toLowerCase(Locale.ROOT);
      if (t.contains("timestamp")) return TIME;
      if (t.equals("uuid")) return UUID;
      if (t.equals("json") || t.equals("jsonb")) return JSON;
      if (t.equals("_text")) return KEYS;
      if (t.startsWith("bool")) return BOOL;
      if (t.equals("numeric") || t.equals("decimal")) return DECIMAL;
      if (t.equals("bytea") || t.equals("blob")) return BYTES;
      if (t.startsWith("int") || t.endsWith("int") || t.endsWith("serial")) return INT;
      if (t.equals("text") || t.startsWith("varchar")) return TEXT;
      throw new FlowstoreException(
          ErrorCode.INTERNAL,
          "column "
              + table
              + "."
              + column
              + " has type "
              + typeName
              + ", which backend copy does not know: add it to CopyShape.Kind.ofType");
    }
  }

  record Column(String name, Kind kind) {}

  final TableCatalog.Table table;

  /** Every column the source has, generated ones included (they order the rows). */
  final List<Column> read;

  /** The columns copied and compared: {@link #read} without the generated ones. */
  final List<Column> copied;

  private CopyShape(TableCatalog.Table table, List<Column> read) {
    this.table = table;
    this.read = List.copyOf(read);
    this.copied = read.stream().filter(c -> !table.generatedColumns().contains(c.name())).toList();
  }

  /**
   * The shape of {@code table} between two databases.
   *
   * @throws FlowstoreException {@code CONFIGURATION} when the two ends' columns differ (not
   *     migrated to the same version)
   */
  static CopyShape of(TableCatalog.Table table, Snapshot a, Snapshot b) throws SQLException {
    String aName = a.store.describe();
    String bName = b.store.describe();
    return of(
        table,
        columns(table.name(), a.dialect, a.connection, aName),
        aName,
        columns(table.name(), b.dialect, b.connection, bName),
        bName);
  }

  /** The shape between a source snapshot and a target's connection. */
  static CopyShape of(TableCatalog.Table table, Snapshot a, JdbcFlowstore b, Connection bc)
      throws SQLException {
    String aName = a.store.describe();
    return of(
        table,
        columns(table.name(), a.dialect, a.connection, aName),
        aName,
        columns(table.name(), b.dialect(), bc, b.describe()),
        b.describe());
  }

  private static CopyShape of(
      TableCatalog.Table table,
      Map<String, Kind> ka,
      String aName,
      Map<String, Kind> kb,
      String bName) {
    if (!ka.keySet().equals(kb.keySet()))
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "table "
              + table.name()
              + " has columns "
              + ka.keySet()
              + " in "
              + aName
              + " but "
              + kb.keySet()
              + " in "
              + bName
              + ": bring both to the same schema version first (flowstore migrate)");
    List<Column> read = new ArrayList<>();
    for (Map.Entry<String, Kind> e : ka.entrySet()) {
      Kind kind = e.getValue().with(kb.get(e.getKey()));
      if (kind == null)
        throw new FlowstoreException(
            ErrorCode.CONFIGURATION,
            "column "
                + table.name()
                + "."
                + e.getKey()
                + " holds "
                + e.getValue()
                + " in "
                + aName
                + " but "
                + kb.get(e.getKey())
                + " in "
                + bName);
      read.add(new Column(e.getKey(), kind));
    }
    return new CopyShape(table, read);
  }

  private static Map<String, Kind> columns(String table, Dialect d, Connection c, String where)
      throws SQLException {
    Map<String, Kind> out = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      java.util.Set<String> json = d.jsonColumns(c, table);
      for (int i = 1; i <= md.getColumnCount(); i++) {
        String name = md.getColumnName(i).toLowerCase(Locale.ROOT);
        out.put(
            name,
            json.contains(name) ? Kind.JSON : Kind.ofType(table, name, md.getColumnTypeName(i)));
      }
    } catch (SQLException e) {
      throw new FlowstoreException(
          ErrorCode.CONFIGURATION,
          "cannot read table "
              + table
              + " in "
              + where
              + " ("
              + e.getMessage()
              + "): is it a flowstore database at the same schema version? (flowstore migrate)",
          e);
    }
    return out;
  }

  Column column(String name) {
    return read.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  /**
   * The value of {@code column} in the current row: Long (INT), String (TEXT, UUID, JSON), byte[],
   * Instant, Boolean, BigDecimal, or null.
   */
  static Object read(Dialect d, ResultSet rs, Column column) throws SQLException {
    String n = column.name();
    Object v =
        switch (column.kind()) {
          case INT -> rs.getLong(n);
          case TEXT, JSON -> rs.getString(n);
          case UUID -> {
            UUID u = Columns.getUuid(d, rs, n);
            yield u == null ? null : u.toString();
          }
          case BYTES -> rs.getBytes(n);
          case TIME -> Columns.getTime(d, rs, n);
          case BOOL -> rs.getBoolean(n);
          case DECIMAL -> rs.getBigDecimal(n);
          case KEYS -> {
            if (!(d instanceof PostgresDialect)) yield rs.getString(n);
            java.sql.Array a = rs.getArray(n);
            if (a == null) yield null;
            var out = Json.MAPPER.createArrayNode();
            for (Object k : (Object[]) a.getArray()) out.add((String) k);
            yield Json.write(out);
          }
        };
    return rs.wasNull() ? null : v;
  }

  /** PostgreSQL's text[] literal of a {@link Kind#KEYS} value (a JSON array's text). */
  static String textArray(Column column, String json) {
    List<String> keys = new ArrayList<>();
    for (var k : Json.parse(column.name(), json)) keys.add(k.isNull() ? null : k.asText());
    return RecordIndex.textArray(keys);
  }

  /** The placeholder a value of {@code column} is bound to on {@code d}'s database. */
  static String placeholder(Dialect d, Column column) {
    if (column.kind() == Kind.KEYS && d instanceof PostgresDialect) return "?::text[]";
    return column.kind() == Kind.JSON ? d.jsonParam() : "?";
  }

  /** Binds a value {@link #read} gave (or {@link #parse} made) to parameter {@code i}. */
  static void bind(Dialect d, PreparedStatement ps, int i, Column column, Object v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.OTHER);
      return;
    }
    switch (column.kind()) {
      case INT -> ps.setLong(i, (Long) v);
      case TEXT, JSON -> ps.setString(i, (String) v);
      case UUID -> d.setUuid(ps, i, java.util.UUID.fromString((String) v));
      case BYTES -> ps.setBytes(i, (byte[]) v);
      case TIME -> d.setTime(ps, i, (Instant) v);
      case BOOL -> ps.setBoolean(i, (Boolean) v);
      case DECIMAL -> ps.setBigDecimal(i, (BigDecimal) v);
      case KEYS ->
          ps.setString(
              i, d instanceof PostgresDialect ? textArray(column, (String) v) : (String) v);
    }
  }

  /**
   * The canonical text of a value, the same whichever database it was read from: times in
   * microseconds since the epoch, JSON with sorted keys and plain numbers ({@link Json#canonical}),
   * decimals without trailing zeros, bytes in hex; null for null.
   */
  static String canonical(Column column, Object v) {
    if (v == null) return null;
    return switch (column.kind()) {
      case INT, BOOL -> v.toString();
      case TEXT, UUID -> (String) v;
      case JSON, KEYS -> Json.canonical(Json.parse(column.name(), (String) v));
      case BYTES -> HexFormat.of().formatHex((byte[]) v);
      case TIME -> Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, (Instant) v));
      case DECIMAL -> {
        BigDecimal d = (BigDecimal) v;
        yield d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
      }
    };
  }

  /** The value whose {@link #canonical} text is {@code text} (for the keys a copy resumes at). */
  static Object parse(Column column, String text) {
    if (text == null) return null;
    return switch (column.kind()) {
      case INT -> Long.parseLong(text);
      case TEXT, UUID, JSON, KEYS -> text;
      case BYTES -> HexFormat.of().parseHex(text);
      case TIME -> Instant.EPOCH.plus(Long.parseLong(text), ChronoUnit.MICROS);
      case BOOL -> Boolean.parseBoolean(text);
      case DECIMAL -> new BigDecimal(text);
    };
  }
}
