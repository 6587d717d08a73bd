package dev.flowstore.jdbc.internal;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * A statement built from fragments that each bring their own values: {@code sql.append(" AND status
 * = ?", status)}. why: with positional binding written by hand, a clause added in one place and its
 * value bound in another, at an offset counted by eye, drift apart silently; here a fragment whose
 * {@code ?} count differs from its values is refused where it is written, and the offsets are
 * counted by the binder.
 *
 * <p>A value is bound by its class (UUIDs and instants through the dialect). A null is bound
 * untyped ({@link Types#OTHER}): the database takes its type from where the {@code ?} stands, as it
 * does for {@link Columns#setUuid}; a text that may be null is given as {@link #text}. A fragment
 * may not hold a {@code ?} that is no parameter (no PostgreSQL {@code jsonb ?} operator, no {@code
 * ?} in a literal).
 */
final class Sql implements Columns.Binder {
  /** A null bound with a type. */
  private record TypedNull(int sqlType) {}

  private static final TypedNull NULL_TEXT = new TypedNull(Types.VARCHAR);

  private final Dialect dialect;
  private final StringBuilder text = new StringBuilder();
  private final List<Object> values = new ArrayList<>();

  Sql(Dialect dialect, String fragment, Object... values) {
    this.dialect = dialect;
    append(fragment, values);
  }

  /**
   * A text value that may be null, bound as text either way. why: pgjdbc keeps a statement prepared
   * on the server only while each parameter keeps its type, so a text parameter bound a string on
   * one call and an untyped null on the next would be parsed again at every change ({@link
   * Columns#setText} types its null for the same reason).
   */
  static Object text(String value) {
    return value == null ? NULL_TEXT : value;
  }

  /** Appends a fragment and the values of its {@code ?}s, in order. */
  Sql append(String fragment, Object... values) {
    // why a loop of indexOf, not a stream or a charAt loop: every fragment of the hot paths
    // (appends, acks, leases, gets) is counted, and indexOf is a vectorized search
    int marks = 0;
    for (int i = fragment.indexOf('?'); i >= 0; i = fragment.indexOf('?', i + 1)) marks++;
    if (marks != values.length)
      throw new IllegalArgumentException(
          "'" + fragment + "' has " + marks + " parameters, given " + values.length + " values");
    for (Object v : values) {
      if (v != null && !bindable(v))
        throw new IllegalArgumentException("cannot bind a " + v.getClass().getName());
    }
    text.append(fragment);
    Collections.addAll(this.values, values);
    return this;
  }

  private static boolean bindable(Object v) {
    return v instanceof String
        || v instanceof Integer
        || v instanceof Long
        || v instanceof BigDecimal
        || v instanceof UUID
        || v instanceof Instant
        || v instanceof byte[]
        || v instanceof TypedNull;
  }

  /** Appends a {@code ?} for each value, {@code separator} between them: an {@code IN} list. */
  Sql appendList(String separator, List<?> values) {
    return append(
        String.join(separator, Collections.nCopies(values.size(), "?")), values.toArray());
  }

  /**
   * Appends another statement whole, its values after this one's (a statement nested in this one,
   * such as a data-modifying CTE).
   */
  Sql append(Sql other) {
    text.append(other.text);
    values.addAll(other.values);
    return this;
  }

  String text() {
    return text.toString();
  }

  @Override
  public void bind(PreparedStatement ps) throws SQLException {
    bind(ps, 1);
  }

  /**
   * Binds the values from parameter {@code first} on, after a prefix the caller binds: the tenant
   * scope of a scoped statement ({@link Transactions#prepareScoped}).
   */
  void bind(PreparedStatement ps, int first) throws SQLException {
    int i = first;
    for (Object v : values) {
      switch (v) {
        case null -> ps.setNull(i, Types.OTHER);
        case String s -> ps.setString(i, s);
        case Integer n -> ps.setInt(i, n);
        case Long n -> ps.setLong(i, n);
        case BigDecimal n -> ps.setBigDecimal(i, n);
        case UUID u -> dialect.setUuid(ps, i, u);
        case Instant t -> dialect.setTime(ps, i, t);
        case byte[] b -> ps.setBytes(i, b);
        case TypedNull n -> ps.setNull(i, n.sqlType());
        default -> throw new IllegalStateException("unbindable " + v.getClass().getName());
      }
      i++;
    }
  }

  @Override
  public String toString() {
    return text();
  }
}
