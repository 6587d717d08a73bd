package dev.flowstore.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowstore.Flowstore;
import dev.flowstore.testkit.TestBackends;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SQLite store names its database by the data directory's real path: copy marks and the mirror
 * recognise a backend by {@code describe()}, so every spelling of one directory must give the same
 * name, and two directories two names.
 */
class SqliteDescribeTest {
  @TempDir Path tmp;

  private static String describe(Path dir) {
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(dir))) {
      return fs.describe();
    }
  }

  @Test
  void everySpellingOfOneDirectoryNamesOneDatabase() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), data);
    String plain = describe(data);
    assertThat(plain).isEqualTo("sqlite " + data.toRealPath().resolve("flowstore.db"));
    assertThat(describe(tmp.resolve("data/./../data/."))).isEqualTo(plain);
    assertThat(describe(link)).isEqualTo(plain);
    assertThat(describe(tmp.resolve("other"))).isNotEqualTo(plain);
  }
}
