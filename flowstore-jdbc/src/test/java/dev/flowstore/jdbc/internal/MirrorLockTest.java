package dev.flowstore.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowstore.Flowstore;
import dev.flowstore.testkit.TestBackends;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror batch waits while another process holds the secondary's mirror lock ({@link
 * MirrorLock}): on PostgreSQL the schema's advisory lock (held here from another pooled session),
 * on SQLite the lock file (held here by another JVM, a single-file Java program run by this JDK's
 * {@code java}).
 */
class MirrorLockTest {
  @TempDir Path tmp;

  // why threads of their own: the common pool may have one thread on 2 cores, and the holder
  // blocks one while the batch must run beside it
  private static final java.util.concurrent.Executor THREADS =
      r -> Thread.ofPlatform().daemon().start(r);

  private static CompletableFuture<Boolean> batch(JdbcFlowstore secondary) {
    return CompletableFuture.supplyAsync(() -> MirrorLock.around(secondary, () -> true), THREADS);
  }

  private static void waitsUntilReleased(CompletableFuture<Boolean> batch, Runnable release)
      throws Exception {
    assertThatThrownBy(() -> batch.get(700, TimeUnit.MILLISECONDS))
        .isInstanceOf(TimeoutException.class);
    release.run();
    assertThat(batch.get(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void onPostgresABatchWaitsForTheSchemasAdvisoryLock() throws Exception {
    var config = TestBackends.postgres();
    try (Flowstore fs = Flowstore.open(config)) {
      JdbcFlowstore secondary = (JdbcFlowstore) fs;
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Void> holder =
          CompletableFuture.runAsync(
              () ->
                  secondary.system(
                      c -> {
                        try (Statement s = c.createStatement()) {
                          s.execute("SELECT pg_advisory_lock(5219, hashtext(current_schema()))");
                          held.countDown();
                          release.await();
                          s.execute("SELECT pg_advisory_unlock(5219, hashtext(current_schema()))");
                        } catch (InterruptedException e) {
                          throw new IllegalStateException(e);
                        }
                        return null;
                      }),
              THREADS);
      assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
      waitsUntilReleased(batch(secondary), release::countDown);
      holder.get(30, TimeUnit.SECONDS);
    } finally {
      TestBackends.drop(config);
    }
  }

  @Test
  void onSqliteABatchWaitsForTheLockFileHeldByAnotherProcess() throws Exception {
    Path dir = tmp.resolve("data");
    Path program = tmp.resolve("Hold.java");
    java.nio.file.Files.writeString(
        program,
        """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        class Hold {
          public static void main(String[] a) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                var lock = ch.lock()) {
              System.out.println("locked");
              System.out.flush();
              System.in.read();
            }
          }
        }
        """);
    String java = ProcessHandle.current().info().command().orElse("java");
    try (Flowstore fs = Flowstore.open(TestBackends.sqlite(dir))) {
      Path file = dir.resolve("flowstore.db-mirror.lock");
      Process other =
          new ProcessBuilder(java, program.toString(), file.toString())
              .redirectErrorStream(true)
              .start();
      try {
        BufferedReader out =
            new BufferedReader(
                new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("locked");
        waitsUntilReleased(
            batch((JdbcFlowstore) fs),
            () -> {
              try {
                other.getOutputStream().write('\n');
                other.getOutputStream().flush();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
      } finally {
        other.destroy();
      }
    }
  }
}
