package dev.flowstore;

import java.time.Instant;
import java.util.List;

/**
 * A declared collection.
 *
 * @param version 1 when first declared, +1 with every declaration that changed it
 * @param readyFields the indexed fields whose index holds every tenant's records: a field added or
 *     retyped by the last declaration joins it when its index is built ({@link
 *     Collections#declare}); queries may use only these
 */
public record Collection(
    CollectionSpec spec,
    int version,
    List<IndexedField> readyFields,
    Instant createdAt,
    Instant updatedAt) {
  public Collection {
    readyFields = List.copyOf(readyFields);
  }

  public String name() {
    return spec.name();
  }

  /** Whether every indexed field is ready (no index is being built). */
  public boolean ready() {
    return readyFields.size() == spec.indexed().size();
  }
}
