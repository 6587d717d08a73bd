package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flowstore.CollectionSpec;
import dev.flowstore.Flowstore;
import dev.flowstore.IndexedField;
import dev.flowstore.NewRecord;
import dev.flowstore.RecordFilter;
import dev.flowstore.RecordQuery;
import dev.flowstore.Records;
import dev.flowstore.StoredRecord;
import dev.flowstore.TenantId;
import dev.flowstore.internal.Json;
import dev.flowstore.testkit.TestBackends;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A record's data reads back from SQLite as it was written, characters beyond ASCII and exact
 * numbers included, by id and in a query page (both read the stored UTF-8 bytes as they are).
 */
class SqliteRecordDataTest {
  @Test
  void dataReadsBackAsWritten() {
    try (Flowstore fs = Flowstore.open(TestBackends.sqliteTemp())) {
      fs.collections()
          .declare(CollectionSpec.of("notes").withIndexed(IndexedField.string("/status")));
      Records records = fs.records(TenantId.of("t1"));
      ObjectNode data =
          Json.parseObject(
              "data",
              "{\"status\":\"caf\u00e9\",\"text\":\"\u4e2d\u6587 \ud83d\ude00 \\\"q\\\" \\\\ \\n\","
                  + "\"n\":[1,4294967296,2.50,-7.125],\"deep\":{\"a\":[{\"b\":null}]}}");
      StoredRecord created = records.create("notes", NewRecord.of("n-1", data));
      StoredRecord got = records.get("notes", "n-1").orElseThrow();
      assertThat(got.data()).isEqualTo(data);
      assertThat(Json.write(got.data())).isEqualTo(Json.write(data));
      assertThat(got).isEqualTo(created);
      List<StoredRecord> page =
          records
              .query(RecordQuery.of("notes").where(RecordFilter.eq("/status", "caf\u00e9")))
              .records();
      assertThat(page).containsExactly(got);
    }
  }
}
