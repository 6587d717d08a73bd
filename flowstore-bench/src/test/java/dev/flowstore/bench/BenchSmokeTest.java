package dev.flowstore.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves the harness works end to end at a minimal size (row 1 on SQLite only: no server needed);
 * the benchmark itself never runs in the build.
 */
class BenchSmokeTest {
  @Test
  @Timeout(60)
  void rowOneOnSqlitePrintsARatio() throws Exception {
    String out = runClean("--smoke", "--rows", "1", "--no-postgres");
    assertThat(out).contains("| scenario").contains("append 1 event/call, 64 writers, SQLite");
    assertThat(out).containsPattern("\\| +[0-9.]+x \\|");
  }

  @Test
  @Timeout(10)
  void rowEightIsPostgresOnlySoNoPostgresSkipsIt() throws Exception {
    String out = runClean("--smoke", "--rows", "8", "--no-postgres");
    assertThat(out).contains("| scenario").doesNotContain("growth");
  }

  @Test
  @Timeout(60)
  void rowTenOnSqlitePrintsRecordRatios() throws Exception {
    String out = runClean("--smoke", "--rows", "10", "--no-postgres");
    assertThat(out)
        .contains("record create, 1 thread, SQLite")
        .contains("record get by id, 1 thread")
        .contains("record query 1 indexed eq");
    assertThat(out).containsPattern("record query[^\\n]*\\| +[0-9.]+x \\|");
  }

  /** Runs the benchmark, asserts exit code 0, returns what it printed to stdout. */
  private static String runClean(String... args) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = Bench.run(args, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).as(out).isZero();
    return out;
  }
}
