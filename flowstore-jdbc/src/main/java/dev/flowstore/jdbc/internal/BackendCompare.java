package dev.flowstore.jdbc.internal;

import dev.flowstore.Flowstore;
import dev.flowstore.spi.BackendSwitch.Comparison;
import dev.flowstore.spi.BackendSwitch.Difference;
import dev.flowstore.spi.BackendSwitch.TableComparison;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * {@code flowstore compare}: whether two SQL backends hold the same rows, per tenant and table of
 * the {@link TableCatalog} (those copied row by row; {@code REBUILT} tables follow from them,
 * {@code NEVER} tables are each database's own).
 *
 * <p>Each side is read in one snapshot ({@link Snapshot}). A row is written canonically ({@link
 * CopyShape#canonical}: times in microseconds, JSON with sorted keys, and so on), so a row reads
 * the same from SQLite and PostgreSQL; generated columns ({@code seq}) are left out. Per table and
 * tenant the report has each side's count and digest: the sum, modulo 2^64, of the first 8 bytes of
 * each row's SHA-256 — independent of row order. Both sides are streamed in key order (bytewise for
 * text, the same on both databases) and merged, so the first differing keys are named with what
 * differs, without holding a table in memory.
 */
final class BackendCompare {
  private BackendCompare() {}

  /**
   * Compares every catalog table of every tenant either side has.
   *
   * @param maxDifferences at most this many differing rows are named per table and tenant
   * @throws dev.flowstore.FlowstoreException {@code CONFIGURATION} when either is not a SQL backend
   *     or their schemas differ; {@code BACKEND_UNAVAILABLE} when a database fails
   */
  static Comparison compare(Flowstore a, Flowstore b, int maxDifferences) {
    JdbcFlowstore sa = Snapshot.sql(a, "first backend");
    JdbcFlowstore sb = Snapshot.sql(b, "second backend");
    try (Snapshot x = Snapshot.open(sa);
        Snapshot y = Snapshot.open(sb)) {
      TreeSet<String> tenants = new TreeSet<>(x.tenants());
      tenants.addAll(y.tenants());
      List<TableComparison> out = new ArrayList<>();
      for (TableCatalog.Table t : TableCatalog.tables()) {
        if (t.copy() != TableCatalog.Copy.ROWS) continue;
        CopyShape shape = CopyShape.of(t, x, y);
        for (String tenant : t.tenantScoped() ? List.copyOf(tenants) : List.of(""))
          out.add(table(x, y, shape, tenant, maxDifferences));
      }
      List<String> warnings = new ArrayList<>();
      for (Snapshot side : List.of(x, y)) {
        String w = side.tenantWarning();
        if (w != null) warnings.add(w);
      }
      return new Comparison(sa.describe(), sb.describe(), out, warnings);
    } catch (SQLException e) {
      throw SqlErrors.translate(sa.dialect(), "comparing " + sa.describe(), e);
    }
  }

  private static TableComparison table(
      Snapshot x, Snapshot y, CopyShape shape, String tenant, int maxDifferences)
      throws SQLException {
    List<CopyShape.Column> key =
        shape.table.key().stream()
            .filter(c -> !shape.table.tenantColumn().map(c::equals).orElse(false))
            .map(shape::column)
            .toList();
    Side sideA = new Side();
    Side sideB = new Side();
    List<Difference> diffs = new ArrayList<>();
    Merge merge = new Merge(shape, key, diffs, maxDifferences);
    try (Snapshot.Cursor as = x.rows(shape, tenant, key, null, true);
        Snapshot.Cursor bs = y.rows(shape, tenant, key, null, true)) {
      List<String> a = canonical(shape, as.next());
      List<String> b = canonical(shape, bs.next());
      while (a != null || b != null) {
        int cmp = a == null ? 1 : b == null ? -1 : merge.compareKeys(a, b);
        if (cmp <= 0) sideA.add(shape, a);
        if (cmp >= 0) sideB.add(shape, b);
        if (cmp < 0) merge.note(a, "only in a", Map.of());
        else if (cmp > 0) merge.note(b, "only in b", Map.of());
        else merge.values(a, b);
        if (cmp <= 0) a = canonical(shape, as.next());
        if (cmp >= 0) b = canonical(shape, bs.next());
      }
    }
    return new TableComparison(
        shape.table.name(),
        tenant,
        sideA.count,
        sideB.count,
        sideA.digest(),
        sideB.digest(),
        List.copyOf(diffs));
  }

  /** A row's canonical values, in the order of {@link CopyShape#copied}. */
  private static List<String> canonical(CopyShape shape, List<Object> row) {
    if (row == null) return null;
    List<String> out = new ArrayList<>(shape.copied.size());
    for (CopyShape.Column c : shape.copied)
      out.add(CopyShape.canonical(c, row.get(shape.read.indexOf(c))));
    return out;
  }

  /** Count and order-independent digest of one side. */
  private static final class Side {
    long count;
    long sum;

    void add(CopyShape shape, List<String> row) {
      count++;
      sum += hash(shape, row);
    }

    String digest() {
      return String.format("%016x", sum);
    }
  }

  private static long hash(CopyShape shape, List<String> row) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    List<Integer> byName = new ArrayList<>();
    for (int i = 0; i < shape.copied.size(); i++) byName.add(i);
    byName.sort(Comparator.comparing(i -> shape.copied.get(i).name()));
    for (int i : byName) {
      // why: length-prefixed, so no value can pass for two; null apart from every text
      byte[] name = shape.copied.get(i).name().getBytes(StandardCharsets.UTF_8);
      String v = row.get(i);
      sha.update(ByteBuffer.allocate(4).putInt(name.length).array());
      sha.update(name);
      if (v == null) {
        sha.update(ByteBuffer.allocate(4).putInt(-1).array());
      } else {
        byte[] value = v.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(4).putInt(value.length).array());
        sha.update(value);
      }
    }
    return ByteBuffer.wrap(sha.digest()).getLong();
  }

  /** What a merge of two sides in key order finds. */
  private static final class Merge {
    final CopyShape shape;
    final List<CopyShape.Column> key;
    final List<Difference> diffs;
    final int max;

    Merge(CopyShape shape, List<CopyShape.Column> key, List<Difference> diffs, int max) {
      this.shape = shape;
      this.key = key;
      this.diffs = diffs;
      this.max = max;
    }

    /** Two rows with one key: notes the columns whose values differ, if any. */
    void values(List<String> a, List<String> b) {
      Map<String, List<String>> columns = new LinkedHashMap<>();
      for (int i = 0; i < shape.copied.size(); i++) {
        String va = a.get(i);
        String vb = b.get(i);
        if (!Objects.equals(va, vb)) columns.put(shape.copied.get(i).name(), Arrays.asList(va, vb));
      }
      if (!columns.isEmpty()) note(a, "values differ", columns);
    }

    void note(List<String> row, String problem, Map<String, List<String>> columns) {
      if (diffs.size() >= max) return;
      Map<String, String> k = new LinkedHashMap<>();
      for (CopyShape.Column c : key) k.put(c.name(), row.get(shape.copied.indexOf(c)));
      diffs.add(new Difference(k, problem, columns));
    }

    /** Key order as both databases sort it: numbers by value, texts by their UTF-8 bytes. */
    int compareKeys(List<String> x, List<String> y) {
      for (CopyShape.Column c : key) {
        int i = shape.copied.indexOf(c);
        int cmp =
            c.kind() == CopyShape.Kind.INT || c.kind() == CopyShape.Kind.TIME
                ? Long.compare(Long.parseLong(x.get(i)), Long.parseLong(y.get(i)))
                : compareCodePoints(x.get(i), y.get(i));
        if (cmp != 0) return cmp;
      }
      return 0;
    }
  }

  /** Texts compared code point by code point: the order of their UTF-8 bytes. */
  static int compareCodePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) return Integer.compare(a, b);
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Integer.compare(x.length() - i, y.length() - j);
  }
}
