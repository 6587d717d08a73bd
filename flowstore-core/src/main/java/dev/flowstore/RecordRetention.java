package dev.flowstore;

/**
 * A collection's retention: what happens to a record {@code days} days after its {@code basis}
 * ({@link CollectionSpec#withRetention}). The {@code serve} sweeper applies it to every tenant
 * ({@link Records#applyRetention}).
 *
 * @param action {@link Action#DELETE} removes the record, {@link Action#ARCHIVE} archives it (an
 *     archived record is left as it is)
 * @param days the age, at least 1
 * @param basis {@link #CREATED} ({@code created_at}), {@link #UPDATED} ({@code updated_at}), or the
 *     JSON pointer of an indexed field of type timestamp (a record whose field is null or missing
 *     is never due)
 */
public record RecordRetention(Action action, int days, String basis) {
  /** The basis {@code created_at}. */
  public static final String CREATED = "created_at";

  /** The basis {@code updated_at}. */
  public static final String UPDATED = "updated_at";

  /** What retention does to a due record. */
  public enum Action {
    DELETE,
    ARCHIVE
  }

  /** Deletes records {@code days} after {@code basis}. */
  public static RecordRetention delete(int days, String basis) {
    return new RecordRetention(Action.DELETE, days, basis);
  }

  /** Archives records {@code days} after {@code basis}. */
  public static RecordRetention archive(int days, String basis) {
    return new RecordRetention(Action.ARCHIVE, days, basis);
  }

  /** Whether the basis is an indexed timestamp field (not created_at or updated_at). */
  public boolean onField() {
    return !CREATED.equals(basis) && !UPDATED.equals(basis);
  }
}
