package dev.flowstore.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.flowstore.EventData;
import dev.flowstore.ExpectedVersion;
import dev.flowstore.Flowstore;
import dev.flowstore.TenantId;
import dev.flowstore.testkit.ServerProcess;
import dev.flowstore.testkit.TestBackends;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code ./flowstore mirror run} as an operator starts it (the launcher, a process of its own): it
 * lowers its CPU priority by default (docs/mirror.md "Where it runs"), every one of its threads,
 * and still carries what the primary commits; a priority out of range is refused before anything
 * opens.
 */
class MirrorRunE2eTest {
  private static final TenantId TENANT = TenantId.of("acme");

  @Test
  void theMirrorRunsAtNice19OnEveryThreadAndCarriesWrites() throws Exception {
    Path work = Files.createTempDirectory("flowstore-e2e-mirror-");
    String primary = "sqlite:" + work.resolve("a");
    String secondary = "sqlite:" + work.resolve("b");
    Map<String, String> env = new HashMap<>(ApiE2eContract.JVM_OPTIONS);
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(work.resolve("a")))) {
      append(fs, "before");
      ok(ServerProcess.run(work, env, "mirror", "capture", "on", "--from", primary));
      ok(ServerProcess.run(work, env, "copy", "--from", primary, "--to", secondary));

      Path log = work.resolve("mirror.log");
      List<String> command =
          new ArrayList<>(
              List.of(
                  ServerProcess.repoRoot().resolve("flowstore").toString(),
                  "mirror",
                  "run",
                  "--from",
                  primary,
                  "--to",
                  secondary,
                  "--poll",
                  "50ms",
                  "--status-every",
                  "0"));
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(work.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().putAll(env);
      Process mirror = pb.start();
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    !mirror.isAlive()
                        || read(log).contains("at lower CPU priority: nice 19 for its threads"));
        assertThat(mirror.isAlive()).as(read(log)).isTrue();
        // the launcher execs java: the pid is the JVM's
        Path tasks = Path.of("/proc/" + mirror.pid() + "/task");
        List<String> notNiced = new ArrayList<>();
        int threads = 0;
        try (var ids = Files.list(tasks)) {
          for (Path task : ids.toList()) {
            String stat;
            try {
              stat = Files.readString(task.resolve("stat"));
            } catch (IOException ended) {
              continue;
            }
            threads++;
            // after "(comm) ": state is field 3, nice field 19
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (!f[16].equals("19")) notNiced.add(stat.substring(0, stat.lastIndexOf(')') + 1));
          }
        }
        assertThat(threads).isGreaterThan(5);
        assertThat(notNiced).as("threads not at nice 19").isEmpty();

        append(fs, "during");
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> ServerProcess.run(work, env, "compare", primary, secondary).code() == 0);
      } finally {
        mirror.destroy();
        if (!mirror.waitFor(30, TimeUnit.SECONDS)) mirror.destroyForcibly();
      }
      assertThat(read(log)).doesNotContain("Exception");
    }
  }

  @Test
  void aNiceOutOfRangeIsRefusedWithTheRange() throws Exception {
    Path work = Files.createTempDirectory("flowstore-e2e-mirror-");
    ServerProcess.Run r =
        ServerProcess.run(
            work,
            new HashMap<>(ApiE2eContract.JVM_OPTIONS),
            "mirror",
            "run",
            "--from",
            "sqlite:" + work.resolve("a"),
            "--to",
            "sqlite:" + work.resolve("b"),
            "--nice",
            "20");
    assertThat(r.code()).as(r.output()).isEqualTo(2);
    assertThat(r.output()).contains("--nice: 20 is not between 0 and 19");
    // refused before anything opened: no store was created
    assertThat(work.resolve("a")).doesNotExist();
  }

  private static void append(Flowstore fs, String what) {
    fs.events(TENANT)
        .append(
            "order-" + what,
            ExpectedVersion.ANY,
            List.of(EventData.of("order.placed", JsonNodeFactory.instance.objectNode())));
  }

  private static void ok(ServerProcess.Run r) {
    assertThat(r.code()).as(r.output()).isZero();
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }
}
