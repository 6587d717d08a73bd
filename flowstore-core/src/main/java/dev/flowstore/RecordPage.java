package dev.flowstore;

import java.util.List;

/**
 * A page of a query's records.
 *
 * @param nextCursor pass to {@link RecordQuery#after} for the next page; null on the last page
 */
public record RecordPage(List<StoredRecord> records, String nextCursor) {
  public RecordPage {
    records = List.copyOf(records);
  }
}
