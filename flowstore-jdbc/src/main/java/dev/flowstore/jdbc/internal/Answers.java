package dev.flowstore.jdbc.internal;

import dev.flowstore.FlowstoreException;
import java.util.Arrays;

/**
 * The answers of one {@link GroupCommit} batch, in batch order: per request, the value it returns
 * or the {@link FlowstoreException} that rejected it (a rejected request wrote nothing). A slot is
 * open until one of the two is set.
 *
 * @param <A> a request's answer
 */
final class Answers<A> {
  // why: one array for values and rejections keeps a batch of 256 one allocation; typed access only
  private final Object[] slots;

  Answers(int size) {
    slots = new Object[size];
  }

  int size() {
    return slots.length;
  }

  /** Request {@code i} succeeded with {@code value} (not null). */
  void answer(int i, A value) {
    slots[i] = java.util.Objects.requireNonNull(value, "answer");
  }

  /** Request {@code i} was rejected with {@code error}; nothing of it was written. */
  void reject(int i, FlowstoreException error) {
    slots[i] = java.util.Objects.requireNonNull(error, "error");
  }

  /** Whether request {@code i} has its answer or rejection. */
  boolean settled(int i) {
    return slots[i] != null;
  }

  boolean allSettled() {
    return Arrays.stream(slots).allMatch(java.util.Objects::nonNull);
  }

  /** The rejection of request {@code i}, or null when it has a value (or nothing yet). */
  FlowstoreException rejection(int i) {
    return slots[i] instanceof FlowstoreException e ? e : null;
  }

  /** The value of request {@code i}, or null when it was rejected (or has nothing yet). */
  @SuppressWarnings("unchecked")
  A value(int i) {
    return slots[i] instanceof FlowstoreException ? null : (A) slots[i];
  }
}
