package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.server.internal.cli.Terminal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqliteOperatorCliTest extends OperatorCliContract {
  @Override
  FlowstoreConfig newConfig() {
    try {
      return TestStores.sqlite(Files.createTempDirectory("flowstore-opcli-"), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aDataDirectoryWithoutADatabaseExits2AndCreatesNone() throws IOException {
    Path empty = Files.createTempDirectory("flowstore-opcli-empty-");
    Run r =
        run(
            Map.of("FLOWSTORE_DATA_DIR", empty.resolve("data").toString()),
            Terminal.NONE,
            "queues");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: FLOWSTORE_DATA_DIR: no flowstore database at ")
        .contains("--url");
    assertThat(empty.resolve("data")).doesNotExist();
  }

  @Test
  void anUnreachableDatabaseExits3() {
    Run r =
        run(
            Map.of(
                "FLOWSTORE_STORE_BACKEND",
                "postgres",
                "POSTGRES_DSN",
                "postgresql://nobody@127.0.0.1:1/none?connectTimeout=2"),
            Terminal.NONE,
            "dlq",
            "list");
    assertThat(r.code()).as(r.err()).isEqualTo(3);
    assertThat(r.errLines())
        .singleElement()
        .asString()
        .startsWith("flowstore: BACKEND_UNAVAILABLE: ")
        .contains("check that the backend is up");
  }
}
