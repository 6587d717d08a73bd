package dev.flowstore.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The SQL store's cheap probes of one tenant's records (no JSON column read). Every change of a
 * record increases its version, and a deleted record's id continues its stream (a re-created record
 * gets a higher version), so (id, version) names exactly one committed state: an entry whose id and
 * version are those probed is exactly the committed row.
 */
public interface RecordVersions {
  /** A record's id and committed version. */
  record Held(String id, long version) {}

  /**
   * The record's committed version now; empty when it does not exist.
   *
   * @throws dev.flowstore.FlowstoreException as {@code Records.get}
   */
  OptionalLong current(String collection, String id);

  /**
   * The id and committed version of the record holding {@code value} in the unique field {@code
   * pointer} now; empty when none does.
   *
   * @throws dev.flowstore.FlowstoreException as {@code Records.getByUnique}
   */
  Optional<Held> holder(String collection, String pointer, JsonNode value);
}
