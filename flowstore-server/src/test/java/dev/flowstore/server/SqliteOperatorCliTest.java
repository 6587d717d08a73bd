package dev.flowstore.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.FlowstoreConfig;
import dev.flowstore.server.internal.cli.Terminal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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
  void directModeNeverMigratesTheSchema() throws Exception {
    Path dir = Files.createTempDirectory("flowstore-opcli-unmigrated-");
    Path db = dir.resolve("flowstore.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      c.createStatement().execute("CREATE TABLE unrelated (x INTEGER)");
    }
    Run r = run(Map.of("FLOWSTORE_DATA_DIR", dir.toString()), Terminal.NONE, "queues");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).singleElement().asString().contains("'flowstore migrate'");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet tables =
            c.createStatement().executeQuery("SELECT group_concat(name) FROM sqlite_master")) {
      assertThat(tables.next()).isTrue();
      assertThat(tables.getString(1)).isEqualTo("unrelated");
    }
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
