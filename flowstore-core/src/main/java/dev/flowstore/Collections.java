package dev.flowstore;

import java.util.List;
import java.util.Optional;

/**
 * Declarations of record collections: global, one declaration for every tenant (the application's
 * data model, like its tables), applied by the application at start or with {@code flowstore
 * collections apply FILE}. Records themselves are per tenant ({@link Flowstore#records}).
 */
public interface Collections {
  /**
   * Declares a collection, or changes its declaration; idempotent (the same spec again changes
   * nothing and keeps the version). Safe on a live store: a new schema applies to the next write of
   * each record; a new or retyped indexed field, or a new unique field, is built for the records
   * already stored, tenant by tenant in small batches that wait for no more than one batch of a
   * tenant's writes, before this returns; a field removed from the index is dropped the same way.
   * Writes during the build keep the new index. If the build stops (a crash, a unique value held
   * twice), the field is not ready ({@link Collection#readyFields}) and declaring again resumes it.
   *
   * @return the declaration as stored, its indexes ready
   * @throws FlowstoreException INVALID_ARGUMENT for a bad name, schema, pointer, or a unique field
   *     that is not indexed; NOT_FOUND for an undeclared parent; ALREADY_EXISTS when a new unique
   *     field holds one value in two records of a tenant (the message names them; the declaration
   *     is stored, its unique index not ready)
   */
  Collection declare(CollectionSpec spec);

  /** The collection's declaration, if declared. */
  Optional<Collection> get(String name);

  /** Every declared collection, by name. */
  List<Collection> list();
}
