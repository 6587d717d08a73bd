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
 * @param fullTextReady whether every record's searchable text is written from this declaration's
 *     {@code full_text}: false from a declaration that changed {@code full_text} until its build
 *     has gone through every tenant (a search during it is answered from the records rebuilt so
 *     far, and from the old texts of the others)
 */
public record Collection(
    CollectionSpec spec,
    int version,
    List<IndexedField> readyFields,
    Instant createdAt,
    Instant updatedAt,
    boolean fullTextReady) {
  public Collection {
    readyFields = List.copyOf(readyFields);
  }

  /** A collection whose full-text build, if any, is complete. */
  public Collection(
      CollectionSpec spec,
      int version,
      List<IndexedField> readyFields,
      Instant createdAt,
      Instant updatedAt) {
    this(spec, version, readyFields, createdAt, updatedAt, true);
  }

  public String name() {
    return spec.name();
  }

  /**
   * Whether every indexed field is ready (no index is being built). The full-text build is {@link
   * #fullTextReady}: a search is never refused during it, where a query on a field not ready is.
   */
  public boolean ready() {
    return readyFields.size() == spec.indexed().size();
  }
}
