package dev.flowstore.spi;

import java.util.OptionalLong;

/**
 * The SQL store's cheap probe of one tenant's records: the committed version of a record, one
 * primary-key lookup of one column (no JSON column). Every change of a record increases its
 * version, and a deleted record's id continues its stream (a re-created record gets a higher
 * version), so an entry whose version equals this one is exactly the committed row.
 */
@FunctionalInterface
public interface RecordVersions {
  /**
   * The record's committed version now; empty when it does not exist.
   *
   * @throws dev.flowstore.FlowstoreException NOT_FOUND for an undeclared collection, as {@code
   *     Records.get}
   */
  OptionalLong current(String collection, String id);
}
